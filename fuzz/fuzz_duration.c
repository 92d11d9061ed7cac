/* libFuzzer target: durations as people type them ("1h30m", "2 days"). */
#include "common/duration.h"
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  g_autofree char *text = g_strndup((const char *)data, size);
  gint64 seconds = 0;
  if (ll_duration_parse(text, 7 * 24 * 3600, &seconds, NULL)) {
    g_assert_cmpint(seconds, >, 0);
    g_assert_cmpint(seconds, <=, 7 * 24 * 3600);
    g_autofree char *words = ll_duration_describe(seconds);
    g_assert_nonnull(words);
  }
  return 0;
}

/* libFuzzer target: lifeline.conf as anyone with write access to their own
 * ~/.config could make it. Whatever is kept is at most 8 rendezvous, each
 * one that normalises to itself, and nothing is both kept and refused. */
#include "common/rendezvous_url.h"
#include "common/settings.h"
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  g_autoptr(LlSettings) s = ll_settings_parse((const char *)data, size, "fuzz.conf");
  g_assert_nonnull(s->rendezvous_urls);
  guint n = g_strv_length(s->rendezvous_urls);
  g_assert_cmpuint(n, <=, 8);
  for (guint i = 0; i < n; i++) {
    g_autofree char *again = ll_rendezvous_url_normalize(s->rendezvous_urls[i], NULL);
    g_assert_cmpstr(again, ==, s->rendezvous_urls[i]);
  }
  g_assert_true(n == 0 || s->rendezvous_from != NULL);
  return 0;
}

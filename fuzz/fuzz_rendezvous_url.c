/* libFuzzer target: a rendezvous address as typed (or as an invitation
 * carries it). Whatever comes back is a URL that normalises to itself. */
#include "common/rendezvous_url.h"
#include <stdint.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  g_autofree char *typed = g_strndup((const char *)data, size);
  g_autoptr(GError) error = NULL;
  g_autofree char *url = ll_rendezvous_url_normalize(typed, &error);
  g_assert_true((url == NULL) != (error == NULL));
  if (url != NULL) {
    g_autofree char *again = ll_rendezvous_url_normalize(url, NULL);
    g_assert_cmpstr(again, ==, url);
  }
  return 0;
}

/* libFuzzer target: the envelope of a password-protected invitation,
 * opened with the password "pw" (whatever parses must name a cost of
 * Lifeline's own before any key is derived). */
#include "common/error.h"
#include "common/invitation_seal.h"
#include <sodium.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  static int ready;
  if (!ready)
    ready = sodium_init() >= 0;
  g_autoptr(GError) error = NULL;
  gsize plain_len = 0;
  char *plain = ll_invitation_unseal((const char *)data, size, "pw", 2, &plain_len, &error);
  g_assert_true(plain != NULL || error != NULL);
  if (plain != NULL) {
    sodium_memzero(plain, plain_len);
    g_free(plain);
  }
  return 0;
}

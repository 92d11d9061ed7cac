/* libFuzzer target: the invitation parser (plain and sealed) and the
 * "lifeline:" link decoding path. */
#include "common/invitation.h"
#include "common/invitation_file.h"
#include <sodium.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  static int ready;
  if (!ready) {
    ready = sodium_init() >= 0;
    g_log_set_writer_func(g_log_writer_default, NULL, NULL);
  }
  g_autoptr(GError) error = NULL;
  /* A short, fixed password keeps Argon2id cheap when a seal parses. */
  g_autoptr(LlInvitation) inv = ll_invitation_parse_any((const char *)data, size, "pw", 2, &error);
  if (inv != NULL) {
    gsize len = 0;
    g_autofree char *text = ll_invitation_to_text(inv, &len);
    g_autoptr(LlInvitation) again = ll_invitation_from_text(text, len, NULL);
    g_assert_nonnull(again);   /* whatever parses must survive a round trip */
  }
  return 0;
}

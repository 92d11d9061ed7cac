/* libFuzzer target: what a desktop's GlobalShortcuts portal answers for
 * the shortcuts it bound (a(sa{sv}) in D-Bus's serialisation, as GDBus
 * hands it over), read for the key to name in the novice's prompt. */
#include "novice/desktop/portal/portal_shortcut.h"
#include <stdint.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  g_autoptr(GBytes) bytes = g_bytes_new(data, size);
  g_autoptr(GVariant) untrusted = g_variant_ref_sink(
      g_variant_new_from_bytes(G_VARIANT_TYPE("a(sa{sv})"), bytes, FALSE));
  /* What GDBus does with a message's body before anyone reads it. */
  g_autoptr(GVariant) shortcuts = g_variant_get_normal_form(untrusted);
  g_autofree char *trigger = ll_portal_shortcut_find_trigger(shortcuts, "stop-control");
  if (trigger != NULL) {
    g_assert_true(g_utf8_validate(trigger, -1, NULL));
    g_assert_cmpuint(strlen(trigger), >, 0);
    g_assert_cmpuint(strlen(trigger), <=, 64);
  }
  return 0;
}

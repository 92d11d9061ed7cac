#include "novice/desktop/wlroots/wlr_keymap.h"
#include "common/error.h"

typedef struct {
  xkb_keycode_t keycode;
  xkb_mod_mask_t mods;
} KeyPlace;

struct LlWlrKeymap {
  struct xkb_context *context;
  struct xkb_keymap *keymap;
  GHashTable *places;            /* keysym -> KeyPlace */
  xkb_mod_mask_t level_mods;     /* Shift, Lock, LevelThree: they pick levels */
};

/* Every keysym's lowest level on its first key, in layout 0. */
static void remember_places(LlWlrKeymap *km)
{
  struct xkb_keymap *k = km->keymap;
  for (xkb_keycode_t code = xkb_keymap_min_keycode(k); code <= xkb_keymap_max_keycode(k);
       code++) {
    xkb_level_index_t levels = xkb_keymap_num_levels_for_key(k, code, 0);
    for (xkb_level_index_t level = 0; level < levels; level++) {
      const xkb_keysym_t *syms;
      xkb_mod_mask_t masks[4];
      int n = xkb_keymap_key_get_syms_by_level(k, code, 0, level, &syms);
      size_t n_masks = xkb_keymap_key_get_mods_for_level(k, code, 0, level, masks, 4);
      if (n != 1 || n_masks == 0 ||
          g_hash_table_contains(km->places, GUINT_TO_POINTER(syms[0])))
        continue;
      KeyPlace *place = g_new(KeyPlace, 1);
      place->keycode = code;
      place->mods = masks[0];
      g_hash_table_insert(km->places, GUINT_TO_POINTER(syms[0]), place);
    }
  }
}

LlWlrKeymap *ll_wlr_keymap_new(GError **error)
{
  g_autoptr(LlWlrKeymap) km = g_new0(LlWlrKeymap, 1);
  km->places = g_hash_table_new_full(NULL, NULL, NULL, g_free);
  km->context = xkb_context_new(XKB_CONTEXT_NO_FLAGS);
  if (km->context != NULL)
    km->keymap = xkb_keymap_new_from_names(km->context, NULL, XKB_KEYMAP_COMPILE_NO_FLAGS);
  if (km->keymap == NULL) {
    g_set_error_literal(error, LL_ERROR, LL_ERROR_DISPLAY,
                        "no keyboard layout could be made for typing (is xkb-data "
                        "installed?)");
    return NULL;
  }
  km->level_mods = ll_wlr_keymap_mod(km, XKB_MOD_NAME_SHIFT) |
                   ll_wlr_keymap_mod(km, XKB_MOD_NAME_CAPS) | ll_wlr_keymap_mod(km, "Mod5");
  remember_places(km);
  return g_steal_pointer(&km);
}

void ll_wlr_keymap_free(LlWlrKeymap *km)
{
  if (km == NULL)
    return;
  g_clear_pointer(&km->keymap, xkb_keymap_unref);
  g_clear_pointer(&km->context, xkb_context_unref);
  g_hash_table_unref(km->places);
  g_free(km);
}

struct xkb_keymap *ll_wlr_keymap_xkb(LlWlrKeymap *km) { return km->keymap; }

gboolean ll_wlr_keymap_find(LlWlrKeymap *km, guint32 keysym, xkb_keycode_t *keycode,
                            xkb_mod_mask_t *level_mods)
{
  const KeyPlace *place = g_hash_table_lookup(km->places, GUINT_TO_POINTER(keysym));
  if (place == NULL)
    return FALSE;
  *keycode = place->keycode;
  *level_mods = place->mods;
  return TRUE;
}

xkb_mod_mask_t ll_wlr_keymap_mods_for(LlWlrKeymap *km, xkb_mod_mask_t held,
                                      xkb_mod_mask_t level_mods)
{
  return (held & ~km->level_mods) | level_mods;
}

xkb_mod_mask_t ll_wlr_keymap_mod(LlWlrKeymap *km, const char *name)
{
  xkb_mod_index_t index = xkb_keymap_mod_get_index(km->keymap, name);
  return index == XKB_MOD_INVALID ? 0 : 1u << index;
}

/* The keymap Lifeline types with on a wlroots compositor, and where each
 * keysym the helper sends lies on it: the key, and the modifiers that pick
 * the keysym's level. No compositor needed (unit-tested). */
#pragma once
#include <glib.h>
#include <xkbcommon/xkbcommon.h>

typedef struct LlWlrKeymap LlWlrKeymap;

/* The layout the session's settings name (XKB_DEFAULT_LAYOUT and the
 * like), else xkeyboard-config's default; fails with a sentence. */
LlWlrKeymap *ll_wlr_keymap_new(GError **error);
void ll_wlr_keymap_free(LlWlrKeymap *keymap);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(LlWlrKeymap, ll_wlr_keymap_free)

struct xkb_keymap *ll_wlr_keymap_xkb(LlWlrKeymap *keymap);
/* The key for KEYSYM and the modifiers of its level; FALSE when the
 * layout has no key for it. */
gboolean ll_wlr_keymap_find(LlWlrKeymap *keymap, guint32 keysym, xkb_keycode_t *keycode,
                            xkb_mod_mask_t *level_mods);
/* The modifiers to hold while pressing a key of level LEVEL_MODS when
 * HELD are held: the level's own (Shift, Lock, AltGr) with the others
 * held (Control, Alt, Super) kept. */
xkb_mod_mask_t ll_wlr_keymap_mods_for(LlWlrKeymap *keymap, xkb_mod_mask_t held,
                                      xkb_mod_mask_t level_mods);
/* The bit of modifier NAME (XKB_MOD_NAME_SHIFT), 0 when there is none. */
xkb_mod_mask_t ll_wlr_keymap_mod(LlWlrKeymap *keymap, const char *name);

#include "novice/desktop/wlroots/wlr_input.h"
#include "common/error.h"
#include "novice/desktop/wlroots/wlr_keymap.h"
#include "virtual-keyboard-unstable-v1-client-protocol.h"
#include "wlr-virtual-pointer-unstable-v1-client-protocol.h"
#include <errno.h>
#include <sys/mman.h>
#include <unistd.h>
#include <xkbcommon/xkbcommon.h>

/* One wheel click, in the units wl_pointer.axis uses for one. */
#define WHEEL_STEP 15

struct LlWlrInput {
  struct wl_display *display;
  struct wl_seat *seat;
  struct zwp_virtual_keyboard_manager_v1 *keyboard_manager;
  struct zwp_virtual_keyboard_v1 *keyboard;
  struct zwlr_virtual_pointer_manager_v1 *pointer_manager;
  struct zwlr_virtual_pointer_v1 *pointer;
  LlWlrKeymap *keymap;
  struct xkb_state *state;       /* of the keys the helper holds */
  GHashTable *pressed;           /* keysym -> keycode pressed for it */
  gint64 started_us;
};

static guint32 now_ms(LlWlrInput *in)
{
  return (guint32)((g_get_monotonic_time() - in->started_us) / 1000);
}

/* ---- the keymap ---- */

/* The compositor maps our keymap from a file: a sealed memory one. */
static gboolean send_keymap(LlWlrInput *in, GError **error)
{
  g_autofree char *text = xkb_keymap_get_as_string(ll_wlr_keymap_xkb(in->keymap),
                                                    XKB_KEYMAP_FORMAT_TEXT_V1);
  gsize size = strlen(text) + 1;
  int fd = memfd_create("lifeline-keymap", MFD_CLOEXEC);
  if (fd < 0 || write(fd, text, size) != (ssize_t)size) {
    if (fd >= 0)
      close(fd);
    g_set_error_literal(error, LL_ERROR, LL_ERROR_DISPLAY,
                        "could not hand the keyboard layout to the compositor");
    return FALSE;
  }
  zwp_virtual_keyboard_v1_keymap(in->keyboard, WL_KEYBOARD_KEYMAP_FORMAT_XKB_V1, fd, size);
  close(fd);
  return TRUE;
}

/* ---- keys ---- */

static void send_mods(LlWlrInput *in, xkb_mod_mask_t depressed)
{
  zwp_virtual_keyboard_v1_modifiers(
      in->keyboard, depressed, xkb_state_serialize_mods(in->state, XKB_STATE_MODS_LATCHED),
      xkb_state_serialize_mods(in->state, XKB_STATE_MODS_LOCKED),
      xkb_state_serialize_layout(in->state, XKB_STATE_LAYOUT_EFFECTIVE));
}

static void press(LlWlrInput *in, guint32 keysym, xkb_keycode_t keycode,
                  xkb_mod_mask_t level_mods)
{
  xkb_mod_mask_t held = xkb_state_serialize_mods(in->state, XKB_STATE_MODS_DEPRESSED);
  /* The keysym's level, whatever the helper holds: Shift for 'A' even
   * when the viewer sent no Shift, none for 'a' under a held Shift. */
  xkb_mod_mask_t wanted = ll_wlr_keymap_mods_for(in->keymap, held, level_mods);
  gboolean is_modifier = xkb_state_update_key(in->state, keycode, XKB_KEY_DOWN) != 0;
  if (!is_modifier && wanted != held)
    send_mods(in, wanted);
  zwp_virtual_keyboard_v1_key(in->keyboard, now_ms(in), keycode - 8,
                              WL_KEYBOARD_KEY_STATE_PRESSED);
  if (is_modifier || wanted != held)
    send_mods(in, xkb_state_serialize_mods(in->state, XKB_STATE_MODS_DEPRESSED));
  g_hash_table_insert(in->pressed, GUINT_TO_POINTER(keysym), GUINT_TO_POINTER(keycode));
}

static void release(LlWlrInput *in, xkb_keycode_t keycode)
{
  gboolean is_modifier = xkb_state_update_key(in->state, keycode, XKB_KEY_UP) != 0;
  zwp_virtual_keyboard_v1_key(in->keyboard, now_ms(in), keycode - 8,
                              WL_KEYBOARD_KEY_STATE_RELEASED);
  if (is_modifier)
    send_mods(in, xkb_state_serialize_mods(in->state, XKB_STATE_MODS_DEPRESSED));
}

gboolean ll_wlr_input_key(LlWlrInput *in, guint32 keysym, gboolean down)
{
  gpointer keycode;
  if (!down) {
    if (!g_hash_table_steal_extended(in->pressed, GUINT_TO_POINTER(keysym), NULL, &keycode))
      return TRUE;               /* never pressed: nothing to let go */
    release(in, GPOINTER_TO_UINT(keycode));
    wl_display_flush(in->display);
    return TRUE;
  }
  xkb_keycode_t code;
  xkb_mod_mask_t level_mods;
  if (!ll_wlr_keymap_find(in->keymap, keysym, &code, &level_mods))
    return FALSE;
  if (g_hash_table_lookup_extended(in->pressed, GUINT_TO_POINTER(keysym), NULL, &keycode))
    release(in, GPOINTER_TO_UINT(keycode));   /* auto-repeat: press it anew */
  press(in, keysym, code, level_mods);
  wl_display_flush(in->display);
  return TRUE;
}

/* ---- the pointer ---- */

void ll_wlr_input_move(LlWlrInput *in, int x, int y, int width, int height)
{
  zwlr_virtual_pointer_v1_motion_absolute(in->pointer, now_ms(in), x, y, MAX(width, 1),
                                          MAX(height, 1));
  zwlr_virtual_pointer_v1_frame(in->pointer);
  wl_display_flush(in->display);
}

void ll_wlr_input_button(LlWlrInput *in, guint32 code, gboolean down)
{
  zwlr_virtual_pointer_v1_button(in->pointer, now_ms(in), code,
                                 down ? WL_POINTER_BUTTON_STATE_PRESSED
                                      : WL_POINTER_BUTTON_STATE_RELEASED);
  zwlr_virtual_pointer_v1_frame(in->pointer);
  wl_display_flush(in->display);
}

void ll_wlr_input_scroll(LlWlrInput *in, guint axis, int steps)
{
  guint32 time = now_ms(in);
  zwlr_virtual_pointer_v1_axis_source(in->pointer, WL_POINTER_AXIS_SOURCE_WHEEL);
  zwlr_virtual_pointer_v1_axis_discrete(in->pointer, time, axis,
                                        wl_fixed_from_int(WHEEL_STEP * steps), steps);
  zwlr_virtual_pointer_v1_frame(in->pointer);
  wl_display_flush(in->display);
}

/* ---- making and freeing ---- */

static gboolean bind_devices(LlWlrInput *in, LlWlGlobals *g, GError **error)
{
  if (g->virtual_keyboard.name == 0 || g->virtual_pointer.name == 0 || g->seat.name == 0) {
    g_set_error_literal(error, LL_ERROR, LL_ERROR_DISPLAY,
                        "this Wayland compositor does not let programs type or move the "
                        "mouse (it offers no virtual keyboard or pointer)");
    return FALSE;
  }
  in->seat = ll_wl_globals_bind(g, &g->seat, &wl_seat_interface, 1);
  in->keyboard_manager = ll_wl_globals_bind(g, &g->virtual_keyboard,
                                            &zwp_virtual_keyboard_manager_v1_interface, 1);
  in->pointer_manager = ll_wl_globals_bind(g, &g->virtual_pointer,
                                           &zwlr_virtual_pointer_manager_v1_interface, 1);
  in->keyboard = zwp_virtual_keyboard_manager_v1_create_virtual_keyboard(in->keyboard_manager,
                                                                         in->seat);
  in->pointer = zwlr_virtual_pointer_manager_v1_create_virtual_pointer(in->pointer_manager,
                                                                       in->seat);
  return TRUE;
}

LlWlrInput *ll_wlr_input_new(struct wl_display *display, LlWlGlobals *globals, GError **error)
{
  g_autoptr(LlWlrInput) in = g_new0(LlWlrInput, 1);
  in->display = display;
  in->started_us = g_get_monotonic_time();
  in->pressed = g_hash_table_new(NULL, NULL);
  in->keymap = ll_wlr_keymap_new(error);
  if (in->keymap == NULL)
    return NULL;
  in->state = xkb_state_new(ll_wlr_keymap_xkb(in->keymap));
  /* No round trip here: the connection is driven by the main loop. A
   * compositor refusing the devices ends it with a protocol error. */
  if (!bind_devices(in, globals, error) || !send_keymap(in, error))
    return NULL;
  wl_display_flush(display);
  return g_steal_pointer(&in);
}

void ll_wlr_input_free(LlWlrInput *in)
{
  if (in == NULL)
    return;
  if (in->keyboard != NULL)
    zwp_virtual_keyboard_v1_destroy(in->keyboard);
  if (in->pointer != NULL)
    zwlr_virtual_pointer_v1_destroy(in->pointer);
  if (in->pointer_manager != NULL)
    zwlr_virtual_pointer_manager_v1_destroy(in->pointer_manager);
  if (in->keyboard_manager != NULL)
    zwp_virtual_keyboard_manager_v1_destroy(in->keyboard_manager);
  if (in->seat != NULL)
    wl_seat_destroy(in->seat);
  if (in->display != NULL)
    wl_display_flush(in->display);
  g_clear_pointer(&in->state, xkb_state_unref);
  ll_wlr_keymap_free(in->keymap);
  g_hash_table_unref(in->pressed);
  g_free(in);
}

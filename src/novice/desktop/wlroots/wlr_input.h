/* The helper's keyboard and mouse on a wlroots compositor: a virtual
 * keyboard (virtual-keyboard-unstable-v1) with a keymap of its own, whose
 * keys are found for the keysyms the viewer sends, and a virtual pointer
 * (wlr-virtual-pointer-unstable-v1) placed absolutely on the layout. */
#pragma once
#include <glib.h>
#include <wayland-client.h>
#include "novice/desktop/wlroots/wl_globals.h"

typedef struct LlWlrInput LlWlrInput;

/* On GLOBALS' connection (driven on the caller's context); fails with a
 * sentence when the compositor offers no virtual keyboard or pointer. */
LlWlrInput *ll_wlr_input_new(struct wl_display *display, LlWlGlobals *globals, GError **error);
void ll_wlr_input_free(LlWlrInput *input);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(LlWlrInput, ll_wlr_input_free)

/* Presses or lets go of the key for KEYSYM (letting go: the key it
 * pressed); FALSE when the keymap has no key for it. */
gboolean ll_wlr_input_key(LlWlrInput *input, guint32 keysym, gboolean down);
/* X, Y on a layout of WIDTH x HEIGHT pixels. */
void ll_wlr_input_move(LlWlrInput *input, int x, int y, int width, int height);
/* CODE: an evdev button (BTN_LEFT). */
void ll_wlr_input_button(LlWlrInput *input, guint32 code, gboolean down);
/* STEPS wheel clicks on AXIS (0 vertical, 1 horizontal; down/right > 0). */
void ll_wlr_input_scroll(LlWlrInput *input, guint axis, int steps);

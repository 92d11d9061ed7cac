/* The wlroots backend of the desktop interface (sway, Hyprland, river,
 * labwc): the screen by wlr-screencopy, input by virtual keyboard and
 * pointer. */
#pragma once
#include <glib.h>

/* Whether the Wayland compositor of this session (WAYLAND_DISPLAY) lets
 * programs copy its screen the wlroots way; FALSE with a sentence if not. */
gboolean ll_wlr_desktop_available(GError **error);

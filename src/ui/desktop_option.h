/* --desktop and --display, shared by `invite`, `host` and the app: which
 * desktop to share, turned into the novice layer's choice. */
#pragma once
#include "novice/desktop/desktop.h"

/* TEXT NULL means auto. LL_ERROR_USAGE with a sentence when TEXT is not
 * one of the choices. X11_DISPLAY stays the caller's. */
gboolean ll_desktop_option_parse(const char *text, const char *x11_display,
                                 LlDesktopChoice *choice, GError **error);

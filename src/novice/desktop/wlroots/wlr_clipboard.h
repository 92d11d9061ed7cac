/* The novice's clipboard on a wlroots compositor, as text, through
 * wlr-data-control (what clipboard managers and wl-clipboard use): told
 * when a program copies, without polling, and able to offer the helper's
 * text to programs that paste. Bounded and with deadlines (text_pipe.h). */
#pragma once
#include <glib.h>
#include <wayland-client.h>
#include "novice/desktop/wlroots/wl_globals.h"

typedef struct LlWlrClipboard LlWlrClipboard;

/* TEXT is UTF-8, LEN bytes, not NUL-terminated necessarily. */
typedef void (*LlWlrClipboardChanged)(const char *text, gsize len, gpointer user_data);

/* On GLOBALS' connection (driven on the caller's context); fails with a
 * sentence when the compositor offers no data control. */
LlWlrClipboard *ll_wlr_clipboard_new(struct wl_display *display, LlWlGlobals *globals,
                                     LlWlrClipboardChanged changed, gpointer user_data,
                                     GError **error);
void ll_wlr_clipboard_free(LlWlrClipboard *clipboard);
/* Makes TEXT the clipboard's, until a program copies something else. */
void ll_wlr_clipboard_set(LlWlrClipboard *clipboard, const char *text, gsize len);

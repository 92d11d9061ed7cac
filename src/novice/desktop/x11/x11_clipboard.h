/* The novice's X11 CLIPBOARD, as text: told when someone copies (XFixes
 * selection-owner events, no polling), and able to offer text copied by
 * the helper for pasting. Text only (UTF8_STRING, STRING), bounded in
 * size; larger selections are skipped with a log line. */
#pragma once
#include <glib.h>

#include "novice/desktop/desktop.h"   /* LL_MAX_CLIPBOARD */

typedef struct LlX11Clipboard LlX11Clipboard;
/* TEXT is UTF-8, LEN bytes, not NUL-terminated necessarily. */
typedef void (*LlX11ClipboardChanged)(const char *text, gsize len, gpointer user_data);

LlX11Clipboard *ll_x11_clipboard_new(const char *display_name, LlX11ClipboardChanged changed,
                              gpointer user_data, GError **error);
void ll_x11_clipboard_free(LlX11Clipboard *clipboard);
/* Makes TEXT the CLIPBOARD contents (we own the selection until someone
 * else copies). */
void ll_x11_clipboard_set(LlX11Clipboard *clipboard, const char *text, gsize len);

/* The novice's X11 CLIPBOARD, as text: told when someone copies (XFixes
 * selection-owner events, no polling), and able to offer text copied by
 * the helper for pasting. Text only (UTF8_STRING, STRING), bounded in
 * size; larger selections are skipped with a log line. */
#pragma once
#include <glib.h>

#define LL_MAX_CLIPBOARD (256 * 1024)

typedef struct LlClipboard LlClipboard;
/* TEXT is UTF-8, LEN bytes, not NUL-terminated necessarily. */
typedef void (*LlClipboardChanged)(const char *text, gsize len, gpointer user_data);

LlClipboard *ll_clipboard_new(const char *display_name, LlClipboardChanged changed,
                              gpointer user_data, GError **error);
void ll_clipboard_free(LlClipboard *clipboard);
/* Makes TEXT the CLIPBOARD contents (we own the selection until someone
 * else copies). */
void ll_clipboard_set(LlClipboard *clipboard, const char *text, gsize len);

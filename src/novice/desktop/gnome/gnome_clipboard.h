/* The novice's clipboard on GNOME, as text, through the clipboard calls of
 * Mutter's remote desktop session: told when a program copies
 * (SelectionOwnerChanged, then SelectionRead), and able to offer text
 * copied by the helper (SetSelection, then a SelectionWrite for each
 * paste). Reads and writes go through pipes Mutter hands over; each is
 * bounded in size (LL_MAX_CLIPBOARD) and time. */
#pragma once
#include <gio/gio.h>

typedef struct LlGnomeClipboard LlGnomeClipboard;
/* TEXT is UTF-8, LEN bytes (at most LL_MAX_CLIPBOARD). */
typedef void (*LlGnomeClipboardChanged)(const char *text, gsize len, gpointer user_data);

/* Enables the clipboard of the session at RD_PATH (owned by MUTTER, Mutter's
 * unique name, on BUS); completes with the clipboard or an error. */
void ll_gnome_clipboard_new_async(GDBusConnection *bus, const char *mutter, const char *rd_path,
                                  LlGnomeClipboardChanged changed, gpointer user_data,
                                  GAsyncReadyCallback callback, gpointer callback_data);
LlGnomeClipboard *ll_gnome_clipboard_new_finish(GAsyncResult *result, GError **error);
void ll_gnome_clipboard_free(LlGnomeClipboard *clipboard);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(LlGnomeClipboard, ll_gnome_clipboard_free)
/* Makes TEXT the clipboard, as if the novice had copied it. */
void ll_gnome_clipboard_set(LlGnomeClipboard *clipboard, const char *text, gsize len);

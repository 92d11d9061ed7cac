/* Notices the novice pressing Esc, without taking Esc from anyone.
 *
 * It listens for XInput 2 raw key events on the root window. Raw events
 * are copies delivered to every client that selects them, before and
 * independent of focus and grabs: the focused application still gets its
 * Esc, nothing is grabbed, and no window of ours needs focus. (A passive
 * grab with XGrabKey would take Esc away from applications; XRecord
 * would work but needs a second connection and a context for little
 * gain.) It selects the events only while a helper is in control, so
 * it costs nothing otherwise. */
#pragma once
#include <glib.h>

typedef struct LlX11EscapeWatch LlX11EscapeWatch;
/* FROM_XTEST: the press came through the XTEST device, as the helper's
 * injected keys do (and tools like xdotool); a physical keyboard's press
 * is never from XTEST and can always be trusted as the novice's. */
typedef void (*LlX11EscapePressed)(gboolean from_xtest, gpointer user_data);

LlX11EscapeWatch *ll_x11_escape_watch_new(const char *display_name, LlX11EscapePressed pressed,
                                   gpointer user_data, GError **error);
void ll_x11_escape_watch_free(LlX11EscapeWatch *watch);
void ll_x11_escape_watch_set_active(LlX11EscapeWatch *watch, gboolean active);

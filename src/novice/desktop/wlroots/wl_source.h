/* A Wayland connection driven by a GLib main context: the connection's
 * events are read and dispatched there, and what was asked is flushed
 * before each wait. Used on the main context (input, clipboard) and on the
 * screen's own capture thread. */
#pragma once
#include <glib.h>
#include <wayland-client.h>

typedef struct LlWlSource LlWlSource;

/* Called once, on CONTEXT, when the connection breaks (the compositor went
 * away, or it ended the connection for a protocol error). */
typedef void (*LlWlSourceLost)(gpointer user_data);

/* Drives DISPLAY (still the caller's) on CONTEXT (NULL: the caller's
 * thread-default one). */
LlWlSource *ll_wl_source_new(struct wl_display *display, GMainContext *context,
                             LlWlSourceLost lost, gpointer user_data);
/* Stops driving it; call on CONTEXT's thread. */
void ll_wl_source_free(LlWlSource *source);

/* Connects to NAME (NULL: $WAYLAND_DISPLAY), or fails with a sentence. */
struct wl_display *ll_wl_connect(const char *name, GError **error);

/* How long the compositor may take to answer a round trip. */
#define LL_WL_ROUNDTRIP_TIMEOUT_MS 5000
/* wl_display_roundtrip with that deadline: every event that came before
 * the answer is dispatched; FALSE with a sentence when the connection
 * broke or the compositor did not answer in time (a hung compositor must
 * not hang Lifeline). */
gboolean ll_wl_roundtrip(struct wl_display *display, GError **error);

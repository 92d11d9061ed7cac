/* A remote-desktop session of GNOME's compositor, Mutter, over its
 * org.gnome.Mutter.RemoteDesktop and org.gnome.Mutter.ScreenCast D-Bus
 * interfaces (what gnome-remote-desktop uses): every monitor as a
 * PipeWire stream of its own with the pointer as metadata, and the helper's input as
 * Notify* calls. Mutter 43 lets any program of the session create one
 * without asking, so this is made only after the novice's yes.
 *
 * The session has a D-Bus connection of its own: whatever happens to
 * Lifeline, Mutter ends the session when that connection goes. */
#pragma once
#include <gio/gio.h>
#include "novice/desktop/gnome/gnome_layout.h"

typedef struct LlGnomeSession LlGnomeSession;

/* Whether Mutter offers remote desktop sessions on this session bus, and
 * how many monitors it shows now (all of them would be shared; MONITORS
 * may be NULL); FALSE with a sentence when it does not. */
gboolean ll_gnome_session_available(guint *monitors, GError **error);

/* Creates and starts a session; completes once its screen stream exists. */
void ll_gnome_session_new_async(GCancellable *cancellable, GAsyncReadyCallback callback,
                                gpointer user_data);
LlGnomeSession *ll_gnome_session_new_finish(GAsyncResult *result, GError **error);
/* Ends the session (Mutter removes its virtual input devices). */
void ll_gnome_session_free(LlGnomeSession *session);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(LlGnomeSession, ll_gnome_session_free)

/* The streams, one per monitor of the layout and in its order (primary
 * first), and the PipeWire node that carries each. */
guint ll_gnome_session_streams(LlGnomeSession *session);
guint32 ll_gnome_session_node(LlGnomeSession *session, guint stream);
/* The monitors as they were when the session was made. */
const LlGnomeLayout *ll_gnome_session_layout(LlGnomeSession *session);
/* Where the session is, for the clipboard calls: the connection, Mutter's
 * unique name on it, and the session's object path. */
GDBusConnection *ll_gnome_session_bus(LlGnomeSession *session);
const char *ll_gnome_session_mutter(LlGnomeSession *session);
const char *ll_gnome_session_path(LlGnomeSession *session);
typedef enum {
  LL_GNOME_CLOSED_BY_MUTTER,     /* its sharing indicator */
  LL_GNOME_CLOSED_MUTTER_GONE,   /* Mutter left the bus: the session ended or crashed */
  LL_GNOME_SCREENS_CHANGED,      /* the monitors changed: this session shows them no more
                                  * (Mutter may have closed it); open another */
} LlGnomeClosed;

/* Called once, on the main context, when the session ended on Mutter's
 * side. */
void ll_gnome_session_on_closed(LlGnomeSession *session,
                                void (*closed)(LlGnomeClosed why, gpointer data), gpointer data);

/* Asks Mutter whether the session still exists (after its screen stream
 * ended, say): when it does not, the closed callback runs with the
 * reason; otherwise ALIVE. Mutter's replies and signals keep their order,
 * so a Closed sent before the answer arrives first. */
void ll_gnome_session_check(LlGnomeSession *session, void (*alive)(gpointer data), gpointer data);

/* Input, in the order sent. Mutter makes its virtual devices on the first
 * event of each kind and drops that event and any sent before the device
 * is ready: ready_input sends harmless ones (Shift pressed and released,
 * the pointer moved by nothing), well before any that matter. */
void ll_gnome_session_ready_input(LlGnomeSession *session);
void ll_gnome_session_key(LlGnomeSession *session, guint32 keysym, gboolean down);
/* X, Y: a point of STREAM's picture. */
void ll_gnome_session_move(LlGnomeSession *session, guint stream, double x, double y);
/* BUTTON: a Linux evdev code (BTN_LEFT 0x110 ...). */
void ll_gnome_session_button(LlGnomeSession *session, int button, gboolean down);
/* AXIS 0 vertical, 1 horizontal; STEPS positive down or right. */
void ll_gnome_session_scroll(LlGnomeSession *session, guint axis, int steps);

/* A remote desktop session of the xdg-desktop-portal (KDE Plasma, and any
 * desktop whose portal implements RemoteDesktop and ScreenCast): created
 * after the novice's yes in Lifeline, then the portal's own dialog asks
 * again; the screen is a PipeWire stream on a remote the portal opens,
 * the helper's input goes back as Notify* calls. Where the portal can
 * remember the novice's choice (RemoteDesktop version 2, portal 1.17+),
 * its restore token is kept and its dialog is not shown again.
 *
 * The session has a D-Bus connection of its own: whatever happens to
 * Lifeline, the portal ends the session when that connection goes. */
#pragma once
#include <gio/gio.h>
#include "common/monitor.h"

typedef struct LlPortalSession LlPortalSession;

/* What the portal offers here, for the probe. */
typedef struct {
  guint32 remote_desktop_version, screen_cast_version;
  guint32 global_shortcuts_version;   /* 0: it binds no shortcuts (before 1.16) */
  gboolean cursor_metadata;      /* it can send the pointer as metadata */
} LlPortalOffer;

/* Whether this session's portal offers remote desktop sessions (asking
 * it may start it); FALSE with a sentence when it does not. */
gboolean ll_portal_session_available(LlPortalOffer *offer, GError **error);

/* Called once: the screen stream and its remote are there (WHY NULL), or
 * opening failed with WHY, a sentence; then only freeing is left. */
typedef void (*LlPortalSessionReady)(LlPortalSession *session, const GError *why,
                                     gpointer user_data);

/* Creates and starts a session (the portal's dialog may wait for the
 * novice), the caller's at once; READY says when it is open. */
LlPortalSession *ll_portal_session_new(LlPortalSessionReady ready, gpointer user_data);
/* Closes the session (the portal removes its devices and stream); READY
 * is never called after. */
void ll_portal_session_free(LlPortalSession *session);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(LlPortalSession, ll_portal_session_free)

/* The streams (one per monitor the novice chose, at least one), each
 * one's PipeWire remote the portal opened (the caller's from now on: -1
 * after the first call) and its node on it. */
guint ll_portal_session_streams(LlPortalSession *session);
int ll_portal_session_take_remote(LlPortalSession *session, guint stream);
guint32 ll_portal_session_node(LlPortalSession *session, guint stream);
/* Where STREAM's monitor lies, relative to the box around all of them
 * (its size 0 when the portal said not), and a name for it. */
const LlMonitor *ll_portal_session_monitor(LlPortalSession *session, guint stream);
gboolean ll_portal_session_cursor_metadata(LlPortalSession *session);
/* The session's own connection to the portal (for more of its portals:
 * they end with it), and what the portal offered when it was made. */
GDBusConnection *ll_portal_session_bus(LlPortalSession *session);
const LlPortalOffer *ll_portal_session_offer(LlPortalSession *session);
/* Whether the novice granted the keyboard and the pointer. */
gboolean ll_portal_session_has_input(LlPortalSession *session);
/* The portal closed the session (its indicator, the novice's choice). */
void ll_portal_session_on_closed(LlPortalSession *session, void (*closed)(gpointer data),
                                 gpointer data);

void ll_portal_session_key(LlPortalSession *session, guint32 keysym, gboolean down);
/* X, Y in STREAM's pixels. */
void ll_portal_session_move(LlPortalSession *session, guint stream, double x, double y);
void ll_portal_session_button(LlPortalSession *session, guint32 evdev_code, gboolean down);
void ll_portal_session_scroll(LlPortalSession *session, guint axis, int steps);

/* The helper's side of an invitation: reaches the novice by every path at
 * once, proves the invitation secret over the winning TLS connection,
 * waits for the novice's answer, then offers the desktop on a local VNC
 * port. When the connection is lost it reconnects by every path again and
 * carries the session on with the resume token the novice gave it. Events report progress to the text or graphical front end. */
#pragma once
#include <gio/gio.h>
#include "common/audit_log.h"
#include "common/identity.h"
#include "common/invitation.h"
#include "common/monitor.h"

typedef struct LlHelperJoin LlHelperJoin;

typedef struct {
  /* The secure channel is up (the novice's key matched the pin). */
  void (*connected)(LlHelperJoin *join, const char *path, const char *endpoint,
                    gint64 elapsed_ms, gpointer user_data);
  /* The novice is being asked. */
  void (*waiting)(LlHelperJoin *join, const char *novice_name, gpointer user_data);
  /* The novice said yes; viewers may attach to 127.0.0.1:PORT. */
  void (*ready)(LlHelperJoin *join, guint16 port, gpointer user_data);
  /* Control granted; or refused (REASON set); or ended (BY set: "esc",
   * "stop", "release", "drop"). */
  void (*control_granted)(LlHelperJoin *join, gpointer user_data);
  void (*control_denied)(LlHelperJoin *join, const char *reason, gpointer user_data);
  void (*control_ended)(LlHelperJoin *join, const char *by, gpointer user_data);
  void (*chat)(LlHelperJoin *join, const char *from, const char *text, gpointer user_data);
  /* A viewer was turned away from the local port (another account's;
   * UID -1 when it could not be told): WHY says so. Optional. */
  void (*viewer_refused)(LlHelperJoin *join, gint64 uid, const char *why, gpointer user_data);
  /* The novice's desktop has these N monitors; SHOWN of them is what the
   * viewers see (0: the whole desktop). Sent at the start and after each
   * change. Optional. */
  void (*monitors)(LlHelperJoin *join, const LlMonitor *monitors, guint n, guint shown,
                   gpointer user_data);
  /* The connection was lost (WHY); reconnecting by every path for up to
   * GRACE_S seconds. Viewers stay attached and see a still picture. */
  void (*reconnecting)(LlHelperJoin *join, const char *why, guint grace_s, gpointer user_data);
  /* The session carries on over PATH, ELAPSED_MS after the loss. */
  void (*reconnected)(LlHelperJoin *join, const char *path, gint64 elapsed_ms,
                      gpointer user_data);
  /* Over. WHY is NULL when we ended it; LL_ERROR_REFUSED when the novice
   * said no (its message is the reason); other codes for failures. */
  void (*finished)(LlHelperJoin *join, const GError *why, gpointer user_data);
} LlHelperJoinEvents;

LlHelperJoin *ll_helper_join_new(LlIdentity *identity, LlInvitation *invitation,
                                 const char *helper_name, const LlHelperJoinEvents *events,
                                 gpointer user_data);
/* An offer of help to a host (`lifeline host`) without an invitation: the
 * host is reached at ENDPOINTS ("HOST:PORT" strings) and through its
 * registration MAILBOX at the first of RENDEZVOUS_URLS (NULL-terminated,
 * or NULL) that knows it, tried in turn; its key must match PIN.
 * HOST_LABEL names it until the host says its owner's name. */
LlHelperJoin *ll_helper_offer_new(LlIdentity *identity, const char *host_label,
                                  GPtrArray *endpoints, const char *const *rendezvous_urls,
                                  const char *mailbox, const LlKeyPin *pin,
                                  const char *helper_name, const LlHelperJoinEvents *events,
                                  gpointer user_data);
/* Checks the invitation's time, binds VNC_PORT (0: any) and starts
 * connecting. Fails at once for an expired invitation or a busy port. */
gboolean ll_helper_join_start(LlHelperJoin *join, guint16 vnc_port, GError **error);
/* Like ll_helper_join_start without a local port: the desktop app's viewer
 * comes through ll_helper_join_open_viewer_fd instead (READY's port is 0). */
gboolean ll_helper_join_start_portless(LlHelperJoin *join, GError **error);
/* Once the novice said yes: a new RFB stream of the session on one end of
 * a socket pair; returns the other end for a viewer such as gtk-vnc's
 * vnc_display_open_fd (which owns it then), or -1 with ERROR. */
int ll_helper_join_open_viewer_fd(LlHelperJoin *join, GError **error);
/* Asks the novice for control of keyboard and mouse. */
void ll_helper_join_request_control(LlHelperJoin *join);
/* Gives control back. */
void ll_helper_join_release_control(LlHelperJoin *join);
/* Asks to see only monitor NUMBER (1 to the count the monitors event
 * gave), or the whole desktop (0). */
void ll_helper_join_show_monitor(LlHelperJoin *join, guint number);
gboolean ll_helper_join_send_chat(LlHelperJoin *join, const char *text, GError **error);
/* The novice's name: the invitation's, or for an offer the one the host
 * said when it accepted (its label before). */
const char *ll_helper_join_peer_name(LlHelperJoin *join);
/* The session's round-trip time in ms, -1 when not measured yet. */
gint64 ll_helper_join_rtt_ms(LlHelperJoin *join);
/* TRUE once the novice has said yes to seeing the screen. */
gboolean ll_helper_join_is_active(LlHelperJoin *join);
/* Leaves the session, telling the novice REASON. */
void ll_helper_join_stop(LlHelperJoin *join, const char *reason);
void ll_helper_join_free(LlHelperJoin *join);
/* Records the session in AUDIT (kept open by the caller until the join is
 * freed; NULL: nothing recorded). Before ll_helper_join_start. */
void ll_helper_join_set_audit(LlHelperJoin *join, LlAuditLog *audit);

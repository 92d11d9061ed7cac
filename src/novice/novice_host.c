#include "novice/novice_host.h"
#include "common/async_guard.h"
#include "common/encoding.h"
#include "common/error.h"
#include "common/helper_admission.h"
#include "common/token_bucket.h"
#include "net/ice_path.h"
#include "net/rendezvous_client.h"
#include "net/session.h"
#include "net/tls_channel.h"
#include "novice/assist_session.h"
#include "novice/desktop/desktop.h"
#include "novice/helper_door.h"
#include "novice/reachability.h"
#include <sodium.h>
#include <string.h>

typedef enum {
  PEER_SILENT,          /* connected, not a byte yet: no TLS made for it */
  PEER_HANDSHAKE, PEER_AWAIT_HELLO, PEER_ASKING,
  PEER_OPENING,         /* the novice said yes; the desktop is being opened */
  PEER_REFUSED,
} PeerState;

/* A connection not yet accepted: in the handshake, awaiting its hello, or
 * waiting for the novice's answer. */
typedef struct {
  LlNoviceHost *host;
  PeerState state;
  char *address;
  char *origin;         /* where it comes from: its IP, or its rendezvous peer */
  GSocketConnection *connection;
  GTlsConnection *tls;
  GCancellable *cancellable;
  guint hello_timeout;
  GSource *first_bytes;   /* while silent */
  LlSession *session;
  char *name;
  char *organisation;   /* an admitted offer: see LlNoviceHostEvents.ask */
  gboolean view_only;   /* an admitted offer: the policy says control=view-only */
  char *key_text;
  guint8 key[LL_FINGERPRINT_BYTES];
} Peer;

struct LlNoviceHost {
  LlNoviceHostConfig config;
  gboolean offers;               /* a host for offers, not an invitation */
  char *policy_path;
  LlTokenBucket refusal_audit;   /* offers: unknown peers cannot flood the audit log */
  guint refusals_unaudited;
  char *session_id;              /* the invitation's; for offers, the running session's */
  char *novice_name;
  char *x11_display;
  LlNoviceHostEvents events;
  gpointer user_data;
  GSocketService *service;
  GList *peers;
  LlHelperDoor *door;            /* who is asked about, let in, resumed */
  LlAssistSession *assist;       /* the accepted session */
  char *helper_name;             /* of the accepted helper */
  guint8 resume_token[LL_RESUME_TOKEN_BYTES];   /* proves a new connection is that helper's */
  gboolean stopping;
  gboolean finished;
  guint expiry_timer;
  guint finish_idle;
  guint session_end_idle;        /* offers: frees the ended session, listens again */
  GError *session_end_reason;
  GError *finish_reason;
  char *rendezvous_url;          /* the one in use */
  char **rendezvous_urls;        /* a host for offers: all of them, tried in turn */
  guint rendezvous_next;         /* which to try after losing this one */
  guint rendezvous_misses;       /* connections in a row that never registered */
  LlRendezvousClient *rendezvous;
  LlIceServers ice_servers;      /* as the rendezvous gave them */
  gboolean mailbox_open;
  char *mailbox_id;              /* an invitation's, once open ... */
  char *mailbox_token;           /* ... and its key to open it again after a loss */
  LlReachability *reach;         /* an invitation: how helpers will reach us */
  GError *rendezvous_error;      /* an invitation: why the mailbox could not be opened */
  guint rendezvous_retry;        /* a host for offers: reconnects, refreshes */
  GHashTable *ice_peers;         /* rendezvous peer id -> IcePeer */
  gboolean helper_pinned;        /* a code: only the key that ran the PAKE may come in */
  guint8 helper_pin[LL_FINGERPRINT_BYTES];
};

/* A host for offers stays registered: after losing the rendezvous it
 * registers again, at once at the next one it knows (AGAIN), and after
 * RETRY once each has failed in a row; every REFRESH it asks for fresh
 * relay credentials over the same connection, so its id is never free.
 * An invitation's novice opens its mailbox again the same way (the same
 * rendezvous first, for a blip) for as long as the invitation lasts. */
#define RENDEZVOUS_AGAIN_S 1
#define RENDEZVOUS_RETRY_S 5
#define RENDEZVOUS_REFRESH_S (20 * 60)

static void start_rendezvous(LlNoviceHost *h);
static void reopen_mailbox(LlNoviceHost *h, const GError *why);

static void accept_connection(LlNoviceHost *h, GSocketConnection *connection, char *label,
                              const char *origin);

static void finish(LlNoviceHost *h, GError *why);
static void check_expiry(LlNoviceHost *h);

/* ---- peers ---- */

static void peer_free(Peer *p)
{
  g_cancellable_cancel(p->cancellable);
  g_clear_handle_id(&p->hello_timeout, g_source_remove);
  if (p->first_bytes != NULL) {
    g_source_destroy(p->first_bytes);
    g_source_unref(p->first_bytes);
  }
  if (p->session != NULL) {
    ll_session_forget_handlers(p->session);
    ll_session_abort(p->session, NULL);
    ll_session_unref(p->session);
  } else if (p->connection != NULL) {
    g_socket_shutdown(g_socket_connection_get_socket(p->connection), TRUE, TRUE, NULL);
  }
  g_clear_object(&p->tls);
  g_clear_object(&p->connection);
  g_object_unref(p->cancellable);
  g_free(p->address);
  g_free(p->origin);
  g_free(p->name);
  g_free(p->organisation);
  g_free(p->key_text);
  g_free(p);
}

static void peer_remove(Peer *p)
{
  LlNoviceHost *h = p->host;
  h->peers = g_list_remove(h->peers, p);
  ll_helper_door_left(h->door, p);
  peer_free(p);
}

/* For the audit log: offers refused between sessions belong to none. */
static const char *audit_session(LlNoviceHost *h)
{
  return h->session_id != NULL ? h->session_id : "none";
}

static void audit_refusal(Peer *p, const char *log_reason)
{
  LlNoviceHost *h = p->host;
  if (h->offers && !ll_token_bucket_take(&h->refusal_audit)) {
    h->refusals_unaudited++;
    return;
  }
  if (h->refusals_unaudited > 0) {
    g_autofree char *count = g_strdup_printf("%u", h->refusals_unaudited);
    ll_audit_log_write(h->config.audit, "refusals-not-recorded", "count", count, NULL);
    h->refusals_unaudited = 0;
  }
  ll_audit_log_write(h->config.audit, "helper-refused", "session", audit_session(h), "from",
                     p->address, "helper", p->name != NULL ? p->name : "unknown", "helper-key",
                     p->key_text, "reason", log_reason, NULL);
}

static void refuse(Peer *p, const char *reason_for_helper, const char *log_reason)
{
  LlNoviceHost *h = p->host;
  p->state = PEER_REFUSED;
  /* An offer refused never reaches the novice, not even as a line on
   * their terminal: it goes to the log (journald) and the audit log. */
  if (h->offers)
    g_info("refused a helper from %s: %s", p->address, log_reason);
  else
    g_message("refused a helper from %s: %s", p->address, log_reason);
  audit_refusal(p, log_reason);
  if (h->events.refused != NULL)
    h->events.refused(h, p->address, log_reason, h->user_data);
  g_autoptr(LlControlMessage) no = ll_control_message_new(LL_MSG_REFUSED);
  no->reason = g_strdup(reason_for_helper);
  ll_session_send_control(p->session, no);
  ll_session_close(p->session, NULL);
}

/* ---- the hello ---- */

static void ask_novice(Peer *p)
{
  LlNoviceHost *h = p->host;
  p->state = PEER_ASKING;
  g_autoptr(LlControlMessage) waiting = ll_control_message_new(LL_MSG_WAITING);
  ll_session_send_control(p->session, waiting);
  g_message("helper \"%s\" (%s) from %s %s; asking", p->name, p->key_text, p->address,
            h->offers ? "offers help and the policy admits it" : "proved the invitation");
  h->events.ask(h, p->name, p->organisation, p->key_text, h->user_data);
}

static gboolean peer_certificate_der(Peer *p, GBytes **out)
{
  GTlsCertificate *cert = g_tls_connection_get_peer_certificate(p->tls);
  g_autoptr(GByteArray) der = NULL;
  if (cert != NULL)
    g_object_get(cert, "certificate", &der, NULL);
  if (der == NULL)
    return FALSE;
  *out = g_bytes_new(der->data, der->len);
  return TRUE;
}

/* ---- what the door asks of the connection and the clock ---- */

static gboolean door_invitation_proof(gpointer peer, const LlControlMessage *m, gpointer data)
{
  Peer *p = peer;
  LlNoviceHost *h = data;
  if (h->helper_pinned && sodium_memcmp(p->key, h->helper_pin, LL_FINGERPRINT_BYTES) != 0)
    return FALSE;
  return ll_tls_proof_is_valid(p->tls, h->config.invitation->secret, m->session_id, m->proof);
}

void ll_novice_host_pin_helper(LlNoviceHost *h, const guint8 key[LL_FINGERPRINT_BYTES])
{
  /* Unpinned, an invitation from a code admits nobody: its secret is
   * then a fresh random one that was never sent. */
  if (key != NULL)
    memcpy(h->helper_pin, key, LL_FINGERPRINT_BYTES);
  h->helper_pinned = key != NULL;
}

static gboolean door_resume_proof(gpointer peer, const LlControlMessage *m, gpointer data)
{
  Peer *p = peer;
  LlNoviceHost *h = data;
  return ll_tls_proof_is_valid(p->tls, h->resume_token, m->session_id, m->proof);
}

static gboolean door_in_time(gpointer data, GError **error)
{
  LlNoviceHost *h = data;
  return ll_invitation_check_time(h->config.invitation, g_get_real_time() / G_USEC_PER_SEC,
                                  error);
}

static void door_admit_offer(gpointer peer, LlAdmission *out, gboolean *view_only,
                             gpointer data)
{
  Peer *p = peer;
  LlNoviceHost *h = data;
  g_autoptr(GBytes) der = NULL;
  if (!peer_certificate_der(p, &der))
    return;   /* not listed */
  g_autoptr(LlPolicy) policy = ll_policy_load_effective(h->policy_path);
  ll_admission_check(policy, g_bytes_get_data(der, NULL), g_bytes_get_size(der),
                     g_get_real_time() / G_USEC_PER_SEC, out);
  *view_only = policy->offer_view_only;
}

static const LlDoorChecks door_checks = {
  .invitation_proof = door_invitation_proof, .resume_proof = door_resume_proof,
  .in_time = door_in_time, .admit_offer = door_admit_offer,
};

/* The accepted helper carries the session on over this new connection. */
static void resume(Peer *p, const LlControlMessage *m)
{
  LlNoviceHost *h = p->host;
  g_autoptr(GError) error = NULL;
  if (h->assist == NULL || !ll_assist_session_resume_from(h->assist, p->session, m->received,
                                                          &error)) {
    const char *why = error != NULL ? error->message : "this session has ended";
    refuse(p, why, why);
    return;
  }
  g_message("helper \"%s\" came back from %s", h->helper_name, p->address);
  peer_remove(p);   /* its connection now carries the session */
}

static void violation(Peer *p, const char *what)
{
  g_autoptr(GError) e = g_error_new(LL_ERROR, LL_ERROR_PROTOCOL, "%s", what);
  g_warning("closing the session with %s: protocol violation: %s", p->address, what);
  ll_session_abort(p->session, e);
}

/* The name the audit log gives a helper before any verdict. */
static void name_peer(Peer *p, const LlControlMessage *m)
{
  LlNoviceHost *h = p->host;
  const char *name = m->type == LL_MSG_RESUME ? h->helper_name
                     : m->name != NULL && *m->name ? m->name : NULL;
  g_free(p->name);
  p->name = g_strdup(name != NULL ? name : "Someone");
}

static void hear(Peer *p, const LlControlMessage *m)
{
  g_clear_handle_id(&p->hello_timeout, g_source_remove);
  name_peer(p, m);
  LlDoorRuling r = ll_helper_door_hear(p->host->door, p, p->key_text, m);
  switch (r.verdict) {
  case LL_DOOR_ASK:
    g_free(p->name);
    p->name = g_steal_pointer(&r.name);
    p->organisation = g_steal_pointer(&r.organisation);
    p->view_only = r.view_only;
    ask_novice(p);
    break;
  case LL_DOOR_REFUSE:
    refuse(p, r.for_helper, r.for_log);
    break;
  case LL_DOOR_RESUME:
    resume(p, m);
    break;
  case LL_DOOR_VIOLATION:
    violation(p, r.for_log);
    break;
  }
  ll_door_ruling_clear(&r);
}

static void on_control(LlSession *session, const LlControlMessage *m, gpointer data)
{
  Peer *p = data;
  (void)session;
  if (p->state == PEER_REFUSED)
    return;   /* the refusal is on its way; nothing more is heard */
  if (p->state == PEER_AWAIT_HELLO) {
    hear(p, m);
    return;
  }
  /* Asked about or being let in: the helper waits, and sends nothing. */
  g_autofree char *what = g_strdup_printf("unexpected %s message", ll_message_type_name(m->type));
  violation(p, what);
}

static void on_stream_data(LlSession *session, guint32 id, const guint8 *data, gsize len,
                           gpointer user_data)
{
  (void)session; (void)id; (void)data; (void)len;
  violation(user_data, "screen data before the novice agreed");
}

static void on_chat(LlSession *session, const char *text, gpointer data)
{
  (void)session; (void)text;
  violation(data, "chat before the novice agreed");
}

static void forget_helper(LlNoviceHost *h);

static void on_closed(LlSession *session, const GError *why, gpointer data)
{
  Peer *p = data;
  LlNoviceHost *h = p->host;
  (void)session; (void)why;
  if (ll_helper_door_asking(h->door) == p && h->events.ask_withdrawn != NULL)
    h->events.ask_withdrawn(h, p->name, h->user_data);
  if (p->state == PEER_OPENING) {
    /* Nothing was shown: the invitation, or the host, is free again. */
    g_message("helper \"%s\" left before the screen was shared", p->name);
    forget_helper(h);
  }
  peer_remove(p);
  check_expiry(h);
}

static const LlSessionHandlers peer_handlers = {
  .control = on_control,
  .stream_data = on_stream_data,
  .chat = on_chat,
  .closed = on_closed,
};

/* ---- the accepted session ---- */

static void assist_control_asked(LlAssistSession *a, const char *helper, gpointer data)
{
  LlNoviceHost *h = data;
  (void)a;
  h->events.control_asked(h, helper, h->user_data);
}

static void assist_control_withdrawn(LlAssistSession *a, gpointer data)
{
  LlNoviceHost *h = data;
  (void)a;
  h->events.control_withdrawn(h, h->user_data);
}

static void assist_control_changed(LlAssistSession *a, gboolean granted, const char *by,
                                   gpointer data)
{
  LlNoviceHost *h = data;
  (void)a;
  h->events.control_changed(h, granted, by, h->user_data);
}

static void assist_chat(LlAssistSession *a, const char *from, const char *text, gpointer data)
{
  LlNoviceHost *h = data;
  (void)a;
  h->events.chat(h, from, text, h->user_data);
}

static void assist_interrupted(LlAssistSession *a, const GError *why, guint grace_s,
                               gpointer data)
{
  LlNoviceHost *h = data;
  (void)a;
  h->events.interrupted(h, h->helper_name, why->message, grace_s, h->user_data);
}

static void assist_resumed(LlAssistSession *a, gpointer data)
{
  LlNoviceHost *h = data;
  (void)a;
  h->events.resumed(h, h->helper_name, h->user_data);
}

/* A host for offers: after a session it is ready for the next offer. */
static gboolean end_offered_session(gpointer data)
{
  LlNoviceHost *h = data;
  h->session_end_idle = 0;
  g_autofree char *helper = g_steal_pointer(&h->helper_name);
  g_autoptr(GError) why = g_steal_pointer(&h->session_end_reason);
  g_clear_pointer(&h->assist, ll_assist_session_free);
  g_clear_pointer(&h->session_id, g_free);
  sodium_memzero(h->resume_token, sizeof h->resume_token);
  if (h->stopping) {
    finish(h, g_steal_pointer(&why));
    return G_SOURCE_REMOVE;
  }
  if (h->events.session_ended != NULL)
    h->events.session_ended(h, helper, why, h->user_data);
  return G_SOURCE_REMOVE;
}

static void assist_finished(LlAssistSession *a, const GError *why, gpointer data)
{
  LlNoviceHost *h = data;
  (void)a;
  ll_helper_door_session_ended(h->door);
  if (!h->offers) {
    finish(h, why != NULL ? g_error_copy(why) : NULL);
    return;
  }
  /* The assist session is still on the stack: let it go from an idle. */
  g_clear_error(&h->session_end_reason);
  h->session_end_reason = why != NULL ? g_error_copy(why) : NULL;
  if (h->session_end_idle == 0)
    h->session_end_idle = g_idle_add(end_offered_session, h);
}

static void assist_monitor_shown(LlAssistSession *a, guint number, const LlMonitor *monitor,
                                 guint count, gpointer data)
{
  LlNoviceHost *h = data;
  (void)a;
  if (h->events.monitor_shown != NULL)
    h->events.monitor_shown(h, number, monitor, count, h->user_data);
}

static const LlAssistEvents assist_events = {
  .control_asked = assist_control_asked, .control_withdrawn = assist_control_withdrawn,
  .control_changed = assist_control_changed, .chat = assist_chat,
  .interrupted = assist_interrupted, .resumed = assist_resumed, .finished = assist_finished,
  .monitor_shown = assist_monitor_shown,
};

/* The screen could not be shared after the novice's yes: the helper is
 * told why; an invitation is over, a host waits for the next offer. */
static void share_failed(LlNoviceHost *h, Peer *p, const GError *error)
{
  g_warning("cannot share the screen: %s", error->message);
  g_autofree char *reason = g_strdup_printf("the screen cannot be shared: %s", error->message);
  refuse(p, reason, reason);   /* the peer stays until its connection has closed */
  if (!h->offers) {
    finish(h, g_error_copy(error));
    return;
  }
  forget_helper(h);
}

/* No helper is accepted (any more): the next one may be. */
static void forget_helper(LlNoviceHost *h)
{
  ll_helper_door_not_shown(h->door);
  g_clear_pointer(&h->helper_name, g_free);
  if (h->offers)
    g_clear_pointer(&h->session_id, g_free);
  sodium_memzero(h->resume_token, sizeof h->resume_token);
}

static char *new_session_id(void)
{
  guint8 id[16];
  randombytes_buf(id, sizeof id);
  return ll_hex_encode(id, sizeof id);
}

static void on_desktop_opened(GObject *source, GAsyncResult *result, gpointer data);

/* The novice said yes: nothing of the desktop exists before this. The
 * helper is accepted once the desktop is open (a portal may ask first). */
static void accept_peer(LlNoviceHost *h, Peer *p)
{
  if (h->offers)
    h->session_id = new_session_id();
  h->helper_name = g_strdup(p->name);
  randombytes_buf(h->resume_token, sizeof h->resume_token);
  ll_audit_log_write(h->config.audit, "consent-given", "session", h->session_id, "helper",
                     p->name, "helper-key", p->key_text, "from", p->address, "by",
                     h->offers ? "offer" : "invitation", NULL);
  p->state = PEER_OPENING;
  ll_desktop_open_async(&h->config.desktop, p->cancellable, on_desktop_opened,
                        ll_async_guard_new(p, p->cancellable));
}

static void start_assist(LlNoviceHost *h, Peer *p, LlDesktop *desktop)
{
  g_autoptr(GError) error = NULL;
  gboolean policy_view_only = h->offers && p->view_only;
  LlAssistConfig config = {
    .novice_name = h->novice_name,
    .helper_name = p->name, .helper_key = p->key_text,
    .session_id = h->session_id, .view_only = h->config.view_only || policy_view_only,
    .view_only_reason = policy_view_only ? "view-only by policy" : NULL,
    .audit = h->config.audit, .grace_s = h->config.grace_s,
  };
  g_autoptr(LlSession) session = ll_session_ref(p->session);
  h->assist = ll_assist_session_new(session, desktop, &config, &assist_events, h, &error);
  if (h->assist == NULL) {
    share_failed(h, p, error);
    return;
  }
  ll_helper_door_session_started(h->door, h->session_id, p->key_text);
  ll_audit_log_write(h->config.audit, "session-start", "session", config.session_id, "helper",
                     p->name, "helper-key", p->key_text, "view-only",
                     config.view_only ? "yes" : "no", NULL);
  /* The session now belongs to the assist session; the peer lets go
   * without closing anything. */
  ll_session_unref(g_steal_pointer(&p->session));
  g_clear_object(&p->connection);
  g_autoptr(LlControlMessage) yes = ll_control_message_new(LL_MSG_ACCEPTED);
  yes->name = g_strdup(h->novice_name);
  yes->session_id = g_strdup(h->session_id);
  memcpy(yes->resume_token, h->resume_token, LL_RESUME_TOKEN_BYTES);
  yes->grace_s = h->config.grace_s;
  ll_session_send_control(session, yes);
  ll_assist_session_accepted(h->assist);
  g_message("the novice allowed helper \"%s\" (%s) to see the screen", p->name, p->key_text);
  h->events.started(h, p->name, h->user_data);
  peer_remove(p);
}

static void on_desktop_opened(GObject *source, GAsyncResult *result, gpointer data)
{
  g_autoptr(GError) error = NULL;
  (void)source;
  LlDesktop *desktop = ll_desktop_open_finish(result, &error);
  Peer *p = ll_async_guard_finish(data);
  if (p == NULL) {
    ll_desktop_free(desktop);   /* the helper went away meanwhile */
    return;
  }
  if (desktop == NULL) {
    share_failed(p->host, p, error);
    return;
  }
  start_assist(p->host, p, desktop);
}

void ll_novice_host_answer(LlNoviceHost *h, gboolean allow)
{
  Peer *p = ll_helper_door_asking(h->door);
  g_autofree char *too_late = NULL;
  switch (ll_helper_door_answer(h->door, p, allow, &too_late)) {
  case LL_DOOR_NOT_ASKED:
    return;
  case LL_DOOR_CANCELLED:
    refuse(p, "the session was cancelled", "the novice stopped sharing");
    return;
  case LL_DOOR_TOO_LATE:
    refuse(p, too_late, "the invitation expired while the novice was asked");
    return;
  case LL_DOOR_LET_IN:
    accept_peer(h, p);
    return;
  case LL_DOOR_SAID_NO:
    break;
  }
  g_autofree char *why = g_strdup_printf("%s said no", h->novice_name);
  ll_audit_log_write(h->config.audit, "consent-refused", "session", audit_session(h), "helper",
                     p->name, "helper-key", p->key_text, NULL);
  g_autoptr(LlControlMessage) no = ll_control_message_new(LL_MSG_REFUSED);
  no->reason = g_strdup(why);
  ll_session_send_control(p->session, no);
  ll_session_close(p->session, NULL);
  g_message("the novice refused helper \"%s\"", p->name);
}

void ll_novice_host_answer_control(LlNoviceHost *h, gboolean allow)
{
  if (h->assist != NULL)
    ll_assist_session_answer_control(h->assist, allow);
}

void ll_novice_host_stop_control(LlNoviceHost *h)
{
  if (h->assist != NULL)
    ll_assist_session_stop_control(h->assist);
}

void ll_novice_host_learn_stop_ways(LlNoviceHost *h, LlStopWays *ways, char **shortcut)
{
  if (h->assist == NULL || h->finished)
    return;
  LlDesktop *desktop = ll_assist_session_desktop(h->assist);
  *ways = ll_desktop_stop_ways(desktop);
  g_free(*shortcut);
  *shortcut = g_strdup(ll_desktop_stop_shortcut(desktop));
}

gboolean ll_novice_host_send_chat(LlNoviceHost *h, const char *text, GError **error)
{
  if (h->assist == NULL || h->finished) {
    g_set_error_literal(error, LL_ERROR, LL_ERROR_USAGE,
                        "nobody is connected yet; your message was not sent");
    return FALSE;
  }
  return ll_assist_session_send_chat(h->assist, text, error);
}

/* ---- incoming connections ---- */

static void drop_pending(Peer *p, const char *why)
{
  g_debug("dropped a connection from %s: %s", p->address, why);
  peer_remove(p);
}

static gboolean on_hello_timeout(gpointer data)
{
  Peer *p = data;
  p->hello_timeout = 0;
  if (p->session != NULL)
    g_message("closing the connection from %s: it sent nothing in time", p->address);
  drop_pending(p, "no hello in time");
  return G_SOURCE_REMOVE;
}

static void on_handshake(GObject *source, GAsyncResult *result, gpointer data)
{
  g_autoptr(GError) error = NULL;
  gboolean ok = ll_tls_handshake_finish(G_TLS_CONNECTION(source), result, &error);
  Peer *p = ll_async_guard_finish(data);
  if (p == NULL)
    return;   /* the peer is already gone */
  if (!ok) {
    /* A helper racing several addresses drops the losers mid-handshake:
     * not worth more than a debug line. */
    drop_pending(p, error->message);
    return;
  }
  guint8 key[LL_FINGERPRINT_BYTES];
  if (!ll_tls_peer_fingerprint(p->tls, key)) {   /* TLS requires one; never without */
    drop_pending(p, "the helper presented no identity key");
    return;
  }
  p->key_text = ll_fingerprint_to_text(key);
  memcpy(p->key, key, sizeof key);
  p->state = PEER_AWAIT_HELLO;
  g_clear_handle_id(&p->hello_timeout, g_source_remove);   /* the hello's own deadline */
  p->hello_timeout = g_timeout_add(LL_HELLO_TIMEOUT_MS, on_hello_timeout, p);
  p->session = ll_session_new(G_IO_STREAM(p->tls), p->address, &peer_handlers, p);
  ll_session_start(p->session);
}

static char *describe_remote(GSocketConnection *connection)
{
  g_autoptr(GSocketAddress) remote = g_socket_connection_get_remote_address(connection, NULL);
  if (!G_IS_INET_SOCKET_ADDRESS(remote))
    return g_strdup("an unknown address");
  g_autofree char *ip = g_inet_address_to_string(
      g_inet_socket_address_get_address(G_INET_SOCKET_ADDRESS(remote)));
  return g_strdup_printf("%s port %u", ip,
                         g_inet_socket_address_get_port(G_INET_SOCKET_ADDRESS(remote)));
}

static gboolean on_incoming(GSocketService *service, GSocketConnection *connection,
                            GObject *source, gpointer data)
{
  (void)service; (void)source;
  ll_socket_set_nodelay(connection);
  g_autoptr(GSocketAddress) remote = g_socket_connection_get_remote_address(connection, NULL);
  g_autofree char *ip = G_IS_INET_SOCKET_ADDRESS(remote)
      ? g_inet_address_to_string(g_inet_socket_address_get_address(
            G_INET_SOCKET_ADDRESS(remote)))
      : g_strdup("unknown");
  accept_connection(data, connection, describe_remote(connection), ip);
  return TRUE;
}

/* Of the connections in STATE, the oldest from the origin with the most
 * of them; NULL if none. */
static Peer *oldest_of_most(LlNoviceHost *h, PeerState state)
{
  g_autoptr(GHashTable) counts = g_hash_table_new(g_str_hash, g_str_equal);
  for (GList *l = h->peers; l != NULL; l = l->next) {
    Peer *p = l->data;
    if (p->state == state)
      g_hash_table_insert(counts, p->origin,
                          GUINT_TO_POINTER(GPOINTER_TO_UINT(g_hash_table_lookup(counts,
                                                                                p->origin)) + 1));
  }
  Peer *victim = NULL;
  guint most = 0;
  for (GList *l = g_list_last(h->peers); l != NULL; l = l->prev) {   /* oldest first */
    Peer *p = l->data;
    guint n = p->state == state ? GPOINTER_TO_UINT(g_hash_table_lookup(counts, p->origin)) : 0;
    if (n > most) {
      most = n;
      victim = p;
    }
  }
  return victim;
}

/* Every place is taken: a connection that has sent nothing, else one not
 * yet past its TLS handshake, else one that has not said its hello, makes
 * room for the new one. Of those,
 * the oldest from the origin with the most go first, so that neither idle
 * connections from many addresses nor a flood from one keep a real
 * helper out; the novice's question and the session are never touched.
 * FALSE when nothing may go. */
static gboolean make_room(LlNoviceHost *h)
{
  Peer *victim = oldest_of_most(h, PEER_SILENT);
  if (victim == NULL)
    victim = oldest_of_most(h, PEER_HANDSHAKE);
  if (victim == NULL)
    victim = oldest_of_most(h, PEER_AWAIT_HELLO);
  if (victim == NULL)
    return FALSE;
  drop_pending(victim, "pushed out: every place was taken by connections not yet proven");
  return TRUE;
}

static gboolean on_first_bytes(GSocket *socket, GIOCondition condition, gpointer data)
{
  Peer *p = data;
  g_autoptr(GError) error = NULL;
  (void)socket; (void)condition;
  g_clear_pointer(&p->first_bytes, g_source_unref);   /* removed as this returns */
  p->state = PEER_HANDSHAKE;
  p->tls = ll_tls_server_new(G_IO_STREAM(p->connection), p->host->config.identity->certificate,
                             &error);
  if (p->tls == NULL) {
    g_warning("cannot start TLS for %s: %s", p->address, error->message);
    peer_remove(p);
    return G_SOURCE_REMOVE;
  }
  ll_tls_handshake_async(p->tls, p->cancellable, on_handshake,
                         ll_async_guard_new(p, p->cancellable));
  return G_SOURCE_REMOVE;
}

/* A new connection, direct or through ICE: TLS first, then the hello. */
static void accept_connection(LlNoviceHost *h, GSocketConnection *connection, char *label,
                              const char *origin)
{
  if (h->stopping ||
      (g_list_length(h->peers) >= LL_MAX_PENDING_CONNECTIONS && !make_room(h))) {
    g_socket_shutdown(g_socket_connection_get_socket(connection), TRUE, TRUE, NULL);
    g_free(label);
    return;
  }
  Peer *p = g_new0(Peer, 1);
  p->host = h;
  p->address = label;
  p->origin = g_strdup(origin);
  p->connection = g_object_ref(connection);
  p->cancellable = g_cancellable_new();
  h->peers = g_list_prepend(h->peers, p);
  p->hello_timeout = g_timeout_add(LL_HANDSHAKE_TIMEOUT_MS, on_hello_timeout, p);
  /* TLS once the helper speaks: a handshake waits for its first message
   * on a thread of GLib's shared pool, which silent connections would
   * otherwise fill (a helper behind 200 of them waited 10 s for one). */
  p->state = PEER_SILENT;
  p->first_bytes = g_socket_create_source(g_socket_connection_get_socket(connection),
                                          G_IO_IN | G_IO_HUP | G_IO_ERR, NULL);
  g_source_set_callback(p->first_bytes, G_SOURCE_FUNC(on_first_bytes), p, NULL);
  g_source_attach(p->first_bytes, NULL);
}

/* ---- through the rendezvous ---- */

/* A helper in our mailbox, until its ICE path is up (or fails). */
typedef struct {
  LlNoviceHost *host;
  guint32 peer;
  LlIcePath *path;
  guint reap;          /* an idle that removes this failed peer */
} IcePeer;

static void ice_peer_free(gpointer data)
{
  IcePeer *ip = data;
  g_clear_handle_id(&ip->reap, g_source_remove);
  ll_ice_path_free(ip->path);
  g_free(ip);
}

static gboolean reap_ice_peer(gpointer data)
{
  IcePeer *ip = data;
  ip->reap = 0;
  g_hash_table_remove(ip->host->ice_peers, GUINT_TO_POINTER(ip->peer));
  return G_SOURCE_REMOVE;
}

static void ice_signal_out(LlIcePath *path, LlSignalMessage *m, gpointer data)
{
  IcePeer *ip = data;
  (void)path;
  if (ip->host->rendezvous != NULL)
    ll_rendezvous_client_send_signal(ip->host->rendezvous, ip->peer, m);
}

static void ice_ready(LlIcePath *path, GSocketConnection *connection, const char *name,
                      gpointer data)
{
  IcePeer *ip = data;
  LlNoviceHost *h = ip->host;
  char *label = g_strdup_printf("rendezvous peer %u via %s", ip->peer, name);
  /* The path now lives as long as the connection over it. */
  ip->path = NULL;
  g_object_set_data_full(G_OBJECT(connection), "lifeline-ice-path", path,
                         (GDestroyNotify)ll_ice_path_free);
  g_hash_table_remove(h->ice_peers, GUINT_TO_POINTER(ip->peer));
  accept_connection(h, connection, label, label);
  g_object_unref(connection);
}

static void ice_failed(LlIcePath *path, const GError *why, gpointer data)
{
  IcePeer *ip = data;
  (void)path;
  g_info("no ICE path to rendezvous peer %u: %s", ip->peer, why->message);
  /* Freed from an idle: the path is still on the stack here. */
  if (ip->reap == 0)
    ip->reap = g_idle_add(reap_ice_peer, ip);
}

static const LlIcePathEvents ice_events = { ice_signal_out, ice_ready, ice_failed };

static gboolean reconnect_rendezvous(gpointer data)
{
  LlNoviceHost *h = data;
  h->rendezvous_retry = 0;
  g_clear_pointer(&h->rendezvous, ll_rendezvous_client_free);
  g_hash_table_remove_all(h->ice_peers);   /* their peer ids die with the connection */
  if (!h->stopping && !h->finished)
    start_rendezvous(h);
  return G_SOURCE_REMOVE;
}

static gboolean refresh_credentials(gpointer data)
{
  LlNoviceHost *h = data;
  h->rendezvous_retry = 0;
  if (h->rendezvous != NULL && !h->stopping && !h->finished)
    ll_rendezvous_client_renew(h->rendezvous);   /* "opened" re-arms the timer */
  return G_SOURCE_REMOVE;
}

static void rv_opened(LlRendezvousClient *c, const char *mailbox, const LlIceServers *ice,
                      gpointer data)
{
  LlNoviceHost *h = data;
  if (h->offers) {
    if (h->rendezvous_misses > 0)
      g_message("registered at the rendezvous %s", h->rendezvous_url);
    h->rendezvous_misses = 0;
    ll_ice_servers_clear(&h->ice_servers);
    ll_ice_servers_copy(&h->ice_servers, ice);
    g_clear_handle_id(&h->rendezvous_retry, g_source_remove);
    h->rendezvous_retry = g_timeout_add_seconds(RENDEZVOUS_REFRESH_S, refresh_credentials, h);
    if (!h->mailbox_open && h->events.rendezvous_ready != NULL)
      h->events.rendezvous_ready(h, mailbox, NULL, h->user_data);
    h->mailbox_open = TRUE;
    return;
  }
  if (h->mailbox_open) {
    if (h->rendezvous_misses == 0)
      return;   /* one mailbox; a second "opened" is ignored */
    if (g_strcmp0(mailbox, h->mailbox_id) != 0) {
      /* A rendezvous that opened a new mailbox instead (an older version):
       * of no use to helpers, who look for the invitation's. */
      g_autoptr(GError) wrong = g_error_new_literal(LL_ERROR, LL_ERROR_PROTOCOL,
                                                    "it cannot open a mailbox again");
      ll_rendezvous_client_forget_events(c);
      reopen_mailbox(h, wrong);
      return;
    }
    g_message("the invitation's mailbox is open again at the rendezvous %s", h->rendezvous_url);
    h->rendezvous_misses = 0;
    ll_ice_servers_clear(&h->ice_servers);
    ll_ice_servers_copy(&h->ice_servers, ice);
    return;
  }
  h->mailbox_open = TRUE;
  h->rendezvous_misses = 0;
  h->mailbox_id = g_strdup(mailbox);
  h->mailbox_token = g_strdup(ll_rendezvous_client_token(c));
  ll_ice_servers_copy(&h->ice_servers, ice);
  ll_reachability_set_mailbox(h->reach, h->rendezvous_url, mailbox);
}

static void rv_peer_left(LlRendezvousClient *c, guint32 peer, gpointer data)
{
  LlNoviceHost *h = data;
  (void)c;
  g_hash_table_remove(h->ice_peers, GUINT_TO_POINTER(peer));   /* only paths not yet up */
}

/* The helper's credentials open the exchange: a path is made for it then,
 * with the ICE servers the rendezvous gave us. */
static void rv_signal(LlRendezvousClient *c, guint32 peer, const LlSignalMessage *m,
                      gpointer data)
{
  LlNoviceHost *h = data;
  (void)c;
  IcePeer *ip = g_hash_table_lookup(h->ice_peers, GUINT_TO_POINTER(peer));
  /* After a yes, only a resume can use the path; the hello decides. */
  gboolean welcome = !ll_helper_door_spent(h->door) || (h->assist != NULL && !h->finished);
  if (ip == NULL && m->data_kind == LL_ICE_CREDENTIALS && !h->stopping && welcome &&
      g_hash_table_size(h->ice_peers) < LL_MAX_PENDING_CONNECTIONS) {
    ip = g_new0(IcePeer, 1);
    ip->host = h;
    ip->peer = peer;
    ip->path = ll_ice_path_new(FALSE, &h->ice_servers, &ice_events, ip);
    g_hash_table_insert(h->ice_peers, GUINT_TO_POINTER(peer), ip);
    ll_ice_path_start(ip->path);
  }
  if (ip != NULL && ip->path != NULL)
    ll_ice_path_remote(ip->path, m);
}

/* A host for offers lost its rendezvous: the next one it knows, and how
 * long to wait before registering there (at once while some in this
 * round have not failed yet). */
static guint next_rendezvous(LlNoviceHost *h)
{
  guint n = h->rendezvous_urls != NULL ? g_strv_length(h->rendezvous_urls) : 1;
  h->rendezvous_misses++;
  if (n > 1) {
    g_free(h->rendezvous_url);
    h->rendezvous_url = g_strdup(h->rendezvous_urls[h->rendezvous_next]);
    h->config.rendezvous_url = h->rendezvous_url;
    h->rendezvous_next = (h->rendezvous_next + 1) % n;
  }
  return h->rendezvous_misses <= n ? RENDEZVOUS_AGAIN_S : RENDEZVOUS_RETRY_S;
}

/* An invitation's novice lost the rendezvous after its mailbox was open:
 * the same mailbox again, with its token (the same rendezvous first, then
 * the next), at once and then every RETRY s once each failed. */
static void reopen_mailbox(LlNoviceHost *h, const GError *why)
{
  g_autofree char *lost = g_strdup(h->rendezvous_url);
  const char *reason = why != NULL ? why->message : "closed";
  gint64 now = g_get_real_time() / G_USEC_PER_SEC;
  if (g_error_matches(why, LL_ERROR, LL_ERROR_EXPIRED) ||
      now >= ll_invitation_expires(h->config.invitation)) {
    g_info("the invitation's mailbox is over with the invitation's time");
    return;   /* a session under way goes on; nobody new may come */
  }
  if (h->mailbox_token == NULL) {
    g_warning("lost the rendezvous %s (%s); helpers can still connect directly", lost, reason);
    return;
  }
  /* Said once; each try after that is for the log. */
  if (h->rendezvous_misses == 0)
    g_warning("lost the rendezvous %s (%s); opening the invitation's mailbox again (helpers "
              "can still connect directly meanwhile)", lost, reason);
  guint delay = RENDEZVOUS_AGAIN_S;
  if (h->rendezvous_misses > 0)
    delay = next_rendezvous(h);
  else
    h->rendezvous_misses++;   /* the same one first: it may have been a blip */
  g_info("opening the invitation's mailbox again at %s in %u s (%s)", h->rendezvous_url, delay,
         reason);
  g_clear_handle_id(&h->rendezvous_retry, g_source_remove);
  h->rendezvous_retry = g_timeout_add_seconds(delay, reconnect_rendezvous, h);
}

/* An invitation's first rendezvous could not open its mailbox: the next
 * one lifeline.conf lists, at once, while some are left untried. */
static gboolean try_next_for_invitation(LlNoviceHost *h, const GError *why)
{
  guint n = h->rendezvous_urls != NULL ? g_strv_length(h->rendezvous_urls) : 1;
  if (h->finished || h->stopping || h->rendezvous_misses + 1 >= n)
    return FALSE;
  g_autofree char *lost = g_strdup(h->rendezvous_url);
  next_rendezvous(h);
  g_info("the rendezvous %s could not open the invitation's mailbox (%s); trying %s", lost,
         why != NULL ? why->message : "closed", h->rendezvous_url);
  g_clear_handle_id(&h->rendezvous_retry, g_source_remove);
  h->rendezvous_retry = g_idle_add(reconnect_rendezvous, h);
  return TRUE;
}

static void rv_closed(LlRendezvousClient *c, const GError *why, gpointer data)
{
  LlNoviceHost *h = data;
  (void)c;
  if (h->offers) {
    if (h->finished || h->stopping)
      return;
    g_autofree char *lost = g_strdup(h->rendezvous_url);
    guint delay = next_rendezvous(h);
    g_warning("lost the rendezvous %s (%s); registering again at %s in %u s", lost,
              why != NULL ? why->message : "closed", h->rendezvous_url, delay);
    if (!h->mailbox_open && h->events.rendezvous_ready != NULL)
      h->events.rendezvous_ready(h, NULL, why, h->user_data);
    g_clear_handle_id(&h->rendezvous_retry, g_source_remove);
    h->rendezvous_retry = g_timeout_add_seconds(delay, reconnect_rendezvous, h);
    return;
  }
  if (!h->mailbox_open && try_next_for_invitation(h, why))
    return;
  if (!h->mailbox_open) {
    if (h->rendezvous_error == NULL)
      h->rendezvous_error = why != NULL ? g_error_copy(why)
                                        : g_error_new_literal(LL_ERROR, LL_ERROR_UNREACHABLE,
                                                              "the rendezvous closed");
    ll_reachability_set_mailbox(h->reach, NULL, NULL);
  } else if (!h->finished && !h->stopping) {
    reopen_mailbox(h, why);
  }
}

static const LlRendezvousEvents rendezvous_events = {
  .opened = rv_opened, .peer_left = rv_peer_left, .signal = rv_signal, .closed = rv_closed,
};

/* ---- lifetime ---- */

static gboolean report_finished(gpointer data)
{
  LlNoviceHost *h = data;
  h->finish_idle = 0;
  h->events.finished(h, h->finish_reason, h->user_data);
  return G_SOURCE_REMOVE;
}

static void close_listener(LlNoviceHost *h)
{
  if (h->service != NULL) {
    g_socket_service_stop(h->service);
    g_socket_listener_close(G_SOCKET_LISTENER(h->service));
  }
}

static void finish(LlNoviceHost *h, GError *why)
{
  if (h->finished) {
    g_clear_error(&why);
    return;
  }
  h->finished = TRUE;
  h->finish_reason = why;
  g_clear_handle_id(&h->rendezvous_retry, g_source_remove);
  close_listener(h);
  g_hash_table_remove_all(h->ice_peers);
  h->finish_idle = g_idle_add(report_finished, h);
}

static void check_expiry(LlNoviceHost *h)
{
  if (h->offers)
    return;   /* a host for offers does not expire */
  gint64 now = g_get_real_time() / G_USEC_PER_SEC;
  gint64 expires = ll_invitation_expires(h->config.invitation);
  if (ll_helper_door_spent(h->door) || ll_helper_door_asking(h->door) != NULL || h->finished ||
      now < expires)
    return;
  g_autofree char *when = ll_format_local_time(expires);
  ll_audit_log_write(h->config.audit, "invitation-expired", "session", h->session_id, NULL);
  finish(h, g_error_new(LL_ERROR, LL_ERROR_EXPIRED,
                        "the invitation expired at %s and nobody joined", when));
}

static gboolean on_expiry(gpointer data)
{
  LlNoviceHost *h = data;
  h->expiry_timer = 0;
  check_expiry(h);
  return G_SOURCE_REMOVE;
}

/* The invitation names the other rendezvous too, where its novice opens
 * the mailbox again when it loses this one. */
static void name_more_rendezvous(LlNoviceHost *h, LlInvitation *invitation)
{
  if (invitation->mailbox_id == NULL || h->rendezvous_urls == NULL)
    return;
  g_autoptr(GStrvBuilder) more = g_strv_builder_new();
  for (char **url = h->rendezvous_urls; *url != NULL; url++)
    if (g_strcmp0(*url, invitation->rendezvous_url) != 0)
      g_strv_builder_add(more, *url);
  g_strfreev(invitation->rendezvous_more);
  invitation->rendezvous_more = g_strv_builder_end(more);
}

static void on_reachable(LlReachability *reach, gpointer data)
{
  LlNoviceHost *h = data;
  ll_reachability_fill(reach, h->config.invitation);
  name_more_rendezvous(h, h->config.invitation);
  if (h->events.invitation_ready != NULL)
    h->events.invitation_ready(h, h->config.invitation, h->rendezvous_error, h->user_data);
}

static void start_rendezvous(LlNoviceHost *h)
{
  h->rendezvous = ll_rendezvous_client_new(h->rendezvous_url, &rendezvous_events, h);
  if (h->offers) {
    g_autofree char *host_id = ll_host_id_of(h->config.identity->fingerprint);
    ll_rendezvous_client_register(h->rendezvous, host_id, h->config.identity);
    return;
  }
  gint64 left = ll_invitation_expires(h->config.invitation) - g_get_real_time() / G_USEC_PER_SEC;
  if (h->mailbox_token != NULL)
    ll_rendezvous_client_reopen(h->rendezvous, h->mailbox_id, h->mailbox_token, MAX(left, 1));
  else
    ll_rendezvous_client_open(h->rendezvous, MAX(left, 1));
}

LlNoviceHost *ll_novice_host_new(const LlNoviceHostConfig *config,
                                 const LlNoviceHostEvents *events, gpointer user_data)
{
  LlNoviceHost *h = g_new0(LlNoviceHost, 1);
  h->config = *config;
  h->x11_display = g_strdup(config->desktop.x11_display);
  h->config.desktop.x11_display = h->x11_display;
  h->events = *events;
  h->user_data = user_data;
  h->offers = config->invitation == NULL;
  h->policy_path = g_strdup(config->policy_path);
  h->config.policy_path = h->policy_path;
  ll_token_bucket_init(&h->refusal_audit, 20, 1);
  h->novice_name = g_strdup(h->offers ? config->novice_name : config->invitation->novice_name);
  if (!h->offers)
    h->session_id = g_strdup(config->invitation->session_id);
  h->door = ll_helper_door_new(h->offers ? NULL : config->invitation->session_id, &door_checks,
                               h);
  h->rendezvous_url = g_strdup(config->rendezvous_url);
  h->config.rendezvous_url = h->rendezvous_url;
  if (config->rendezvous_url != NULL && config->rendezvous_more != NULL &&
      config->rendezvous_more[0] != NULL) {
    g_autoptr(GStrvBuilder) all = g_strv_builder_new();
    g_strv_builder_add(all, config->rendezvous_url);
    g_strv_builder_addv(all, (const char **)config->rendezvous_more);
    h->rendezvous_urls = g_strv_builder_end(all);
    h->rendezvous_next = 1;
  }
  h->config.rendezvous_more = NULL;   /* the caller's; ours is rendezvous_urls */
  if (h->config.grace_s == 0)
    h->config.grace_s = LL_DEFAULT_GRACE_S;
  h->ice_peers = g_hash_table_new_full(NULL, NULL, NULL, ice_peer_free);
  if (!h->offers) {
    gint64 left = ll_invitation_expires(config->invitation) - g_get_real_time() / G_USEC_PER_SEC;
    h->expiry_timer = g_timeout_add_seconds(MAX(left, 0) + 1, on_expiry, h);
  }
  return h;
}

gboolean ll_novice_host_listen(LlNoviceHost *h, guint16 port, guint16 *bound_port,
                               GError **error)
{
  g_autoptr(GError) local = NULL;
  h->service = g_socket_service_new();
  if (port == 0) {
    *bound_port = g_socket_listener_add_any_inet_port(G_SOCKET_LISTENER(h->service), NULL, &local);
  } else if (g_socket_listener_add_inet_port(G_SOCKET_LISTENER(h->service), port, NULL, &local)) {
    *bound_port = port;
  }
  if (local != NULL) {
    g_set_error(error, LL_ERROR, LL_ERROR_FAILED,
                "cannot listen on port %u: %s; choose another with --port", port, local->message);
    return FALSE;
  }
  g_signal_connect(h->service, "incoming", G_CALLBACK(on_incoming), h);
  g_socket_service_start(h->service);
  if (!h->offers) {
    gint64 lifetime = ll_invitation_expires(h->config.invitation) - g_get_real_time() / G_USEC_PER_SEC;
    h->reach = ll_reachability_new(*bound_port, MAX(lifetime, 1), h->config.map_port,
                                   h->rendezvous_url != NULL, on_reachable, h);
  }
  if (h->rendezvous_url != NULL)
    start_rendezvous(h);
  g_autofree char *port_text = g_strdup_printf("%u", *bound_port);
  if (h->offers)
    ll_audit_log_write(h->config.audit, "host-started", "novice", h->novice_name, "port",
                       port_text, NULL);
  else
    ll_audit_log_write(h->config.audit, "invitation-created", "session", h->session_id, "novice",
                       h->novice_name, "view-only", h->config.view_only ? "yes" : "no", NULL);
  return TRUE;
}

void ll_novice_host_stop(LlNoviceHost *h, const char *reason)
{
  if (h->stopping)
    return;
  h->stopping = TRUE;
  ll_helper_door_stop(h->door);
  g_clear_handle_id(&h->rendezvous_retry, g_source_remove);
  close_listener(h);
  for (GList *l = h->peers; l != NULL; l = l->next) {
    Peer *p = l->data;
    if (p->session != NULL && ll_session_is_open(p->session))
      ll_session_close(p->session, reason);
  }
  /* With a helper connected, finished follows once it has been told. */
  if (h->assist != NULL && !h->finished)
    ll_assist_session_end(h->assist, reason);
  else
    finish(h, g_error_new_literal(LL_ERROR, LL_ERROR_CLOSED, reason));
}

void ll_novice_host_free(LlNoviceHost *h)
{
  if (h == NULL)
    return;
  g_clear_handle_id(&h->expiry_timer, g_source_remove);
  g_clear_handle_id(&h->finish_idle, g_source_remove);
  g_clear_handle_id(&h->session_end_idle, g_source_remove);
  g_clear_handle_id(&h->rendezvous_retry, g_source_remove);
  g_clear_error(&h->session_end_reason);
  while (h->peers != NULL)
    peer_remove(h->peers->data);
  close_listener(h);
  g_clear_object(&h->service);
  g_hash_table_unref(h->ice_peers);
  ll_rendezvous_client_free(h->rendezvous);
  ll_reachability_free(h->reach);   /* the router forgets the port */
  g_clear_error(&h->rendezvous_error);
  ll_ice_servers_clear(&h->ice_servers);
  g_free(h->rendezvous_url);
  g_strfreev(h->rendezvous_urls);
  g_free(h->mailbox_id);
  if (h->mailbox_token != NULL)
    sodium_memzero(h->mailbox_token, strlen(h->mailbox_token));
  g_free(h->mailbox_token);
  ll_assist_session_free(h->assist);
  g_clear_error(&h->finish_reason);
  g_free(h->x11_display);
  g_free(h->helper_name);
  ll_helper_door_free(h->door);
  g_free(h->session_id);
  g_free(h->novice_name);
  g_free(h->policy_path);
  sodium_memzero(h->resume_token, sizeof h->resume_token);
  g_free(h);
}

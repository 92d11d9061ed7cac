#include "helper/helper_join.h"
#include "common/error.h"
#include "helper/helper_record.h"
#include "helper/local_rfb_port.h"
#include "net/endpoint_race.h"
#include "net/session.h"
#include "net/stream_table.h"
#include "net/tls_channel.h"
#include <errno.h>
#include <sodium.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* Between two attempts to reconnect, so a dead network is not hammered. */
#define RECONNECT_PAUSE_MS 1000

typedef enum { JOIN_IDLE, JOIN_CONNECTING, JOIN_ASKED, JOIN_ACTIVE, JOIN_DONE } JoinState;
/* Control as this side asked for it: an answer nobody asked for is not
 * shown as if it were real. */
typedef enum { CONTROL_NONE, CONTROL_ASKED, CONTROL_HELD } ControlState;

struct LlHelperJoin {
  LlIdentity *identity;
  LlInvitation *invitation;   /* where to connect; for an offer, made and owned here */
  LlInvitation *offer_target; /* an offer: the invitation above, owned */
  char **rendezvous_urls;     /* where its mailbox may be, tried in turn */
  LlKeyPin pin;
  char *helper_name;
  LlHelperJoinEvents events;
  gpointer user_data;
  JoinState state;
  ControlState control;
  gint64 started_us;
  LlEndpointRace *race;
  LlLocalRfbPort *port;
  LlSession *session;
  GTlsConnection *tls;
  LlStreamTable *streams;
  guint32 next_stream;
  GError *refusal;          /* the novice's "no", reported once the session closes */
  guint8 resume_token[LL_RESUME_TOKEN_BYTES];
  guint grace_s;
  gboolean reconnecting;
  gint64 lost_us;           /* when the connection was lost */
  char *resume_path;        /* the path of the connection being resumed over */
  guint reconnect_timer;
  guint finish_idle;
  GError *finish_reason;
  LlHelperRecord record;    /* the helper's own audit log */
};

static gboolean report_finished(gpointer data)
{
  LlHelperJoin *j = data;
  j->finish_idle = 0;
  j->events.finished(j, j->finish_reason, j->user_data);
  return G_SOURCE_REMOVE;
}

static void finish(LlHelperJoin *j, GError *why)
{
  if (j->state == JOIN_DONE) {
    g_clear_error(&why);
    return;
  }
  j->state = JOIN_DONE;
  j->finish_reason = why;
  ll_helper_record_ended(&j->record, why);
  /* A path that wins after this must not start a session. */
  g_clear_pointer(&j->race, ll_endpoint_race_cancel);
  g_clear_handle_id(&j->reconnect_timer, g_source_remove);
  ll_stream_table_remove_all(j->streams);
  g_clear_pointer(&j->port, ll_local_rfb_port_free);
  j->finish_idle = g_idle_add(report_finished, j);
}

static void violation(LlHelperJoin *j, const char *what)
{
  g_autoptr(GError) e = g_error_new(LL_ERROR, LL_ERROR_PROTOCOL,
                                    "the other computer broke the protocol (%s)", what);
  g_warning("closing the session: %s", e->message);
  ll_session_abort(j->session, e);
}

static void on_bridge_ended(LlStreamBridge *bridge, guint32 id, gpointer data)
{
  LlHelperJoin *j = data;
  (void)bridge;
  g_info("viewer %u left", id);
  ll_stream_table_remove(j->streams, id);
}

static gboolean attach_viewer(LlHelperJoin *j, GIOStream *viewer)
{
  if (j->state != JOIN_ACTIVE || j->session == NULL)
    return FALSE;
  guint32 id = ++j->next_stream;
  g_autoptr(LlControlMessage) open = ll_control_message_new(LL_MSG_STREAM_OPEN);
  open->stream_id = id;
  ll_session_send_control(j->session, open);
  ll_stream_table_add(j->streams, ll_stream_bridge_new(j->session, id, viewer, on_bridge_ended, j));
  g_info("viewer %u attached", id);
  return TRUE;
}

static void on_viewer_refused(gint64 uid, const char *why, gpointer data)
{
  LlHelperJoin *j = data;
  g_info("%s", why);
  if (j->events.viewer_refused != NULL)
    j->events.viewer_refused(j, uid, why, j->user_data);
}

static void on_viewer(GSocketConnection *viewer, gpointer data)
{
  attach_viewer(data, G_IO_STREAM(viewer));
}

int ll_helper_join_open_viewer_fd(LlHelperJoin *j, GError **error)
{
  int fds[2];
  if (j->state != JOIN_ACTIVE) {
    g_set_error_literal(error, LL_ERROR, LL_ERROR_USAGE, "the screen is not shared yet");
    return -1;
  }
  if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) != 0) {
    int saved = errno;
    g_set_error(error, LL_ERROR, LL_ERROR_FAILED, "cannot make a channel for the viewer: %s",
                g_strerror(saved));
    return -1;
  }
  GSocket *ours = g_socket_new_from_fd(fds[0], error);
  if (ours == NULL) {
    close(fds[0]);
    close(fds[1]);
    return -1;
  }
  g_autoptr(GSocketConnection) connection = g_socket_connection_factory_create_connection(ours);
  g_object_unref(ours);
  attach_viewer(j, G_IO_STREAM(connection));
  return fds[1];
}

static void become_active(LlHelperJoin *j, const LlControlMessage *m)
{
  g_autoptr(GError) error = NULL;
  j->state = JOIN_ACTIVE;
  if (j->offer_target != NULL) {
    /* The host names the session and its owner only now. */
    g_free(j->offer_target->session_id);
    j->offer_target->session_id = g_strdup(m->session_id);
    g_free(j->offer_target->novice_name);
    j->offer_target->novice_name = g_strdup(m->name);
  }
  memcpy(j->resume_token, m->resume_token, LL_RESUME_TOKEN_BYTES);
  j->grace_s = m->grace_s;
  ll_session_enable_resume(j->session, m->grace_s);
  g_message("%s allowed us to see the screen", m->name);
  ll_helper_record_started(&j->record, j->invitation->session_id, m->name);
  if (j->port == NULL) {
    j->events.ready(j, 0, j->user_data);
    return;
  }
  if (!ll_local_rfb_port_open(j->port, on_viewer, on_viewer_refused, j, &error)) {
    g_autofree char *why = g_strdup_printf("the helper's viewer port failed: %s", error->message);
    j->refusal = g_error_new_literal(LL_ERROR, LL_ERROR_FAILED, why);   /* reported at close */
    ll_session_close(j->session, why);
    return;
  }
  j->events.ready(j, ll_local_rfb_port_number(j->port), j->user_data);
}

static gboolean is_control_answer(LlMessageType type)
{
  return type == LL_MSG_CONTROL_GRANTED || type == LL_MSG_CONTROL_DENIED ||
         type == LL_MSG_CONTROL_ENDED;
}

static void hear_control(LlHelperJoin *j, const LlControlMessage *m)
{
  if (m->type == LL_MSG_CONTROL_GRANTED && j->control == CONTROL_ASKED) {
    j->control = CONTROL_HELD;
    ll_helper_record_control_granted(&j->record);
    j->events.control_granted(j, j->user_data);
  } else if (m->type == LL_MSG_CONTROL_DENIED && j->control == CONTROL_ASKED) {
    j->control = CONTROL_NONE;
    j->events.control_denied(j, m->reason, j->user_data);
  } else if (m->type == LL_MSG_CONTROL_ENDED && j->control != CONTROL_NONE) {
    j->control = CONTROL_NONE;
    ll_helper_record_control_ended(&j->record, m->by);
    j->events.control_ended(j, m->by, j->user_data);
  } else {
    g_info("ignored %s: control was not asked for or is not held",
           ll_message_type_name(m->type));
  }
}

static void on_control(LlSession *session, const LlControlMessage *m, gpointer data)
{
  LlHelperJoin *j = data;
  if (j->state == JOIN_ASKED && m->type == LL_MSG_WAITING) {
    j->events.waiting(j, j->invitation->novice_name, j->user_data);
  } else if (j->state == JOIN_ASKED && m->type == LL_MSG_ACCEPTED) {
    become_active(j, m);
  } else if (j->state == JOIN_ASKED && m->type == LL_MSG_REFUSED) {
    j->refusal = g_error_new_literal(LL_ERROR, LL_ERROR_REFUSED, m->reason);
    ll_helper_record_refused(&j->record, j->invitation->novice_name, m->reason);
    ll_session_close(session, NULL);
  } else if (j->state == JOIN_ACTIVE && m->type == LL_MSG_STREAM_CLOSE) {
    ll_stream_table_remove(j->streams, m->stream_id);
  } else if (j->state == JOIN_ACTIVE && is_control_answer(m->type)) {
    hear_control(j, m);
  } else if (j->state == JOIN_ACTIVE && m->type == LL_MSG_MONITORS) {
    if (j->events.monitors != NULL)
      j->events.monitors(j, m->monitors, m->n_monitors, m->monitor, j->user_data);
  } else {
    g_autofree char *what = g_strdup_printf("unexpected %s message", ll_message_type_name(m->type));
    violation(j, what);
  }
}

static void on_stream_data(LlSession *session, guint32 id, const guint8 *data, gsize len,
                           gpointer user_data)
{
  LlHelperJoin *j = user_data;
  (void)session;
  if (j->state != JOIN_ACTIVE) {
    violation(j, "screen data before the novice agreed");
    return;
  }
  ll_stream_table_deliver(j->streams, id, data, len);
}

static void on_chat(LlSession *session, const char *text, gpointer data)
{
  LlHelperJoin *j = data;
  (void)session;
  if (j->state != JOIN_ACTIVE) {
    violation(j, "chat before the novice agreed");
    return;
  }
  j->events.chat(j, j->invitation->novice_name, text, j->user_data);
}

static void on_drained(LlSession *session, gpointer data)
{
  LlHelperJoin *j = data;
  (void)session;
  ll_stream_table_resume_all(j->streams);
}

static void on_closed(LlSession *session, const GError *why, gpointer data)
{
  LlHelperJoin *j = data;
  (void)session;
  if (j->refusal != NULL)
    finish(j, g_steal_pointer(&j->refusal));
  else
    finish(j, why != NULL ? g_error_copy(why) : NULL);
}

/* ---- coming back after a lost connection ---- */

static void start_race(LlHelperJoin *j);

static void send_resume(LlHelperJoin *j, GTlsConnection *tls)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LlControlMessage) resume = ll_control_message_new(LL_MSG_RESUME);
  resume->session_id = g_strdup(j->invitation->session_id);
  if (!ll_tls_prove(tls, j->resume_token, resume->session_id, resume->proof, &error)) {
    ll_session_abort(j->session, error);
    return;
  }
  ll_session_resume_over(j->session, G_IO_STREAM(tls), resume);
}

static gboolean retry_reconnect(gpointer data)
{
  LlHelperJoin *j = data;
  j->reconnect_timer = 0;
  start_race(j);
  return G_SOURCE_REMOVE;
}

static void schedule_reconnect(LlHelperJoin *j)
{
  if (j->state == JOIN_ACTIVE && j->race == NULL && j->reconnect_timer == 0)
    j->reconnect_timer = g_timeout_add(RECONNECT_PAUSE_MS, retry_reconnect, j);
}

static void on_suspended(LlSession *session, const GError *why, gpointer data)
{
  LlHelperJoin *j = data;
  (void)session;
  if (!j->reconnecting) {
    j->reconnecting = TRUE;
    j->lost_us = g_get_monotonic_time();
    j->events.reconnecting(j, why->message, j->grace_s, j->user_data);
    start_race(j);
  } else {
    g_info("reconnecting failed (%s); trying again", why->message);
    schedule_reconnect(j);
  }
}

static void on_resumed(LlSession *session, gpointer data)
{
  LlHelperJoin *j = data;
  (void)session;
  j->reconnecting = FALSE;
  gint64 elapsed_ms = (g_get_monotonic_time() - j->lost_us) / 1000;
  j->events.reconnected(j, j->resume_path, elapsed_ms, j->user_data);
}

static const LlSessionHandlers join_handlers = {
  .control = on_control,
  .stream_data = on_stream_data,
  .chat = on_chat,
  .drained = on_drained,
  .suspended = on_suspended,
  .resumed = on_resumed,
  .closed = on_closed,
};

static void send_hello(LlHelperJoin *j)
{
  g_autoptr(GError) error = NULL;
  if (j->offer_target != NULL) {
    g_autoptr(LlControlMessage) offer = ll_control_message_new(LL_MSG_OFFER);
    offer->version = LL_PROTOCOL_VERSION;
    offer->name = g_strdup(j->helper_name);
    ll_session_send_control(j->session, offer);
    j->state = JOIN_ASKED;
    return;
  }
  g_autoptr(LlControlMessage) hello = ll_control_message_new(LL_MSG_HELLO);
  hello->version = LL_PROTOCOL_VERSION;
  hello->name = g_strdup(j->helper_name);
  hello->session_id = g_strdup(j->invitation->session_id);
  if (!ll_tls_prove(j->tls, j->invitation->secret, hello->session_id, hello->proof, &error)) {
    ll_session_abort(j->session, error);
    return;
  }
  ll_session_send_control(j->session, hello);
  j->state = JOIN_ASKED;
}

static void on_reconnect_race_done(LlHelperJoin *j, GTlsConnection *winner, const char *path,
                                   const GError *error)
{
  if (winner == NULL) {
    g_info("no path back to the other computer yet: %s", error->message);
    schedule_reconnect(j);
    return;
  }
  g_info("reconnected via %s; resuming", path);
  g_free(j->resume_path);
  j->resume_path = g_strdup(path);
  g_clear_object(&j->tls);
  j->tls = winner;
  send_resume(j, winner);
}

static void on_race_done(GTlsConnection *winner, const char *endpoint, const char *path,
                         const GError *error, gpointer data)
{
  LlHelperJoin *j = data;
  g_clear_pointer(&j->race, ll_endpoint_race_cancel);   /* done: let it go */
  if (j->state == JOIN_ACTIVE && j->reconnecting) {
    on_reconnect_race_done(j, winner, path, error);
    return;
  }
  if (j->state != JOIN_CONNECTING) {
    g_clear_object(&winner);
    return;
  }
  if (winner == NULL) {
    finish(j, g_error_copy(error));
    return;
  }
  gint64 elapsed_ms = (g_get_monotonic_time() - j->started_us) / 1000;
  j->tls = winner;
  ll_helper_record_connected(&j->record, winner, path);
  j->events.connected(j, path, endpoint, elapsed_ms, j->user_data);
  j->session = ll_session_new(G_IO_STREAM(winner), endpoint, &join_handlers, j);
  ll_session_start(j->session);
  send_hello(j);
}

LlHelperJoin *ll_helper_join_new(LlIdentity *identity, LlInvitation *invitation,
                                 const char *helper_name, const LlHelperJoinEvents *events,
                                 gpointer user_data)
{
  LlHelperJoin *j = g_new0(LlHelperJoin, 1);
  j->identity = identity;
  j->invitation = invitation;
  j->helper_name = g_strdup(helper_name);
  j->events = *events;
  j->user_data = user_data;
  j->streams = ll_stream_table_new();
  ll_key_pin_full(&j->pin, invitation->fingerprint);
  /* Where the mailbox may be: the invitation's rendezvous, then the others
   * it names, in turn. */
  g_autoptr(GStrvBuilder) urls = g_strv_builder_new();
  if (invitation->rendezvous_url != NULL) {
    g_strv_builder_add(urls, invitation->rendezvous_url);
    if (invitation->rendezvous_more != NULL)
      g_strv_builder_addv(urls, (const char **)invitation->rendezvous_more);
  }
  j->rendezvous_urls = g_strv_builder_end(urls);
  return j;
}

LlHelperJoin *ll_helper_offer_new(LlIdentity *identity, const char *host_label,
                                  GPtrArray *endpoints, const char *const *rendezvous_urls,
                                  const char *mailbox, const LlKeyPin *pin,
                                  const char *helper_name, const LlHelperJoinEvents *events,
                                  gpointer user_data)
{
  static const guint8 no_fingerprint[LL_FINGERPRINT_BYTES];
  gint64 now = g_get_real_time() / G_USEC_PER_SEC;
  /* The target has the shape of an invitation without its secret: only
   * where to connect is used, and the pin below replaces its key. */
  LlInvitation *target = ll_invitation_new(host_label, no_fingerprint, now, G_MAXINT32);
  for (guint i = 0; i < endpoints->len; i++)
    ll_invitation_add_endpoint(target, g_ptr_array_index(endpoints, i));
  target->rendezvous_url = g_strdup(rendezvous_urls != NULL ? rendezvous_urls[0] : NULL);
  target->mailbox_id = g_strdup(mailbox);
  LlHelperJoin *j = ll_helper_join_new(identity, target, helper_name, events, user_data);
  j->offer_target = target;
  g_strfreev(j->rendezvous_urls);
  j->rendezvous_urls = g_strdupv(rendezvous_urls != NULL ? (char **)rendezvous_urls
                                                         : (char *[]){ NULL });
  j->pin = *pin;
  return j;
}

static gboolean start(LlHelperJoin *j, gboolean with_port, guint16 vnc_port, GError **error)
{
  g_return_val_if_fail(j->state == JOIN_IDLE, FALSE);
  if (j->offer_target == NULL &&
      !ll_invitation_check_time(j->invitation, g_get_real_time() / G_USEC_PER_SEC, error))
    return FALSE;
  if (with_port && (j->port = ll_local_rfb_port_bind(vnc_port, error)) == NULL)
    return FALSE;
  j->state = JOIN_CONNECTING;
  j->started_us = g_get_monotonic_time();
  start_race(j);
  return TRUE;
}

gboolean ll_helper_join_start(LlHelperJoin *j, guint16 vnc_port, GError **error)
{
  return start(j, TRUE, vnc_port, error);
}

gboolean ll_helper_join_start_portless(LlHelperJoin *j, GError **error)
{
  return start(j, FALSE, 0, error);
}

static void start_race(LlHelperJoin *j)
{
  j->race = ll_endpoint_race_start(j->invitation->endpoints,
                                   (const char *const *)j->rendezvous_urls,
                                   j->invitation->mailbox_id, j->identity->certificate,
                                   &j->pin, on_race_done, j);
}

static void send_simple(LlHelperJoin *j, LlMessageType type)
{
  if (j->state != JOIN_ACTIVE)
    return;
  g_autoptr(LlControlMessage) m = ll_control_message_new(type);
  ll_session_send_control(j->session, m);
}

void ll_helper_join_request_control(LlHelperJoin *j)
{
  if (j->control == CONTROL_NONE)
    j->control = CONTROL_ASKED;
  send_simple(j, LL_MSG_CONTROL_REQUEST);
}

void ll_helper_join_release_control(LlHelperJoin *j)
{
  send_simple(j, LL_MSG_CONTROL_RELEASE);
}

void ll_helper_join_show_monitor(LlHelperJoin *j, guint number)
{
  if (j->state != JOIN_ACTIVE)
    return;
  g_autoptr(LlControlMessage) m = ll_control_message_new(LL_MSG_SHOW_MONITOR);
  m->monitor = number;
  ll_session_send_control(j->session, m);
}

gboolean ll_helper_join_send_chat(LlHelperJoin *j, const char *text, GError **error)
{
  if (j->state != JOIN_ACTIVE) {
    g_set_error_literal(error, LL_ERROR, LL_ERROR_USAGE,
                        "you can chat once you see the screen; your message was not sent");
    return FALSE;
  }
  return ll_session_send_chat(j->session, text, error);
}

const char *ll_helper_join_peer_name(LlHelperJoin *j)
{
  return j->invitation->novice_name;
}

gint64 ll_helper_join_rtt_ms(LlHelperJoin *j)
{
  return j->session != NULL ? ll_session_rtt_ms(j->session) : -1;
}

gboolean ll_helper_join_is_active(LlHelperJoin *j)
{
  return j->state == JOIN_ACTIVE;
}

void ll_helper_join_stop(LlHelperJoin *j, const char *reason)
{
  if (j->session != NULL && ll_session_is_open(j->session)) {
    ll_session_close(j->session, reason);
    return;   /* finished follows once the novice was told */
  }
  finish(j, NULL);
}

void ll_helper_join_free(LlHelperJoin *j)
{
  if (j == NULL)
    return;
  ll_endpoint_race_cancel(j->race);
  g_clear_handle_id(&j->finish_idle, g_source_remove);
  g_clear_handle_id(&j->reconnect_timer, g_source_remove);
  ll_stream_table_free(j->streams);
  if (j->session != NULL) {
    ll_session_forget_handlers(j->session);
    ll_session_abort(j->session, NULL);
    ll_session_unref(j->session);
  }
  g_clear_object(&j->tls);
  ll_local_rfb_port_free(j->port);
  g_clear_error(&j->refusal);
  g_clear_error(&j->finish_reason);
  sodium_memzero(j->resume_token, sizeof j->resume_token);
  g_free(j->resume_path);
  g_free(j->helper_name);
  ll_invitation_free(j->offer_target);
  g_strfreev(j->rendezvous_urls);
  /* Freed mid-session (the window closed, a second Ctrl-C): the record still ends. */
  ll_helper_record_ended(&j->record, NULL);
  ll_helper_record_clear(&j->record);
  g_free(j);
}

void ll_helper_join_set_audit(LlHelperJoin *j, LlAuditLog *audit)
{
  j->record.log = audit;
}

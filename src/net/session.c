#include "net/session.h"
#include "common/error.h"
#include "common/framing.h"
#include "net/frame_link.h"
#include "net/replay_buffer.h"
#include <string.h>

#define CLOSE_FLUSH_TIMEOUT_MS 3000
/* Confirm at least this often while data streams in, so the sender's
 * replay buffer stays small. */
#define CONFIRM_EVERY_BYTES (256 * 1024)

typedef enum {
  SESSION_NEW,
  SESSION_OPEN,
  SESSION_SUSPENDED,   /* no connection; waiting for one within the grace period */
  SESSION_RESUMING,    /* a new connection; RESUME sent, RESUMED awaited */
  SESSION_CLOSING,
  SESSION_CLOSED
} SessionState;

struct LlSession {
  gint refs;
  SessionState state;
  LlFrameLink *link;             /* NULL while suspended */
  LlSessionHandlers handlers;
  gpointer user_data;
  char *label;
  LlReplayBuffer *sent;          /* counted frames not yet confirmed */
  guint64 received;              /* bytes of counted frames received */
  guint64 confirmed_received;    /* the last count we sent the peer */
  guint grace_s;                 /* 0: a lost connection ends the session */
  guint heartbeat;
  guint beats;                   /* heartbeats so far: every few, a ping */
  guint32 pings;                 /* pings sent, for their ids */
  guint32 ping_id;               /* of the ping awaiting its pong (0: none) */
  gint64 ping_sent_us;
  gint64 rtt_us;                 /* the last round trip measured (-1: none yet) */
  guint grace_timer;
  GError *close_reason;
};

static const LlFrameLinkHandlers no_link_handlers = { 0 };
static void attach_link(LlSession *s, LlFrameLink *link);

LlSession *ll_session_new(GIOStream *stream, const char *peer_label,
                          const LlSessionHandlers *handlers, gpointer user_data)
{
  LlSession *s = g_new0(LlSession, 1);
  s->rtt_us = -1;
  s->refs = 1;
  s->handlers = *handlers;
  s->user_data = user_data;
  s->label = g_strdup(peer_label);
  s->sent = ll_replay_buffer_new();
  g_autoptr(LlFrameLink) link = ll_frame_link_new(stream, &no_link_handlers, NULL);
  attach_link(s, link);
  return s;
}

LlSession *ll_session_ref(LlSession *s)
{
  s->refs++;
  return s;
}

void ll_session_unref(LlSession *s)
{
  if (s == NULL || --s->refs > 0)
    return;
  g_clear_handle_id(&s->heartbeat, g_source_remove);
  g_clear_handle_id(&s->grace_timer, g_source_remove);
  if (s->link != NULL) {
    ll_frame_link_set_handlers(s->link, &no_link_handlers, NULL);
    ll_frame_link_abort(s->link, NULL);
    g_clear_pointer(&s->link, ll_frame_link_unref);
  }
  ll_replay_buffer_free(s->sent);
  g_clear_error(&s->close_reason);
  g_free(s->label);
  g_free(s);
}

const char *ll_session_peer_label(LlSession *s) { return s->label; }

gboolean ll_session_is_open(LlSession *s)
{
  return s->state == SESSION_OPEN || s->state == SESSION_SUSPENDED ||
         s->state == SESSION_RESUMING;
}

gboolean ll_session_is_congested(LlSession *s)
{
  if (s->state == SESSION_SUSPENDED || s->state == SESSION_RESUMING)
    return TRUE;
  return s->link != NULL && ll_frame_link_is_congested(s->link);
}

void ll_session_set_handlers(LlSession *s, const LlSessionHandlers *handlers, gpointer user_data)
{
  s->handlers = *handlers;
  s->user_data = user_data;
}

void ll_session_forget_handlers(LlSession *s)
{
  memset(&s->handlers, 0, sizeof s->handlers);
}

/* ---- the link under the session ---- */

/* Lets go of the current link; nothing it reports reaches us any more. */
static void drop_link(LlSession *s)
{
  if (s->link == NULL)
    return;
  ll_frame_link_set_handlers(s->link, &no_link_handlers, NULL);
  ll_frame_link_abort(s->link, NULL);
  g_clear_pointer(&s->link, ll_frame_link_unref);
}

static gboolean notify_closed(gpointer data)
{
  LlSession *s = data;
  if (s->handlers.closed != NULL)
    s->handlers.closed(s, s->close_reason, s->user_data);
  return G_SOURCE_REMOVE;
}

/* The one way a session ends: stop the link and the timers, and report
 * from an idle callback so no caller is re-entered. */
static void finish(LlSession *s, GError *why)
{
  if (s->state == SESSION_CLOSED) {
    g_clear_error(&why);
    return;
  }
  s->state = SESSION_CLOSED;
  s->close_reason = why;
  g_clear_handle_id(&s->heartbeat, g_source_remove);
  g_clear_handle_id(&s->grace_timer, g_source_remove);
  drop_link(s);
  g_idle_add_full(G_PRIORITY_DEFAULT, notify_closed, ll_session_ref(s),
                  (GDestroyNotify)ll_session_unref);
}

void ll_session_abort(LlSession *s, const GError *why)
{
  finish(s, why != NULL ? g_error_copy(why) : NULL);
}

static void violation(LlSession *s, GError *error)
{
  g_warning("closing the session with %s: protocol violation: %s", s->label, error->message);
  finish(s, error);
}

static gboolean grace_over(gpointer data)
{
  LlSession *s = data;
  s->grace_timer = 0;
  g_message("the connection with %s did not come back within %u s", s->label, s->grace_s);
  finish(s, g_error_new(LL_ERROR, LL_ERROR_CONNECTION_LOST,
                        "the connection was lost and did not come back within %u seconds",
                        s->grace_s));
  return G_SOURCE_REMOVE;
}

static void suspend(LlSession *s, const GError *why)
{
  drop_link(s);
  s->state = SESSION_SUSPENDED;
  if (s->grace_timer == 0) {
    g_message("lost the connection with %s (%s); waiting up to %u s for a new one", s->label,
              why->message, s->grace_s);
    s->grace_timer = g_timeout_add(s->grace_s * 1000, grace_over, s);
  }
  if (s->handlers.suspended != NULL)
    s->handlers.suspended(s, why, s->user_data);
}

static void connection_lost(LlSession *s, const GError *why)
{
  if (s->state == SESSION_CLOSING)
    finish(s, NULL);   /* we were leaving anyway */
  else if (s->grace_s == 0 || s->state == SESSION_NEW)
    finish(s, g_error_copy(why));
  else
    suspend(s, why);
}

static void on_link_closed(LlFrameLink *link, const GError *why, gpointer data)
{
  LlSession *s = data;
  if (link != s->link)
    return;
  if (why == NULL)
    finish(s, NULL);   /* our close, flushed */
  else if (g_error_matches(why, LL_ERROR, LL_ERROR_PROTOCOL))
    violation(s, g_error_copy(why));
  else
    connection_lost(s, why);
}

static void on_link_drained(LlFrameLink *link, gpointer data)
{
  LlSession *s = data;
  if (link == s->link && s->state == SESSION_OPEN && s->handlers.drained != NULL)
    s->handlers.drained(s, s->user_data);
}

/* ---- receiving ---- */

static void send_confirmation(LlSession *s)
{
  guint8 count[LL_LINK_PAYLOAD];
  for (int i = 0; i < LL_LINK_PAYLOAD; i++)
    count[i] = s->received >> (8 * (LL_LINK_PAYLOAD - 1 - i));
  g_autoptr(GBytes) frame = ll_frame_encode(LL_CHANNEL_LINK, count, sizeof count);
  ll_frame_link_send(s->link, frame);
  s->confirmed_received = s->received;
}

static void handle_confirmation(LlSession *s, GBytes *payload)
{
  gsize n = 0;
  const guint8 *p = g_bytes_get_data(payload, &n);
  guint64 offset = 0;
  if (n != LL_LINK_PAYLOAD) {
    violation(s, g_error_new_literal(LL_ERROR, LL_ERROR_PROTOCOL, "a malformed confirmation"));
    return;
  }
  for (gsize i = 0; i < n; i++)
    offset = (offset << 8) | p[i];
  if (!ll_replay_buffer_confirm(s->sent, offset))
    violation(s, g_error_new(LL_ERROR, LL_ERROR_PROTOCOL,
                             "a confirmation of %" G_GUINT64_FORMAT " bytes that we did not send "
                             "that way", offset));
}

static void handle_control(LlSession *s, GBytes *payload)
{
  GError *error = NULL;
  g_autoptr(LlControlMessage) m = ll_control_message_decode(payload, &error);
  if (m == NULL) {
    violation(s, error);
  } else if (m->type == LL_MSG_BYE) {
    finish(s, g_error_new_literal(LL_ERROR, LL_ERROR_CLOSED, m->reason));
  } else if (m->type == LL_MSG_PING) {
    g_autoptr(LlControlMessage) pong = ll_control_message_new(LL_MSG_PONG);
    pong->stream_id = m->stream_id;
    if (s->state == SESSION_OPEN)
      ll_session_send_control(s, pong);
  } else if (m->type == LL_MSG_PONG) {
    /* Only the latest ping counts: one replayed after a resume would
     * measure the outage, not the path. */
    if (m->stream_id != 0 && m->stream_id == s->ping_id) {
      s->rtt_us = g_get_monotonic_time() - s->ping_sent_us;
      s->ping_id = 0;
    }
  } else if (s->handlers.control != NULL) {
    s->handlers.control(s, m, s->user_data);
  }
}

static void handle_stream(LlSession *s, GBytes *payload)
{
  gsize n = 0;
  const guint8 *p = g_bytes_get_data(payload, &n);
  if (n < 4) {
    violation(s, g_error_new_literal(LL_ERROR, LL_ERROR_PROTOCOL, "RFB frame without a stream id"));
    return;
  }
  guint32 id = ((guint32)p[0] << 24) | ((guint32)p[1] << 16) | ((guint32)p[2] << 8) | p[3];
  if (n > 4 && s->handlers.stream_data != NULL)
    s->handlers.stream_data(s, id, p + 4, n - 4, s->user_data);
}

static void handle_chat(LlSession *s, GBytes *payload)
{
  gsize n = 0;
  const char *p = g_bytes_get_data(payload, &n);
  if (n == 0 || !g_utf8_validate(p, n, NULL) || memchr(p, '\0', n) != NULL) {
    violation(s, g_error_new_literal(LL_ERROR, LL_ERROR_PROTOCOL, "a chat message that is not text"));
    return;
  }
  g_autofree char *text = g_strndup(p, n);
  if (s->handlers.chat != NULL)
    s->handlers.chat(s, text, s->user_data);
}

static void finish_resume(LlSession *s, guint64 peer_received);

/* While resuming, the first message must be the novice's answer. */
static void handle_resume_answer(LlSession *s, LlChannel channel, GBytes *payload)
{
  GError *error = NULL;
  if (channel == LL_CHANNEL_LINK)
    return;
  g_autoptr(LlControlMessage) m =
      channel == LL_CHANNEL_CONTROL ? ll_control_message_decode(payload, &error) : NULL;
  if (m == NULL) {
    violation(s, error != NULL ? error
                               : g_error_new_literal(LL_ERROR, LL_ERROR_PROTOCOL,
                                                     "data before the answer to our resume"));
  } else if (m->type == LL_MSG_RESUMED) {
    finish_resume(s, m->received);
  } else if (m->type == LL_MSG_REFUSED || m->type == LL_MSG_BYE) {
    finish(s, g_error_new_literal(LL_ERROR, m->type == LL_MSG_BYE ? LL_ERROR_CLOSED
                                                                  : LL_ERROR_REFUSED, m->reason));
  } else {
    violation(s, g_error_new(LL_ERROR, LL_ERROR_PROTOCOL, "unexpected %s message while resuming",
                             ll_message_type_name(m->type)));
  }
}

static gboolean on_link_frame(LlFrameLink *link, LlChannel channel, GBytes *payload,
                              gpointer data)
{
  /* A handler may hand the link over, or drop the last reference to us. */
  g_autoptr(LlSession) s = ll_session_ref(data);
  if (link != s->link)
    return ll_frame_link_is_open(link);
  if (s->state == SESSION_RESUMING) {
    handle_resume_answer(s, channel, payload);
  } else if (channel == LL_CHANNEL_LINK) {
    handle_confirmation(s, payload);
  } else if (s->state == SESSION_OPEN) {
    s->received += LL_FRAME_HEADER_BYTES + g_bytes_get_size(payload);
    if (channel == LL_CHANNEL_CONTROL)
      handle_control(s, payload);
    else if (channel == LL_CHANNEL_RFB)
      handle_stream(s, payload);
    else if (channel == LL_CHANNEL_CHAT)
      handle_chat(s, payload);
    if (s->link == link && s->received - s->confirmed_received >= CONFIRM_EVERY_BYTES)
      send_confirmation(s);
  }
  /* Once we decided to close, nothing the peer sends acts any more. */
  if (link != s->link)
    return ll_frame_link_is_open(link);
  return s->state == SESSION_OPEN || s->state == SESSION_RESUMING;
}

static const LlFrameLinkHandlers session_link_handlers = {
  .frame = on_link_frame, .drained = on_link_drained, .closed = on_link_closed,
};

static void attach_link(LlSession *s, LlFrameLink *link)
{
  drop_link(s);
  s->link = ll_frame_link_ref(link);
  ll_frame_link_set_handlers(link, &session_link_handlers, s);
}

/* ---- the heartbeat ---- */

static void send_ping(LlSession *s)
{
  g_autoptr(LlControlMessage) ping = ll_control_message_new(LL_MSG_PING);
  if (++s->pings == 0)
    ++s->pings;   /* 0 means "none" */
  s->ping_id = s->pings;
  ping->stream_id = s->ping_id;
  s->ping_sent_us = g_get_monotonic_time();
  ll_session_send_control(s, ping);
}

gint64 ll_session_rtt_ms(LlSession *s)
{
  return s->rtt_us < 0 ? -1 : (s->rtt_us + 500) / 1000;
}

static gboolean on_heartbeat(gpointer data)
{
  g_autoptr(LlSession) s = ll_session_ref(data);
  if (s->link == NULL)
    return G_SOURCE_CONTINUE;
  gint64 silent_us = g_get_monotonic_time() - ll_frame_link_last_heard(s->link);
  if (silent_us > LL_SESSION_SILENCE_LIMIT_S * G_USEC_PER_SEC) {
    g_autoptr(GError) why = g_error_new(LL_ERROR, LL_ERROR_CONNECTION_LOST,
                                        "nothing arrived for %d seconds",
                                        LL_SESSION_SILENCE_LIMIT_S);
    connection_lost(s, why);
  } else if (s->state == SESSION_OPEN) {
    send_confirmation(s);
    if (++s->beats % LL_SESSION_PING_EVERY == 1)
      send_ping(s);
  }
  return s->state == SESSION_CLOSED ? G_SOURCE_REMOVE : G_SOURCE_CONTINUE;
}

void ll_session_start(LlSession *s)
{
  g_return_if_fail(s->state == SESSION_NEW);
  s->state = SESSION_OPEN;
  ll_frame_link_start(s->link);
  s->heartbeat = g_timeout_add(LL_SESSION_HEARTBEAT_MS, on_heartbeat, s);
}

/* ---- sending ---- */

static void send_counted(LlSession *s, GBytes *frame)
{
  if (ll_replay_buffer_size(s->sent) > LL_SESSION_MAX_PENDING) {
    g_warning("the session with %s: %" G_GUINT64_FORMAT " bytes sent are not confirmed; the "
              "other side stopped reading", s->label, ll_replay_buffer_size(s->sent));
    finish(s, g_error_new_literal(LL_ERROR, LL_ERROR_CONNECTION_LOST,
                                  "the other computer stopped reading"));
    return;
  }
  ll_replay_buffer_push(s->sent, frame);
  if (s->state == SESSION_NEW || s->state == SESSION_OPEN)
    ll_frame_link_send(s->link, frame);
}

static gboolean can_send(LlSession *s)
{
  return s->state == SESSION_NEW || ll_session_is_open(s);
}

void ll_session_send_control(LlSession *s, const LlControlMessage *m)
{
  if (!can_send(s))
    return;
  g_autoptr(GBytes) payload = ll_control_message_encode(m);
  gsize n = 0;
  const void *p = g_bytes_get_data(payload, &n);
  g_autoptr(GBytes) frame = ll_frame_encode(LL_CHANNEL_CONTROL, p, n);
  send_counted(s, frame);
}

void ll_session_send_stream(LlSession *s, guint32 stream_id, const guint8 *data, gsize len)
{
  while (len > 0 && can_send(s)) {
    gsize chunk = MIN(len, LL_MAX_RFB_CHUNK);
    g_autoptr(GBytes) frame = ll_frame_encode_stream(stream_id, data, chunk);
    send_counted(s, frame);
    data += chunk;
    len -= chunk;
  }
}

gboolean ll_session_send_chat(LlSession *s, const char *text, GError **error)
{
  gsize n = strlen(text);
  if (n == 0 || !g_utf8_validate(text, n, NULL)) {
    g_set_error_literal(error, LL_ERROR, LL_ERROR_USAGE, "an empty message was not sent");
    return FALSE;
  }
  if (n > LL_MAX_CHAT_PAYLOAD) {
    g_set_error(error, LL_ERROR, LL_ERROR_USAGE,
                "that message is too long (%" G_GSIZE_FORMAT " bytes; at most %d) and was "
                "not sent; split it in parts", n, LL_MAX_CHAT_PAYLOAD);
    return FALSE;
  }
  if (can_send(s)) {
    g_autoptr(GBytes) frame = ll_frame_encode(LL_CHANNEL_CHAT, text, n);
    send_counted(s, frame);
  }
  return TRUE;
}

/* ---- resuming ---- */

void ll_session_enable_resume(LlSession *s, guint grace_s)
{
  s->grace_s = grace_s;
}

static void send_uncounted_control(LlSession *s, const LlControlMessage *m)
{
  g_autoptr(GBytes) payload = ll_control_message_encode(m);
  g_autoptr(GBytes) frame =
      ll_frame_encode(LL_CHANNEL_CONTROL, g_bytes_get_data(payload, NULL), g_bytes_get_size(payload));
  ll_frame_link_send(s->link, frame);
}

/* What the peer did not receive, from PEER_RECEIVED on; NULL with
 * LL_ERROR_PROTOCOL when that is not something we sent and still hold. */
static GPtrArray *frames_to_send_again(LlSession *s, guint64 peer_received, GError **error)
{
  GPtrArray *again = ll_replay_buffer_since(s->sent, peer_received);
  if (again == NULL)
    g_set_error(error, LL_ERROR, LL_ERROR_PROTOCOL,
                "the other computer says it received %" G_GUINT64_FORMAT " bytes; we sent %"
                G_GUINT64_FORMAT " and still hold those from %" G_GUINT64_FORMAT,
                peer_received, ll_replay_buffer_end(s->sent), ll_replay_buffer_start(s->sent));
  return again;
}

/* Sends AGAIN over the new link and carries on. */
static void carry_on(LlSession *s, guint64 peer_received, GPtrArray *again)
{
  ll_replay_buffer_confirm(s->sent, peer_received);
  for (guint i = 0; i < again->len; i++)
    ll_frame_link_send(s->link, g_ptr_array_index(again, i));
  g_info("resumed the session with %s: sent %u messages again", s->label, again->len);
  s->state = SESSION_OPEN;
  g_clear_handle_id(&s->grace_timer, g_source_remove);
  if (s->handlers.resumed != NULL)
    s->handlers.resumed(s, s->user_data);
  if (s->state == SESSION_OPEN && !ll_frame_link_is_congested(s->link) &&
      s->handlers.drained != NULL)
    s->handlers.drained(s, s->user_data);
}

static void finish_resume(LlSession *s, guint64 peer_received)
{
  GError *error = NULL;
  g_autoptr(GPtrArray) again = frames_to_send_again(s, peer_received, &error);
  if (again == NULL)
    violation(s, error);
  else
    carry_on(s, peer_received, again);
}

void ll_session_resume_over(LlSession *s, GIOStream *stream, LlControlMessage *resume)
{
  g_return_if_fail(s->state == SESSION_SUSPENDED);
  g_autoptr(LlFrameLink) link = ll_frame_link_new(stream, &no_link_handlers, NULL);
  attach_link(s, link);
  s->state = SESSION_RESUMING;
  resume->received = s->received;
  s->confirmed_received = s->received;
  send_uncounted_control(s, resume);
  ll_frame_link_start(link);
}

gboolean ll_session_resume_from(LlSession *s, LlSession *carrier, guint64 peer_received,
                                GError **error)
{
  if (!ll_session_is_open(s) || s->grace_s == 0) {
    g_set_error_literal(error, LL_ERROR, LL_ERROR_CLOSED, "the session is over");
    return FALSE;
  }
  if (carrier->link == NULL || !ll_frame_link_is_open(carrier->link)) {
    g_set_error_literal(error, LL_ERROR, LL_ERROR_CONNECTION_LOST, "the new connection is gone");
    return FALSE;
  }
  g_autoptr(GPtrArray) again = frames_to_send_again(s, peer_received, error);
  if (again == NULL)
    return FALSE;
  /* The carrier lets go of its link without closing it; we take it. */
  g_autoptr(LlFrameLink) link = g_steal_pointer(&carrier->link);
  finish(carrier, NULL);
  attach_link(s, link);
  g_autoptr(LlControlMessage) resumed = ll_control_message_new(LL_MSG_RESUMED);
  resumed->received = s->received;
  send_uncounted_control(s, resumed);
  s->confirmed_received = s->received;
  carry_on(s, peer_received, again);
  return TRUE;
}

/* ---- ending ---- */

void ll_session_close(LlSession *s, const char *reason)
{
  if (s->state != SESSION_OPEN) {
    if (s->state != SESSION_CLOSING)
      finish(s, NULL);
    return;
  }
  if (reason != NULL) {
    g_autoptr(LlControlMessage) bye = ll_control_message_new(LL_MSG_BYE);
    bye->reason = g_strdup(reason);
    ll_session_send_control(s, bye);
  }
  s->state = SESSION_CLOSING;
  ll_frame_link_close(s->link, CLOSE_FLUSH_TIMEOUT_MS);
}

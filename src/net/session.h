/* One Lifeline session: frames in both directions over a secure link,
 * typed control messages, RFB streams multiplexed by id, and flow control
 * so a slow peer costs bounded memory. Every path (direct, ICE, relay)
 * hands the session an ordinary socket-backed stream.
 *
 * A session outlives its connection once resume is enabled: each side
 * counts the bytes of frames it received and confirms them on the LINK
 * channel every second (the confirmation is also the heartbeat); what was
 * sent but not confirmed is kept. When the connection is lost, or nothing
 * arrives for LL_SESSION_SILENCE_LIMIT_S, the session is suspended for the
 * grace period; a new connection that proves the same session (RESUME,
 * RESUMED) carries it on, each side sending again exactly what the other
 * did not receive. */
#pragma once
#include <gio/gio.h>
#include "common/control_message.h"

typedef struct LlSession LlSession;

typedef struct {
  /* A valid control message other than BYE (BYE ends the session). */
  void (*control)(LlSession *session, const LlControlMessage *message, gpointer user_data);
  /* Bytes of RFB stream STREAM_ID. */
  void (*stream_data)(LlSession *session, guint32 stream_id, const guint8 *data, gsize len,
                      gpointer user_data);
  /* A chat message: valid UTF-8, not empty, within LL_MAX_CHAT_PAYLOAD. */
  void (*chat)(LlSession *session, const char *text, gpointer user_data);
  /* The send queue fell below its low mark after being congested, or the
   * session resumed. */
  void (*drained)(LlSession *session, gpointer user_data);
  /* Resume enabled: the connection was lost (WHY). Messages sent now wait
   * for the next connection; the session ends if none comes in the grace
   * period. Called again when an attempt to resume loses its connection. */
  void (*suspended)(LlSession *session, const GError *why, gpointer user_data);
  /* A new connection carries the session on. */
  void (*resumed)(LlSession *session, gpointer user_data);
  /* Called exactly once, from the main loop, when the session is over.
   * WHY is NULL when we closed it ourselves; LL_ERROR_CLOSED with the
   * peer's reason for a BYE; LL_ERROR_PROTOCOL for a violation;
   * LL_ERROR_REFUSED when the peer refused to resume; other codes for a
   * lost connection. */
  void (*closed)(LlSession *session, const GError *why, gpointer user_data);
} LlSessionHandlers;

/* Beyond this, sent and not confirmed, the peer is not reading: the
 * session ends. */
#define LL_SESSION_MAX_PENDING (64 * 1024 * 1024)
#define LL_SESSION_HEARTBEAT_MS 1000
/* A ping every this many heartbeats, for the round-trip time. */
#define LL_SESSION_PING_EVERY 5
/* A connection that brings nothing, not even a heartbeat, for this long
 * is taken for lost. */
#define LL_SESSION_SILENCE_LIMIT_S 4

LlSession *ll_session_new(GIOStream *secure_stream, const char *peer_label,
                          const LlSessionHandlers *handlers, gpointer user_data);
LlSession *ll_session_ref(LlSession *session);
void ll_session_unref(LlSession *session);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(LlSession, ll_session_unref)

void ll_session_start(LlSession *session);
const char *ll_session_peer_label(LlSession *session);
/* TRUE while the session can send: connected, suspended or resuming. */
gboolean ll_session_is_open(LlSession *session);

void ll_session_send_control(LlSession *session, const LlControlMessage *message);
void ll_session_send_stream(LlSession *session, guint32 stream_id, const guint8 *data, gsize len);
/* Sends one chat message. LL_ERROR_USAGE, and nothing sent, for text
 * that is empty, not UTF-8 or longer than LL_MAX_CHAT_PAYLOAD bytes. */
gboolean ll_session_send_chat(LlSession *session, const char *text, GError **error);
/* TRUE while producers should wait: much is queued, or no connection. */
gboolean ll_session_is_congested(LlSession *session);
/* The last round trip measured by a ping, in ms; -1 before the first. */
gint64 ll_session_rtt_ms(LlSession *session);

/* From now on a lost connection suspends the session for GRACE_S seconds
 * instead of ending it. */
void ll_session_enable_resume(LlSession *session, guint grace_s);
/* The helper, suspended: carries the session on over SECURE_STREAM by
 * sending RESUME (its received count is filled in here), then waiting for
 * RESUMED. A lost connection calls suspended again. */
void ll_session_resume_over(LlSession *session, GIOStream *secure_stream, LlControlMessage *resume);
/* The novice: CARRIER's connection opened with a RESUME for SESSION (the
 * caller checked its proof). SESSION takes that connection over, answers
 * RESUMED, and sends again from PEER_RECEIVED; CARRIER is left closed.
 * FALSE with LL_ERROR_PROTOCOL when PEER_RECEIVED is not something we
 * sent, or LL_ERROR_CLOSED when SESSION is over. */
gboolean ll_session_resume_from(LlSession *session, LlSession *carrier, guint64 peer_received,
                                GError **error);

/* Ends the session politely: sends BYE with REASON (when not NULL),
 * flushes, then closes. Without a connection it ends at once. */
void ll_session_close(LlSession *session, const char *reason);
/* Ends it at once; WHY is reported to the closed handler. */
void ll_session_abort(LlSession *session, const GError *why);
/* Hands the session to another owner (after admission, say). */
void ll_session_set_handlers(LlSession *session, const LlSessionHandlers *handlers,
                             gpointer user_data);
/* The owner is going away: no handler will be called any more. */
void ll_session_forget_handlers(LlSession *session);

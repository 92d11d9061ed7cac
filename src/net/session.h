/* One Lifeline session over an established secure stream: frames in both
 * directions, typed control messages, RFB streams multiplexed by id, and
 * flow control so a slow peer costs bounded memory. Every path (direct,
 * ICE, relay) hands the session an ordinary socket-backed stream. */
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
  /* The send queue fell below its low mark after being congested. */
  void (*drained)(LlSession *session, gpointer user_data);
  /* Called exactly once, from the main loop, when the session is over.
   * WHY is NULL when we closed it ourselves; LL_ERROR_CLOSED with the
   * peer's reason for a BYE; LL_ERROR_PROTOCOL for a violation; other
   * codes for a lost connection. */
  void (*closed)(LlSession *session, const GError *why, gpointer user_data);
} LlSessionHandlers;

#define LL_SESSION_HIGH_WATER (1024 * 1024)
#define LL_SESSION_LOW_WATER (256 * 1024)
/* Beyond this the peer is not reading at all: the session ends. */
#define LL_SESSION_MAX_PENDING (64 * 1024 * 1024)

LlSession *ll_session_new(GIOStream *secure_stream, const char *peer_label,
                          const LlSessionHandlers *handlers, gpointer user_data);
LlSession *ll_session_ref(LlSession *session);
void ll_session_unref(LlSession *session);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(LlSession, ll_session_unref)

void ll_session_start(LlSession *session);
const char *ll_session_peer_label(LlSession *session);
GIOStream *ll_session_get_stream(LlSession *session);
gboolean ll_session_is_open(LlSession *session);

void ll_session_send_control(LlSession *session, const LlControlMessage *message);
void ll_session_send_stream(LlSession *session, guint32 stream_id, const guint8 *data, gsize len);
/* Sends one chat message. LL_ERROR_USAGE, and nothing sent, for text
 * that is empty, not UTF-8 or longer than LL_MAX_CHAT_PAYLOAD bytes. */
gboolean ll_session_send_chat(LlSession *session, const char *text, GError **error);
/* Raw bytes, for tests that play a hostile peer. */
void ll_session_send_raw(LlSession *session, GBytes *bytes);
/* TRUE while more than the high mark waits to be sent: stop producing. */
gboolean ll_session_is_congested(LlSession *session);

/* Ends the session politely: sends BYE with REASON (when not NULL),
 * flushes, then closes. */
void ll_session_close(LlSession *session, const char *reason);
/* Ends it at once; WHY is reported to the closed handler. */
void ll_session_abort(LlSession *session, const GError *why);
/* Hands the session to another owner (after admission, say). */
void ll_session_set_handlers(LlSession *session, const LlSessionHandlers *handlers,
                             gpointer user_data);
/* The owner is going away: no handler will be called any more. */
void ll_session_forget_handlers(LlSession *session);

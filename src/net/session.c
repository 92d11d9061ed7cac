#include "net/session.h"
#include "common/error.h"
#include "common/framing.h"
#include <string.h>

#define READ_CHUNK (64 * 1024)
#define WRITE_BATCH (256 * 1024)
#define CLOSE_FLUSH_TIMEOUT_MS 3000

typedef enum { SESSION_NEW, SESSION_OPEN, SESSION_CLOSING, SESSION_CLOSED } SessionState;

struct LlSession {
  gint refs;
  SessionState state;
  GIOStream *stream;
  GSocket *socket;               /* under the TLS layer, for shutdown */
  GCancellable *cancellable;
  LlSessionHandlers handlers;
  gpointer user_data;
  char *label;
  LlFrameDecoder *decoder;
  guint8 *read_buffer;
  GQueue queue;                  /* GBytes frames waiting to be written */
  GBytes *in_flight;
  gsize pending_bytes;           /* queued + in flight */
  gboolean congested;
  guint flush_timeout;
  GError *close_reason;
};

static void write_next(LlSession *s);

static GSocket *find_socket(GIOStream *stream)
{
  GIOStream *base = NULL;
  if (G_IS_TLS_CONNECTION(stream))
    g_object_get(stream, "base-io-stream", &base, NULL);
  else
    base = g_object_ref(stream);
  GSocket *socket = G_IS_SOCKET_CONNECTION(base)
                        ? g_object_ref(g_socket_connection_get_socket(G_SOCKET_CONNECTION(base)))
                        : NULL;
  g_clear_object(&base);
  return socket;
}

LlSession *ll_session_new(GIOStream *stream, const char *peer_label,
                          const LlSessionHandlers *handlers, gpointer user_data)
{
  LlSession *s = g_new0(LlSession, 1);
  s->refs = 1;
  s->stream = g_object_ref(stream);
  s->socket = find_socket(stream);
  s->cancellable = g_cancellable_new();
  s->handlers = *handlers;
  s->user_data = user_data;
  s->label = g_strdup(peer_label);
  s->decoder = ll_frame_decoder_new();
  s->read_buffer = g_malloc(READ_CHUNK);
  g_queue_init(&s->queue);
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
  g_queue_clear_full(&s->queue, (GDestroyNotify)g_bytes_unref);
  g_clear_pointer(&s->in_flight, g_bytes_unref);
  g_clear_object(&s->cancellable);
  g_clear_object(&s->socket);
  g_clear_object(&s->stream);
  g_clear_error(&s->close_reason);
  ll_frame_decoder_free(s->decoder);
  g_free(s->read_buffer);
  g_free(s->label);
  g_free(s);
}

const char *ll_session_peer_label(LlSession *s) { return s->label; }
GIOStream *ll_session_get_stream(LlSession *s) { return s->stream; }
gboolean ll_session_is_open(LlSession *s) { return s->state == SESSION_OPEN; }
gboolean ll_session_is_congested(LlSession *s) { return s->congested; }

static gboolean notify_closed(gpointer data)
{
  LlSession *s = data;
  if (s->handlers.closed != NULL)
    s->handlers.closed(s, s->close_reason, s->user_data);
  return G_SOURCE_REMOVE;
}

/* The one way a session ends: stop all I/O, tell the peer by closing the
 * socket, and report from an idle callback so no caller is re-entered. */
static void finish(LlSession *s, GError *why)
{
  if (s->state == SESSION_CLOSED) {
    g_clear_error(&why);
    return;
  }
  s->state = SESSION_CLOSED;
  s->close_reason = why;
  g_cancellable_cancel(s->cancellable);
  g_clear_handle_id(&s->flush_timeout, g_source_remove);
  if (s->socket != NULL)
    g_socket_shutdown(s->socket, TRUE, TRUE, NULL);
  g_queue_clear_full(&s->queue, (GDestroyNotify)g_bytes_unref);
  g_idle_add_full(G_PRIORITY_DEFAULT, notify_closed, ll_session_ref(s),
                  (GDestroyNotify)ll_session_unref);
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

void ll_session_abort(LlSession *s, const GError *why)
{
  finish(s, why != NULL ? g_error_copy(why) : NULL);
}

static gboolean protocol_violation(LlSession *s, GError *error)
{
  g_warning("closing the session with %s: protocol violation: %s", s->label, error->message);
  finish(s, error);
  return FALSE;
}

static gboolean handle_control(LlSession *s, GBytes *payload)
{
  GError *error = NULL;
  g_autoptr(LlControlMessage) m = ll_control_message_decode(payload, &error);
  if (m == NULL)
    return protocol_violation(s, error);
  if (m->type == LL_MSG_BYE) {
    finish(s, g_error_new_literal(LL_ERROR, LL_ERROR_CLOSED, m->reason));
    return FALSE;
  }
  if (s->handlers.control != NULL)
    s->handlers.control(s, m, s->user_data);
  return s->state != SESSION_CLOSED;
}

static gboolean handle_stream(LlSession *s, GBytes *payload)
{
  gsize n = 0;
  const guint8 *p = g_bytes_get_data(payload, &n);
  if (n < 4)
    return protocol_violation(s, g_error_new_literal(LL_ERROR, LL_ERROR_PROTOCOL,
                                                     "RFB frame without a stream id"));
  guint32 id = ((guint32)p[0] << 24) | ((guint32)p[1] << 16) | ((guint32)p[2] << 8) | p[3];
  if (n > 4 && s->handlers.stream_data != NULL)
    s->handlers.stream_data(s, id, p + 4, n - 4, s->user_data);
  return s->state != SESSION_CLOSED;
}

static gboolean handle_chat(LlSession *s, GBytes *payload)
{
  gsize n = 0;
  const char *p = g_bytes_get_data(payload, &n);
  if (n == 0 || !g_utf8_validate(p, n, NULL) || memchr(p, '\0', n) != NULL)
    return protocol_violation(s, g_error_new_literal(LL_ERROR, LL_ERROR_PROTOCOL,
                                                     "a chat message that is not text"));
  g_autofree char *text = g_strndup(p, n);
  if (s->handlers.chat != NULL)
    s->handlers.chat(s, text, s->user_data);
  return s->state != SESSION_CLOSED;
}

static gboolean on_frame(LlChannel channel, GBytes *payload, gpointer data)
{
  LlSession *s = data;
  /* Once we decided to close, nothing the peer sends acts any more. */
  if (s->state != SESSION_OPEN)
    return FALSE;
  switch (channel) {
  case LL_CHANNEL_CONTROL:
    return handle_control(s, payload);
  case LL_CHANNEL_RFB:
    return handle_stream(s, payload);
  case LL_CHANNEL_CHAT:
    return handle_chat(s, payload);
  default:
    return TRUE;   /* the decoder refuses unknown channels before this */
  }
}

static void on_read(GObject *source, GAsyncResult *result, gpointer data);

static void read_next(LlSession *s)
{
  g_input_stream_read_async(g_io_stream_get_input_stream(s->stream), s->read_buffer, READ_CHUNK,
                            G_PRIORITY_DEFAULT, s->cancellable, on_read, ll_session_ref(s));
}

static GError *connection_lost(GError *cause)
{
  GError *e = g_error_new(LL_ERROR, LL_ERROR_CONNECTION_LOST, "the connection was lost (%s)",
                          cause->message);
  g_error_free(cause);
  return e;
}

static void on_read(GObject *source, GAsyncResult *result, gpointer data)
{
  g_autoptr(LlSession) s = data;
  GError *error = NULL;
  gssize n = g_input_stream_read_finish(G_INPUT_STREAM(source), result, &error);
  if (s->state == SESSION_CLOSED) {
    g_clear_error(&error);
    return;
  }
  if (n < 0) {
    finish(s, connection_lost(error));
    return;
  }
  if (n == 0) {
    finish(s, g_error_new_literal(LL_ERROR, LL_ERROR_CONNECTION_LOST,
                                  "the other computer closed the connection without a goodbye"));
    return;
  }
  if (!ll_frame_decoder_feed(s->decoder, s->read_buffer, n, on_frame, s, &error)) {
    if (error != NULL)
      protocol_violation(s, error);
    return;
  }
  read_next(s);
}

void ll_session_start(LlSession *s)
{
  g_return_if_fail(s->state == SESSION_NEW);
  s->state = SESSION_OPEN;
  read_next(s);
}

static void on_written(GObject *source, GAsyncResult *result, gpointer data)
{
  g_autoptr(LlSession) s = data;
  GError *error = NULL;
  gboolean ok = g_output_stream_write_all_finish(G_OUTPUT_STREAM(source), result, NULL, &error);
  if (s->state == SESSION_CLOSED) {
    g_clear_error(&error);
    return;
  }
  if (!ok) {
    finish(s, connection_lost(error));
    return;
  }
  s->pending_bytes -= g_bytes_get_size(s->in_flight);
  g_clear_pointer(&s->in_flight, g_bytes_unref);
  if (s->congested && s->pending_bytes < LL_SESSION_LOW_WATER) {
    s->congested = FALSE;
    if (s->handlers.drained != NULL && s->state == SESSION_OPEN)
      s->handlers.drained(s, s->user_data);
  }
  if (g_queue_is_empty(&s->queue) && s->state == SESSION_CLOSING)
    finish(s, NULL);   /* all flushed */
  else
    write_next(s);
}

/* Small frames are batched into one write: fewer TLS records, fewer
 * system calls, same order. */
static GBytes *take_batch(LlSession *s)
{
  GBytes *first = g_queue_pop_head(&s->queue);
  if (g_queue_is_empty(&s->queue) || g_bytes_get_size(first) >= WRITE_BATCH)
    return first;
  GByteArray *batch = g_byte_array_sized_new(WRITE_BATCH);
  g_byte_array_append(batch, g_bytes_get_data(first, NULL), g_bytes_get_size(first));
  g_bytes_unref(first);
  while (!g_queue_is_empty(&s->queue)) {
    GBytes *next = g_queue_peek_head(&s->queue);
    if (batch->len + g_bytes_get_size(next) > WRITE_BATCH)
      break;
    g_queue_pop_head(&s->queue);
    g_byte_array_append(batch, g_bytes_get_data(next, NULL), g_bytes_get_size(next));
    g_bytes_unref(next);
  }
  return g_byte_array_free_to_bytes(batch);
}

static void write_next(LlSession *s)
{
  if (s->in_flight != NULL || g_queue_is_empty(&s->queue) || s->state == SESSION_CLOSED ||
      s->state == SESSION_NEW)
    return;
  s->in_flight = take_batch(s);
  gsize n = 0;
  const void *p = g_bytes_get_data(s->in_flight, &n);
  g_output_stream_write_all_async(g_io_stream_get_output_stream(s->stream), p, n,
                                  G_PRIORITY_DEFAULT, s->cancellable, on_written,
                                  ll_session_ref(s));
}

static void enqueue(LlSession *s, GBytes *frame)
{
  if (s->pending_bytes > LL_SESSION_MAX_PENDING) {
    g_bytes_unref(frame);
    g_warning("the session with %s: %" G_GSIZE_FORMAT " bytes wait to be sent; the other "
              "side stopped reading", s->label, s->pending_bytes);
    finish(s, g_error_new_literal(LL_ERROR, LL_ERROR_CONNECTION_LOST,
                                  "the other computer stopped reading"));
    return;
  }
  s->pending_bytes += g_bytes_get_size(frame);
  g_queue_push_tail(&s->queue, frame);
  if (s->pending_bytes > LL_SESSION_HIGH_WATER)
    s->congested = TRUE;
  write_next(s);
}

void ll_session_send_control(LlSession *s, const LlControlMessage *m)
{
  if (s->state != SESSION_OPEN && s->state != SESSION_NEW)
    return;
  g_autoptr(GBytes) payload = ll_control_message_encode(m);
  gsize n = 0;
  const void *p = g_bytes_get_data(payload, &n);
  enqueue(s, ll_frame_encode(LL_CHANNEL_CONTROL, p, n));
}

void ll_session_send_stream(LlSession *s, guint32 stream_id, const guint8 *data, gsize len)
{
  if (s->state != SESSION_OPEN)
    return;
  while (len > 0) {
    gsize chunk = MIN(len, LL_MAX_RFB_CHUNK);
    enqueue(s, ll_frame_encode_stream(stream_id, data, chunk));
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
  if (s->state == SESSION_OPEN)
    enqueue(s, ll_frame_encode(LL_CHANNEL_CHAT, text, n));
  return TRUE;
}

void ll_session_send_raw(LlSession *s, GBytes *bytes)
{
  if (s->state == SESSION_OPEN)
    enqueue(s, g_bytes_ref(bytes));
}

static gboolean flush_timed_out(gpointer data)
{
  LlSession *s = data;
  s->flush_timeout = 0;
  g_info("the session with %s did not take our last messages in time; closing", s->label);
  finish(s, NULL);
  return G_SOURCE_REMOVE;
}

void ll_session_close(LlSession *s, const char *reason)
{
  if (s->state == SESSION_NEW) {
    finish(s, NULL);
    return;
  }
  if (s->state != SESSION_OPEN)
    return;
  if (reason != NULL) {
    g_autoptr(LlControlMessage) bye = ll_control_message_new(LL_MSG_BYE);
    bye->reason = g_strdup(reason);
    ll_session_send_control(s, bye);
  }
  s->state = SESSION_CLOSING;
  if (s->in_flight == NULL && g_queue_is_empty(&s->queue)) {
    finish(s, NULL);   /* all flushed */
    return;
  }
  s->flush_timeout = g_timeout_add_full(G_PRIORITY_DEFAULT, CLOSE_FLUSH_TIMEOUT_MS,
                                        flush_timed_out, ll_session_ref(s),
                                        (GDestroyNotify)ll_session_unref);
}

#include "net/frame_link.h"
#include "common/error.h"
#include <string.h>

#define READ_CHUNK (64 * 1024)
#define WRITE_BATCH (256 * 1024)

typedef enum { LINK_NEW, LINK_OPEN, LINK_CLOSING, LINK_CLOSED } LinkState;

struct LlFrameLink {
  gint refs;
  LinkState state;
  GIOStream *stream;
  GSocket *socket;               /* under the TLS layer, for shutdown */
  GCancellable *cancellable;
  LlFrameLinkHandlers handlers;
  gpointer user_data;
  LlFrameDecoder *decoder;
  guint8 *read_buffer;
  gint64 last_heard;
  GQueue queue;                  /* GBytes frames waiting to be written */
  GBytes *in_flight;
  gsize pending_bytes;           /* queued + in flight */
  gboolean congested;
  guint flush_timeout;
  GError *close_reason;
};

static void write_next(LlFrameLink *l);

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

LlFrameLink *ll_frame_link_new(GIOStream *stream, const LlFrameLinkHandlers *handlers,
                               gpointer user_data)
{
  LlFrameLink *l = g_new0(LlFrameLink, 1);
  l->refs = 1;
  l->stream = g_object_ref(stream);
  l->socket = find_socket(stream);
  l->cancellable = g_cancellable_new();
  l->handlers = *handlers;
  l->user_data = user_data;
  l->decoder = ll_frame_decoder_new();
  l->read_buffer = g_malloc(READ_CHUNK);
  l->last_heard = g_get_monotonic_time();
  g_queue_init(&l->queue);
  return l;
}

LlFrameLink *ll_frame_link_ref(LlFrameLink *l)
{
  l->refs++;
  return l;
}

void ll_frame_link_unref(LlFrameLink *l)
{
  if (l == NULL || --l->refs > 0)
    return;
  g_queue_clear_full(&l->queue, (GDestroyNotify)g_bytes_unref);
  g_clear_pointer(&l->in_flight, g_bytes_unref);
  g_clear_object(&l->cancellable);
  g_clear_object(&l->socket);
  g_clear_object(&l->stream);
  g_clear_error(&l->close_reason);
  ll_frame_decoder_free(l->decoder);
  g_free(l->read_buffer);
  g_free(l);
}

void ll_frame_link_set_handlers(LlFrameLink *l, const LlFrameLinkHandlers *handlers,
                                gpointer user_data)
{
  l->handlers = *handlers;
  l->user_data = user_data;
}

gboolean ll_frame_link_is_open(LlFrameLink *l) { return l->state == LINK_OPEN; }
gboolean ll_frame_link_is_congested(LlFrameLink *l) { return l->congested; }
gint64 ll_frame_link_last_heard(LlFrameLink *l) { return l->last_heard; }

static gboolean notify_closed(gpointer data)
{
  LlFrameLink *l = data;
  if (l->handlers.closed != NULL)
    l->handlers.closed(l, l->close_reason, l->user_data);
  return G_SOURCE_REMOVE;
}

/* The one way a link ends: stop all I/O, tell the peer by shutting the
 * socket down, and report from an idle callback so no caller is
 * re-entered. */
static void finish(LlFrameLink *l, GError *why)
{
  if (l->state == LINK_CLOSED) {
    g_clear_error(&why);
    return;
  }
  l->state = LINK_CLOSED;
  l->close_reason = why;
  g_cancellable_cancel(l->cancellable);
  g_clear_handle_id(&l->flush_timeout, g_source_remove);
  if (l->socket != NULL)
    g_socket_shutdown(l->socket, TRUE, TRUE, NULL);
  g_queue_clear_full(&l->queue, (GDestroyNotify)g_bytes_unref);
  g_idle_add_full(G_PRIORITY_DEFAULT, notify_closed, ll_frame_link_ref(l),
                  (GDestroyNotify)ll_frame_link_unref);
}

void ll_frame_link_abort(LlFrameLink *l, const GError *why)
{
  finish(l, why != NULL ? g_error_copy(why) : NULL);
}

static gboolean on_frame(LlChannel channel, GBytes *payload, gpointer data)
{
  LlFrameLink *l = data;
  if (l->state != LINK_OPEN)
    return FALSE;   /* once we decided to close, nothing the peer sends acts */
  if (l->handlers.frame == NULL)
    return TRUE;
  return l->handlers.frame(l, channel, payload, l->user_data) && l->state == LINK_OPEN;
}

static void on_read(GObject *source, GAsyncResult *result, gpointer data);

static void read_next(LlFrameLink *l)
{
  g_input_stream_read_async(g_io_stream_get_input_stream(l->stream), l->read_buffer, READ_CHUNK,
                            G_PRIORITY_DEFAULT, l->cancellable, on_read, ll_frame_link_ref(l));
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
  g_autoptr(LlFrameLink) l = data;
  GError *error = NULL;
  gssize n = g_input_stream_read_finish(G_INPUT_STREAM(source), result, &error);
  if (l->state == LINK_CLOSED) {
    g_clear_error(&error);
    return;
  }
  if (n < 0) {
    finish(l, connection_lost(error));
    return;
  }
  if (n == 0) {
    finish(l, g_error_new_literal(LL_ERROR, LL_ERROR_CONNECTION_LOST,
                                  "the other computer closed the connection without a goodbye"));
    return;
  }
  l->last_heard = g_get_monotonic_time();
  if (!ll_frame_decoder_feed(l->decoder, l->read_buffer, n, on_frame, l, &error)) {
    if (error != NULL)
      finish(l, error);
    return;
  }
  read_next(l);
}

void ll_frame_link_start(LlFrameLink *l)
{
  g_return_if_fail(l->state == LINK_NEW);
  l->state = LINK_OPEN;
  read_next(l);
  write_next(l);
}

static void on_written(GObject *source, GAsyncResult *result, gpointer data)
{
  g_autoptr(LlFrameLink) l = data;
  GError *error = NULL;
  gboolean ok = g_output_stream_write_all_finish(G_OUTPUT_STREAM(source), result, NULL, &error);
  if (l->state == LINK_CLOSED) {
    g_clear_error(&error);
    return;
  }
  if (!ok) {
    finish(l, connection_lost(error));
    return;
  }
  l->pending_bytes -= g_bytes_get_size(l->in_flight);
  g_clear_pointer(&l->in_flight, g_bytes_unref);
  if (l->congested && l->pending_bytes < LL_LINK_LOW_WATER) {
    l->congested = FALSE;
    if (l->handlers.drained != NULL && l->state == LINK_OPEN)
      l->handlers.drained(l, l->user_data);
  }
  if (g_queue_is_empty(&l->queue) && l->state == LINK_CLOSING)
    finish(l, NULL);   /* all flushed */
  else
    write_next(l);
}

/* Small frames are batched into one write: fewer TLS records, fewer
 * system calls, same order. */
static GBytes *take_batch(LlFrameLink *l)
{
  GBytes *first = g_queue_pop_head(&l->queue);
  if (g_queue_is_empty(&l->queue) || g_bytes_get_size(first) >= WRITE_BATCH)
    return first;
  GByteArray *batch = g_byte_array_sized_new(WRITE_BATCH);
  g_byte_array_append(batch, g_bytes_get_data(first, NULL), g_bytes_get_size(first));
  g_bytes_unref(first);
  while (!g_queue_is_empty(&l->queue)) {
    GBytes *next = g_queue_peek_head(&l->queue);
    if (batch->len + g_bytes_get_size(next) > WRITE_BATCH)
      break;
    g_queue_pop_head(&l->queue);
    g_byte_array_append(batch, g_bytes_get_data(next, NULL), g_bytes_get_size(next));
    g_bytes_unref(next);
  }
  return g_byte_array_free_to_bytes(batch);
}

static void write_next(LlFrameLink *l)
{
  if (l->in_flight != NULL || g_queue_is_empty(&l->queue) || l->state == LINK_CLOSED ||
      l->state == LINK_NEW)
    return;
  l->in_flight = take_batch(l);
  gsize n = 0;
  const void *p = g_bytes_get_data(l->in_flight, &n);
  g_output_stream_write_all_async(g_io_stream_get_output_stream(l->stream), p, n,
                                  G_PRIORITY_DEFAULT, l->cancellable, on_written,
                                  ll_frame_link_ref(l));
}

void ll_frame_link_send(LlFrameLink *l, GBytes *frame)
{
  if (l->state == LINK_CLOSED || l->state == LINK_CLOSING)
    return;
  l->pending_bytes += g_bytes_get_size(frame);
  g_queue_push_tail(&l->queue, g_bytes_ref(frame));
  if (l->pending_bytes > LL_LINK_HIGH_WATER)
    l->congested = TRUE;
  write_next(l);
}

static gboolean flush_timed_out(gpointer data)
{
  LlFrameLink *l = data;
  l->flush_timeout = 0;
  g_info("the other computer did not take our last messages in time; closing");
  finish(l, NULL);
  return G_SOURCE_REMOVE;
}

void ll_frame_link_close(LlFrameLink *l, guint flush_timeout_ms)
{
  if (l->state == LINK_NEW) {
    finish(l, NULL);
    return;
  }
  if (l->state != LINK_OPEN)
    return;
  l->state = LINK_CLOSING;
  if (l->in_flight == NULL && g_queue_is_empty(&l->queue)) {
    finish(l, NULL);   /* all flushed */
    return;
  }
  l->flush_timeout = g_timeout_add_full(G_PRIORITY_DEFAULT, flush_timeout_ms, flush_timed_out,
                                        ll_frame_link_ref(l), (GDestroyNotify)ll_frame_link_unref);
}

#include "net/stream_bridge.h"
#include "common/async_guard.h"
#include "common/control_message.h"
#include "common/framing.h"

struct LlStreamBridge {
  LlSession *session;
  guint32 id;
  GIOStream *local;
  GCancellable *cancellable;
  LlStreamBridgeEnded ended;
  gpointer user_data;
  guint8 *buffer;
  gboolean reading;
  gboolean paused;
  gboolean done;
  GQueue backlog;          /* GBytes for the local side */
  GBytes *writing;
  gsize backlog_bytes;
};

static void read_next(LlStreamBridge *b);
static void write_next(LlStreamBridge *b);

static void end_local(LlStreamBridge *b, const char *why)
{
  if (b->done)
    return;
  b->done = TRUE;
  g_debug("stream %u ended: %s", b->id, why);
  g_autoptr(LlControlMessage) close = ll_control_message_new(LL_MSG_STREAM_CLOSE);
  close->stream_id = b->id;
  ll_session_send_control(b->session, close);
  b->ended(b, b->id, b->user_data);   /* may free the bridge */
}

static void on_read(GObject *source, GAsyncResult *result, gpointer data)
{
  g_autoptr(GError) error = NULL;
  gssize n = g_input_stream_read_finish(G_INPUT_STREAM(source), result, &error);
  LlStreamBridge *b = ll_async_guard_finish(data);
  if (b == NULL)
    return;
  b->reading = FALSE;
  if (n <= 0) {
    end_local(b, n == 0 ? "local side closed" : error->message);
    return;
  }
  ll_session_send_stream(b->session, b->id, b->buffer, n);
  read_next(b);
}

static void read_next(LlStreamBridge *b)
{
  if (b->reading || b->done)
    return;
  if (ll_session_is_congested(b->session)) {
    b->paused = TRUE;
    return;
  }
  b->reading = TRUE;
  g_input_stream_read_async(g_io_stream_get_input_stream(b->local), b->buffer, LL_MAX_RFB_CHUNK,
                            G_PRIORITY_DEFAULT, b->cancellable, on_read, ll_async_guard_new(b, b->cancellable));
}

static void on_written(GObject *source, GAsyncResult *result, gpointer data)
{
  g_autoptr(GError) error = NULL;
  gboolean ok = g_output_stream_write_all_finish(G_OUTPUT_STREAM(source), result, NULL, &error);
  LlStreamBridge *b = ll_async_guard_finish(data);
  if (b == NULL)
    return;
  b->backlog_bytes -= g_bytes_get_size(b->writing);
  g_clear_pointer(&b->writing, g_bytes_unref);
  if (!ok) {
    end_local(b, error->message);
    return;
  }
  write_next(b);
}

static void write_next(LlStreamBridge *b)
{
  if (b->writing != NULL || g_queue_is_empty(&b->backlog) || b->done)
    return;
  b->writing = g_queue_pop_head(&b->backlog);
  gsize n = 0;
  const void *p = g_bytes_get_data(b->writing, &n);
  g_output_stream_write_all_async(g_io_stream_get_output_stream(b->local), p, n,
                                  G_PRIORITY_DEFAULT, b->cancellable, on_written, ll_async_guard_new(b, b->cancellable));
}

LlStreamBridge *ll_stream_bridge_new(LlSession *session, guint32 id, GIOStream *local,
                                     LlStreamBridgeEnded ended, gpointer user_data)
{
  LlStreamBridge *b = g_new0(LlStreamBridge, 1);
  b->session = ll_session_ref(session);
  b->id = id;
  b->local = g_object_ref(local);
  b->cancellable = g_cancellable_new();
  b->ended = ended;
  b->user_data = user_data;
  b->buffer = g_malloc(LL_MAX_RFB_CHUNK);
  g_queue_init(&b->backlog);
  read_next(b);
  return b;
}

void ll_stream_bridge_free(LlStreamBridge *b)
{
  if (b == NULL)
    return;
  g_cancellable_cancel(b->cancellable);
  /* Shut down rather than close: cancelled operations still hold the
   * stream; the descriptor goes when the last of them lets go. */
  if (G_IS_SOCKET_CONNECTION(b->local))
    g_socket_shutdown(g_socket_connection_get_socket(G_SOCKET_CONNECTION(b->local)), TRUE, TRUE,
                      NULL);
  g_queue_clear_full(&b->backlog, (GDestroyNotify)g_bytes_unref);
  g_clear_pointer(&b->writing, g_bytes_unref);
  g_object_unref(b->cancellable);
  g_object_unref(b->local);
  ll_session_unref(b->session);
  g_free(b->buffer);
  g_free(b);
}

guint32 ll_stream_bridge_id(LlStreamBridge *b) { return b->id; }

void ll_stream_bridge_deliver(LlStreamBridge *b, const guint8 *data, gsize len)
{
  if (b->done)
    return;
  if (b->backlog_bytes + len > LL_BRIDGE_MAX_BACKLOG) {
    g_warning("stream %u: the local side stopped reading (%" G_GSIZE_FORMAT
              " bytes waiting); closing it", b->id, b->backlog_bytes);
    end_local(b, "backlog overflow");
    return;
  }
  g_queue_push_tail(&b->backlog, g_bytes_new(data, len));
  b->backlog_bytes += len;
  write_next(b);
}

void ll_stream_bridge_resume(LlStreamBridge *b)
{
  if (b->paused && !b->done) {
    b->paused = FALSE;
    read_next(b);
  }
}

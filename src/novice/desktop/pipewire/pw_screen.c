#include "novice/desktop/pipewire/pw_screen.h"
#include "common/error.h"
#include "novice/desktop/thread_mailbox.h"
#include "novice/desktop/tile_diff.h"
#include <errno.h>
#include <pipewire/pipewire.h>
#include <spa/buffer/meta.h>
#include <spa/param/video/format-utils.h>
#include <spa/utils/result.h>
#include <string.h>
#include <unistd.h>

#define MAX_SIDE LL_PW_MAX_SIDE
/* Mutter may start a stream with empty frames only (flagged corrupted;
 * seen with two monitors under load) and then, the screen being still,
 * send nothing more: without a picture this long after streaming began,
 * the stream is paused and resumed, which makes it draw one. */
#define FIRST_PICTURE_NUDGE_MS 400
#define FIRST_PICTURE_NUDGES 10
#define CURSOR_META_SIZE(w, h) \
  ((int)(sizeof(struct spa_meta_cursor) + sizeof(struct spa_meta_bitmap) + (w) * (h) * 4))

struct LlPwScreen {
  LlMailbox *mailbox;            /* to the main context; never to a freed screen */
  LlPwScreenEvents events;
  gpointer user_data;
  struct pw_thread_loop *loop;
  struct pw_context *context;
  struct pw_core *core;
  struct pw_stream *stream;
  struct spa_hook core_listener, stream_listener;
  struct spa_source *nudge;      /* until the first picture */
  int nudges;
  /* The capture thread's, until ready was posted; then read-only. */
  LlScreenFormat format;
  guint8 *framebuffer;
  gboolean negotiated, have_picture, ended, streamed;
  /* Capture thread only. */
  int cursor_x, cursor_y;
  gboolean have_cursor;
  /* The latest pointer position not yet given to the main context. */
  GMutex cursor_lock;
  gboolean cursor_posted;
};

/* ---- formats ---- */

static const struct { guint32 spa; int red, green, blue; } formats[] = {
  /* Bytes in memory, first to last: BGRx is B, G, R, x. */
  { SPA_VIDEO_FORMAT_BGRx, 16, 8, 0 }, { SPA_VIDEO_FORMAT_BGRA, 16, 8, 0 },
  { SPA_VIDEO_FORMAT_RGBx, 0, 8, 16 }, { SPA_VIDEO_FORMAT_RGBA, 0, 8, 16 },
  { SPA_VIDEO_FORMAT_xRGB, 8, 16, 24 }, { SPA_VIDEO_FORMAT_ARGB, 8, 16, 24 },
  { SPA_VIDEO_FORMAT_xBGR, 24, 16, 8 }, { SPA_VIDEO_FORMAT_ABGR, 24, 16, 8 },
};

gboolean ll_pw_format_shifts(guint32 spa_format, int *red, int *green, int *blue)
{
  for (gsize i = 0; i < G_N_ELEMENTS(formats); i++)
    if (formats[i].spa == spa_format) {
      *red = formats[i].red;
      *green = formats[i].green;
      *blue = formats[i].blue;
      return TRUE;
    }
  return FALSE;
}

/* ---- to the main context ---- */

static void deliver_cursor(gpointer owner, gpointer data)
{
  LlPwScreen *s = owner;
  (void)data;
  g_mutex_lock(&s->cursor_lock);
  int x = s->cursor_x, y = s->cursor_y;
  s->cursor_posted = FALSE;
  g_mutex_unlock(&s->cursor_lock);
  if (s->events.cursor_moved != NULL)
    s->events.cursor_moved(x, y, s->user_data);
}

static void deliver_ready(gpointer owner, gpointer data)
{
  LlPwScreen *s = owner;
  (void)data;
  if (s->events.ready != NULL)
    s->events.ready(s->user_data);
}

static void deliver_ended(gpointer owner, gpointer data)
{
  LlPwScreen *s = owner;
  if (s->events.ended != NULL)
    s->events.ended(data, s->user_data);
}

/* Once: the stream is over for the capture thread. */
static void end_stream(LlPwScreen *s, const char *detail)
{
  if (s->ended)
    return;
  s->ended = TRUE;
  g_info("the screen stream ended: %s", detail);
  ll_mailbox_post(s->mailbox, deliver_ended,
                  g_error_new(LL_ERROR, LL_ERROR_DISPLAY,
                              "the desktop stopped sending its screen (%s)", detail),
                  (GDestroyNotify)g_error_free);
}

/* ---- negotiation ---- */

static const struct spa_pod *format_offer(struct spa_pod_builder *b)
{
  struct spa_pod_frame frame;
  spa_pod_builder_push_object(b, &frame, SPA_TYPE_OBJECT_Format, SPA_PARAM_EnumFormat);
  spa_pod_builder_add(b, SPA_FORMAT_mediaType, SPA_POD_Id(SPA_MEDIA_TYPE_video),
                      SPA_FORMAT_mediaSubtype, SPA_POD_Id(SPA_MEDIA_SUBTYPE_raw), 0);
  spa_pod_builder_prop(b, SPA_FORMAT_VIDEO_format, 0);
  struct spa_pod_frame choice;
  spa_pod_builder_push_choice(b, &choice, SPA_CHOICE_Enum, 0);
  spa_pod_builder_id(b, formats[0].spa);         /* the preferred one */
  for (gsize i = 0; i < G_N_ELEMENTS(formats); i++)
    spa_pod_builder_id(b, formats[i].spa);
  spa_pod_builder_pop(b, &choice);
  spa_pod_builder_add(b,
      SPA_FORMAT_VIDEO_size, SPA_POD_CHOICE_RANGE_Rectangle(
          &SPA_RECTANGLE(1280, 800), &SPA_RECTANGLE(1, 1), &SPA_RECTANGLE(MAX_SIDE, MAX_SIDE)),
      /* Variable (0/1) as Mutter and KDE send it, or any fixed rate. */
      SPA_FORMAT_VIDEO_framerate, SPA_POD_CHOICE_RANGE_Fraction(
          &SPA_FRACTION(0, 1), &SPA_FRACTION(0, 1), &SPA_FRACTION(1000, 1)),
      SPA_FORMAT_VIDEO_maxFramerate, SPA_POD_CHOICE_RANGE_Fraction(
          &SPA_FRACTION(60, 1), &SPA_FRACTION(1, 1), &SPA_FRACTION(60, 1)), 0);
  return spa_pod_builder_pop(b, &frame);
}

/* Shared memory buffers, and the metadata we read. */
static void ask_buffers(LlPwScreen *s)
{
  guint8 storage[1024];
  struct spa_pod_builder b = SPA_POD_BUILDER_INIT(storage, sizeof storage);
  const struct spa_pod *params[4];
  params[0] = spa_pod_builder_add_object(&b, SPA_TYPE_OBJECT_ParamBuffers, SPA_PARAM_Buffers,
      SPA_PARAM_BUFFERS_buffers, SPA_POD_CHOICE_RANGE_Int(4, 2, 8),
      SPA_PARAM_BUFFERS_blocks, SPA_POD_Int(1),
      SPA_PARAM_BUFFERS_dataType, SPA_POD_CHOICE_FLAGS_Int((1 << SPA_DATA_MemFd) |
                                                           (1 << SPA_DATA_MemPtr)));
  params[1] = spa_pod_builder_add_object(&b, SPA_TYPE_OBJECT_ParamMeta, SPA_PARAM_Meta,
      SPA_PARAM_META_type, SPA_POD_Id(SPA_META_Header),
      SPA_PARAM_META_size, SPA_POD_Int(sizeof(struct spa_meta_header)));
  params[2] = spa_pod_builder_add_object(&b, SPA_TYPE_OBJECT_ParamMeta, SPA_PARAM_Meta,
      SPA_PARAM_META_type, SPA_POD_Id(SPA_META_VideoCrop),
      SPA_PARAM_META_size, SPA_POD_Int(sizeof(struct spa_meta_region)));
  params[3] = spa_pod_builder_add_object(&b, SPA_TYPE_OBJECT_ParamMeta, SPA_PARAM_Meta,
      SPA_PARAM_META_type, SPA_POD_Id(SPA_META_Cursor),
      SPA_PARAM_META_size, SPA_POD_CHOICE_RANGE_Int(CURSOR_META_SIZE(64, 64),
                                                    CURSOR_META_SIZE(1, 1),
                                                    CURSOR_META_SIZE(1024, 1024)));
  /* Mutter 43 offers a fixed 384x384 cursor bitmap: the range must hold it. */
  pw_stream_update_params(s->stream, params, G_N_ELEMENTS(params));
}

/* The stream's picture is now INFO's size: a new framebuffer, handed to
 * the desktop (resized) once it has the old one; FALSE if it cannot. */
static gboolean resize(LlPwScreen *s, const struct spa_video_info_raw *info)
{
  LlScreenFormat f = s->format;
  if (!ll_pw_format_shifts(info->format, &f.red_shift, &f.green_shift, &f.blue_shift)) {
    end_stream(s, "it offered a pixel format Lifeline cannot read");
    return FALSE;
  }
  f.width = info->size.width;
  f.height = info->size.height;
  f.stride = f.width * 4;
  f.big_endian = FALSE;
  guint8 *old = s->framebuffer;  /* valid until resized returned */
  s->framebuffer = g_malloc0((gsize)f.stride * f.height);
  s->format = f;
  g_info("the screen stream: %dx%d, SPA video format %u", f.width, f.height, info->format);
  if (s->have_picture)           /* the desktop shows the old one */
    s->events.resized(&s->format, s->framebuffer, s->user_data);
  g_free(old);
  return TRUE;
}

static gboolean take_format(LlPwScreen *s, const struct spa_pod *param)
{
  struct spa_video_info_raw info;
  memset(&info, 0, sizeof info);
  if (spa_format_video_raw_parse(param, &info) < 0 || info.size.width == 0 ||
      info.size.height == 0 || info.size.width > MAX_SIDE || info.size.height > MAX_SIDE) {
    end_stream(s, "it offered a picture Lifeline cannot read");
    return FALSE;
  }
  if (s->negotiated && (int)info.size.width == s->format.width &&
      (int)info.size.height == s->format.height)
    return TRUE;
  if (s->negotiated && s->events.resized == NULL) {
    /* Mutter's streams are replaced, not resized (gnome_desktop.c). */
    end_stream(s, "its size changed, which this stream cannot follow");
    return FALSE;
  }
  if (!resize(s, &info))
    return FALSE;
  s->negotiated = TRUE;
  return TRUE;
}

static void on_param_changed(void *data, uint32_t id, const struct spa_pod *param)
{
  LlPwScreen *s = data;
  if (id != SPA_PARAM_Format || param == NULL || s->ended)
    return;
  if (take_format(s, param))
    ask_buffers(s);
}

/* ---- frames ---- */

static void on_tile_changed(int x, int y, int width, int height, gpointer data)
{
  LlPwScreen *s = data;
  if (s->events.damaged != NULL)
    s->events.damaged(x, y, width, height, s->user_data);
}

static void note_cursor(LlPwScreen *s, struct spa_buffer *buffer)
{
  struct spa_meta_cursor *cursor =
      spa_buffer_find_meta_data(buffer, SPA_META_Cursor, sizeof *cursor);
  if (cursor == NULL || !spa_meta_cursor_is_valid(cursor))
    return;
  int x = cursor->position.x, y = cursor->position.y;
  if (s->have_cursor && x == s->cursor_x && y == s->cursor_y)
    return;
  s->have_cursor = TRUE;
  g_mutex_lock(&s->cursor_lock);
  s->cursor_x = x;
  s->cursor_y = y;
  gboolean posted = s->cursor_posted;
  s->cursor_posted = TRUE;
  g_mutex_unlock(&s->cursor_lock);
  if (!posted && s->have_picture)
    ll_mailbox_post(s->mailbox, deliver_cursor, NULL, NULL);
}

/* Where the picture starts in BUFFER, or NULL when it holds none (a
 * cursor-only update) or less than the format says. */
static const guint8 *picture_of(LlPwScreen *s, struct spa_buffer *buffer, int *stride)
{
  struct spa_meta_header *header =
      spa_buffer_find_meta_data(buffer, SPA_META_Header, sizeof *header);
  if (header != NULL && (header->flags & SPA_META_HEADER_FLAG_CORRUPTED))
    return NULL;
  struct spa_data *d = &buffer->datas[0];
  if (!s->have_picture)
    g_debug("a frame before the first picture: %u datas, data %p, chunk size %u, flags %x, "
            "stride %d, maxsize %u", buffer->n_datas, d->data, d->chunk ? d->chunk->size : 0,
            d->chunk ? (unsigned)d->chunk->flags : 0, d->chunk ? d->chunk->stride : 0,
            d->maxsize);
  if (buffer->n_datas < 1 || d->data == NULL || d->chunk == NULL || d->chunk->size == 0 ||
      (d->chunk->flags & SPA_CHUNK_FLAG_CORRUPTED))
    return NULL;
  *stride = d->chunk->stride != 0 ? d->chunk->stride : s->format.width * 4;
  guint64 offset = d->chunk->offset % MAX(d->maxsize, 1u);
  guint64 needed = (guint64)*stride * (s->format.height - 1) + (guint64)s->format.width * 4;
  if (*stride < s->format.width * 4 || offset + needed > d->maxsize)
    return NULL;
  return (const guint8 *)d->data + offset;
}

static void ignore_tile(int x, int y, int width, int height, gpointer data)
{
  (void)x; (void)y; (void)width; (void)height; (void)data;
}

static void take_frame(LlPwScreen *s, struct spa_buffer *buffer)
{
  int stride;
  const guint8 *picture = picture_of(s, buffer, &stride);
  if (picture != NULL) {
    /* The whole first picture is handed over, not its tiles. */
    gboolean replacing = !s->have_picture && s->events.replaced != NULL;
    ll_tile_diff_copy(s->framebuffer, s->format.stride, picture, stride, s->format.width,
                      s->format.height, replacing ? ignore_tile : on_tile_changed, s);
    if (replacing)
      s->events.replaced(&s->format, s->framebuffer, s->user_data);
    if (!s->have_picture) {
      s->have_picture = TRUE;
      ll_mailbox_post(s->mailbox, deliver_ready, NULL, NULL);
    }
  }
  note_cursor(s, buffer);
}

static void on_process(void *data)
{
  LlPwScreen *s = data;
  struct pw_buffer *newest = NULL, *next;
  /* Only the newest frame matters: older ones are given straight back. */
  while ((next = pw_stream_dequeue_buffer(s->stream)) != NULL) {
    if (newest != NULL)
      pw_stream_queue_buffer(s->stream, newest);
    newest = next;
  }
  if (newest == NULL)
    return;
  if (s->negotiated && !s->ended)
    take_frame(s, newest->buffer);
  pw_stream_queue_buffer(s->stream, newest);
}

static void arm_nudge(LlPwScreen *s)
{
  struct timespec wait = { 0, FIRST_PICTURE_NUDGE_MS * 1000000L };
  pw_loop_update_timer(pw_thread_loop_get_loop(s->loop), s->nudge, &wait, NULL, false);
}

static void on_nudge(void *data, uint64_t expirations)
{
  LlPwScreen *s = data;
  (void)expirations;
  if (s->have_picture || s->ended || s->nudges++ >= FIRST_PICTURE_NUDGES)
    return;
  g_debug("no picture yet from the screen stream: pausing and resuming it");
  pw_stream_set_active(s->stream, false);
  pw_stream_set_active(s->stream, true);
  arm_nudge(s);
}

static void on_state_changed(void *data, enum pw_stream_state old, enum pw_stream_state state,
                             const char *error)
{
  LlPwScreen *s = data;
  (void)old;
  g_debug("screen stream: %s", pw_stream_state_as_string(state));
  if (state == PW_STREAM_STATE_STREAMING && !s->streamed && !s->have_picture)
    arm_nudge(s);
  if (state == PW_STREAM_STATE_STREAMING)
    s->streamed = TRUE;
  else if (state == PW_STREAM_STATE_ERROR)
    end_stream(s, error != NULL ? error : "a PipeWire error");
  else if (state == PW_STREAM_STATE_UNCONNECTED && s->streamed)
    end_stream(s, "the stream was closed");
}

static void on_core_error(void *data, uint32_t id, int seq, int res, const char *message)
{
  LlPwScreen *s = data;
  (void)seq;
  if (id == PW_ID_CORE)
    end_stream(s, res == -EPIPE ? "PipeWire went away" : message);
}

static const struct pw_stream_events stream_events = {
  PW_VERSION_STREAM_EVENTS,
  .state_changed = on_state_changed,
  .param_changed = on_param_changed,
  .process = on_process,
};

static const struct pw_core_events core_events = {
  PW_VERSION_CORE_EVENTS,
  .error = on_core_error,
};

/* ---- life ---- */

static gboolean connect_stream(LlPwScreen *s, int remote_fd, guint32 node_id, GError **error)
{
  /* A portal's remote shows only the streams it granted. */
  s->core = remote_fd >= 0 ? pw_context_connect_fd(s->context, remote_fd, NULL, 0)
                           : pw_context_connect(s->context, NULL, 0);
  if (s->core == NULL) {
    g_set_error(error, LL_ERROR, LL_ERROR_DISPLAY,
                "PipeWire, which carries the screen on this desktop, is not running in this "
                "session (%s)", g_strerror(errno));
    return FALSE;
  }
  pw_core_add_listener(s->core, &s->core_listener, &core_events, s);
  s->stream = pw_stream_new(s->core, "Lifeline screen",
                            pw_properties_new(PW_KEY_MEDIA_TYPE, "Video",
                                              PW_KEY_MEDIA_CATEGORY, "Capture",
                                              PW_KEY_MEDIA_ROLE, "Screen", NULL));
  if (s->stream == NULL) {
    g_set_error(error, LL_ERROR, LL_ERROR_DISPLAY, "the screen stream cannot be made (%s)",
                g_strerror(errno));
    return FALSE;
  }
  pw_stream_add_listener(s->stream, &s->stream_listener, &stream_events, s);
  guint8 storage[1024];
  struct spa_pod_builder b = SPA_POD_BUILDER_INIT(storage, sizeof storage);
  const struct spa_pod *params[1] = { format_offer(&b) };
  int res = pw_stream_connect(s->stream, PW_DIRECTION_INPUT, node_id,
                              PW_STREAM_FLAG_AUTOCONNECT | PW_STREAM_FLAG_MAP_BUFFERS, params, 1);
  if (res < 0) {
    g_set_error(error, LL_ERROR, LL_ERROR_DISPLAY, "the screen stream cannot be opened (%s)",
                spa_strerror(res));
    return FALSE;
  }
  return TRUE;
}

static void init_pipewire(void)
{
  static gsize once;
  if (g_once_init_enter(&once)) {
    pw_init(NULL, NULL);
    g_once_init_leave(&once, 1);
  }
}

LlPwScreen *ll_pw_screen_new(int remote_fd, guint32 node_id, const LlPwScreenEvents *events,
                             gpointer user_data, GError **error)
{
  init_pipewire();
  g_autoptr(LlPwScreen) s = g_new0(LlPwScreen, 1);
  s->mailbox = ll_mailbox_new(g_main_context_get_thread_default(), s);
  s->events = *events;
  s->user_data = user_data;
  g_mutex_init(&s->cursor_lock);
  s->loop = pw_thread_loop_new("lifeline-screen", NULL);
  s->context = s->loop != NULL ? pw_context_new(pw_thread_loop_get_loop(s->loop), NULL, 0) : NULL;
  if (s->context == NULL || pw_thread_loop_start(s->loop) < 0) {
    g_set_error(error, LL_ERROR, LL_ERROR_DISPLAY, "PipeWire cannot be started here (%s)",
                g_strerror(errno));
    if (remote_fd >= 0)
      close(remote_fd);
    return NULL;
  }
  pw_thread_loop_lock(s->loop);
  s->nudge = pw_loop_add_timer(pw_thread_loop_get_loop(s->loop), on_nudge, s);
  gboolean ok = connect_stream(s, remote_fd, node_id, error);
  pw_thread_loop_unlock(s->loop);
  return ok ? g_steal_pointer(&s) : NULL;
}


typedef struct {
  void (*fn)(gpointer data);
  gpointer data;
} Invocation;

static int run_invocation(struct spa_loop *loop, bool async, uint32_t seq, const void *bytes,
                          size_t size, void *user_data)
{
  Invocation call;
  (void)loop; (void)async; (void)seq; (void)user_data;
  if (size != sizeof call)
    return -EINVAL;
  memcpy(&call, bytes, sizeof call);
  call.fn(call.data);
  return 0;
}

void ll_pw_screen_invoke(LlPwScreen *s, void (*fn)(gpointer data), gpointer data)
{
  Invocation call = { fn, data };
  /* The loop copies CALL and runs it on its thread. */
  pw_loop_invoke(pw_thread_loop_get_loop(s->loop), run_invocation, SPA_ID_INVALID, &call,
                 sizeof call, false, NULL);
}

void ll_pw_screen_free(LlPwScreen *s)
{
  if (s == NULL)
    return;
  if (s->loop != NULL)
    pw_thread_loop_stop(s->loop);
  if (s->nudge != NULL)
    pw_loop_destroy_source(pw_thread_loop_get_loop(s->loop), s->nudge);
  if (s->stream != NULL)
    pw_stream_destroy(s->stream);
  if (s->core != NULL)
    pw_core_disconnect(s->core);
  if (s->context != NULL)
    pw_context_destroy(s->context);
  if (s->loop != NULL)
    pw_thread_loop_destroy(s->loop);
  ll_mailbox_close(s->mailbox);
  g_mutex_clear(&s->cursor_lock);
  g_free(s->framebuffer);
  g_free(s);
}

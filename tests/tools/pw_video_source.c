/* A PipeWire video source for the portal test: a node named NAME that
 * drives itself at 10 frames a second, each frame one solid colour in
 * BGRx, and changes its size when told (as a monitor's resolution change
 * renegotiates a portal's stream).
 *
 * Prints "node ID" once the node exists. Commands on stdin:
 *   size W H        renegotiate to W x H
 *   colour RRGGBB   fill with this colour from the next frame on
 *
 * usage: pw-video-source NAME WIDTH HEIGHT */
#include <glib.h>
#include <pipewire/pipewire.h>
#include <spa/param/video/format-utils.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
  struct pw_thread_loop *loop;
  struct pw_stream *stream;
  struct spa_hook listener;
  struct spa_source *timer;
  int width, height;             /* the negotiated size */
  guint32 colour;                /* 0x00RRGGBB */
  gboolean told_node;
} Source;

static const struct spa_pod *format_of(struct spa_pod_builder *b, int width, int height)
{
  return spa_pod_builder_add_object(b, SPA_TYPE_OBJECT_Format, SPA_PARAM_EnumFormat,
      SPA_FORMAT_mediaType, SPA_POD_Id(SPA_MEDIA_TYPE_video),
      SPA_FORMAT_mediaSubtype, SPA_POD_Id(SPA_MEDIA_SUBTYPE_raw),
      SPA_FORMAT_VIDEO_format, SPA_POD_Id(SPA_VIDEO_FORMAT_BGRx),
      SPA_FORMAT_VIDEO_size, SPA_POD_Rectangle(&SPA_RECTANGLE(width, height)),
      SPA_FORMAT_VIDEO_framerate, SPA_POD_Fraction(&SPA_FRACTION(0, 1)),
      SPA_FORMAT_VIDEO_maxFramerate, SPA_POD_Fraction(&SPA_FRACTION(10, 1)));
}

static void on_process(void *data)
{
  Source *s = data;
  struct pw_buffer *b = pw_stream_dequeue_buffer(s->stream);
  if (b == NULL)
    return;
  struct spa_data *d = &b->buffer->datas[0];
  guint32 stride = s->width * 4;
  if (d->data != NULL && d->maxsize >= stride * s->height) {
    guint32 *pixels = d->data;
    for (gsize i = 0; i < (gsize)s->width * s->height; i++)
      pixels[i] = s->colour;      /* BGRx in memory: 0x00RRGGBB little-endian */
    d->chunk->offset = 0;
    d->chunk->stride = stride;
    d->chunk->size = stride * s->height;
  }
  pw_stream_queue_buffer(s->stream, b);
}

static void on_param_changed(void *data, uint32_t id, const struct spa_pod *param)
{
  Source *s = data;
  if (param == NULL || id != SPA_PARAM_Format)
    return;
  struct spa_video_info_raw info;
  if (spa_format_video_raw_parse(param, &info) < 0)
    return;
  s->width = info.size.width;
  s->height = info.size.height;
  guint8 storage[256];
  struct spa_pod_builder b = SPA_POD_BUILDER_INIT(storage, sizeof storage);
  const struct spa_pod *params[1] = { spa_pod_builder_add_object(&b,
      SPA_TYPE_OBJECT_ParamBuffers, SPA_PARAM_Buffers,
      SPA_PARAM_BUFFERS_buffers, SPA_POD_CHOICE_RANGE_Int(4, 2, 8),
      SPA_PARAM_BUFFERS_blocks, SPA_POD_Int(1),
      SPA_PARAM_BUFFERS_size, SPA_POD_Int(s->width * 4 * s->height),
      SPA_PARAM_BUFFERS_stride, SPA_POD_Int(s->width * 4),
      SPA_PARAM_BUFFERS_dataType, SPA_POD_CHOICE_FLAGS_Int(1 << SPA_DATA_MemFd)) };
  pw_stream_update_params(s->stream, params, 1);
  printf("size %d %d\n", s->width, s->height);
  fflush(stdout);
}

static void on_timer(void *data, uint64_t expirations)
{
  Source *s = data;
  (void)expirations;
  pw_stream_trigger_process(s->stream);
}

static void on_state(void *data, enum pw_stream_state old, enum pw_stream_state state,
                     const char *error)
{
  Source *s = data;
  (void)old;
  if (error != NULL)
    fprintf(stderr, "pw-video-source: %s\n", error);
  if (state >= PW_STREAM_STATE_PAUSED && !s->told_node) {
    s->told_node = TRUE;
    printf("node %u\n", pw_stream_get_node_id(s->stream));
    fflush(stdout);
  }
  struct timespec first = { 0, 1 }, every = { 0, 100 * SPA_NSEC_PER_MSEC };
  gboolean run = state == PW_STREAM_STATE_STREAMING;
  pw_loop_update_timer(pw_thread_loop_get_loop(s->loop), s->timer, run ? &first : NULL,
                       run ? &every : NULL, false);
}

static const struct pw_stream_events events = {
  PW_VERSION_STREAM_EVENTS,
  .state_changed = on_state,
  .param_changed = on_param_changed,
  .process = on_process,
};

static void run_command(Source *s, const char *line)
{
  int width, height;
  unsigned colour;
  pw_thread_loop_lock(s->loop);
  if (sscanf(line, "size %d %d", &width, &height) == 2 && width > 0 && height > 0 &&
      width <= 8192 && height <= 8192) {
    guint8 storage[256];
    struct spa_pod_builder b = SPA_POD_BUILDER_INIT(storage, sizeof storage);
    const struct spa_pod *params[1] = { format_of(&b, width, height) };
    pw_stream_update_params(s->stream, params, 1);
  } else if (sscanf(line, "colour %x", &colour) == 1) {
    s->colour = colour & 0xffffff;
  }
  pw_thread_loop_unlock(s->loop);
}

int main(int argc, char **argv)
{
  if (argc != 4) {
    fprintf(stderr, "usage: pw-video-source NAME WIDTH HEIGHT\n");
    return 2;
  }
  pw_init(&argc, &argv);
  Source s = { .width = atoi(argv[2]), .height = atoi(argv[3]), .colour = 0x3366cc };
  s.loop = pw_thread_loop_new("pw-video-source", NULL);
  pw_thread_loop_lock(s.loop);
  s.timer = pw_loop_add_timer(pw_thread_loop_get_loop(s.loop), on_timer, &s);
  s.stream = pw_stream_new_simple(pw_thread_loop_get_loop(s.loop), argv[1],
                                  pw_properties_new(PW_KEY_MEDIA_CLASS, "Video/Source",
                                                    PW_KEY_NODE_NAME, argv[1], NULL),
                                  &events, &s);
  guint8 storage[256];
  struct spa_pod_builder b = SPA_POD_BUILDER_INIT(storage, sizeof storage);
  const struct spa_pod *params[1] = { format_of(&b, s.width, s.height) };
  pw_stream_connect(s.stream, PW_DIRECTION_OUTPUT, PW_ID_ANY,
                    PW_STREAM_FLAG_DRIVER | PW_STREAM_FLAG_MAP_BUFFERS, params, 1);
  pw_thread_loop_start(s.loop);
  pw_thread_loop_unlock(s.loop);
  char line[128];
  while (fgets(line, sizeof line, stdin) != NULL)
    run_command(&s, line);
  pw_thread_loop_lock(s.loop);
  pw_stream_destroy(s.stream);
  pw_thread_loop_unlock(s.loop);
  pw_thread_loop_stop(s.loop);
  pw_thread_loop_destroy(s.loop);
  pw_deinit();
  return 0;
}

#include "novice/desktop/wlroots/wlr_output.h"
#include "common/error.h"
#include "wlr-screencopy-unstable-v1-client-protocol.h"
#include "xdg-output-unstable-v1-client-protocol.h"
#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

/* How often in a row a copy may fail (an output being switched off or
 * reconfigured) before the output counts as lost, and the pause between. */
#define MAX_FAILURES 50
#define RETRY_MS 100

struct LlWlrOutput {
  LlWlrCapture capture;
  LlWlrOutputEvents events;
  gpointer user_data;
  guint32 global;
  struct wl_output *output;
  struct zxdg_output_v1 *xdg;
  LlWlrOutputPlace place, pending;
  /* The copy in flight. */
  struct zwlr_screencopy_frame_v1 *frame;
  gboolean offered;              /* a buffer format we take was offered */
  guint32 format;
  int width, height, stride;
  LlWlrCopy copy;
  gboolean whole;                /* the next copy is of all of it */
  int failures;
  GSource *retry;
  /* The shared-memory buffer the compositor copies into. */
  struct wl_buffer *buffer;
  guint8 *pixels;
  gsize size;
  guint32 buffer_format;
  int buffer_width, buffer_height, buffer_stride;
};

/* ---- where it is ---- */

static void on_logical_position(void *data, struct zxdg_output_v1 *xdg, int32_t x, int32_t y)
{
  LlWlrOutput *o = data;
  (void)xdg;
  /* Bounded: the layout adds sizes to these. */
  o->pending.x = CLAMP(x, -LL_WLR_MAX_POSITION, LL_WLR_MAX_POSITION);
  o->pending.y = CLAMP(y, -LL_WLR_MAX_POSITION, LL_WLR_MAX_POSITION);
}

static void on_logical_size(void *data, struct zxdg_output_v1 *xdg, int32_t w, int32_t h)
{
  LlWlrOutput *o = data;
  (void)xdg;
  o->pending.width = CLAMP(w, 0, LL_WLR_MAX_SIDE);
  o->pending.height = CLAMP(h, 0, LL_WLR_MAX_SIDE);
}

static void on_done(void *data, struct zxdg_output_v1 *xdg)
{
  LlWlrOutput *o = data;
  (void)xdg;
  LlWlrOutputPlace *p = &o->pending, *now = &o->place;
  if (p->x == now->x && p->y == now->y && p->width == now->width &&
      p->height == now->height && strcmp(p->name, now->name) == 0)
    return;
  p->pixel_width = now->pixel_width;
  p->pixel_height = now->pixel_height;
  *now = *p;
  o->events.changed(o, o->user_data);
}

static void on_name(void *data, struct zxdg_output_v1 *xdg, const char *name)
{
  LlWlrOutput *o = data;
  (void)xdg;
  g_strlcpy(o->pending.name, name, sizeof o->pending.name);
}

static void on_description(void *data, struct zxdg_output_v1 *xdg, const char *description)
{
  (void)data; (void)xdg; (void)description;
}

static const struct zxdg_output_v1_listener xdg_listener = {
  .logical_position = on_logical_position, .logical_size = on_logical_size,
  .done = on_done, .name = on_name, .description = on_description,
};

/* ---- the buffer ---- */

static void drop_buffer(LlWlrOutput *o)
{
  if (o->buffer != NULL)
    wl_buffer_destroy(o->buffer);
  if (o->pixels != NULL)
    munmap(o->pixels, o->size);
  o->buffer = NULL;
  o->pixels = NULL;
}

/* A buffer of the frame's size and format, kept while those stay. */
static gboolean ensure_buffer(LlWlrOutput *o, GError **error)
{
  if (o->buffer != NULL && o->buffer_format == o->format && o->buffer_width == o->width &&
      o->buffer_height == o->height && o->buffer_stride == o->stride)
    return TRUE;
  drop_buffer(o);
  gsize size = (gsize)o->stride * o->height;
  int fd = memfd_create("lifeline-screen", MFD_CLOEXEC);
  if (fd < 0 || ftruncate(fd, size) < 0) {
    int code = errno;
    if (fd >= 0)
      close(fd);
    g_set_error(error, LL_ERROR, LL_ERROR_DISPLAY,
                "no memory for a copy of the screen (%s)", g_strerror(code));
    return FALSE;
  }
  guint8 *pixels = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  if (pixels == MAP_FAILED) {
    close(fd);
    g_set_error_literal(error, LL_ERROR, LL_ERROR_DISPLAY, "no memory for a copy of the screen");
    return FALSE;
  }
  struct wl_shm_pool *pool = wl_shm_create_pool(o->capture.shm, fd, size);
  o->buffer = wl_shm_pool_create_buffer(pool, 0, o->width, o->height, o->stride, o->format);
  wl_shm_pool_destroy(pool);
  close(fd);
  o->pixels = pixels;
  o->size = size;
  o->buffer_format = o->format;
  o->buffer_width = o->width;
  o->buffer_height = o->height;
  o->buffer_stride = o->stride;
  return TRUE;
}

/* ---- one copy ---- */

static void start_frame(LlWlrOutput *o);

static void end_frame(LlWlrOutput *o)
{
  if (o->frame != NULL)
    zwlr_screencopy_frame_v1_destroy(o->frame);
  o->frame = NULL;
}

static void fail(LlWlrOutput *o, GError *why)
{
  end_frame(o);
  o->events.failed(o, why, o->user_data);
  g_error_free(why);
}

static gboolean format_taken(guint32 format, gboolean *swap)
{
  *swap = format == WL_SHM_FORMAT_XBGR8888 || format == WL_SHM_FORMAT_ABGR8888;
  return *swap || format == WL_SHM_FORMAT_XRGB8888 || format == WL_SHM_FORMAT_ARGB8888;
}

static void on_buffer(void *data, struct zwlr_screencopy_frame_v1 *frame, uint32_t format,
                      uint32_t width, uint32_t height, uint32_t stride)
{
  LlWlrOutput *o = data;
  gboolean swap;
  (void)frame;
  if (o->offered || !format_taken(format, &swap))
    return;                      /* the first format we take is the one */
  if (width == 0 || height == 0 || width > LL_WLR_MAX_SIDE || height > LL_WLR_MAX_SIDE ||
      stride < width * 4 || stride > width * 4 + 4096)
    return;
  o->offered = TRUE;
  o->format = format;
  o->copy.swap_red_blue = swap;
  o->width = width;
  o->height = height;
  o->stride = stride;
}

static void on_buffer_done(void *data, struct zwlr_screencopy_frame_v1 *frame)
{
  LlWlrOutput *o = data;
  GError *error = NULL;
  if (!o->offered) {
    fail(o, g_error_new_literal(LL_ERROR, LL_ERROR_DISPLAY,
                                "the compositor offers the screen in no pixel format "
                                "Lifeline can read"));
    return;
  }
  if (!ensure_buffer(o, &error)) {
    fail(o, error);
    return;
  }
  if (o->width != o->place.pixel_width || o->height != o->place.pixel_height) {
    o->place.pixel_width = o->width;
    o->place.pixel_height = o->height;
    o->events.changed(o, o->user_data);
  }
  if (o->whole || o->capture.screencopy_version < 2)
    zwlr_screencopy_frame_v1_copy(frame, o->buffer);
  else
    zwlr_screencopy_frame_v1_copy_with_damage(frame, o->buffer);
}

/* Version 1 and 2 frames say no buffer_done: the buffer event is all. */
static void on_buffer_v1(void *data, struct zwlr_screencopy_frame_v1 *frame, uint32_t format,
                         uint32_t width, uint32_t height, uint32_t stride)
{
  on_buffer(data, frame, format, width, height, stride);
  LlWlrOutput *o = data;
  if (o->capture.screencopy_version < 3)
    on_buffer_done(data, frame);
}

static void on_flags(void *data, struct zwlr_screencopy_frame_v1 *frame, uint32_t flags)
{
  LlWlrOutput *o = data;
  (void)frame;
  o->copy.y_invert = (flags & ZWLR_SCREENCOPY_FRAME_V1_FLAGS_Y_INVERT) != 0;
}

static void on_damage(void *data, struct zwlr_screencopy_frame_v1 *frame, uint32_t x,
                      uint32_t y, uint32_t width, uint32_t height)
{
  LlWlrOutput *o = data;
  (void)frame;
  if (o->copy.n_rects < 0)
    return;                      /* too many: all of it */
  if (o->copy.n_rects == LL_WLR_MAX_RECTS) {
    o->copy.n_rects = -1;
    return;
  }
  int *r = o->copy.rects[o->copy.n_rects++];
  r[0] = MIN(x, (guint32)o->width);
  r[1] = MIN(y, (guint32)o->height);
  r[2] = MIN(width, (guint32)(o->width - r[0]));
  r[3] = MIN(height, (guint32)(o->height - r[1]));
}

static void on_ready(void *data, struct zwlr_screencopy_frame_v1 *frame, uint32_t sec_hi,
                     uint32_t sec_lo, uint32_t nsec)
{
  LlWlrOutput *o = data;
  (void)frame; (void)sec_hi; (void)sec_lo; (void)nsec;
  end_frame(o);
  o->failures = 0;
  o->copy.pixels = o->pixels;
  o->copy.width = o->width;
  o->copy.height = o->height;
  o->copy.stride = o->stride;
  if (o->whole || o->copy.n_rects < 0)
    o->copy.n_rects = 0;         /* all of it */
  else if (o->copy.n_rects == 0)
    o->copy.n_rects = -1;        /* nothing said changed */
  o->whole = FALSE;
  if (o->copy.n_rects >= 0)
    o->events.copied(o, &o->copy, o->user_data);
  start_frame(o);
}

static gboolean on_retry(gpointer data)
{
  LlWlrOutput *o = data;
  g_clear_pointer(&o->retry, g_source_unref);
  start_frame(o);
  return G_SOURCE_REMOVE;
}

static void on_failed(void *data, struct zwlr_screencopy_frame_v1 *frame)
{
  LlWlrOutput *o = data;
  (void)frame;
  end_frame(o);
  if (++o->failures > MAX_FAILURES) {
    fail(o, g_error_new(LL_ERROR, LL_ERROR_DISPLAY,
                        "the compositor stopped letting Lifeline copy the screen %s",
                        o->place.name));
    return;
  }
  o->whole = TRUE;
  o->retry = g_timeout_source_new(RETRY_MS);
  g_source_set_callback(o->retry, on_retry, o, NULL);
  g_source_attach(o->retry, g_main_context_get_thread_default());
}

static void on_linux_dmabuf(void *data, struct zwlr_screencopy_frame_v1 *frame,
                            uint32_t format, uint32_t width, uint32_t height)
{
  (void)data; (void)frame; (void)format; (void)width; (void)height;   /* shm only */
}

static const struct zwlr_screencopy_frame_v1_listener frame_listener = {
  .buffer = on_buffer_v1, .flags = on_flags, .ready = on_ready, .failed = on_failed,
  .damage = on_damage, .linux_dmabuf = on_linux_dmabuf, .buffer_done = on_buffer_done,
};

static void start_frame(LlWlrOutput *o)
{
  if (o->frame != NULL || o->retry != NULL)
    return;
  o->offered = FALSE;
  o->copy.n_rects = 0;
  o->copy.y_invert = FALSE;
  /* The pointer drawn in: the helper sees where the novice points. */
  o->frame = zwlr_screencopy_manager_v1_capture_output(o->capture.screencopy, 1, o->output);
  zwlr_screencopy_frame_v1_add_listener(o->frame, &frame_listener, o);
}

void ll_wlr_output_capture(LlWlrOutput *o)
{
  /* A copy in flight may wait for damage that never comes (a still
   * screen): it gives way to a whole one. */
  end_frame(o);
  o->whole = TRUE;
  start_frame(o);
}

/* ---- the output ---- */

LlWlrOutput *ll_wlr_output_new(LlWlGlobals *globals, guint32 global, guint32 version,
                               const LlWlrCapture *capture, const LlWlrOutputEvents *events,
                               gpointer user_data)
{
  LlWlrOutput *o = g_new0(LlWlrOutput, 1);
  o->capture = *capture;
  o->events = *events;
  o->user_data = user_data;
  o->global = global;
  o->output = wl_registry_bind(globals->registry, global, &wl_output_interface,
                               MIN(version, 3u));
  o->xdg = zxdg_output_manager_v1_get_xdg_output(capture->xdg_output, o->output);
  zxdg_output_v1_add_listener(o->xdg, &xdg_listener, o);
  g_snprintf(o->pending.name, sizeof o->pending.name, "output %u", global);
  return o;
}

void ll_wlr_output_free(LlWlrOutput *o)
{
  if (o == NULL)
    return;
  end_frame(o);
  if (o->retry != NULL) {
    g_source_destroy(o->retry);
    g_source_unref(o->retry);
  }
  drop_buffer(o);
  zxdg_output_v1_destroy(o->xdg);
  if (wl_output_get_version(o->output) >= 3)
    wl_output_release(o->output);
  else
    wl_output_destroy(o->output);
  g_free(o);
}

guint32 ll_wlr_output_global(LlWlrOutput *o) { return o->global; }
const LlWlrOutputPlace *ll_wlr_output_place(LlWlrOutput *o) { return &o->place; }

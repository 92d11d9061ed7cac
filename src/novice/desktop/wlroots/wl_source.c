#include "novice/desktop/wlroots/wl_source.h"
#include "common/error.h"
#include <errno.h>

/* A GSource following libwayland's rule for reading from another loop:
 * prepare_read before the wait, then read_events or cancel_read after it,
 * never leaving a prepared read behind. */
typedef struct {
  GSource source;
  struct wl_display *display;
  gpointer fd_tag;
  gboolean reading;              /* a prepare_read awaits its read or cancel */
  gboolean broken;
  LlWlSourceLost lost;
  gpointer user_data;
} WlGSource;

struct LlWlSource {
  WlGSource *source;
};

static void stop_reading(WlGSource *s)
{
  if (s->reading) {
    wl_display_cancel_read(s->display);
    s->reading = FALSE;
  }
}

static gboolean wl_prepare(GSource *base, gint *timeout)
{
  WlGSource *s = (WlGSource *)base;
  *timeout = -1;
  if (s->broken)
    return TRUE;
  stop_reading(s);   /* a previous wait whose check never ran */
  if (wl_display_prepare_read(s->display) != 0)
    return TRUE;     /* events are queued already: dispatch them first */
  s->reading = TRUE;
  if (wl_display_flush(s->display) < 0 && errno != EAGAIN) {
    stop_reading(s);
    s->broken = TRUE;
    return TRUE;
  }
  return FALSE;
}

static gboolean wl_check(GSource *base)
{
  WlGSource *s = (WlGSource *)base;
  if (s->broken || !s->reading)
    return TRUE;
  GIOCondition revents = g_source_query_unix_fd(base, s->fd_tag);
  s->reading = FALSE;
  if (revents & (G_IO_ERR | G_IO_HUP)) {
    wl_display_cancel_read(s->display);
    s->broken = TRUE;
    return TRUE;
  }
  if (!(revents & G_IO_IN)) {
    wl_display_cancel_read(s->display);
    return FALSE;
  }
  if (wl_display_read_events(s->display) < 0)
    s->broken = TRUE;
  return TRUE;
}

static gboolean wl_dispatch(GSource *base, GSourceFunc callback, gpointer data)
{
  WlGSource *s = (WlGSource *)base;
  (void)callback; (void)data;
  if (!s->broken && wl_display_dispatch_pending(s->display) < 0)
    s->broken = TRUE;
  if (!s->broken && wl_display_flush(s->display) < 0 && errno != EAGAIN)
    s->broken = TRUE;
  if (s->broken) {
    g_info("the Wayland connection broke: %s", g_strerror(wl_display_get_error(s->display)));
    s->lost(s->user_data);      /* may free this source: nothing after */
    return G_SOURCE_REMOVE;
  }
  return G_SOURCE_CONTINUE;
}

static void wl_finalize(GSource *base)
{
  stop_reading((WlGSource *)base);
}

static GSourceFuncs wl_source_funcs = {
  .prepare = wl_prepare, .check = wl_check, .dispatch = wl_dispatch, .finalize = wl_finalize,
};

LlWlSource *ll_wl_source_new(struct wl_display *display, GMainContext *context,
                             LlWlSourceLost lost, gpointer user_data)
{
  WlGSource *s = (WlGSource *)g_source_new(&wl_source_funcs, sizeof *s);
  s->display = display;
  s->lost = lost;
  s->user_data = user_data;
  s->fd_tag = g_source_add_unix_fd(&s->source, wl_display_get_fd(display),
                                   G_IO_IN | G_IO_ERR | G_IO_HUP);
  g_source_set_name(&s->source, "Wayland connection");
  g_source_attach(&s->source, context != NULL ? context : g_main_context_get_thread_default());
  LlWlSource *handle = g_new0(LlWlSource, 1);
  handle->source = s;
  return handle;
}

void ll_wl_source_free(LlWlSource *handle)
{
  if (handle == NULL)
    return;
  g_source_destroy(&handle->source->source);
  g_source_unref(&handle->source->source);
  g_free(handle);
}

struct wl_display *ll_wl_connect(const char *name, GError **error)
{
  struct wl_display *display = wl_display_connect(name);
  if (display == NULL) {
    const char *which = name != NULL ? name : g_getenv("WAYLAND_DISPLAY");
    g_set_error(error, LL_ERROR, LL_ERROR_DISPLAY,
                "cannot reach the Wayland compositor (%s): the desktop session may have "
                "ended; run Lifeline from inside it",
                which != NULL ? which : "wayland-0");
  }
  return display;
}

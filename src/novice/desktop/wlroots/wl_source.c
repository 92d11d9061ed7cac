#include "novice/desktop/wlroots/wl_source.h"
#include "common/error.h"
#include <errno.h>
#include <poll.h>

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

static void on_synced(void *data, struct wl_callback *callback, uint32_t serial)
{
  (void)serial;
  *(gboolean *)data = TRUE;
  wl_callback_destroy(callback);
}

static const struct wl_callback_listener synced_listener = { .done = on_synced };

/* Reads what the compositor sent, waiting at most until DEADLINE (not
 * at all once SYNCED); FALSE when the connection broke or nothing came in
 * time. */
static gboolean read_until(struct wl_display *display, const gboolean *synced, gint64 deadline)
{
  while (wl_display_prepare_read(display) != 0) {
    if (wl_display_dispatch_pending(display) < 0)
      return FALSE;
    if (*synced)
      return TRUE;
  }
  if (wl_display_flush(display) < 0 && errno != EAGAIN) {
    wl_display_cancel_read(display);
    return FALSE;
  }
  gint64 left_ms = (deadline - g_get_monotonic_time()) / 1000;
  struct pollfd fd = { .fd = wl_display_get_fd(display), .events = POLLIN };
  int ready = left_ms > 0 ? poll(&fd, 1, (int)left_ms) : 0;
  if (ready <= 0) {
    wl_display_cancel_read(display);
    return ready < 0 && errno == EINTR;   /* interrupted: look again */
  }
  return wl_display_read_events(display) == 0;
}

gboolean ll_wl_roundtrip(struct wl_display *display, GError **error)
{
  gboolean synced = FALSE;
  struct wl_callback *callback = wl_display_sync(display);
  wl_callback_add_listener(callback, &synced_listener, &synced);
  gint64 deadline = g_get_monotonic_time() + LL_WL_ROUNDTRIP_TIMEOUT_MS * 1000;
  gboolean ok = TRUE;
  while (ok && !synced) {
    ok = wl_display_dispatch_pending(display) >= 0;
    if (ok && !synced)
      ok = read_until(display, &synced, deadline);
  }
  if (synced)
    return TRUE;
  wl_callback_destroy(callback);
  if (wl_display_get_error(display) != 0)
    g_set_error_literal(error, LL_ERROR, LL_ERROR_DISPLAY,
                        "the Wayland compositor closed the connection");
  else
    g_set_error(error, LL_ERROR, LL_ERROR_DISPLAY,
                "the Wayland compositor did not answer within %d s; it may be hung "
                "(logging out and in again restarts it)",
                LL_WL_ROUNDTRIP_TIMEOUT_MS / 1000);
  return FALSE;
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

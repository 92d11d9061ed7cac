/* The wlroots backend: wlr_screen.c reads the outputs on the capture
 * thread; this file's own Wayland connection, on the main context, carries
 * the helper's input (wlr_input.c) and the clipboard (wlr_clipboard.c,
 * wlr-data-control). A wlroots compositor shows nothing
 * while a program copies its screen and lets no program watch the
 * keyboard or see the pointer, so the novice ends control in Lifeline's
 * own window (Esc, Stop control) or with /stop. */
#include "novice/desktop/wlroots/wlr_desktop.h"
#include "common/error.h"
#include "novice/desktop/desktop_backend.h"
#include "novice/desktop/held_input.h"
#include "novice/desktop/wlroots/wl_globals.h"
#include "novice/desktop/wlroots/wl_source.h"
#include "novice/desktop/wlroots/wlr_clipboard.h"
#include "novice/desktop/wlroots/wlr_input.h"
#include "novice/desktop/wlroots/wlr_screen.h"
#include <errno.h>

typedef struct {
  LlDesktop *desktop;
  GTask *opening;                /* until the first picture */
  struct wl_display *display;    /* the main context's connection */
  LlWlSource *source;
  LlWlGlobals *globals;
  LlWlrInput *input;             /* once control was first granted */
  LlWlrClipboard *clipboard;     /* NULL: not shared */
  LlWlrScreen *screen;
  LlHeldInput held;
  void (*capture_fn)(LlDesktop *desktop);
} WlrDesktop;

/* "sway", or what else the session names. */
static const char *compositor_name(void)
{
  const char *name = g_getenv("XDG_CURRENT_DESKTOP");
  if (name != NULL && *name != '\0')
    return name;
  return g_getenv("SWAYSOCK") != NULL ? "sway" : "a wlroots compositor";
}

gboolean ll_wlr_desktop_available(GError **error)
{
  struct wl_display *display = ll_wl_connect(NULL, error);
  if (display == NULL)
    return FALSE;
  LlWlGlobals *g = ll_wl_globals_new(display, NULL, error);
  gboolean ok = g != NULL && g->screencopy.name != 0 && g->xdg_output.name != 0;
  if (g != NULL && !ok)
    g_set_error_literal(error, LL_ERROR, LL_ERROR_DISPLAY,
                        "this Wayland compositor does not let programs copy its screen "
                        "(it offers no wlr-screencopy)");
  ll_wl_globals_free(g);
  wl_display_disconnect(display);
  return ok;
}

static gboolean wlr_probe(const LlDesktopChoice *choice, LlDesktopProbe *probe, GError **error)
{
  (void)choice;
  if (!ll_wlr_desktop_available(error))
    return FALSE;
  probe->caps = LL_DESKTOP_CAN_INPUT | LL_DESKTOP_CAN_CLIPBOARD;
  probe->stop_ways = 0;          /* Lifeline's own window and /stop only */
  const char *display = g_getenv("WAYLAND_DISPLAY");
  probe->description = g_strdup_printf("the Wayland desktop of %s (%s)", compositor_name(),
                                       display != NULL ? display : "wayland-0");
  return TRUE;
}

/* The open failed or the desktop went away: say so to whoever waits. */
static void end(WlrDesktop *w, GError *why)
{
  if (w->opening != NULL) {
    g_autoptr(GTask) task = g_steal_pointer(&w->opening);
    g_task_return_error(task, why);
    return;
  }
  ll_desktop_emit_closed(w->desktop, why);   /* may free the desktop */
  g_error_free(why);
}

static void on_damaged(int x, int y, int width, int height, gpointer data)
{
  WlrDesktop *w = data;
  ll_desktop_feed_damage(w->desktop, x, y, width, height);
}

static void on_resized(const LlScreenFormat *format, guint8 *framebuffer, gpointer data)
{
  WlrDesktop *w = data;
  ll_desktop_feed_resize(w->desktop, format, framebuffer);
}

static void on_ready(gpointer data)
{
  WlrDesktop *w = data;
  if (w->opening != NULL) {
    g_autoptr(GTask) task = g_steal_pointer(&w->opening);
    g_task_return_boolean(task, TRUE);
  }
}

static void on_screen_ended(const GError *why, gpointer data)
{
  end(data, g_error_copy(why));
}

static const LlWlrScreenEvents screen_events = {
  .damaged = on_damaged, .resized = on_resized, .ready = on_ready, .ended = on_screen_ended,
};

static void on_connection_lost(gpointer data)
{
  WlrDesktop *w = data;
  const struct wl_interface *refused = NULL;
  g_clear_pointer(&w->source, ll_wl_source_free);
  if (wl_display_get_error(w->display) == EPROTO)
    wl_display_get_protocol_error(w->display, &refused, NULL);
  if (refused != NULL)
    end(w, g_error_new(LL_ERROR, LL_ERROR_DISPLAY,
                       "the Wayland compositor refused what Lifeline asked of it (%s)",
                       refused->name));
  else
    end(w, g_error_new_literal(LL_ERROR, LL_ERROR_DISPLAY,
                               "the Wayland compositor went away (its session ended or it "
                               "stopped)"));
}

static void on_copied(const char *text, gsize len, gpointer data)
{
  WlrDesktop *w = data;
  ll_desktop_emit_copied(w->desktop, text, len);
}

static void wlr_open(LlDesktop *d, const LlDesktopChoice *choice, GTask *task)
{
  (void)choice;
  WlrDesktop *w = g_new0(WlrDesktop, 1);
  GError *error = NULL;
  w->desktop = d;
  ll_held_input_init(&w->held);
  d->impl = w;
  d->caps = LL_DESKTOP_CAN_INPUT;
  d->stop_ways = 0;
  w->display = ll_wl_connect(NULL, &error);
  if (w->display != NULL)
    w->globals = ll_wl_globals_new(w->display, NULL, &error);
  if (w->globals == NULL) {
    g_task_return_error(task, error);
    return;
  }
  w->source = ll_wl_source_new(w->display, NULL, on_connection_lost, w);
  w->clipboard = ll_wlr_clipboard_new(w->display, w->globals, on_copied, w, &error);
  if (w->clipboard != NULL)
    d->caps |= LL_DESKTOP_CAN_CLIPBOARD;
  else
    g_info("the clipboard is not shared: %s", error->message);
  g_clear_error(&error);
  w->opening = g_object_ref(task);
  w->screen = ll_wlr_screen_new(NULL, &screen_events, w);
}

static gboolean wlr_start_screen(LlDesktop *d, GError **error)
{
  WlrDesktop *w = d->impl;
  (void)error;
  ll_wlr_screen_set_feeding(w->screen, TRUE);
  return TRUE;
}

static void wlr_stop_screen(LlDesktop *d)
{
  WlrDesktop *w = d->impl;
  if (w->screen != NULL)
    ll_wlr_screen_set_feeding(w->screen, FALSE);
}

/* The compositor makes a virtual keyboard and pointer only now, when the
 * novice first lets the helper take control. */
static gboolean wlr_start_input(LlDesktop *d, GError **error)
{
  WlrDesktop *w = d->impl;
  if (w->source == NULL) {
    g_set_error_literal(error, LL_ERROR, LL_ERROR_DISPLAY,
                        "the Wayland compositor went away");
    return FALSE;
  }
  w->input = ll_wlr_input_new(w->display, w->globals, error);
  return w->input != NULL;
}

static void sink_key(guint32 keysym, gboolean down, gpointer data)
{
  WlrDesktop *w = data;
  if (!ll_wlr_input_key(w->input, keysym, down))
    g_info("no key for keysym 0x%x in the keyboard layout: not typed", keysym);
}

static void sink_button(guint32 code, gboolean down, gpointer data)
{
  ll_wlr_input_button(((WlrDesktop *)data)->input, code, down);
}

static void sink_scroll(guint axis, int steps, gpointer data)
{
  ll_wlr_input_scroll(((WlrDesktop *)data)->input, axis, steps);
}

static const LlHeldInputSink sink = {
  .key = sink_key, .button = sink_button, .scroll = sink_scroll,
};

static void wlr_key(LlDesktop *d, gboolean down, guint32 keysym)
{
  WlrDesktop *w = d->impl;
  if (w->input != NULL && w->source != NULL)
    ll_held_input_key(&w->held, keysym, down, &sink, w);
}

static void wlr_pointer(LlDesktop *d, int mask, int x, int y)
{
  WlrDesktop *w = d->impl;
  if (w->input == NULL || w->source == NULL)
    return;
  g_mutex_lock(&d->picture_lock);
  LlScreenFormat format = d->format;
  g_mutex_unlock(&d->picture_lock);
  ll_wlr_input_move(w->input, CLAMP(x, 0, format.width - 1), CLAMP(y, 0, format.height - 1),
                    format.width, format.height);
  ll_held_input_buttons(&w->held, mask, &sink, w);
}

static void wlr_release_all(LlDesktop *d)
{
  WlrDesktop *w = d->impl;
  if (w->input != NULL && w->source != NULL)
    ll_held_input_release_all(&w->held, &sink, w);
}

/* Nothing on the desktop tells the novice's input from the helper's. */
static void wlr_watch_stop(LlDesktop *d, gboolean active)
{
  (void)d; (void)active;
}

static void wlr_clipboard_set(LlDesktop *d, const char *text, gsize len)
{
  WlrDesktop *w = d->impl;
  if (w->clipboard != NULL && w->source != NULL)
    ll_wlr_clipboard_set(w->clipboard, text, len);
}

static guint wlr_monitors(LlDesktop *d, LlMonitor *monitors)
{
  WlrDesktop *w = d->impl;
  return w->screen != NULL ? ll_wlr_screen_monitors(w->screen, monitors) : 0;
}

static void run_on_screen_thread(gpointer data)
{
  LlDesktop *d = data;
  ((WlrDesktop *)d->impl)->capture_fn(d);
}

static void wlr_on_capture_thread(LlDesktop *d, void (*fn)(LlDesktop *desktop))
{
  WlrDesktop *w = d->impl;
  w->capture_fn = fn;            /* the desktop asks for one function only */
  ll_wlr_screen_invoke(w->screen, run_on_screen_thread, d);
}

static void wlr_close(LlDesktop *d)
{
  WlrDesktop *w = d->impl;
  ll_wlr_screen_free(w->screen);  /* its thread stops first: nothing feeds after */
  ll_wlr_input_free(w->input);
  ll_wlr_clipboard_free(w->clipboard);
  ll_wl_source_free(w->source);
  ll_wl_globals_free(w->globals);
  if (w->display != NULL)
    wl_display_disconnect(w->display);
  ll_held_input_clear(&w->held);
  g_clear_object(&w->opening);
  g_free(w);
  d->impl = NULL;
  d->framebuffer = NULL;
}

const LlDesktopBackend ll_wlr_desktop_backend = {
  .kind = LL_DESKTOP_WLROOTS,
  .probe = wlr_probe,
  .open = wlr_open,
  .start_screen = wlr_start_screen,
  .stop_screen = wlr_stop_screen,
  .start_input = wlr_start_input,
  .key = wlr_key,
  .pointer = wlr_pointer,
  .release_all = wlr_release_all,
  .watch_stop = wlr_watch_stop,
  .clipboard_set = wlr_clipboard_set,
  .monitors = wlr_monitors,
  .on_capture_thread = wlr_on_capture_thread,
  .close = wlr_close,
};

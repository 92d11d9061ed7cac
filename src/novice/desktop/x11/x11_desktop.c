/* The X11 backend of the desktop interface: XDamage + XShm capture on a
 * thread of its own, XTest input, the XInput 2 Esc watch and the
 * CLIPBOARD selection, each on a display connection of its own. */
#include "novice/desktop/desktop_backend.h"
#include "common/error.h"
#include "novice/desktop/x11/x11_capture.h"
#include "novice/desktop/x11/x11_clipboard.h"
#include "novice/desktop/x11/x11_escape_watch.h"
#include "novice/desktop/x11/x11_input.h"
#include <X11/extensions/Xrandr.h>

typedef struct {
  char *display_name;            /* NULL: $DISPLAY */
  LlX11Capture *capture;
  LlX11Input *input;
  LlX11EscapeWatch *escape;
  LlX11Clipboard *clipboard;     /* NULL: this display's clipboard is not shared */
} X11Desktop;

static const char *shown_name(const char *display_name)
{
  return display_name != NULL ? display_name : g_getenv("DISPLAY");
}

/* RANDR 1.5's monitors of DISPLAY_NAME, asked on a connection of its own
 * (the capture's belongs to its thread). */
static guint read_monitors(const char *display_name, LlMonitor *monitors)
{
  Display *display = XOpenDisplay(display_name);
  if (display == NULL)
    return 0;
  int count = 0, event_base, error_base;
  XRRMonitorInfo *info = XRRQueryExtension(display, &event_base, &error_base)
      ? XRRGetMonitors(display, DefaultRootWindow(display), True, &count) : NULL;
  guint n = 0;
  for (int i = 0; info != NULL && i < count && n < LL_MAX_MONITORS; i++, n++) {
    char *name = XGetAtomName(display, info[i].name);
    g_autofree char *clean = g_utf8_make_valid(name != NULL ? name : "", -1);
    g_utf8_strncpy(monitors[n].name, clean, LL_MAX_MONITOR_NAME);
    if (name != NULL)
      XFree(name);
    monitors[n].x = info[i].x;
    monitors[n].y = info[i].y;
    monitors[n].width = info[i].width;
    monitors[n].height = info[i].height;
  }
  if (info != NULL)
    XRRFreeMonitors(info);
  XCloseDisplay(display);
  return n;
}

static gboolean x11_probe(const LlDesktopChoice *choice, LlDesktopProbe *probe, GError **error)
{
  g_autoptr(LlX11Capture) capture = ll_x11_capture_open(choice->x11_display, error);
  if (capture == NULL)
    return FALSE;
  probe->caps = LL_DESKTOP_CAN_INPUT | LL_DESKTOP_CAN_CLIPBOARD;
  probe->stop_ways = LL_STOP_ESC_ANYWHERE;
  LlMonitor monitors[LL_MAX_MONITORS];
  probe->monitors = read_monitors(choice->x11_display, monitors);
  probe->description = g_strdup_printf("the X11 display %s", shown_name(choice->x11_display));
  return TRUE;
}

static void on_copied(const char *text, gsize len, gpointer data)
{
  ll_desktop_emit_copied(data, text, len);
}

static void x11_open(LlDesktop *d, const LlDesktopChoice *choice, GTask *task)
{
  GError *error = NULL;
  LlX11Capture *capture = ll_x11_capture_open(choice->x11_display, &error);
  if (capture == NULL) {
    g_task_return_error(task, error);
    return;
  }
  X11Desktop *x = g_new0(X11Desktop, 1);
  x->display_name = g_strdup(choice->x11_display);
  x->capture = capture;
  d->impl = x;
  d->caps = LL_DESKTOP_CAN_INPUT | LL_DESKTOP_CAN_CLIPBOARD;
  d->stop_ways = LL_STOP_ESC_ANYWHERE;
  d->format = *ll_x11_capture_format(capture);
  d->framebuffer = ll_x11_capture_framebuffer(capture);
  x->clipboard = ll_x11_clipboard_new(x->display_name, on_copied, d, &error);
  if (x->clipboard == NULL) {
    g_info("the clipboard is not shared: %s", error->message);
    g_clear_error(&error);
    d->caps &= ~LL_DESKTOP_CAN_CLIPBOARD;
  }
  g_task_return_boolean(task, TRUE);
}

static void on_changed(int x, int y, int width, int height, gpointer data)
{
  ll_desktop_feed_damage(data, x, y, width, height);
}

static void on_resized(const LlScreenFormat *format, guint8 *framebuffer, gpointer data)
{
  ll_desktop_feed_resize(data, format, framebuffer);
}

static gboolean x11_start_screen(LlDesktop *d, GError **error)
{
  X11Desktop *x = d->impl;
  return ll_x11_capture_start(x->capture, on_changed, on_resized, d, error);
}

static void x11_stop_screen(LlDesktop *d)
{
  X11Desktop *x = d->impl;
  ll_x11_capture_stop(x->capture);
}

static void on_escape(gboolean from_xtest, gpointer data)
{
  LlDesktop *d = data;
  X11Desktop *x = d->impl;
  /* A physical keyboard's Esc is always the novice's. Through XTEST it may
   * be the helper's own Esc, which is just a key for their applications. */
  if (!from_xtest || !ll_x11_input_claim_escape(x->input))
    ll_desktop_emit_stopped(d, LL_DESKTOP_STOP_ESC);
}

static gboolean x11_start_input(LlDesktop *d, GError **error)
{
  X11Desktop *x = d->impl;
  x->input = ll_x11_input_open(x->display_name, error);
  if (x->input == NULL)
    return FALSE;
  x->escape = ll_x11_escape_watch_new(x->display_name, on_escape, d, error);
  if (x->escape == NULL) {
    g_clear_pointer(&x->input, ll_x11_input_free);
    return FALSE;
  }
  return TRUE;
}

static void x11_key(LlDesktop *d, gboolean down, guint32 keysym)
{
  ll_x11_input_key(((X11Desktop *)d->impl)->input, down, keysym);
}

static void x11_pointer(LlDesktop *d, int buttons, int px, int py)
{
  ll_x11_input_pointer(((X11Desktop *)d->impl)->input, buttons, px, py);
}

static void x11_release_all(LlDesktop *d)
{
  ll_x11_input_release_all(((X11Desktop *)d->impl)->input);
}

static void x11_watch_stop(LlDesktop *d, gboolean active)
{
  X11Desktop *x = d->impl;
  if (active)
    ll_x11_input_forget_escapes(x->input);
  ll_x11_escape_watch_set_active(x->escape, active);
}

static void x11_clipboard_set(LlDesktop *d, const char *text, gsize len)
{
  ll_x11_clipboard_set(((X11Desktop *)d->impl)->clipboard, text, len);
}

static guint x11_monitors(LlDesktop *d, LlMonitor *monitors)
{
  return read_monitors(((X11Desktop *)d->impl)->display_name, monitors);
}

typedef struct {
  LlDesktop *desktop;
  void (*fn)(LlDesktop *desktop);
} Invocation;

static gboolean run_invocation(gpointer data)
{
  Invocation *i = data;
  i->fn(i->desktop);
  return G_SOURCE_REMOVE;
}

/* The desktop (and the capture) outlive the call: freeing stops the
 * capture thread, which runs what is queued or drops it with its context. */
static void x11_on_capture_thread(LlDesktop *d, void (*fn)(LlDesktop *desktop))
{
  X11Desktop *x = d->impl;
  Invocation *i = g_new(Invocation, 1);
  i->desktop = d;
  i->fn = fn;
  ll_x11_capture_invoke(x->capture, run_invocation, i, g_free);
}

static void x11_close(LlDesktop *d)
{
  X11Desktop *x = d->impl;
  ll_x11_clipboard_free(x->clipboard);
  ll_x11_escape_watch_free(x->escape);
  ll_x11_input_free(x->input);
  ll_x11_capture_free(x->capture);
  g_free(x->display_name);
  g_free(x);
  d->impl = NULL;
}

const LlDesktopBackend ll_x11_desktop_backend = {
  .kind = LL_DESKTOP_X11,
  .probe = x11_probe,
  .open = x11_open,
  .start_screen = x11_start_screen,
  .stop_screen = x11_stop_screen,
  .start_input = x11_start_input,
  .key = x11_key,
  .pointer = x11_pointer,
  .release_all = x11_release_all,
  .watch_stop = x11_watch_stop,
  .clipboard_set = x11_clipboard_set,
  .monitors = x11_monitors,
  .on_capture_thread = x11_on_capture_thread,
  .close = x11_close,
};

/* The GNOME backend of the desktop interface: a Mutter remote-desktop
 * session (gnome_session.c) whose monitors arrive through PipeWire, one
 * stream each, composed into the whole desktop (pw_mosaic.c), and whose
 * input goes back as D-Bus calls. Nobody can
 * watch the keyboard on Wayland, so the novice ends control by moving the
 * real mouse (the stream's cursor metadata shows it: pointer_watch.c) or
 * through Lifeline's own window; GNOME's sharing indicator ends the whole
 * session, which arrives as Closed. */
#include "novice/desktop/desktop_backend.h"
#include "novice/desktop/shared_picture.h"
#include "novice/desktop/held_input.h"
#include "common/async_guard.h"
#include "common/error.h"
#include "novice/desktop/gnome/gnome_clipboard.h"
#include "novice/desktop/gnome/gnome_session.h"
#include "novice/desktop/pipewire/pw_mosaic.h"
#include "novice/desktop/pointer_watch.h"

typedef struct {
  LlDesktop *desktop;
  GTask *opening;                /* until the first picture */
  LlGnomeSession *session;
  LlGnomeClipboard *clipboard;   /* NULL: not shared */
  GCancellable *cancellable;     /* a session being made; cancelled when closed */
  LlPwMosaic *screen;            /* every monitor, one stream each */
  LlHeldInput held;              /* what the helper holds down */
  gboolean have_pointer, have_cursor, watching;
  int pointer_x, pointer_y, cursor_x, cursor_y;
  LlPointerWatch watch;
  GError *screen_ended;          /* why the stream ended, while Mutter is asked */
  guint8 *old_picture;           /* the replaced stream's, until the new one feeds */
  gboolean reopening;            /* a new session for the new monitors is on its way */
  void (*capture_fn)(LlDesktop *desktop);   /* what on_capture_thread runs there */
} GnomeDesktop;


static gboolean gnome_probe(const LlDesktopChoice *choice, LlDesktopProbe *probe,
                            GError **error)
{
  (void)choice;
  if (!ll_gnome_session_available(&probe->monitors, error))
    return FALSE;
  probe->caps = LL_DESKTOP_CAN_INPUT | LL_DESKTOP_CAN_CLIPBOARD;
  probe->stop_ways = LL_STOP_POINTER_MOVED | LL_STOP_DESKTOP_INDICATOR;
  const char *display = g_getenv("WAYLAND_DISPLAY");
  probe->description = g_strdup_printf("the GNOME desktop on Wayland (%s, through Mutter's "
                                       "remote desktop service)",
                                       display != NULL ? display : "wayland-0");
  return TRUE;
}

/* The open failed or the desktop went away: say so to whoever waits. */
static void end(GnomeDesktop *g, GError *why)
{
  if (g->opening != NULL) {
    g_autoptr(GTask) task = g_steal_pointer(&g->opening);
    g_task_return_error(task, why);
    return;
  }
  ll_desktop_emit_closed(g->desktop, why);   /* may free the desktop */
  g_error_free(why);
}

static void on_screen_damaged(int x, int y, int width, int height, gpointer data)
{
  GnomeDesktop *g = data;
  ll_desktop_feed_damage(g->desktop, x, y, width, height);
}

static void on_screen_ready(gpointer data)
{
  GnomeDesktop *g = data;
  LlDesktop *d = g->desktop;
  if (g->reopening) {            /* the feed has the new picture (replaced) */
    g->reopening = FALSE;
    g_clear_pointer(&g->old_picture, ll_shared_picture_free);
    return;
  }
  d->format = *ll_pw_mosaic_format(g->screen);
  d->framebuffer = ll_pw_mosaic_framebuffer(g->screen);
  if (g->opening != NULL) {
    g_autoptr(GTask) task = g_steal_pointer(&g->opening);
    g_task_return_boolean(task, TRUE);
  }
}

static void on_cursor_moved(int x, int y, gpointer data)
{
  GnomeDesktop *g = data;
  g->have_cursor = TRUE;
  g->cursor_x = x;
  g->cursor_y = y;
  if (g->watching && ll_pointer_watch_seen(&g->watch, x, y)) {
    g->watching = FALSE;
    ll_desktop_emit_stopped(g->desktop, LL_DESKTOP_STOP_POINTER);
  }
}

/* Mutter still has the session, so PipeWire failed us. */
static void on_session_alive(gpointer data)
{
  GnomeDesktop *g = data;
  end(g, g_steal_pointer(&g->screen_ended));
}

static void on_screen_ended(const GError *why, gpointer data)
{
  GnomeDesktop *g = data;
  if (g->screen_ended != NULL)
    return;
  /* Mutter closing the session or going away ends the stream too: its
   * own word says which, and says it better. */
  g->screen_ended = g_error_copy(why);
  if (g->session != NULL)
    ll_gnome_session_check(g->session, on_session_alive, g);
  else
    on_session_alive(g);
}

static void open_session(GnomeDesktop *g);

/* The monitors changed: Mutter's session shows them no more. A new one
 * follows them; until it feeds, the viewers keep the last picture. */
static void reopen(GnomeDesktop *g)
{
  g_info("following GNOME's new monitors with a new session");
  ll_desktop_release_all(g->desktop);
  if (g->old_picture == NULL)   /* else the one shown is still the oldest */
    g->old_picture = ll_pw_mosaic_free_keeping_picture(g_steal_pointer(&g->screen));
  else
    ll_pw_mosaic_free(g_steal_pointer(&g->screen));
  g_clear_pointer(&g->clipboard, ll_gnome_clipboard_free);
  g_clear_pointer(&g->session, ll_gnome_session_free);
  g->reopening = TRUE;
  open_session(g);
}

static void on_session_closed(LlGnomeClosed why, gpointer data)
{
  GnomeDesktop *g = data;
  if (why == LL_GNOME_SCREENS_CHANGED && g->opening == NULL) {
    reopen(g);
    return;
  }
  end(data, g_error_new_literal(LL_ERROR, LL_ERROR_DISPLAY, why == LL_GNOME_CLOSED_MUTTER_GONE
      ? "the GNOME desktop went away (its session ended or its compositor stopped)"
      : "GNOME ended the screen sharing (from its sharing indicator)"));
}

/* On the new stream's thread: it replaces the old one in the feed. */
static void on_screen_replaced(const LlScreenFormat *format, guint8 *framebuffer, gpointer data)
{
  GnomeDesktop *g = data;
  ll_desktop_feed_resize(g->desktop, format, framebuffer);
}

static const LlPwScreenEvents screen_events = {
  .damaged = on_screen_damaged, .replaced = on_screen_replaced, .ready = on_screen_ready,
  .cursor_moved = on_cursor_moved, .ended = on_screen_ended,
};

static void on_copied(const char *text, gsize len, gpointer data)
{
  GnomeDesktop *g = data;
  ll_desktop_emit_copied(g->desktop, text, len);
}

/* Every monitor's stream, where the layout has the monitor. */
static LlPwMosaic *open_screen(GnomeDesktop *g, GError **error)
{
  const LlGnomeLayout *layout = ll_gnome_session_layout(g->session);
  LlPwMosaicPart parts[LL_MAX_MONITORS];
  guint n = ll_gnome_session_streams(g->session);
  for (guint i = 0; i < n; i++)
    parts[i] = (LlPwMosaicPart){ ll_gnome_session_node(g->session, i), -1,
                                 layout->monitors[i].x,
                                 layout->monitors[i].y, layout->monitors[i].width,
                                 layout->monitors[i].height };
  return ll_pw_mosaic_new(parts, n, &screen_events, g, error);
}

/* The last step of opening: the screen, whose first picture completes it. */
static void on_clipboard(GObject *source, GAsyncResult *result, gpointer data)
{
  GError *error = NULL;
  (void)source;
  g_autoptr(LlGnomeClipboard) clipboard = ll_gnome_clipboard_new_finish(result, &error);
  GnomeDesktop *g = ll_async_guard_finish(data);
  if (g == NULL) {               /* closed meanwhile */
    g_clear_error(&error);
    return;
  }
  g->clipboard = g_steal_pointer(&clipboard);
  if (g->clipboard == NULL) {
    g_info("the clipboard is not shared: %s", error->message);
    g_clear_error(&error);
    g->desktop->caps &= ~LL_DESKTOP_CAN_CLIPBOARD;
  }
  g->screen = open_screen(g, &error);
  if (g->screen == NULL) {
    end(g, error);
    return;
  }
  if (g->reopening)              /* the feed runs: the first picture replaces the old */
    ll_pw_mosaic_set_feeding(g->screen, TRUE);
}

static void on_session(GObject *source, GAsyncResult *result, gpointer data)
{
  GError *error = NULL;
  (void)source;
  g_autoptr(LlGnomeSession) session = ll_gnome_session_new_finish(result, &error);
  GnomeDesktop *g = ll_async_guard_finish(data);
  if (g == NULL) {               /* closed meanwhile */
    g_clear_error(&error);
    return;
  }
  g->session = g_steal_pointer(&session);
  if (g->session == NULL) {
    end(g, error);
    return;
  }
  ll_gnome_session_on_closed(g->session, on_session_closed, g);
  /* Mutter makes its virtual keyboard and pointer on their first events,
   * drops those, and drops what comes before the devices are ready
   * (measured: a key right after the first is lost about 1 time in 8).
   * Made now, they are long ready when the novice grants control. */
  ll_gnome_session_ready_input(g->session);
  ll_gnome_clipboard_new_async(ll_gnome_session_bus(g->session),
                               ll_gnome_session_mutter(g->session),
                               ll_gnome_session_path(g->session), on_copied, g, on_clipboard,
                               ll_async_guard_new(g, g->cancellable));
}

static void open_session(GnomeDesktop *g)
{
  ll_gnome_session_new_async(g->cancellable, on_session, ll_async_guard_new(g, g->cancellable));
}

static void gnome_open(LlDesktop *d, const LlDesktopChoice *choice, GTask *task)
{
  (void)choice;
  GnomeDesktop *g = g_new0(GnomeDesktop, 1);
  g->desktop = d;
  g->opening = g_object_ref(task);
  ll_held_input_init(&g->held);
  d->impl = g;
  d->caps = LL_DESKTOP_CAN_INPUT | LL_DESKTOP_CAN_CLIPBOARD;
  d->stop_ways = LL_STOP_POINTER_MOVED | LL_STOP_DESKTOP_INDICATOR;
  g->cancellable = g_cancellable_new();
  open_session(g);
}

static gboolean gnome_start_screen(LlDesktop *d, GError **error)
{
  GnomeDesktop *g = d->impl;
  (void)error;
  if (g->screen != NULL)
    ll_pw_mosaic_set_feeding(g->screen, TRUE);
  return TRUE;
}

static void gnome_stop_screen(LlDesktop *d)
{
  GnomeDesktop *g = d->impl;
  if (g->screen != NULL)
    ll_pw_mosaic_set_feeding(g->screen, FALSE);
}

static gboolean gnome_start_input(LlDesktop *d, GError **error)
{
  (void)d; (void)error;
  return TRUE;                   /* made ready when the session opened */
}

static void sink_key(guint32 keysym, gboolean down, gpointer data)
{
  ll_gnome_session_key(((GnomeDesktop *)data)->session, keysym, down);
}

static void sink_button(guint32 code, gboolean down, gpointer data)
{
  ll_gnome_session_button(((GnomeDesktop *)data)->session, code, down);
}

static void sink_scroll(guint axis, int steps, gpointer data)
{
  ll_gnome_session_scroll(((GnomeDesktop *)data)->session, axis, steps);
}

static const LlHeldInputSink sink = {
  .key = sink_key, .button = sink_button, .scroll = sink_scroll,
};

static void gnome_key(LlDesktop *d, gboolean down, guint32 keysym)
{
  GnomeDesktop *g = d->impl;
  if (g->session != NULL)      /* else between two sessions (the monitors changed) */
    ll_held_input_key(&g->held, keysym, down, &sink, g);
}

static void move_pointer(GnomeDesktop *g, int x, int y)
{
  g_mutex_lock(&g->desktop->picture_lock);
  LlScreenFormat format = g->desktop->format;
  g_mutex_unlock(&g->desktop->picture_lock);
  x = CLAMP(x, 0, format.width - 1);
  y = CLAMP(y, 0, format.height - 1);
  guint stream;
  int stream_x, stream_y;
  if (g->have_pointer && x == g->pointer_x && y == g->pointer_y)
    return;
  if (g->screen == NULL || !ll_pw_mosaic_locate(g->screen, x, y, &stream, &stream_x, &stream_y))
    return;
  g->have_pointer = TRUE;
  g->pointer_x = x;
  g->pointer_y = y;
  ll_pointer_watch_helper_moved(&g->watch, x, y);
  ll_gnome_session_move(g->session, stream, stream_x, stream_y);
}

static void gnome_pointer(LlDesktop *d, int mask, int x, int y)
{
  GnomeDesktop *g = d->impl;
  if (g->session == NULL)
    return;
  move_pointer(g, x, y);
  ll_held_input_buttons(&g->held, mask, &sink, g);
}

static void gnome_release_all(LlDesktop *d)
{
  GnomeDesktop *g = d->impl;
  if (g->session != NULL)
    ll_held_input_release_all(&g->held, &sink, g);
}

static void gnome_watch_stop(LlDesktop *d, gboolean active)
{
  GnomeDesktop *g = d->impl;
  g->watching = active;
  if (active)
    ll_pointer_watch_reset(&g->watch, g->have_cursor, g->cursor_x, g->cursor_y);
}

static void gnome_clipboard_set(LlDesktop *d, const char *text, gsize len)
{
  GnomeDesktop *g = d->impl;
  if (g->clipboard != NULL)
    ll_gnome_clipboard_set(g->clipboard, text, len);
}

/* Every monitor, where its stream is in the picture, primary first. */
static guint gnome_monitors(LlDesktop *d, LlMonitor *monitors)
{
  GnomeDesktop *g = d->impl;
  if (g->session == NULL || g->screen == NULL)
    return 0;
  const LlGnomeLayout *layout = ll_gnome_session_layout(g->session);
  guint n = 0;
  while (n < ll_gnome_session_streams(g->session) &&
         ll_pw_mosaic_place(g->screen, n, &monitors[n])) {
    g_strlcpy(monitors[n].name, layout->monitors[n].name, sizeof monitors[n].name);
    n++;
  }
  return n;
}

static void run_on_stream_thread(gpointer data)
{
  LlDesktop *d = data;
  ((GnomeDesktop *)d->impl)->capture_fn(d);
}

/* FN(desktop) on the stream's thread, which feeds; with no stream (one
 * replacing another) nothing feeds, and it runs at once. */
static void gnome_on_capture_thread(LlDesktop *d, void (*fn)(LlDesktop *desktop))
{
  GnomeDesktop *g = d->impl;
  g->capture_fn = fn;            /* the desktop asks for one function only */
  if (g->screen != NULL)
    ll_pw_mosaic_invoke(g->screen, run_on_stream_thread, d);
  else
    fn(d);
}

static void gnome_close(LlDesktop *d)
{
  GnomeDesktop *g = d->impl;
  g_cancellable_cancel(g->cancellable);
  g_clear_object(&g->cancellable);
  g_clear_pointer(&g->old_picture, ll_shared_picture_free);
  ll_pw_mosaic_free(g->screen);
  ll_gnome_clipboard_free(g->clipboard);
  ll_gnome_session_free(g->session);
  ll_held_input_clear(&g->held);
  g_clear_object(&g->opening);
  g_clear_error(&g->screen_ended);
  g_free(g);
  d->impl = NULL;
  d->framebuffer = NULL;
}

const LlDesktopBackend ll_gnome_desktop_backend = {
  .kind = LL_DESKTOP_GNOME,
  .probe = gnome_probe,
  .open = gnome_open,
  .start_screen = gnome_start_screen,
  .stop_screen = gnome_stop_screen,
  .start_input = gnome_start_input,
  .key = gnome_key,
  .pointer = gnome_pointer,
  .release_all = gnome_release_all,
  .watch_stop = gnome_watch_stop,
  .clipboard_set = gnome_clipboard_set,
  .monitors = gnome_monitors,
  .on_capture_thread = gnome_on_capture_thread,
  .close = gnome_close,
};

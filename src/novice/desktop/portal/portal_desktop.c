/* The portal backend of the desktop interface (KDE Plasma, and any desktop
 * whose xdg-desktop-portal implements RemoteDesktop and ScreenCast): a
 * portal session (portal_session.c) whose monitors (those the novice chose
 * in the portal's dialog) arrive through PipeWire on the remote the portal
 * opened, one stream each, composed into one picture (pw_mosaic.c), and
 * whose input goes back as Notify* calls. The portal's own dialog follows
 * Lifeline's yes. The novice ends control with the key the desktop binds
 * for it where its portal binds global shortcuts (portal_shortcut.c:
 * KDE), by moving the real mouse where the portal sends the pointer as
 * metadata, through Lifeline's own window, or from the desktop's sharing
 * indicator, which ends the whole session. */
#include "novice/desktop/desktop_backend.h"
#include "common/error.h"
#include "novice/desktop/held_input.h"
#include "novice/desktop/pipewire/pw_mosaic.h"
#include "novice/desktop/pointer_watch.h"
#include "novice/desktop/portal/portal_session.h"
#include "novice/desktop/portal/portal_shortcut.h"
#include <X11/keysym.h>

typedef struct {
  LlDesktop *desktop;
  GTask *opening;                /* until the first picture */
  LlPortalSession *session;
  LlPwMosaic *screen;
  LlPortalShortcut *shortcut;    /* the stop key, where the portal binds one */
  gboolean picture_ready, shortcut_answered;   /* opening waits for both */
  LlHeldInput held;
  gboolean control_watched;      /* control is granted: the stop key counts */
  gboolean have_pointer, have_cursor, watching;
  int pointer_x, pointer_y, cursor_x, cursor_y;
  LlPointerWatch watch;
  void (*capture_fn)(LlDesktop *desktop);
} PortalDesktop;

static LlStopWays stop_ways_for(gboolean cursor_metadata)
{
  return LL_STOP_DESKTOP_INDICATOR | (cursor_metadata ? LL_STOP_POINTER_MOVED : 0);
}

static gboolean portal_probe(const LlDesktopChoice *choice, LlDesktopProbe *probe,
                             GError **error)
{
  (void)choice;
  LlPortalOffer offer;
  if (!ll_portal_session_available(&offer, error))
    return FALSE;
  probe->caps = LL_DESKTOP_CAN_INPUT;
  probe->stop_ways = stop_ways_for(offer.cursor_metadata);
  const char *desktop = g_getenv("XDG_CURRENT_DESKTOP");
  probe->description = g_strdup_printf(
      "the %s desktop on Wayland (through its xdg-desktop-portal, RemoteDesktop version %u%s)",
      desktop != NULL && *desktop != '\0' ? desktop : "Wayland", offer.remote_desktop_version,
      offer.remote_desktop_version >= 2 ? "" : ": its dialog asks every time");
  return TRUE;
}

/* The open failed or the desktop went away: say so to whoever waits. */
static void end(PortalDesktop *p, GError *why)
{
  if (p->opening != NULL) {
    g_autoptr(GTask) task = g_steal_pointer(&p->opening);
    g_task_return_error(task, why);
    return;
  }
  ll_desktop_emit_closed(p->desktop, why);   /* may free the desktop */
  g_error_free(why);
}

static void on_screen_damaged(int x, int y, int width, int height, gpointer data)
{
  PortalDesktop *p = data;
  ll_desktop_feed_damage(p->desktop, x, y, width, height);
}

/* On the stream's thread (or with it held): the portal's monitor changed
 * size, or the first picture is there. */
static void on_screen_resized(const LlScreenFormat *format, guint8 *framebuffer, gpointer data)
{
  PortalDesktop *p = data;
  ll_desktop_feed_resize(p->desktop, format, framebuffer);
}

/* Open once the first picture is there and the stop key is bound (or
 * cannot be): the control prompt names the key. */
static void maybe_opened(PortalDesktop *p)
{
  if (p->opening != NULL && p->picture_ready && p->shortcut_answered) {
    g_autoptr(GTask) task = g_steal_pointer(&p->opening);
    g_task_return_boolean(task, TRUE);
  }
}

static void on_screen_ready(gpointer data)
{
  PortalDesktop *p = data;
  /* With the stream held: a size change now would free what we take. */
  ll_pw_mosaic_hold_picture(p->screen, on_screen_resized, p);
  p->picture_ready = TRUE;
  maybe_opened(p);
}

static void on_cursor_moved(int x, int y, gpointer data)
{
  PortalDesktop *p = data;
  p->have_cursor = TRUE;
  p->cursor_x = x;
  p->cursor_y = y;
  if (p->watching && ll_pointer_watch_seen(&p->watch, x, y)) {
    p->watching = FALSE;
    ll_desktop_emit_stopped(p->desktop, LL_DESKTOP_STOP_POINTER);
  }
}

static void on_screen_ended(const GError *why, gpointer data)
{
  end(data, g_error_copy(why));
}

static const LlPwScreenEvents screen_events = {
  .damaged = on_screen_damaged, .resized = on_screen_resized, .ready = on_screen_ready,
  .cursor_moved = on_cursor_moved, .ended = on_screen_ended,
};

static void on_shortcut_answered(gpointer data)
{
  PortalDesktop *p = data;
  p->shortcut_answered = TRUE;
  maybe_opened(p);
}

static void on_shortcut_activated(gpointer data)
{
  PortalDesktop *p = data;
  if (!p->control_watched) {
    g_info("the stop key was pressed while nobody else controls the desktop");
    return;
  }
  p->control_watched = p->watching = FALSE;
  ll_desktop_emit_stopped(p->desktop, LL_DESKTOP_STOP_ESC);
}

static const LlPortalShortcutEvents shortcut_events = {
  .answered = on_shortcut_answered, .activated = on_shortcut_activated,
};

static void on_session_closed(gpointer data)
{
  end(data, g_error_new_literal(LL_ERROR, LL_ERROR_DISPLAY,
                                "the desktop ended the screen sharing (from its sharing "
                                "indicator)"));
}

/* Every stream the portal granted, where the portal says its monitor is. */
static LlPwMosaic *open_screen(PortalDesktop *p, LlPortalSession *session, GError **error)
{
  LlPwMosaicPart parts[LL_MAX_MONITORS];
  guint n = ll_portal_session_streams(session);
  for (guint i = 0; i < n; i++) {
    const LlMonitor *m = ll_portal_session_monitor(session, i);
    parts[i] = (LlPwMosaicPart){ ll_portal_session_node(session, i),
                                 ll_portal_session_take_remote(session, i), m->x, m->y,
                                 m->width, m->height };
  }
  return ll_pw_mosaic_new(parts, n, &screen_events, p, error);
}

static void on_session_ready(LlPortalSession *session, const GError *why, gpointer data)
{
  PortalDesktop *p = data;
  GError *error = NULL;
  if (why != NULL) {
    end(p, g_error_copy(why));
    return;
  }
  ll_portal_session_on_closed(session, on_session_closed, p);
  LlDesktop *d = p->desktop;
  d->stop_ways = stop_ways_for(ll_portal_session_cursor_metadata(session));
  if (!ll_portal_session_has_input(session)) {
    g_info("the portal granted no keyboard and pointer");
    d->caps &= ~LL_DESKTOP_CAN_INPUT;
  }
  p->shortcut = ll_portal_shortcut_new(ll_portal_session_bus(session),
                                       ll_portal_session_offer(session)->global_shortcuts_version,
                                       &shortcut_events, p);
  p->screen = open_screen(p, session, &error);
  if (p->screen == NULL)
    end(p, error);
}

static void portal_open(LlDesktop *d, const LlDesktopChoice *choice, GTask *task)
{
  (void)choice;
  PortalDesktop *p = g_new0(PortalDesktop, 1);
  p->desktop = d;
  p->opening = g_object_ref(task);
  ll_held_input_init(&p->held);
  d->impl = p;
  d->caps = LL_DESKTOP_CAN_INPUT;
  d->stop_ways = stop_ways_for(FALSE);
  p->session = ll_portal_session_new(on_session_ready, p);
}

static gboolean portal_start_screen(LlDesktop *d, GError **error)
{
  PortalDesktop *p = d->impl;
  (void)error;
  if (p->screen != NULL)
    ll_pw_mosaic_set_feeding(p->screen, TRUE);
  return TRUE;
}

static void portal_stop_screen(LlDesktop *d)
{
  PortalDesktop *p = d->impl;
  if (p->screen != NULL)
    ll_pw_mosaic_set_feeding(p->screen, FALSE);
}

static gboolean portal_start_input(LlDesktop *d, GError **error)
{
  (void)d; (void)error;
  return TRUE;                   /* granted with the session */
}

static void sink_key(guint32 keysym, gboolean down, gpointer data)
{
  ll_portal_session_key(((PortalDesktop *)data)->session, keysym, down);
}

static void sink_button(guint32 code, gboolean down, gpointer data)
{
  ll_portal_session_button(((PortalDesktop *)data)->session, code, down);
}

static void sink_scroll(guint axis, int steps, gpointer data)
{
  ll_portal_session_scroll(((PortalDesktop *)data)->session, axis, steps);
}

static const LlHeldInputSink sink = {
  .key = sink_key, .button = sink_button, .scroll = sink_scroll,
};

static gboolean helper_holds(PortalDesktop *p, guint32 keysym)
{
  return g_hash_table_contains(p->held.keys_down, GUINT_TO_POINTER(keysym));
}

/* The helper's Meta+Esc would be the novice's stop key (the portal
 * cannot tell whose keyboard pressed it): it does not reach the desktop. */
static gboolean is_stop_key(PortalDesktop *p, guint32 keysym)
{
  return keysym == XK_Escape && ll_portal_shortcut_trigger(p->shortcut) != NULL &&
         (helper_holds(p, XK_Super_L) || helper_holds(p, XK_Super_R) ||
          helper_holds(p, XK_Meta_L) || helper_holds(p, XK_Meta_R));
}

static void portal_key(LlDesktop *d, gboolean down, guint32 keysym)
{
  PortalDesktop *p = d->impl;
  if (down && p->shortcut != NULL && is_stop_key(p, keysym)) {
    g_info("the helper's Meta+Esc is kept from the desktop: it is the novice's stop key");
    return;
  }
  ll_held_input_key(&p->held, keysym, down, &sink, p);
}

static void portal_pointer(LlDesktop *d, int mask, int x, int y)
{
  PortalDesktop *p = d->impl;
  g_mutex_lock(&d->picture_lock);
  LlScreenFormat format = d->format;
  g_mutex_unlock(&d->picture_lock);
  x = CLAMP(x, 0, format.width - 1);
  y = CLAMP(y, 0, format.height - 1);
  guint stream;
  int stream_x, stream_y;
  if ((!p->have_pointer || x != p->pointer_x || y != p->pointer_y) && p->screen != NULL &&
      ll_pw_mosaic_locate(p->screen, x, y, &stream, &stream_x, &stream_y)) {
    p->have_pointer = TRUE;
    p->pointer_x = x;
    p->pointer_y = y;
    ll_pointer_watch_helper_moved(&p->watch, x, y);
    ll_portal_session_move(p->session, stream, stream_x, stream_y);
  }
  ll_held_input_buttons(&p->held, mask, &sink, p);
}

static void portal_release_all(LlDesktop *d)
{
  PortalDesktop *p = d->impl;
  ll_held_input_release_all(&p->held, &sink, p);
}

static void portal_watch_stop(LlDesktop *d, gboolean active)
{
  PortalDesktop *p = d->impl;
  p->control_watched = active;
  p->watching = active && (d->stop_ways & LL_STOP_POINTER_MOVED);
  if (p->watching)
    ll_pointer_watch_reset(&p->watch, p->have_cursor, p->cursor_x, p->cursor_y);
}

static void portal_clipboard_set(LlDesktop *d, const char *text, gsize len)
{
  (void)d; (void)text; (void)len;   /* not offered: caps say so */
}

/* The monitors the novice chose, where their streams are in the picture. */
static guint portal_monitors(LlDesktop *d, LlMonitor *monitors)
{
  PortalDesktop *p = d->impl;
  if (p->screen == NULL)
    return 0;
  guint n = 0;
  while (n < ll_portal_session_streams(p->session) &&
         ll_pw_mosaic_place(p->screen, n, &monitors[n])) {
    g_strlcpy(monitors[n].name, ll_portal_session_monitor(p->session, n)->name,
              sizeof monitors[n].name);
    n++;
  }
  return n;
}

static void run_on_stream_thread(gpointer data)
{
  LlDesktop *d = data;
  ((PortalDesktop *)d->impl)->capture_fn(d);
}

static void portal_on_capture_thread(LlDesktop *d, void (*fn)(LlDesktop *desktop))
{
  PortalDesktop *p = d->impl;
  p->capture_fn = fn;            /* the desktop asks for one function only */
  if (p->screen != NULL)
    ll_pw_mosaic_invoke(p->screen, run_on_stream_thread, d);
  else
    fn(d);
}

static const char *portal_stop_shortcut(LlDesktop *d)
{
  PortalDesktop *p = d->impl;
  return p->shortcut != NULL ? ll_portal_shortcut_trigger(p->shortcut) : NULL;
}

static void portal_close(LlDesktop *d)
{
  PortalDesktop *p = d->impl;
  ll_pw_mosaic_free(p->screen);
  ll_portal_shortcut_free(p->shortcut);   /* before the session: it uses its bus */
  ll_portal_session_free(p->session);
  ll_held_input_clear(&p->held);
  g_clear_object(&p->opening);
  g_free(p);
  d->impl = NULL;
  d->framebuffer = NULL;
}

const LlDesktopBackend ll_portal_desktop_backend = {
  .kind = LL_DESKTOP_PORTAL,
  .probe = portal_probe,
  .open = portal_open,
  .start_screen = portal_start_screen,
  .stop_screen = portal_stop_screen,
  .start_input = portal_start_input,
  .key = portal_key,
  .pointer = portal_pointer,
  .release_all = portal_release_all,
  .watch_stop = portal_watch_stop,
  .clipboard_set = portal_clipboard_set,
  .monitors = portal_monitors,
  .on_capture_thread = portal_on_capture_thread,
  .stop_shortcut = portal_stop_shortcut,
  .close = portal_close,
};

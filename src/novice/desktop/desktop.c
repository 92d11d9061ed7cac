#include "novice/desktop/desktop_backend.h"
#include "common/duration.h"
#include "common/error.h"
#include "novice/desktop/gnome/gnome_session.h"
#include "novice/desktop/portal/portal_session.h"
#include "novice/desktop/wlroots/wlr_desktop.h"
#include <string.h>

/* ---- kinds ---- */

typedef struct {
  LlDesktopKind kind;
  const char *name;
  const LlDesktopBackend *backend;
  gboolean choosable;            /* offered by --desktop */
} KindEntry;

static const KindEntry kinds[] = {
  { LL_DESKTOP_AUTO, "auto", NULL, TRUE },
  { LL_DESKTOP_X11, "x11", &ll_x11_desktop_backend, TRUE },
  { LL_DESKTOP_GNOME, "gnome", &ll_gnome_desktop_backend, TRUE },
  { LL_DESKTOP_WLROOTS, "wlroots", &ll_wlr_desktop_backend, TRUE },
  { LL_DESKTOP_PORTAL, "portal", &ll_portal_desktop_backend, TRUE },
  { LL_DESKTOP_FAKE, "fake", &ll_fake_desktop_backend, FALSE },
};

static const KindEntry *entry_of(LlDesktopKind kind)
{
  for (gsize i = 0; i < G_N_ELEMENTS(kinds); i++)
    if (kinds[i].kind == kind)
      return &kinds[i];
  g_return_val_if_reached(&kinds[0]);
}

/* "auto, x11": the choices --desktop offers, from the table. */
static const char *choosable_names(void)
{
  static gsize once;
  static char *names;
  if (g_once_init_enter(&once)) {
    GString *text = g_string_new(NULL);
    for (gsize i = 0; i < G_N_ELEMENTS(kinds); i++)
      if (kinds[i].choosable)
        g_string_append_printf(text, "%s%s", text->len > 0 ? ", " : "", kinds[i].name);
    names = g_string_free(text, FALSE);
    g_once_init_leave(&once, 1);
  }
  return names;
}

gboolean ll_desktop_kind_parse(const char *text, LlDesktopKind *kind, GError **error)
{
  for (gsize i = 0; i < G_N_ELEMENTS(kinds); i++)
    if (kinds[i].choosable && g_ascii_strcasecmp(text, kinds[i].name) == 0) {
      *kind = kinds[i].kind;
      return TRUE;
    }
  g_set_error(error, LL_ERROR, LL_ERROR_USAGE, "--desktop takes one of %s, not \"%s\"",
              choosable_names(), text);
  return FALSE;
}

const char *ll_desktop_kind_name(LlDesktopKind kind)
{
  return entry_of(kind)->name;
}

const char *ll_desktop_option_help(void)
{
  static gsize once;
  static char *help;
  if (g_once_init_enter(&once)) {
    help = g_strdup_printf("What to share, one of %s (default: auto, what this session runs)",
                           choosable_names());
    g_once_init_leave(&once, 1);
  }
  return help;
}

/* ---- choosing ---- */

static gboolean is_set(const char *variable)
{
  const char *value = g_getenv(variable);
  return value != NULL && *value != '\0';
}

/* "GNOME", "KDE", "sway": what the session says it runs. */
static const char *running_desktop(void)
{
  if (is_set("XDG_CURRENT_DESKTOP"))
    return g_getenv("XDG_CURRENT_DESKTOP");
  if (is_set("XDG_SESSION_DESKTOP"))
    return g_getenv("XDG_SESSION_DESKTOP");
  return NULL;
}

static gboolean in_wayland_session(void)
{
  return is_set("WAYLAND_DISPLAY") || g_strcmp0(g_getenv("XDG_SESSION_TYPE"), "wayland") == 0;
}

/* The X11 session of WHAT as its login screen names it. */
static const char *x11_session_of(const char *what)
{
  static const struct { const char *desktop, *session; } names[] = {
    { "GNOME", "\"GNOME on Xorg\"" }, { "KDE", "\"Plasma (X11)\"" },
  };
  for (gsize i = 0; what != NULL && i < G_N_ELEMENTS(names); i++)
    if (strstr(what, names[i].desktop) != NULL)   /* "ubuntu:GNOME" too */
      return names[i].session;
  return "an X11 session";
}

/* What AUTO means in the session this runs in. */
static gboolean choose(LlDesktopKind *kind, GError **error)
{
  if (in_wayland_session()) {
    g_autoptr(GError) gnome = NULL;
    g_autoptr(GError) wlroots = NULL;
    g_autoptr(GError) portal = NULL;
    if (ll_gnome_session_available(NULL, &gnome)) {
      *kind = LL_DESKTOP_GNOME;
      return TRUE;
    }
    if (ll_wlr_desktop_available(&wlroots)) {
      *kind = LL_DESKTOP_WLROOTS;
      return TRUE;
    }
    if (ll_portal_session_available(NULL, &portal)) {
      *kind = LL_DESKTOP_PORTAL;
      return TRUE;
    }
    const char *what = running_desktop();
    /* Its XWayland would show only X programs, not the desktop. */
    g_set_error(error, LL_ERROR, LL_ERROR_DISPLAY,
                "this is a Wayland session%s%s, which lets no program share its screen in a "
                "way Lifeline knows (Mutter's remote desktop on GNOME, wlr-screencopy on sway "
                "and other wlroots compositors, the remote desktop portal on KDE); "
                "choose %s at the login screen instead",
                what != NULL ? " of " : "", what != NULL ? what : "", x11_session_of(what));
    return FALSE;
  }
  if (is_set("DISPLAY")) {
    *kind = LL_DESKTOP_X11;
    return TRUE;
  }
  g_set_error_literal(error, LL_ERROR, LL_ERROR_DISPLAY,
                      "no desktop session is visible from here (neither WAYLAND_DISPLAY nor "
                      "DISPLAY is set); run Lifeline from a terminal or menu of the desktop "
                      "you want to share, not over ssh or from a text console");
  return FALSE;
}

static const LlDesktopBackend *backend_for(const LlDesktopChoice *choice, LlDesktopKind *kind,
                                           GError **error)
{
  *kind = choice->kind;
  if (*kind == LL_DESKTOP_AUTO && !choose(kind, error))
    return NULL;
  return entry_of(*kind)->backend;
}

/* ---- probe ---- */

LlDesktopProbe *ll_desktop_probe(const LlDesktopChoice *choice, GError **error)
{
  LlDesktopKind kind;
  const LlDesktopBackend *backend = backend_for(choice, &kind, error);
  if (backend == NULL)
    return NULL;
  g_autoptr(LlDesktopProbe) probe = g_new0(LlDesktopProbe, 1);
  probe->kind = kind;
  probe->monitors = 1;
  if (!backend->probe(choice, probe, error))
    return NULL;
  probe->monitors = MAX(probe->monitors, 1u);
  return g_steal_pointer(&probe);
}

void ll_desktop_probe_free(LlDesktopProbe *probe)
{
  if (probe == NULL)
    return;
  g_free(probe->description);
  g_free(probe);
}

/* ---- open and close ---- */

static void desktop_destroy(gpointer data)
{
  ll_desktop_free(data);
}

/* One open in flight: the caller's task, answered by the backend or, if
 * it takes too long (a portal dialog nobody answers), by the deadline. */
typedef struct {
  GTask *outer;
  guint timeout_s;
  guint deadline;
  gboolean answered;
} Opening;

static gboolean on_open_deadline(gpointer data)
{
  Opening *o = data;
  o->deadline = 0;
  o->answered = TRUE;
  g_autofree char *limit = ll_duration_describe(o->timeout_s);
  g_task_return_new_error(o->outer, LL_ERROR, LL_ERROR_DISPLAY,
                          "the desktop did not start sharing within %s; try again", limit);
  return G_SOURCE_REMOVE;
}

/* The backend's open completed: the desktop goes to the caller, or away
 * if the caller was answered already. */
static void on_backend_opened(GObject *source, GAsyncResult *result, gpointer data)
{
  Opening *o = data;
  LlDesktop *d = g_task_get_task_data(G_TASK(result));
  GError *error = NULL;
  (void)source;
  gboolean ok = g_task_propagate_boolean(G_TASK(result), &error);
  g_clear_handle_id(&o->deadline, g_source_remove);
  if (ok && !o->answered) {
    g_task_return_pointer(o->outer, d, desktop_destroy);
  } else {
    ll_desktop_free(d);
    if (o->answered)
      g_clear_error(&error);
    else
      g_task_return_error(o->outer, error);
  }
  g_object_unref(o->outer);
  g_free(o);
}

void ll_desktop_open_async(const LlDesktopChoice *choice, GCancellable *cancellable,
                           GAsyncReadyCallback callback, gpointer user_data)
{
  GTask *outer = g_task_new(NULL, cancellable, callback, user_data);
  g_task_set_source_tag(outer, ll_desktop_open_async);
  GError *error = NULL;
  LlDesktopKind kind;
  const LlDesktopBackend *backend = backend_for(choice, &kind, &error);
  if (backend == NULL) {
    g_task_return_error(outer, error);
    g_object_unref(outer);
    return;
  }
  Opening *o = g_new0(Opening, 1);
  o->outer = outer;
  o->timeout_s = choice->open_timeout_s != 0 ? choice->open_timeout_s
                                             : LL_DESKTOP_OPEN_TIMEOUT_S;
  /* Not g_timeout_add_seconds: that may fire up to a second early. */
  o->deadline = g_timeout_add(o->timeout_s * 1000, on_open_deadline, o);
  LlDesktop *d = g_new0(LlDesktop, 1);
  d->backend = backend;
  g_mutex_init(&d->picture_lock);
  /* The backend completes this one; the desktop is its data until then. */
  GTask *task = g_task_new(NULL, cancellable, on_backend_opened, o);
  g_task_set_task_data(task, d, NULL);
  backend->open(d, choice, task);
  g_object_unref(task);
}

LlDesktop *ll_desktop_open_finish(GAsyncResult *result, GError **error)
{
  g_return_val_if_fail(g_task_get_source_tag(G_TASK(result)) == ll_desktop_open_async, NULL);
  return g_task_propagate_pointer(G_TASK(result), error);
}

void ll_desktop_free(LlDesktop *d)
{
  if (d == NULL)
    return;
  ll_desktop_stop_screen(d);
  if (d->input_started)
    d->backend->release_all(d);
  if (d->impl != NULL)
    d->backend->close(d);
  g_mutex_clear(&d->picture_lock);
  g_free(d);
}

/* ---- what it is ---- */

LlDesktopKind ll_desktop_kind(LlDesktop *d) { return d->backend->kind; }
LlDesktopCaps ll_desktop_caps(LlDesktop *d) { return d->caps; }

const char *ll_desktop_stop_shortcut(LlDesktop *d)
{
  return d->backend->stop_shortcut != NULL ? d->backend->stop_shortcut(d) : NULL;
}

LlStopWays ll_desktop_stop_ways(LlDesktop *d)
{
  return (d->stop_ways & ~LL_STOP_SHORTCUT) |
         (ll_desktop_stop_shortcut(d) != NULL ? LL_STOP_SHORTCUT : 0);
}

/* The part of the picture the feed shows, with the lock held. */
static guint8 *view_locked(LlDesktop *d, LlScreenFormat *format)
{
  *format = d->format;
  if (d->shown == 0)
    return d->framebuffer;
  format->width = d->view_width;
  format->height = d->view_height;   /* the stride stays the whole desktop's */
  return d->framebuffer + (gsize)d->view_y * d->format.stride + (gsize)d->view_x * 4;
}

guint8 *ll_desktop_picture(LlDesktop *d, LlScreenFormat *format)
{
  g_mutex_lock(&d->picture_lock);
  guint8 *framebuffer = view_locked(d, format);
  g_mutex_unlock(&d->picture_lock);
  return framebuffer;
}

/* ---- monitors ---- */

/* Keeps the monitors that lie (partly) on the desktop, cut to it. */
static guint clip_monitors(LlDesktop *d, LlMonitor *m, guint n)
{
  LlScreenFormat f;
  g_mutex_lock(&d->picture_lock);
  f = d->format;
  g_mutex_unlock(&d->picture_lock);
  guint kept = 0;
  for (guint i = 0; i < MIN(n, LL_MAX_MONITORS); i++) {
    int x0 = MAX(m[i].x, 0), y0 = MAX(m[i].y, 0);
    int x1 = MIN(m[i].x + m[i].width, f.width), y1 = MIN(m[i].y + m[i].height, f.height);
    if (x1 <= x0 || y1 <= y0)
      continue;
    m[kept] = m[i];
    m[kept].x = x0;
    m[kept].y = y0;
    m[kept].width = x1 - x0;
    m[kept].height = y1 - y0;
    kept++;
  }
  return kept;
}

guint ll_desktop_monitors(LlDesktop *d, LlMonitor *monitors)
{
  guint n = d->backend->monitors != NULL ? d->backend->monitors(d, monitors) : 0;
  n = clip_monitors(d, monitors, n);
  if (n > 0)
    return n;
  LlScreenFormat f;
  g_mutex_lock(&d->picture_lock);
  f = d->format;
  g_mutex_unlock(&d->picture_lock);
  memset(&monitors[0], 0, sizeof monitors[0]);
  g_strlcpy(monitors[0].name, "screen", sizeof monitors[0].name);
  monitors[0].width = f.width;
  monitors[0].height = f.height;
  return 1;
}

guint ll_desktop_shown_monitor(LlDesktop *d)
{
  g_mutex_lock(&d->picture_lock);
  guint shown = d->wanted;   /* shown, or about to be on the capture thread */
  g_mutex_unlock(&d->picture_lock);
  return shown;
}

/* On the capture thread: the feed changes to the view asked for. */
static void apply_view(LlDesktop *d)
{
  LlScreenFormat format;
  g_mutex_lock(&d->picture_lock);
  d->shown = d->wanted;
  d->view_x = d->wanted_area.x;
  d->view_y = d->wanted_area.y;
  d->view_width = d->wanted_area.width;
  d->view_height = d->wanted_area.height;
  guint8 *framebuffer = view_locked(d, &format);
  g_mutex_unlock(&d->picture_lock);
  if (d->feed.resized != NULL)
    d->feed.resized(&format, framebuffer, d->feed_data);
  if (d->feed.damaged != NULL)
    d->feed.damaged(0, 0, format.width, format.height, d->feed_data);
}

gboolean ll_desktop_show_monitor(LlDesktop *d, guint number, GError **error)
{
  LlMonitor monitors[LL_MAX_MONITORS];
  guint n = ll_desktop_monitors(d, monitors);
  if (number > n) {
    g_set_error(error, LL_ERROR, LL_ERROR_USAGE, "there is no monitor %u; this desktop has %u",
                number, n);
    return FALSE;
  }
  if (n == 1)
    number = 0;                  /* one monitor is the whole desktop */
  g_mutex_lock(&d->picture_lock);
  d->wanted = number;
  if (number > 0)
    d->wanted_area = monitors[number - 1];
  g_mutex_unlock(&d->picture_lock);
  if (d->screen_started && d->backend->on_capture_thread != NULL)
    d->backend->on_capture_thread(d, apply_view);
  else
    apply_view(d);
  return TRUE;
}

void ll_desktop_set_events(LlDesktop *d, const LlDesktopEvents *events, gpointer user_data)
{
  d->events = *events;
  d->events_data = user_data;
}

/* ---- screen ---- */

gboolean ll_desktop_start_screen(LlDesktop *d, const LlScreenFeed *feed, gpointer user_data,
                                 GError **error)
{
  g_return_val_if_fail(!d->screen_started, FALSE);
  d->feed = *feed;
  d->feed_data = user_data;
  if (!d->backend->start_screen(d, error)) {
    memset(&d->feed, 0, sizeof d->feed);
    return FALSE;
  }
  d->screen_started = TRUE;
  return TRUE;
}

void ll_desktop_stop_screen(LlDesktop *d)
{
  if (!d->screen_started)
    return;
  d->backend->stop_screen(d);
  d->screen_started = FALSE;
  memset(&d->feed, 0, sizeof d->feed);
}

void ll_desktop_feed_damage(LlDesktop *d, int x, int y, int width, int height)
{
  if (d->feed.damaged == NULL)
    return;
  g_mutex_lock(&d->picture_lock);
  if (d->shown != 0) {           /* into the monitor's picture, cut to it */
    int x0 = MAX(x - d->view_x, 0), y0 = MAX(y - d->view_y, 0);
    int x1 = MIN(x + width - d->view_x, d->view_width);
    int y1 = MIN(y + height - d->view_y, d->view_height);
    x = x0;
    y = y0;
    width = x1 - x0;
    height = y1 - y0;
  }
  g_mutex_unlock(&d->picture_lock);
  if (width > 0 && height > 0)
    d->feed.damaged(x, y, width, height, d->feed_data);
}

void ll_desktop_feed_resize(LlDesktop *d, const LlScreenFormat *format, guint8 *framebuffer)
{
  g_mutex_lock(&d->picture_lock);
  d->format = *format;
  d->framebuffer = framebuffer;
  /* The monitors have changed with the size: all of it is shown again
   * (the session tells the helper, who may pick one anew). */
  d->shown = d->wanted = 0;
  g_mutex_unlock(&d->picture_lock);
  g_info("the screen is now %dx%d", format->width, format->height);
  if (d->feed.resized != NULL)
    d->feed.resized(format, framebuffer, d->feed_data);
}

/* ---- input ---- */

gboolean ll_desktop_start_input(LlDesktop *d, GError **error)
{
  if (d->input_started)
    return TRUE;
  if (!(d->caps & LL_DESKTOP_CAN_INPUT)) {
    g_set_error_literal(error, LL_ERROR, LL_ERROR_DISPLAY,
                        "this desktop does not let other programs control its keyboard and "
                        "mouse");
    return FALSE;
  }
  d->input_started = d->backend->start_input(d, error);
  return d->input_started;
}

void ll_desktop_key(LlDesktop *d, gboolean down, guint32 keysym)
{
  if (d->input_started)
    d->backend->key(d, down, keysym);
}

void ll_desktop_pointer(LlDesktop *d, int buttons, int x, int y)
{
  if (!d->input_started)
    return;
  g_mutex_lock(&d->picture_lock);
  if (d->shown != 0) {           /* the viewer's pixels are the monitor's */
    x = d->view_x + CLAMP(x, 0, d->view_width - 1);
    y = d->view_y + CLAMP(y, 0, d->view_height - 1);
  }
  g_mutex_unlock(&d->picture_lock);
  d->backend->pointer(d, buttons, x, y);
}

void ll_desktop_release_all(LlDesktop *d)
{
  if (d->input_started)
    d->backend->release_all(d);
}

void ll_desktop_watch_stop(LlDesktop *d, gboolean active)
{
  if (d->input_started)
    d->backend->watch_stop(d, active);
}

/* ---- clipboard ---- */

void ll_desktop_clipboard_set(LlDesktop *d, const char *text, gsize len)
{
  if ((d->caps & LL_DESKTOP_CAN_CLIPBOARD) && len <= LL_MAX_CLIPBOARD)
    d->backend->clipboard_set(d, text, len);
}

/* ---- events, from backends ---- */

void ll_desktop_emit_stopped(LlDesktop *d, LlDesktopStop why)
{
  if (d->events.stopped != NULL)
    d->events.stopped(d, why, d->events_data);
}

void ll_desktop_emit_copied(LlDesktop *d, const char *text, gsize len)
{
  if (d->events.copied != NULL && len <= LL_MAX_CLIPBOARD)
    d->events.copied(d, text, len, d->events_data);
}

void ll_desktop_emit_closed(LlDesktop *d, const GError *why)
{
  if (d->events.closed != NULL)
    d->events.closed(d, why, d->events_data);
}

/* ---- words ---- */

char *ll_desktop_stop_phrase(LlStopWays ways, const char *shortcut, const char *own)
{
  if (ways & LL_STOP_ESC_ANYWHERE)
    return g_strdup("press Esc");
  g_autofree char *press = (ways & LL_STOP_SHORTCUT) && shortcut != NULL
      ? g_strdup_printf("press %s", shortcut) : NULL;
  const char *parts[3];
  guint n = 0;
  if (press != NULL)
    parts[n++] = press;
  if (ways & LL_STOP_POINTER_MOVED)
    parts[n++] = "move your mouse";
  if (own != NULL)
    parts[n++] = own;
  if (n == 0)
    return g_strdup("");
  if (n == 1)
    return g_strdup(parts[0]);
  if (n == 2)
    return g_strdup_printf("%s or %s", parts[0], parts[1]);
  return g_strdup_printf("%s, %s, or %s", parts[0], parts[1], parts[2]);
}

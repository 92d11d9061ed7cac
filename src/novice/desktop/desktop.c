#include "novice/desktop/desktop_backend.h"
#include "common/duration.h"
#include "common/error.h"
#include "novice/desktop/gnome/gnome_session.h"
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
    if (ll_gnome_session_available(&gnome)) {
      *kind = LL_DESKTOP_GNOME;
      return TRUE;
    }
    const char *what = running_desktop();
    /* Its XWayland would show only X programs, not the desktop. */
    g_set_error(error, LL_ERROR, LL_ERROR_DISPLAY,
                "this is a Wayland session%s%s, which this version of Lifeline cannot share "
                "(of Wayland desktops it shares GNOME's); choose %s at the login screen instead",
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
  if (!backend->probe(choice, probe, error))
    return NULL;
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
LlStopWays ll_desktop_stop_ways(LlDesktop *d) { return d->stop_ways; }
guint8 *ll_desktop_picture(LlDesktop *d, LlScreenFormat *format)
{
  g_mutex_lock(&d->picture_lock);
  *format = d->format;
  guint8 *framebuffer = d->framebuffer;
  g_mutex_unlock(&d->picture_lock);
  return framebuffer;
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
  if (d->feed.damaged != NULL)
    d->feed.damaged(x, y, width, height, d->feed_data);
}

void ll_desktop_feed_resize(LlDesktop *d, const LlScreenFormat *format, guint8 *framebuffer)
{
  g_mutex_lock(&d->picture_lock);
  d->format = *format;
  d->framebuffer = framebuffer;
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
  if (d->input_started)
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

const char *ll_desktop_stop_ways_describe(LlStopWays ways)
{
  if (ways & LL_STOP_ESC_ANYWHERE)
    return "press Esc";
  if (ways & LL_STOP_POINTER_MOVED)
    return "move your mouse";
  return "type /stop here";
}

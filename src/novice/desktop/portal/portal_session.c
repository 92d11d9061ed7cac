#include "novice/desktop/portal/portal_session.h"
#include "common/async_guard.h"
#include "common/error.h"
#include "novice/desktop/portal/portal_request.h"
#include "novice/desktop/portal/portal_token.h"
#include "novice/desktop/session_bus.h"
#include <gio/gunixfdlist.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define CALL_TIMEOUT_MS 10000
/* The portal's device types, source types and cursor modes. */
#define DEVICE_KEYBOARD 1u
#define DEVICE_POINTER 2u
#define SOURCE_MONITOR 1u
#define CURSOR_METADATA 4u
/* persist_mode: until the novice revokes it. */
#define PERSIST_UNTIL_REVOKED 2u
#define KEY_RELEASED 0u
#define KEY_PRESSED 1u

struct LlPortalSession {
  GDBusConnection *bus;
  LlPortalOffer offer;
  char *handle;                  /* the session's object path */
  int remotes[LL_MAX_MONITORS];  /* a PipeWire connection per stream; -1: taken */
  guint n_remotes;
  guint32 devices;
  /* The streams the novice chose in the portal's dialog, a monitor each:
   * where it lies, relative to the box around them all (size 0: not
   * said). */
  guint n_streams;
  guint32 nodes[LL_MAX_MONITORS];
  LlMonitor monitors[LL_MAX_MONITORS];
  gboolean cursor_metadata, closed;
  guint closed_signal;
  void (*on_closed)(gpointer data);
  gpointer on_closed_data;
  LlPortalSessionReady ready;    /* until Start answered and the remote is open */
  gpointer ready_data;
  GCancellable *cancellable;     /* cancelled when freed: callbacks find it gone */
};

static const char *not_offered =
    "this desktop's portal offers no remote desktop sessions (xdg-desktop-portal with a "
    "backend that implements RemoteDesktop and ScreenCast, as KDE's does, is needed)";

/* ---- what the portal offers ---- */

/* Reads OFFER from BUS; FALSE (and a reason for -v in ERROR) if lacking. */
static gboolean read_offer(GDBusConnection *bus, LlPortalOffer *offer, GError **error)
{
  if (!ll_session_bus_has(bus, LL_PORTAL_NAME, TRUE, error))
    return FALSE;
  /* The first call starts the portal if it is not running yet. */
  guint32 devices = ll_portal_property_u(bus, LL_PORTAL_REMOTE_DESKTOP,
                                         "AvailableDeviceTypes", error);
  if (devices == 0)
    return FALSE;
  guint32 sources = ll_portal_property_u(bus, LL_PORTAL_SCREEN_CAST, "AvailableSourceTypes",
                                         error);
  if (!(sources & SOURCE_MONITOR))
    return FALSE;
  offer->remote_desktop_version = ll_portal_property_u(bus, LL_PORTAL_REMOTE_DESKTOP,
                                                       "version", NULL);
  offer->screen_cast_version = ll_portal_property_u(bus, LL_PORTAL_SCREEN_CAST, "version",
                                                    NULL);
  offer->global_shortcuts_version = ll_portal_property_u(bus, LL_PORTAL_GLOBAL_SHORTCUTS,
                                                         "version", NULL);
  guint32 cursors = ll_portal_property_u(bus, LL_PORTAL_SCREEN_CAST, "AvailableCursorModes",
                                         NULL);
  offer->cursor_metadata = (cursors & CURSOR_METADATA) != 0;
  return TRUE;
}

gboolean ll_portal_session_available(LlPortalOffer *offer, GError **error)
{
  g_autoptr(GError) local = NULL;
  g_autofree char *address = ll_session_bus_address(&local);
  g_autoptr(GDBusConnection) bus = address != NULL
      ? ll_session_bus_connect_sync(address, &local) : NULL;
  LlPortalOffer found = { 0 };
  gboolean ok = bus != NULL && read_offer(bus, &found, &local);
  if (bus != NULL)
    g_dbus_connection_close_sync(bus, NULL, NULL);
  if (ok) {
    if (offer != NULL)
      *offer = found;
    return TRUE;
  }
  if (local != NULL)
    g_info("the portal: %s", local->message);
  g_set_error_literal(error, LL_ERROR, LL_ERROR_DISPLAY, not_offered);
  return FALSE;
}

/* ---- opening ---- */

/* Opening ended, with WHY (NULL: the session is ready). */
static void answer(LlPortalSession *s, GError *why)
{
  LlPortalSessionReady ready = s->ready;
  s->ready = NULL;
  if (ready != NULL)
    ready(s, why, s->ready_data);   /* may free S */
  g_clear_error(&why);
}

static void fail(LlPortalSession *s, GError *why)
{
  answer(s, why);
}

/* Fails with ERROR (a request's sentence), if any. */
static gboolean step_failed(LlPortalSession *s, GError *error)
{
  if (error == NULL)
    return FALSE;
  fail(s, error);
  return TRUE;
}

static void request(LlPortalSession *s, const char *interface, const char *method,
                    GVariantBuilder *options, gboolean with_session, GAsyncReadyCallback next)
{
  g_autofree char *token = NULL;
  GVariant *opts = ll_portal_options_with_token(options, &token);
  GVariant *params = with_session ? g_variant_new("(o@a{sv})", s->handle, opts)
                                  : g_variant_new("(@a{sv})", opts);
  ll_portal_request_async(s->bus, interface, method, params, token, s->cancellable, next,
                          ll_async_guard_new(s, s->cancellable));
}

static void on_session_closed(GDBusConnection *bus, const char *sender, const char *path,
                              const char *interface, const char *signal, GVariant *params,
                              gpointer data)
{
  LlPortalSession *s = data;
  (void)bus; (void)sender; (void)path; (void)interface; (void)signal; (void)params;
  if (s->closed)
    return;
  s->closed = TRUE;
  g_info("the portal closed the session");
  if (s->ready != NULL)
    fail(s, g_error_new_literal(LL_ERROR, LL_ERROR_DISPLAY,
                                "the desktop ended the screen sharing before it began"));
  else if (s->on_closed != NULL)
    s->on_closed(s->on_closed_data);
}

static void open_remote(LlPortalSession *s);

static void on_remote(GObject *source, GAsyncResult *result, gpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GUnixFDList) fds = NULL;
  g_autoptr(GVariant) reply = g_dbus_connection_call_with_unix_fd_list_finish(
      G_DBUS_CONNECTION(source), &fds, result, &error);
  LlPortalSession *s = ll_async_guard_finish(data);
  if (s == NULL)
    return;
  gint32 index = -1;
  if (reply != NULL)
    g_variant_get(reply, "(h)", &index);
  if (reply == NULL || fds == NULL || index < 0 || index >= g_unix_fd_list_get_length(fds)) {
    g_info("the portal's PipeWire remote: %s", error != NULL ? error->message : "no fd");
    fail(s, g_error_new_literal(LL_ERROR, LL_ERROR_DISPLAY,
                                "the desktop's portal did not hand over the screen stream"));
    return;
  }
  s->remotes[s->n_remotes++] = g_unix_fd_list_get(fds, index, NULL);
  if (s->n_remotes < s->n_streams)
    open_remote(s);
  else
    answer(s, NULL);
}

/* One stream of Start's answer: its node and where its monitor is (in
 * the compositor's layout); FALSE for a stream that cannot be shown. */
static gboolean read_stream(GVariant *stream, guint32 *node, LlMonitor *m)
{
  g_autoptr(GVariant) props = NULL;
  g_variant_get(stream, "(u@a{sv})", node, &props);
  gint32 x = 0, y = 0, width = 0, height = 0;
  memset(m, 0, sizeof *m);
  g_variant_lookup(props, "position", "(ii)", &x, &y);
  if (abs(x) > LL_MAX_MONITOR_SIDE || abs(y) > LL_MAX_MONITOR_SIDE || *node == 0)
    return FALSE;
  m->x = x;
  m->y = y;
  if (g_variant_lookup(props, "size", "(ii)", &width, &height) && width > 0 && height > 0 &&
      width <= LL_MAX_MONITOR_SIDE && height <= LL_MAX_MONITOR_SIDE) {
    m->width = width;
    m->height = height;
  }
  return TRUE;
}

/* The streams of Start's answer (at most LL_MAX_MONITORS), placed
 * relative to the box around them. */
static gboolean take_streams(LlPortalSession *s, GVariant *results)
{
  g_autoptr(GVariant) streams = g_variant_lookup_value(results, "streams",
                                                       G_VARIANT_TYPE("a(ua{sv})"));
  gsize count = streams != NULL ? g_variant_n_children(streams) : 0;
  int x0 = G_MAXINT, y0 = G_MAXINT;
  for (gsize i = 0; i < count && s->n_streams < LL_MAX_MONITORS; i++) {
    g_autoptr(GVariant) stream = g_variant_get_child_value(streams, i);
    LlMonitor *m = &s->monitors[s->n_streams];
    if (!read_stream(stream, &s->nodes[s->n_streams], m))
      continue;
    if (count > 1)               /* the portal names none */
      g_snprintf(m->name, sizeof m->name, "monitor-%u", s->n_streams + 1);
    else
      g_strlcpy(m->name, "screen", sizeof m->name);
    x0 = MIN(x0, m->x);
    y0 = MIN(y0, m->y);
    s->n_streams++;
  }
  for (guint i = 0; i < s->n_streams; i++) {
    s->monitors[i].x -= x0;
    s->monitors[i].y -= y0;
  }
  return s->n_streams > 0;
}

static void on_started(GObject *source, GAsyncResult *result, gpointer data)
{
  GError *error = NULL;
  (void)source;
  g_autoptr(GVariant) results = ll_portal_request_finish(result, &error);
  LlPortalSession *s = ll_async_guard_finish(data);
  if (s == NULL)
    g_clear_error(&error);
  if (s == NULL || step_failed(s, error))
    return;
  g_variant_lookup(results, "devices", "u", &s->devices);
  if (!take_streams(s, results)) {
    fail(s, g_error_new_literal(LL_ERROR, LL_ERROR_DISPLAY,
                                "no screen was chosen in the desktop's dialog"));
    return;
  }
  const char *restore = NULL;
  if (g_variant_lookup(results, "restore_token", "&s", &restore))
    ll_portal_token_save(restore);
  open_remote(s);
}

/* A PipeWire connection of its own for each stream (one connection
 * carries one stream here: pw_screen.c), each opened by the portal. */
static void open_remote(LlPortalSession *s)
{
  g_dbus_connection_call_with_unix_fd_list(
      s->bus, LL_PORTAL_NAME, LL_PORTAL_PATH, LL_PORTAL_SCREEN_CAST, "OpenPipeWireRemote",
      g_variant_new("(o@a{sv})", s->handle, g_variant_new_array(G_VARIANT_TYPE("{sv}"), NULL, 0)),
      G_VARIANT_TYPE("(h)"), G_DBUS_CALL_FLAGS_NONE, CALL_TIMEOUT_MS, NULL, s->cancellable,
      on_remote, ll_async_guard_new(s, s->cancellable));
}

static void on_sources(GObject *source, GAsyncResult *result, gpointer data)
{
  GError *error = NULL;
  (void)source;
  GVariant *results = ll_portal_request_finish(result, &error);   /* nothing in it we use */
  g_clear_pointer(&results, g_variant_unref);
  LlPortalSession *s = ll_async_guard_finish(data);
  if (s == NULL)
    g_clear_error(&error);
  if (s == NULL || step_failed(s, error))
    return;
  /* Now the portal shows its dialog, and Start answers once the novice did. */
  g_autofree char *token = NULL;
  GVariantBuilder options;
  g_variant_builder_init(&options, G_VARIANT_TYPE("a{sv}"));
  GVariant *opts = ll_portal_options_with_token(&options, &token);
  ll_portal_request_async(s->bus, LL_PORTAL_REMOTE_DESKTOP, "Start",
                          g_variant_new("(os@a{sv})", s->handle, "", opts), token,
                          s->cancellable, on_started, ll_async_guard_new(s, s->cancellable));
}

static void on_devices(GObject *source, GAsyncResult *result, gpointer data)
{
  GError *error = NULL;
  (void)source;
  GVariant *results = ll_portal_request_finish(result, &error);   /* nothing in it we use */
  g_clear_pointer(&results, g_variant_unref);
  LlPortalSession *s = ll_async_guard_finish(data);
  if (s == NULL)
    g_clear_error(&error);
  if (s == NULL || step_failed(s, error))
    return;
  GVariantBuilder options;
  g_variant_builder_init(&options, G_VARIANT_TYPE("a{sv}"));
  g_variant_builder_add(&options, "{sv}", "types", g_variant_new_uint32(SOURCE_MONITOR));
  /* The novice may choose several monitors: all of them are shown. */
  g_variant_builder_add(&options, "{sv}", "multiple", g_variant_new_boolean(TRUE));
  /* The pointer as metadata where offered: the novice's mouse then ends
   * control (pointer_watch.c); else drawn in, so the helper sees it. */
  s->cursor_metadata = s->offer.cursor_metadata;
  g_variant_builder_add(&options, "{sv}", "cursor_mode",
                        g_variant_new_uint32(s->cursor_metadata ? CURSOR_METADATA : 2u));
  request(s, LL_PORTAL_SCREEN_CAST, "SelectSources", &options, TRUE, on_sources);
}

static void select_devices(LlPortalSession *s)
{
  GVariantBuilder options;
  g_variant_builder_init(&options, G_VARIANT_TYPE("a{sv}"));
  g_variant_builder_add(&options, "{sv}", "types",
                        g_variant_new_uint32(DEVICE_KEYBOARD | DEVICE_POINTER));
  if (s->offer.remote_desktop_version >= 2) {
    g_variant_builder_add(&options, "{sv}", "persist_mode",
                          g_variant_new_uint32(PERSIST_UNTIL_REVOKED));
    g_autofree char *restore = ll_portal_token_load();
    if (restore != NULL)
      g_variant_builder_add(&options, "{sv}", "restore_token", g_variant_new_string(restore));
  } else {
    g_info("this desktop's portal (RemoteDesktop version %u) cannot remember the novice's "
           "choice: its dialog asks every time", s->offer.remote_desktop_version);
  }
  request(s, LL_PORTAL_REMOTE_DESKTOP, "SelectDevices", &options, TRUE, on_devices);
}

static void on_created(GObject *source, GAsyncResult *result, gpointer data)
{
  GError *error = NULL;
  (void)source;
  g_autoptr(GVariant) results = ll_portal_request_finish(result, &error);
  LlPortalSession *s = ll_async_guard_finish(data);
  if (s == NULL)
    g_clear_error(&error);
  if (s == NULL || step_failed(s, error))
    return;
  const char *handle = NULL;
  if (!g_variant_lookup(results, "session_handle", "&s", &handle) &&
      !g_variant_lookup(results, "session_handle", "&o", &handle)) {
    fail(s, g_error_new_literal(LL_ERROR, LL_ERROR_DISPLAY,
                                "the desktop's portal made no session"));
    return;
  }
  if (!g_variant_is_object_path(handle)) {
    fail(s, g_error_new_literal(LL_ERROR, LL_ERROR_PROTOCOL,
                                "the desktop's portal named its session wrongly"));
    return;
  }
  s->handle = g_strdup(handle);
  s->closed_signal = g_dbus_connection_signal_subscribe(
      s->bus, LL_PORTAL_NAME, LL_PORTAL_SESSION, "Closed", s->handle, NULL,
      G_DBUS_SIGNAL_FLAGS_NONE, on_session_closed, s, NULL);
  select_devices(s);
}

static void on_connected(GObject *source, GAsyncResult *result, gpointer data)
{
  GError *error = NULL;
  (void)source;
  GDBusConnection *bus = g_dbus_connection_new_for_address_finish(result, &error);
  LlPortalSession *s = ll_async_guard_finish(data);
  if (s == NULL) {
    g_clear_error(&error);
    g_clear_object(&bus);
    return;
  }
  s->bus = bus;
  if (s->bus == NULL) {
    g_info("the session bus: %s", error->message);
    g_clear_error(&error);
    fail(s, g_error_new_literal(LL_ERROR, LL_ERROR_DISPLAY, not_offered));
    return;
  }
  g_dbus_connection_set_exit_on_close(s->bus, FALSE);
  if (!read_offer(s->bus, &s->offer, &error)) {
    g_info("the portal: %s", error != NULL ? error->message : "no remote desktop");
    g_clear_error(&error);
    fail(s, g_error_new_literal(LL_ERROR, LL_ERROR_DISPLAY, not_offered));
    return;
  }
  g_autofree char *session_token = ll_portal_token();
  GVariantBuilder options;
  g_variant_builder_init(&options, G_VARIANT_TYPE("a{sv}"));
  g_variant_builder_add(&options, "{sv}", "session_handle_token",
                        g_variant_new_string(session_token));
  request(s, LL_PORTAL_REMOTE_DESKTOP, "CreateSession", &options, FALSE, on_created);
}

static gboolean on_no_bus(gpointer data)
{
  LlPortalSession *s = ll_async_guard_finish(data);
  if (s != NULL)
    fail(s, g_error_new_literal(LL_ERROR, LL_ERROR_DISPLAY, not_offered));
  return G_SOURCE_REMOVE;
}

LlPortalSession *ll_portal_session_new(LlPortalSessionReady ready, gpointer user_data)
{
  LlPortalSession *s = g_new0(LlPortalSession, 1);
  s->cancellable = g_cancellable_new();
  s->ready = ready;
  s->ready_data = user_data;
  GError *error = NULL;
  g_autofree char *address = ll_session_bus_address(&error);
  if (address == NULL) {
    g_info("the session bus: %s", error->message);
    g_clear_error(&error);
    ll_async_guard_idle(s, s->cancellable, on_no_bus);   /* the caller has S first */
    return s;
  }
  g_dbus_connection_new_for_address(address, G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT |
                                    G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION, NULL,
                                    s->cancellable, on_connected,
                                    ll_async_guard_new(s, s->cancellable));
  return s;
}

/* ---- the session ---- */

void ll_portal_session_free(LlPortalSession *s)
{
  if (s == NULL)
    return;
  g_cancellable_cancel(s->cancellable);
  if (s->closed_signal != 0)
    g_dbus_connection_signal_unsubscribe(s->bus, s->closed_signal);
  if (s->handle != NULL && !s->closed)
    g_dbus_connection_call(s->bus, LL_PORTAL_NAME, s->handle, LL_PORTAL_SESSION, "Close",
                           NULL, NULL, G_DBUS_CALL_FLAGS_NO_AUTO_START, CALL_TIMEOUT_MS, NULL,
                           NULL, NULL);
  if (s->bus != NULL) {
    g_dbus_connection_flush_sync(s->bus, NULL, NULL);
    g_dbus_connection_close(s->bus, NULL, NULL, NULL);
    g_object_unref(s->bus);
  }
  for (guint i = 0; i < s->n_remotes; i++)
    if (s->remotes[i] >= 0)
      close(s->remotes[i]);
  g_clear_object(&s->cancellable);
  g_free(s->handle);
  g_free(s);
}

int ll_portal_session_take_remote(LlPortalSession *s, guint stream)
{
  g_return_val_if_fail(stream < s->n_remotes, -1);
  int fd = s->remotes[stream];
  s->remotes[stream] = -1;
  return fd;
}

guint ll_portal_session_streams(LlPortalSession *s) { return s->n_streams; }
guint32 ll_portal_session_node(LlPortalSession *s, guint stream) { return s->nodes[stream]; }

const LlMonitor *ll_portal_session_monitor(LlPortalSession *s, guint stream)
{
  return &s->monitors[stream];
}
gboolean ll_portal_session_cursor_metadata(LlPortalSession *s) { return s->cursor_metadata; }
GDBusConnection *ll_portal_session_bus(LlPortalSession *s) { return s->bus; }
const LlPortalOffer *ll_portal_session_offer(LlPortalSession *s) { return &s->offer; }

gboolean ll_portal_session_has_input(LlPortalSession *s)
{
  return (s->devices & (DEVICE_KEYBOARD | DEVICE_POINTER)) == (DEVICE_KEYBOARD | DEVICE_POINTER);
}

void ll_portal_session_on_closed(LlPortalSession *s, void (*closed)(gpointer data),
                                 gpointer data)
{
  s->on_closed = closed;
  s->on_closed_data = data;
}

/* ---- input ---- */

static void notify(LlPortalSession *s, const char *method, GVariant *params)
{
  if (s->closed)
    return;
  g_dbus_connection_call(s->bus, LL_PORTAL_NAME, LL_PORTAL_PATH, LL_PORTAL_REMOTE_DESKTOP,
                         method, params, NULL, G_DBUS_CALL_FLAGS_NO_AUTO_START,
                         CALL_TIMEOUT_MS, NULL, NULL, NULL);
}

static GVariant *no_options(void)
{
  return g_variant_new_array(G_VARIANT_TYPE("{sv}"), NULL, 0);
}

void ll_portal_session_key(LlPortalSession *s, guint32 keysym, gboolean down)
{
  notify(s, "NotifyKeyboardKeysym", g_variant_new("(o@a{sv}iu)", s->handle, no_options(),
                                                  (gint32)keysym,
                                                  down ? KEY_PRESSED : KEY_RELEASED));
}

void ll_portal_session_move(LlPortalSession *s, guint stream, double x, double y)
{
  g_return_if_fail(stream < s->n_streams);
  notify(s, "NotifyPointerMotionAbsolute",
         g_variant_new("(o@a{sv}udd)", s->handle, no_options(), s->nodes[stream], x, y));
}

void ll_portal_session_button(LlPortalSession *s, guint32 code, gboolean down)
{
  notify(s, "NotifyPointerButton", g_variant_new("(o@a{sv}iu)", s->handle, no_options(),
                                                 (gint32)code,
                                                 down ? KEY_PRESSED : KEY_RELEASED));
}

void ll_portal_session_scroll(LlPortalSession *s, guint axis, int steps)
{
  notify(s, "NotifyPointerAxisDiscrete", g_variant_new("(o@a{sv}ui)", s->handle, no_options(),
                                                       axis, steps));
}

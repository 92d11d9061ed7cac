#include "novice/desktop/gnome/gnome_session.h"
#include "common/async_guard.h"
#include "common/error.h"
#include "novice/desktop/session_bus.h"

#define MUTTER_RD "org.gnome.Mutter.RemoteDesktop"
#define MUTTER_SC "org.gnome.Mutter.ScreenCast"
#define RD_PATH "/org/gnome/Mutter/RemoteDesktop"
#define SC_PATH "/org/gnome/Mutter/ScreenCast"
#define RD_SESSION MUTTER_RD ".Session"
#define SC_SESSION MUTTER_SC ".Session"
#define SC_STREAM MUTTER_SC ".Stream"
#define DISPLAY_CONFIG "org.gnome.Mutter.DisplayConfig"
#define DISPLAY_CONFIG_PATH "/org/gnome/Mutter/DisplayConfig"
/* Each call to Mutter, and the wait for the stream, has this deadline. */
#define CALL_TIMEOUT_MS 10000
/* Mutter's cursor-mode "metadata": the pointer is not painted in. */
#define CURSOR_MODE_METADATA 2

struct LlGnomeSession {
  GDBusConnection *bus;
  char *mutter;                  /* Mutter's unique bus name */
  char *rd_path, *sc_path;
  /* A stream per monitor of the layout, in its order (primary first). */
  char *stream_paths[LL_MAX_MONITORS];
  guint32 nodes[LL_MAX_MONITORS];
  guint n_recorded, n_nodes;
  gboolean started, closed;
  guint closed_signal, stream_signal, monitors_signal, name_watch, stream_deadline;
  LlGnomeLayout layout;
  gboolean checking;             /* asking whether the monitors changed */
  void (*on_closed)(LlGnomeClosed why, gpointer data);
  gpointer on_closed_data;
  GTask *opening;                /* until the stream exists */
  GCancellable *cancellable;     /* cancelled when freed */
  void (*alive)(gpointer data);  /* the check's answer */
  gpointer alive_data;
};

static const char *not_offered =
    "this GNOME session does not offer screen sharing to other programs (Mutter's "
    "RemoteDesktop service is not on the session bus)";

/* How many monitors GNOME shows now; 1 when it does not say. */
static guint count_monitors(GDBusConnection *bus)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) state = g_dbus_connection_call_sync(
      bus, DISPLAY_CONFIG, DISPLAY_CONFIG_PATH, DISPLAY_CONFIG, "GetCurrentState", NULL,
      G_VARIANT_TYPE(LL_GNOME_STATE_TYPE), G_DBUS_CALL_FLAGS_NO_AUTO_START, CALL_TIMEOUT_MS,
      NULL, &error);
  LlGnomeLayout layout;
  if (state == NULL || !ll_gnome_layout_parse(state, &layout, &error)) {
    g_info("GNOME's monitors: %s", error->message);
    return 1;
  }
  return layout.n_monitors;
}

static gboolean mutter_on_bus(const char *address, guint *monitors, GError **error)
{
  g_autoptr(GDBusConnection) bus = ll_session_bus_connect_sync(address, error);
  if (bus == NULL)
    return FALSE;
  gboolean owned = ll_session_bus_has(bus, MUTTER_RD, FALSE, error);
  if (owned && monitors != NULL)
    *monitors = count_monitors(bus);
  g_dbus_connection_close_sync(bus, NULL, NULL);
  return owned;
}

gboolean ll_gnome_session_available(guint *monitors, GError **error)
{
  g_autoptr(GError) local = NULL;
  g_autofree char *address = ll_session_bus_address(&local);
  if (address != NULL && mutter_on_bus(address, monitors, &local))
    return TRUE;
  if (local != NULL)
    g_info("the session bus: %s", local->message);
  g_set_error_literal(error, LL_ERROR, LL_ERROR_DISPLAY, not_offered);
  return FALSE;
}

/* ---- closing ---- */

static void mark_closed(LlGnomeSession *s, LlGnomeClosed why)
{
  if (s->closed)
    return;
  s->closed = TRUE;
  if (s->on_closed != NULL)
    s->on_closed(why, s->on_closed_data);
}

typedef struct {
  LlAsyncGuard *guard;
  gboolean closed;               /* Mutter closed the session (else: monitors changed) */
} LayoutCheck;

static void on_layout_now(GObject *source, GAsyncResult *result, gpointer data)
{
  LayoutCheck *check = data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) state = g_dbus_connection_call_finish(G_DBUS_CONNECTION(source), result,
                                                            &error);
  LlGnomeSession *s = ll_async_guard_finish(check->guard);
  gboolean closed = check->closed;
  g_free(check);
  if (s == NULL)
    return;
  s->checking = FALSE;
  LlGnomeLayout now;
  /* Not the serial alone: Mutter 43 keeps it for a temporary layout. */
  if (state != NULL && ll_gnome_layout_parse(state, &now, NULL) &&
      (now.serial != s->layout.serial || !ll_gnome_layout_equal(&now, &s->layout))) {
    g_info("GNOME's monitors changed (layout %u -> %u)", s->layout.serial, now.serial);
    mark_closed(s, LL_GNOME_SCREENS_CHANGED);
  } else if (closed) {
    mark_closed(s, state != NULL ? LL_GNOME_CLOSED_BY_MUTTER : LL_GNOME_CLOSED_MUTTER_GONE);
  }
}

/* Closed, or the monitors changed: which it means needs the layout now. */
static void check_layout(LlGnomeSession *s, gboolean closed)
{
  if (s->closed || (s->checking && !closed))
    return;
  s->checking = TRUE;
  LayoutCheck *check = g_new0(LayoutCheck, 1);
  check->guard = ll_async_guard_new(s, s->cancellable);
  check->closed = closed;
  g_dbus_connection_call(s->bus, s->mutter, DISPLAY_CONFIG_PATH, DISPLAY_CONFIG,
                         "GetCurrentState", NULL, G_VARIANT_TYPE(LL_GNOME_STATE_TYPE),
                         G_DBUS_CALL_FLAGS_NO_AUTO_START, CALL_TIMEOUT_MS, s->cancellable,
                         on_layout_now, check);
}

static void on_session_closed(GDBusConnection *bus, const char *sender, const char *path,
                              const char *interface, const char *signal, GVariant *params,
                              gpointer data)
{
  (void)bus; (void)sender; (void)path; (void)interface; (void)signal; (void)params;
  g_info("Mutter closed the remote desktop session");
  check_layout(data, TRUE);
}

static void on_monitors_changed(GDBusConnection *bus, const char *sender, const char *path,
                                const char *interface, const char *signal, GVariant *params,
                                gpointer data)
{
  (void)bus; (void)sender; (void)path; (void)interface; (void)signal; (void)params;
  check_layout(data, FALSE);
}

static void on_mutter_vanished(GDBusConnection *bus, const char *name, gpointer data)
{
  (void)bus; (void)name;
  g_info("Mutter left the session bus");
  mark_closed(data, LL_GNOME_CLOSED_MUTTER_GONE);
}

void ll_gnome_session_on_closed(LlGnomeSession *s,
                                void (*closed)(LlGnomeClosed why, gpointer data), gpointer data)
{
  s->on_closed = closed;
  s->on_closed_data = data;
}

void ll_gnome_session_free(LlGnomeSession *s)
{
  if (s == NULL)
    return;
  g_clear_handle_id(&s->stream_deadline, g_source_remove);
  g_cancellable_cancel(s->cancellable);
  g_clear_object(&s->cancellable);
  if (s->bus != NULL) {
    if (s->closed_signal != 0)
      g_dbus_connection_signal_unsubscribe(s->bus, s->closed_signal);
    if (s->stream_signal != 0)
      g_dbus_connection_signal_unsubscribe(s->bus, s->stream_signal);
    if (s->monitors_signal != 0)
      g_dbus_connection_signal_unsubscribe(s->bus, s->monitors_signal);
    if (s->rd_path != NULL && !s->closed)
      g_dbus_connection_call(s->bus, s->mutter, s->rd_path, RD_SESSION, "Stop", NULL, NULL,
                             G_DBUS_CALL_FLAGS_NONE, CALL_TIMEOUT_MS, NULL, NULL, NULL);
    /* Mutter ends the session when this connection goes, Stop or not. */
    g_dbus_connection_close(s->bus, NULL, NULL, NULL);
  }
  if (s->name_watch != 0)
    g_bus_unwatch_name(s->name_watch);
  g_clear_object(&s->bus);
  g_free(s->mutter);
  g_free(s->rd_path);
  g_free(s->sc_path);
  for (guint i = 0; i < s->n_recorded; i++)
    g_free(s->stream_paths[i]);
  g_free(s);
}

static void on_checked(GObject *source, GAsyncResult *result, gpointer data)
{
  GError *error = NULL;
  g_autoptr(GVariant) reply = g_dbus_connection_call_finish(G_DBUS_CONNECTION(source), result,
                                                            &error);
  LlGnomeSession *s = ll_async_guard_finish(data);
  if (s == NULL || s->closed) {
    g_clear_error(&error);
    return;
  }
  if (reply == NULL) {
    g_info("Mutter did not answer: %s", error->message);
    g_clear_error(&error);
    mark_closed(s, LL_GNOME_CLOSED_MUTTER_GONE);
    return;
  }
  if (s->alive != NULL)
    s->alive(s->alive_data);
}

void ll_gnome_session_check(LlGnomeSession *s, void (*alive)(gpointer data), gpointer data)
{
  s->alive = alive;
  s->alive_data = data;
  g_dbus_connection_call(s->bus, s->mutter, s->rd_path, "org.freedesktop.DBus.Properties",
                         "Get", g_variant_new("(ss)", RD_SESSION, "SessionId"),
                         G_VARIANT_TYPE("(v)"), G_DBUS_CALL_FLAGS_NO_AUTO_START, CALL_TIMEOUT_MS,
                         s->cancellable, on_checked, ll_async_guard_new(s, s->cancellable));
}

/* ---- opening: one step per reply ---- */

/* Ends the open: S goes with it (no call of S's is pending then). */
static void fail(LlGnomeSession *s, GError *error)
{
  g_autoptr(GTask) task = g_steal_pointer(&s->opening);
  g_task_return_error(task, error);
  ll_gnome_session_free(s);
}

/* The step's reply, or NULL after failing the open with a sentence. */
static GVariant *reply_of(LlGnomeSession *s, GAsyncResult *result, const char *what)
{
  GError *error = NULL;
  GVariant *reply = g_dbus_connection_call_finish(s->bus, result, &error);
  if (reply == NULL) {
    if (g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CANCELLED)) {
      fail(s, error);
      return NULL;
    }
    g_info("Mutter's %s: %s", what, error->message);
    g_clear_error(&error);
    fail(s, g_error_new(LL_ERROR, LL_ERROR_DISPLAY,
                        "GNOME refused to share the screen (%s failed); try again, or log in "
                        "to \"GNOME on Xorg\" instead", what));
  }
  return reply;
}

static void call(LlGnomeSession *s, const char *path, const char *interface, const char *method,
                 GVariant *params, const char *reply_type, GAsyncReadyCallback next)
{
  g_dbus_connection_call(s->bus, s->mutter, path, interface, method, params,
                         G_VARIANT_TYPE(reply_type), G_DBUS_CALL_FLAGS_NO_AUTO_START,
                         CALL_TIMEOUT_MS, g_task_get_cancellable(s->opening), next, s);
}

static gboolean on_stream_deadline(gpointer data)
{
  LlGnomeSession *s = data;
  s->stream_deadline = 0;
  fail(s, g_error_new_literal(LL_ERROR, LL_ERROR_DISPLAY,
                              "GNOME started sharing but sent no screen; try again"));
  return G_SOURCE_REMOVE;
}

static void on_stream_added(GDBusConnection *bus, const char *sender, const char *path,
                            const char *interface, const char *signal, GVariant *params,
                            gpointer data)
{
  LlGnomeSession *s = data;
  (void)bus; (void)sender; (void)interface; (void)signal;
  if (s->opening == NULL || !g_variant_is_of_type(params, G_VARIANT_TYPE("(u)")))
    return;
  guint i = 0;
  while (i < s->n_recorded && g_strcmp0(s->stream_paths[i], path) != 0)
    i++;
  if (i == s->n_recorded || s->nodes[i] != 0)
    return;                      /* not one of ours, or said twice */
  g_variant_get(params, "(u)", &s->nodes[i]);
  g_info("Mutter's screen stream of %s is PipeWire node %u", s->layout.monitors[i].name,
         s->nodes[i]);
  if (s->nodes[i] == 0 || ++s->n_nodes < s->n_recorded)
    return;
  g_clear_handle_id(&s->stream_deadline, g_source_remove);
  g_autoptr(GTask) task = g_steal_pointer(&s->opening);
  g_task_return_pointer(task, s, (GDestroyNotify)ll_gnome_session_free);
}

static void on_started(GObject *source, GAsyncResult *result, gpointer data)
{
  LlGnomeSession *s = data;
  (void)source;
  g_autoptr(GVariant) reply = reply_of(s, result, "starting the session");
  if (reply == NULL)
    return;
  s->started = TRUE;
  s->stream_deadline = g_timeout_add(CALL_TIMEOUT_MS, on_stream_deadline, s);
}

static void record_next_monitor(LlGnomeSession *s);

static void on_monitor_recorded(GObject *source, GAsyncResult *result, gpointer data)
{
  LlGnomeSession *s = data;
  (void)source;
  g_autoptr(GVariant) reply = reply_of(s, result, "recording the monitor");
  if (reply == NULL)
    return;
  g_variant_get(reply, "(o)", &s->stream_paths[s->n_recorded++]);
  if (s->n_recorded < s->layout.n_monitors) {
    record_next_monitor(s);
    return;
  }
  /* Each stream says which PipeWire node it is once the session starts. */
  s->stream_signal = g_dbus_connection_signal_subscribe(
      s->bus, s->mutter, SC_STREAM, "PipeWireStreamAdded", NULL, NULL,
      G_DBUS_SIGNAL_FLAGS_NONE, on_stream_added, s, NULL);
  call(s, s->rd_path, RD_SESSION, "Start", NULL, "()", on_started);
}

/* Every monitor, each a stream of its own: the whole desktop. It would be
 * one RecordArea, but Mutter 43 crashes recording an area with the
 * pointer as metadata (measured: cogl_texture_2d_new_with_size asserts,
 * then it dies), and without the metadata the novice's mouse could not
 * end control. */
static void record_next_monitor(LlGnomeSession *s)
{
  GVariantDict options;
  g_variant_dict_init(&options, NULL);
  g_variant_dict_insert(&options, "cursor-mode", "u", CURSOR_MODE_METADATA);
  call(s, s->sc_path, SC_SESSION, "RecordMonitor",
       g_variant_new("(s@a{sv})", s->layout.monitors[s->n_recorded].name,
                     g_variant_dict_end(&options)),
       "(o)", on_monitor_recorded);
}

static void on_screencast_created(GObject *source, GAsyncResult *result, gpointer data)
{
  LlGnomeSession *s = data;
  (void)source;
  g_autoptr(GVariant) reply = reply_of(s, result, "creating the screen cast");
  if (reply == NULL)
    return;
  g_variant_get(reply, "(o)", &s->sc_path);
  record_next_monitor(s);
}

static void on_session_id(GObject *source, GAsyncResult *result, gpointer data)
{
  LlGnomeSession *s = data;
  (void)source;
  g_autoptr(GVariant) reply = reply_of(s, result, "reading the session's id");
  if (reply == NULL)
    return;
  g_autoptr(GVariant) value = NULL;
  g_variant_get(reply, "(v)", &value);
  if (!g_variant_is_of_type(value, G_VARIANT_TYPE_STRING)) {
    fail(s, g_error_new_literal(LL_ERROR, LL_ERROR_DISPLAY,
                                "GNOME's remote desktop service answered in a way Lifeline "
                                "does not understand"));
    return;
  }
  GVariantDict options;
  g_variant_dict_init(&options, NULL);
  g_variant_dict_insert_value(&options, "remote-desktop-session-id", value);
  call(s, SC_PATH, MUTTER_SC, "CreateSession",
       g_variant_new("(@a{sv})", g_variant_dict_end(&options)), "(o)", on_screencast_created);
}

static void on_session_created(GObject *source, GAsyncResult *result, gpointer data)
{
  LlGnomeSession *s = data;
  (void)source;
  g_autoptr(GVariant) reply = reply_of(s, result, "creating the session");
  if (reply == NULL)
    return;
  g_variant_get(reply, "(o)", &s->rd_path);
  s->closed_signal = g_dbus_connection_signal_subscribe(
      s->bus, s->mutter, RD_SESSION, "Closed", s->rd_path, NULL, G_DBUS_SIGNAL_FLAGS_NONE,
      on_session_closed, s, NULL);
  call(s, s->rd_path, "org.freedesktop.DBus.Properties", "Get",
       g_variant_new("(ss)", RD_SESSION, "SessionId"), "(v)", on_session_id);
}

static void on_layout(GObject *source, GAsyncResult *result, gpointer data)
{
  LlGnomeSession *s = data;
  (void)source;
  g_autoptr(GVariant) reply = reply_of(s, result, "reading the monitors");
  if (reply == NULL)
    return;
  GError *error = NULL;
  if (!ll_gnome_layout_parse(reply, &s->layout, &error)) {
    fail(s, error);
    return;
  }
  call(s, RD_PATH, MUTTER_RD, "CreateSession", NULL, "(o)", on_session_created);
}

static void on_owner(GObject *source, GAsyncResult *result, gpointer data)
{
  LlGnomeSession *s = data;
  (void)source;
  GError *error = NULL;
  g_autoptr(GVariant) reply = g_dbus_connection_call_finish(s->bus, result, &error);
  if (reply == NULL) {
    g_info("Mutter's bus name: %s", error->message);
    g_clear_error(&error);
    fail(s, g_error_new_literal(LL_ERROR, LL_ERROR_DISPLAY, not_offered));
    return;
  }
  g_variant_get(reply, "(s)", &s->mutter);
  s->name_watch = g_bus_watch_name_on_connection(s->bus, MUTTER_RD, G_BUS_NAME_WATCHER_FLAGS_NONE,
                                                 NULL, on_mutter_vanished, s, NULL);
  s->monitors_signal = g_dbus_connection_signal_subscribe(
      s->bus, s->mutter, DISPLAY_CONFIG, "MonitorsChanged", DISPLAY_CONFIG_PATH, NULL,
      G_DBUS_SIGNAL_FLAGS_NONE, on_monitors_changed, s, NULL);
  call(s, DISPLAY_CONFIG_PATH, DISPLAY_CONFIG, "GetCurrentState", NULL, LL_GNOME_STATE_TYPE,
       on_layout);
}

static void on_connected(GObject *source, GAsyncResult *result, gpointer data)
{
  LlGnomeSession *s = data;
  (void)source;
  GError *error = NULL;
  s->bus = g_dbus_connection_new_for_address_finish(result, &error);
  if (s->bus == NULL) {
    g_info("the session bus: %s", error->message);
    g_clear_error(&error);
    fail(s, g_error_new_literal(LL_ERROR, LL_ERROR_DISPLAY,
                                "the desktop's session bus cannot be reached from here; run "
                                "Lifeline inside your desktop session"));
    return;
  }
  g_dbus_connection_set_exit_on_close(s->bus, FALSE);
  g_dbus_connection_call(s->bus, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                         "org.freedesktop.DBus", "GetNameOwner", g_variant_new("(s)", MUTTER_RD),
                         G_VARIANT_TYPE("(s)"), G_DBUS_CALL_FLAGS_NONE, CALL_TIMEOUT_MS,
                         g_task_get_cancellable(s->opening), on_owner, s);
}

void ll_gnome_session_new_async(GCancellable *cancellable, GAsyncReadyCallback callback,
                                gpointer user_data)
{
  LlGnomeSession *s = g_new0(LlGnomeSession, 1);
  s->cancellable = g_cancellable_new();
  GTask *task = g_task_new(NULL, cancellable, callback, user_data);
  s->opening = task;
  GError *error = NULL;
  g_autofree char *address = ll_session_bus_address(&error);
  if (address == NULL) {
    g_info("the session bus: %s", error->message);
    g_clear_error(&error);
    fail(s, g_error_new_literal(LL_ERROR, LL_ERROR_DISPLAY, not_offered));
    return;
  }
  g_dbus_connection_new_for_address(address, G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT |
                                    G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION, NULL,
                                    cancellable, on_connected, s);
}

LlGnomeSession *ll_gnome_session_new_finish(GAsyncResult *result, GError **error)
{
  return g_task_propagate_pointer(G_TASK(result), error);
}

guint ll_gnome_session_streams(LlGnomeSession *s) { return s->n_recorded; }
guint32 ll_gnome_session_node(LlGnomeSession *s, guint index) { return s->nodes[index]; }
const LlGnomeLayout *ll_gnome_session_layout(LlGnomeSession *s) { return &s->layout; }
GDBusConnection *ll_gnome_session_bus(LlGnomeSession *s) { return s->bus; }
const char *ll_gnome_session_mutter(LlGnomeSession *s) { return s->mutter; }
const char *ll_gnome_session_path(LlGnomeSession *s) { return s->rd_path; }

/* ---- input ---- */

static void notify(LlGnomeSession *s, const char *method, GVariant *params)
{
  if (s->closed)
    return;
  /* No reply wanted: the calls go out in order on this connection. */
  g_dbus_connection_call(s->bus, s->mutter, s->rd_path, RD_SESSION, method, params, NULL,
                         G_DBUS_CALL_FLAGS_NO_AUTO_START, CALL_TIMEOUT_MS, NULL, NULL, NULL);
}

void ll_gnome_session_ready_input(LlGnomeSession *s)
{
  notify(s, "NotifyKeyboardKeysym", g_variant_new("(ub)", 0xffe1u /* Shift_L */, TRUE));
  notify(s, "NotifyKeyboardKeysym", g_variant_new("(ub)", 0xffe1u, FALSE));
  notify(s, "NotifyPointerMotionRelative", g_variant_new("(dd)", 0.0, 0.0));
}

void ll_gnome_session_key(LlGnomeSession *s, guint32 keysym, gboolean down)
{
  notify(s, "NotifyKeyboardKeysym", g_variant_new("(ub)", keysym, down));
}

void ll_gnome_session_move(LlGnomeSession *s, guint stream, double x, double y)
{
  g_return_if_fail(stream < s->n_recorded);
  notify(s, "NotifyPointerMotionAbsolute",
         g_variant_new("(sdd)", s->stream_paths[stream], x, y));
}

void ll_gnome_session_button(LlGnomeSession *s, int button, gboolean down)
{
  notify(s, "NotifyPointerButton", g_variant_new("(ib)", button, down));
}

void ll_gnome_session_scroll(LlGnomeSession *s, guint axis, int steps)
{
  notify(s, "NotifyPointerAxisDiscrete", g_variant_new("(ui)", axis, steps));
}

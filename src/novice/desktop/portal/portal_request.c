#include "novice/desktop/portal/portal_request.h"
#include "common/error.h"
#include <string.h>

#define REQUEST "org.freedesktop.portal.Request"
/* A call's reply (not its Response, which waits for the novice). */
#define CALL_TIMEOUT_MS 10000

/* The portal's answers in a Response. */
enum { RESPONSE_OK = 0, RESPONSE_CANCELLED = 1 };

char *ll_portal_token(void)
{
  static gint counter;
  return g_strdup_printf("lifeline_%d", g_atomic_int_add(&counter, 1) + 1);
}

GVariant *ll_portal_options_with_token(GVariantBuilder *options, char **token)
{
  *token = ll_portal_token();
  g_variant_builder_add(options, "{sv}", "handle_token", g_variant_new_string(*token));
  return g_variant_builder_end(options);
}

typedef struct {
  GDBusConnection *bus;
  char *path;                    /* the Request object */
  guint signal, other_signal;    /* other: where a portal older than 0.9 answers */
  gboolean answered;
  char *what;                    /* "Start", for sentences */
} Pending;

static void pending_free(gpointer data)
{
  Pending *p = data;
  g_object_unref(p->bus);
  g_free(p->path);
  g_free(p->what);
  g_free(p);
}

static void unsubscribe(Pending *p)
{
  guint signals[2] = { p->signal, p->other_signal };
  p->signal = p->other_signal = 0;
  for (int i = 0; i < 2; i++)
    if (signals[i] != 0)
      g_dbus_connection_signal_unsubscribe(p->bus, signals[i]);
}

/* Where the portal puts the Request of a call with TOKEN from us. */
static char *request_path(GDBusConnection *bus, const char *token)
{
  g_autofree char *sender = g_strdup(g_dbus_connection_get_unique_name(bus) + 1);
  g_strdelimit(sender, ".", '_');
  return g_strdup_printf(LL_PORTAL_PATH "/request/%s/%s", sender, token);
}

static void on_response(GDBusConnection *bus, const char *sender, const char *path,
                        const char *interface, const char *signal, GVariant *params,
                        gpointer data)
{
  GTask *task = data;
  Pending *p = g_task_get_task_data(task);
  (void)bus; (void)sender; (void)path; (void)interface; (void)signal;
  if (p->answered)
    return;
  p->answered = TRUE;
  guint32 response = 2;
  g_autoptr(GVariant) results = NULL;
  if (g_variant_is_of_type(params, G_VARIANT_TYPE("(ua{sv})")))
    g_variant_get(params, "(u@a{sv})", &response, &results);
  if (response == RESPONSE_OK)
    g_task_return_pointer(task, g_steal_pointer(&results), (GDestroyNotify)g_variant_unref);
  else if (response == RESPONSE_CANCELLED)
    g_task_return_new_error(task, LL_ERROR, LL_ERROR_REFUSED,
                            "the screen sharing was cancelled in the desktop's own dialog");
  else
    g_task_return_new_error(task, LL_ERROR, LL_ERROR_DISPLAY,
                            "the desktop's portal would not share the screen (%s failed)",
                            p->what);
  unsubscribe(p);
}

/* The subscription holds the task: when it goes (unsubscribed, or the
 * connection closed with the desktop) an unanswered call is cancelled. */
static void on_subscription_gone(gpointer data)
{
  GTask *task = data;
  Pending *p = g_task_get_task_data(task);
  if (!p->answered) {
    p->answered = TRUE;
    g_task_return_new_error(task, G_IO_ERROR, G_IO_ERROR_CANCELLED, "closed");
  }
  g_object_unref(task);
}

static guint subscribe(GTask *task, const char *path)
{
  Pending *p = g_task_get_task_data(task);
  return g_dbus_connection_signal_subscribe(p->bus, LL_PORTAL_NAME, REQUEST, "Response", path,
                                            NULL, G_DBUS_SIGNAL_FLAGS_NONE, on_response,
                                            g_object_ref(task), on_subscription_gone);
}

static void on_called(GObject *source, GAsyncResult *result, gpointer data)
{
  g_autoptr(GTask) task = data;
  Pending *p = g_task_get_task_data(task);
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = g_dbus_connection_call_finish(G_DBUS_CONNECTION(source), result,
                                                            &error);
  if (p->answered)
    return;
  if (reply == NULL) {
    g_info("the portal's %s: %s", p->what, error->message);
    p->answered = TRUE;
    if (g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
      g_task_return_error(task, g_steal_pointer(&error));
    else
      g_task_return_new_error(task, LL_ERROR, LL_ERROR_DISPLAY,
                              "the desktop's portal would not share the screen (%s was "
                              "refused)", p->what);
    unsubscribe(p);
    return;
  }
  const char *path;
  g_variant_get(reply, "(&o)", &path);
  if (strcmp(path, p->path) != 0 && p->other_signal == 0)
    p->other_signal = subscribe(task, path);
}

void ll_portal_request_async(GDBusConnection *bus, const char *interface, const char *method,
                             GVariant *params, const char *token, GCancellable *cancellable,
                             GAsyncReadyCallback callback, gpointer user_data)
{
  GTask *task = g_task_new(NULL, cancellable, callback, user_data);
  Pending *p = g_new0(Pending, 1);
  p->bus = g_object_ref(bus);
  p->what = g_strdup(method);
  g_task_set_task_data(task, p, pending_free);
  g_task_set_return_on_cancel(task, TRUE);
  /* Listening before calling: the Response may come before the reply. */
  p->path = request_path(bus, token);
  p->signal = subscribe(task, p->path);
  g_dbus_connection_call(bus, LL_PORTAL_NAME, LL_PORTAL_PATH, interface, method, params,
                         G_VARIANT_TYPE("(o)"), G_DBUS_CALL_FLAGS_NONE, CALL_TIMEOUT_MS,
                         cancellable, on_called, task);
}

GVariant *ll_portal_request_finish(GAsyncResult *result, GError **error)
{
  return g_task_propagate_pointer(G_TASK(result), error);
}

guint32 ll_portal_property_u(GDBusConnection *bus, const char *interface, const char *name,
                             GError **error)
{
  g_autoptr(GVariant) reply = g_dbus_connection_call_sync(
      bus, LL_PORTAL_NAME, LL_PORTAL_PATH, "org.freedesktop.DBus.Properties", "Get",
      g_variant_new("(ss)", interface, name), G_VARIANT_TYPE("(v)"), G_DBUS_CALL_FLAGS_NONE,
      CALL_TIMEOUT_MS, NULL, error);
  if (reply == NULL)
    return 0;
  g_autoptr(GVariant) value = NULL;
  g_variant_get(reply, "(v)", &value);
  return g_variant_is_of_type(value, G_VARIANT_TYPE_UINT32) ? g_variant_get_uint32(value) : 0;
}

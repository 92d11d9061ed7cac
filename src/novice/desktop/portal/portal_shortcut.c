#include "novice/desktop/portal/portal_shortcut.h"
#include "common/async_guard.h"
#include "novice/desktop/portal/portal_request.h"
#include <string.h>

#define SHORTCUT_ID "stop-control"
/* The XDG shortcuts specification's way of saying Meta+Esc. */
#define PREFERRED_TRIGGER "LOGO+Escape"
/* A portal may show a dialog for the binding; the session does not wait
 * longer than this for it (the other ways to stop still work). */
#define ANSWER_TIMEOUT_S 30
/* The longest trigger description shown in a prompt. */
#define MAX_TRIGGER 64

struct LlPortalShortcut {
  GDBusConnection *bus;
  LlPortalShortcutEvents events;
  gpointer user_data;
  char *handle;                  /* the shortcuts session, once made */
  char *trigger;                 /* what the desktop bound; NULL: nothing */
  guint activated_signal, changed_signal;
  GSource *deadline;             /* on the opener's main context */
  gboolean answered;
  GCancellable *cancellable;
};

char *ll_portal_shortcut_find_trigger(GVariant *shortcuts, const char *id)
{
  if (shortcuts == NULL || !g_variant_is_of_type(shortcuts, G_VARIANT_TYPE("a(sa{sv})")))
    return NULL;
  GVariantIter iter;
  const char *found_id;
  GVariant *props;
  g_variant_iter_init(&iter, shortcuts);
  while (g_variant_iter_next(&iter, "(&s@a{sv})", &found_id, &props)) {
    const char *trigger = NULL;
    gboolean match = strcmp(found_id, id) == 0 &&
                     g_variant_lookup(props, "trigger_description", "&s", &trigger);
    /* A prompt shows it: a short line of printable text, or nothing. */
    gboolean printable = match && trigger[0] != '\0' && strlen(trigger) <= MAX_TRIGGER;
    /* Valid UTF-8 (a GVariant string is); no C0 or C1 controls in it. */
    for (const char *c = printable ? trigger : ""; *c != '\0'; c = g_utf8_next_char(c))
      printable = printable && g_unichar_isprint(g_utf8_get_char(c));
    char *kept = printable ? g_strdup(trigger) : NULL;
    g_variant_unref(props);
    if (match)
      return kept;
  }
  return NULL;
}

static void drop_deadline(LlPortalShortcut *s)
{
  if (s->deadline != NULL) {
    g_source_destroy(s->deadline);
    g_clear_pointer(&s->deadline, g_source_unref);
  }
}

static void answer(LlPortalShortcut *s)
{
  drop_deadline(s);
  if (s->answered)
    return;
  s->answered = TRUE;
  s->events.answered(s->user_data);
}

static gboolean on_deadline(gpointer data)
{
  LlPortalShortcut *s = data;
  g_clear_pointer(&s->deadline, g_source_unref);   /* it goes as this returns */
  g_info("the desktop's portal did not bind the stop shortcut within %d s", ANSWER_TIMEOUT_S);
  answer(s);
  return G_SOURCE_REMOVE;
}

static gboolean on_nothing_to_bind(gpointer data)
{
  LlPortalShortcut *s = ll_async_guard_finish(data);
  if (s != NULL)
    answer(s);
  return G_SOURCE_REMOVE;
}

static void take_shortcuts(LlPortalShortcut *s, GVariant *shortcuts)
{
  g_free(s->trigger);
  s->trigger = ll_portal_shortcut_find_trigger(shortcuts, SHORTCUT_ID);
  if (s->trigger != NULL)
    g_info("the desktop bound %s to take control back", s->trigger);
  else
    g_info("the desktop bound no key to take control back");
}

/* A request's answer, and the shortcut it was for (NULL: freed since). */
static LlPortalShortcut *request_answered(GObject *source, GAsyncResult *result, gpointer guard,
                                          GVariant **results, GError **error)
{
  (void)source;
  *results = ll_portal_request_finish(result, error);
  return ll_async_guard_finish(guard);
}

static void on_bound(GObject *source, GAsyncResult *result, gpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) results = NULL;
  LlPortalShortcut *s = request_answered(source, result, data, &results, &error);
  if (s == NULL)
    return;
  if (results == NULL) {
    g_info("the stop shortcut: %s", error->message);
  } else {
    g_autoptr(GVariant) shortcuts = g_variant_lookup_value(results, "shortcuts",
                                                           G_VARIANT_TYPE("a(sa{sv})"));
    take_shortcuts(s, shortcuts);
  }
  answer(s);
}

static void on_signal(GDBusConnection *bus, const char *sender, const char *path,
                      const char *interface, const char *signal, GVariant *params,
                      gpointer data)
{
  LlPortalShortcut *s = data;
  (void)bus; (void)sender; (void)path; (void)interface;
  /* The portal sends every session's on one object: this one's only. */
  g_autoptr(GVariant) session = g_variant_n_children(params) > 0
      ? g_variant_get_child_value(params, 0) : NULL;
  if (session == NULL || !g_variant_is_of_type(session, G_VARIANT_TYPE_OBJECT_PATH) ||
      g_strcmp0(g_variant_get_string(session, NULL), s->handle) != 0)
    return;
  if (strcmp(signal, "ShortcutsChanged") == 0 &&
      g_variant_is_of_type(params, G_VARIANT_TYPE("(oa(sa{sv}))"))) {
    g_autoptr(GVariant) shortcuts = g_variant_get_child_value(params, 1);
    take_shortcuts(s, shortcuts);   /* the novice chose another key */
    return;
  }
  const char *id = NULL;
  if (strcmp(signal, "Activated") == 0 &&
      g_variant_is_of_type(params, G_VARIANT_TYPE("(osta{sv})"))) {
    g_variant_get_child(params, 1, "&s", &id);
    if (strcmp(id, SHORTCUT_ID) == 0)
      s->events.activated(s->user_data);   /* may free S */
  }
}

static guint subscribe(LlPortalShortcut *s, const char *signal)
{
  /* No arg0 match: it sees strings only, and the session is an object
   * path; on_signal picks this session's. */
  return g_dbus_connection_signal_subscribe(s->bus, LL_PORTAL_NAME, LL_PORTAL_GLOBAL_SHORTCUTS,
                                            signal, LL_PORTAL_PATH, NULL,
                                            G_DBUS_SIGNAL_FLAGS_NONE, on_signal, s, NULL);
}

static GVariant *shortcut_list(void)
{
  GVariantBuilder props;
  g_variant_builder_init(&props, G_VARIANT_TYPE("a{sv}"));
  g_variant_builder_add(&props, "{sv}", "description",
                        g_variant_new_string("Lifeline: take back control of your keyboard "
                                             "and mouse from your helper"));
  g_variant_builder_add(&props, "{sv}", "preferred_trigger",
                        g_variant_new_string(PREFERRED_TRIGGER));
  GVariantBuilder list;
  g_variant_builder_init(&list, G_VARIANT_TYPE("a(sa{sv})"));
  g_variant_builder_add(&list, "(s@a{sv})", SHORTCUT_ID, g_variant_builder_end(&props));
  return g_variant_builder_end(&list);
}

static void bind(LlPortalShortcut *s)
{
  s->activated_signal = subscribe(s, "Activated");
  s->changed_signal = subscribe(s, "ShortcutsChanged");
  g_autofree char *token = NULL;
  GVariantBuilder options;
  g_variant_builder_init(&options, G_VARIANT_TYPE("a{sv}"));
  GVariant *opts = ll_portal_options_with_token(&options, &token);
  ll_portal_request_async(s->bus, LL_PORTAL_GLOBAL_SHORTCUTS, "BindShortcuts",
                          g_variant_new("(o@a(sa{sv})s@a{sv})", s->handle, shortcut_list(), "",
                                        opts),
                          token, s->cancellable, on_bound, ll_async_guard_new(s, s->cancellable));
}

static void on_created(GObject *source, GAsyncResult *result, gpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) results = NULL;
  LlPortalShortcut *s = request_answered(source, result, data, &results, &error);
  if (s == NULL)
    return;
  const char *handle = NULL;
  if (results != NULL && !g_variant_lookup(results, "session_handle", "&o", &handle))
    g_variant_lookup(results, "session_handle", "&s", &handle);
  if (handle == NULL || !g_variant_is_object_path(handle)) {
    g_info("the shortcuts portal made no session%s%s", error != NULL ? ": " : "",
           error != NULL ? error->message : "");
    answer(s);
    return;
  }
  s->handle = g_strdup(handle);
  bind(s);
}

static void create_session(LlPortalShortcut *s)
{
  g_autofree char *token = NULL;
  g_autofree char *session_token = ll_portal_token();
  GVariantBuilder options;
  g_variant_builder_init(&options, G_VARIANT_TYPE("a{sv}"));
  g_variant_builder_add(&options, "{sv}", "session_handle_token",
                        g_variant_new_string(session_token));
  GVariant *opts = ll_portal_options_with_token(&options, &token);
  ll_portal_request_async(s->bus, LL_PORTAL_GLOBAL_SHORTCUTS, "CreateSession",
                          g_variant_new("(@a{sv})", opts), token,
                          s->cancellable, on_created, ll_async_guard_new(s, s->cancellable));
}

LlPortalShortcut *ll_portal_shortcut_new(GDBusConnection *bus, guint32 version,
                                         const LlPortalShortcutEvents *events,
                                         gpointer user_data)
{
  LlPortalShortcut *s = g_new0(LlPortalShortcut, 1);
  s->bus = g_object_ref(bus);
  s->events = *events;
  s->user_data = user_data;
  s->cancellable = g_cancellable_new();
  if (version == 0) {
    g_info("the desktop's portal binds no shortcuts: no stop key");
    ll_async_guard_idle(s, s->cancellable, on_nothing_to_bind);   /* the caller has S first */
    return s;
  }
  s->deadline = g_timeout_source_new_seconds(ANSWER_TIMEOUT_S);
  g_source_set_callback(s->deadline, on_deadline, s, NULL);
  g_source_attach(s->deadline, g_main_context_get_thread_default());
  create_session(s);
  return s;
}

void ll_portal_shortcut_free(LlPortalShortcut *s)
{
  if (s == NULL)
    return;
  g_cancellable_cancel(s->cancellable);
  drop_deadline(s);
  guint signals[2] = { s->activated_signal, s->changed_signal };
  for (int i = 0; i < 2; i++)
    if (signals[i] != 0)
      g_dbus_connection_signal_unsubscribe(s->bus, signals[i]);
  if (s->handle != NULL && !g_dbus_connection_is_closed(s->bus))
    g_dbus_connection_call(s->bus, LL_PORTAL_NAME, s->handle, LL_PORTAL_SESSION, "Close", NULL,
                           NULL, G_DBUS_CALL_FLAGS_NO_AUTO_START, -1, NULL, NULL, NULL);
  g_object_unref(s->bus);
  g_object_unref(s->cancellable);
  g_free(s->handle);
  g_free(s->trigger);
  g_free(s);
}

const char *ll_portal_shortcut_trigger(LlPortalShortcut *s)
{
  return s->trigger;
}

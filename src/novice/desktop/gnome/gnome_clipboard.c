#include "novice/desktop/gnome/gnome_clipboard.h"
#include "common/error.h"
#include "novice/desktop/desktop.h"   /* LL_MAX_CLIPBOARD */
#include "novice/desktop/text_pipe.h"
#include <gio/gunixfdlist.h>

#define RD_SESSION "org.gnome.Mutter.RemoteDesktop.Session"
#define CALL_TIMEOUT_MS 10000
#define TRANSFER_TIMEOUT_MS LL_TEXT_PIPE_TIMEOUT_MS
/* How often, and how long apart, a read Mutter refused as parallel is asked again. */
#define READ_RETRIES 20
#define READ_RETRY_MS 50


struct LlGnomeClipboard {
  GDBusConnection *bus;
  char *mutter, *path;
  guint owner_signal, transfer_signal;
  LlGnomeClipboardChanged changed;
  gpointer user_data;
  GCancellable *cancellable;     /* everything pending; cancelled when freed */
  struct Reader *reader;         /* the read in progress, if any */
  char *pending_type;            /* the type of a copy made meanwhile */
  GBytes *offered;               /* the helper's text, while we own the clipboard */
};

static gboolean is_text_type(const char *type)
{
  return g_strv_contains(ll_text_types, type);
}

static void call(LlGnomeClipboard *c, const char *method, GVariant *params)
{
  g_dbus_connection_call(c->bus, c->mutter, c->path, RD_SESSION, method, params, NULL,
                         G_DBUS_CALL_FLAGS_NO_AUTO_START, CALL_TIMEOUT_MS, NULL, NULL, NULL);
}

/* The file descriptor a Selection{Read,Write} reply carries, or -1. */
static int reply_fd(GDBusConnection *bus, GAsyncResult *result, GError **error)
{
  g_autoptr(GUnixFDList) fds = NULL;
  g_autoptr(GVariant) reply = g_dbus_connection_call_with_unix_fd_list_finish(bus, &fds, result,
                                                                              error);
  if (reply == NULL)
    return -1;
  gint32 index = -1;
  g_variant_get(reply, "(h)", &index);
  if (fds == NULL || index < 0 || index >= g_unix_fd_list_get_length(fds)) {
    g_set_error_literal(error, LL_ERROR, LL_ERROR_PROTOCOL, "no file descriptor in the reply");
    return -1;
  }
  return g_unix_fd_list_get(fds, index, error);
}

/* ---- novice -> helper: reading what a program copied ----
 *
 * Mutter does one read at a time ("Tried to read in parallel") and is
 * done with one only once its copy into our pipe ends, so a read is
 * never cut short: it is drained to the end (or its deadline), and a copy
 * made meanwhile is read after it. */

typedef struct Reader Reader;
struct Reader {
  LlGnomeClipboard *clipboard;   /* NULL once the clipboard is gone */
  char *type;
  GCancellable *cancellable;     /* the call; cancelled by the deadline or the clipboard's end */
  LlTextReader *text;            /* once Mutter handed over its pipe */
  gboolean stale;                /* read to the end, but not shared */
  guint deadline, retry, retries;
};

static void start_read(LlGnomeClipboard *c, const char *type);

static void reader_done(Reader *r)
{
  LlGnomeClipboard *c = r->clipboard;
  g_clear_handle_id(&r->deadline, g_source_remove);
  g_clear_handle_id(&r->retry, g_source_remove);
  g_object_unref(r->cancellable);
  g_free(r->type);
  g_free(r);
  if (c == NULL)
    return;
  c->reader = NULL;
  g_autofree char *next = g_steal_pointer(&c->pending_type);
  if (next != NULL)
    start_read(c, next);
}

static gboolean on_read_deadline(gpointer data)
{
  Reader *r = data;
  r->deadline = 0;
  g_info("the copied text did not arrive within %d ms; not shared", TRANSFER_TIMEOUT_MS);
  if (r->text == NULL) {
    g_cancellable_cancel(r->cancellable);   /* the call ends, and with it the reader */
    return G_SOURCE_REMOVE;
  }
  ll_text_reader_cancel(g_steal_pointer(&r->text));
  reader_done(r);
  return G_SOURCE_REMOVE;
}

static void on_text(GBytes *text, gpointer data)
{
  Reader *r = data;
  LlGnomeClipboard *c = r->clipboard;
  r->text = NULL;
  if (text != NULL && c != NULL && !r->stale)
    c->changed(g_bytes_get_data(text, NULL), g_bytes_get_size(text), c->user_data);
  reader_done(r);
}

static void ask_mutter(Reader *r);

static gboolean on_retry(gpointer data)
{
  Reader *r = data;
  r->retry = 0;
  ask_mutter(r);
  return G_SOURCE_REMOVE;
}

static void on_read_opened(GObject *source, GAsyncResult *result, gpointer data)
{
  Reader *r = data;
  g_autoptr(GError) error = NULL;
  int fd = reply_fd(G_DBUS_CONNECTION(source), result, &error);
  /* Mutter may not have quite finished the read before: ask again soon. */
  g_autofree char *remote = error != NULL ? g_dbus_error_get_remote_error(error) : NULL;
  if (fd < 0 && g_strcmp0(remote, "org.freedesktop.DBus.Error.LimitsExceeded") == 0 &&
      r->retries++ < READ_RETRIES && !g_cancellable_is_cancelled(r->cancellable)) {
    r->retry = g_timeout_add(READ_RETRY_MS, on_retry, r);
    return;
  }
  if (fd < 0) {
    if (!g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
      g_info("Mutter did not hand over the copied text: %s", error->message);
    reader_done(r);
    return;
  }
  r->text = ll_text_reader_new(fd, on_text, r);
}

static void ask_mutter(Reader *r)
{
  LlGnomeClipboard *c = r->clipboard;
  if (c == NULL) {
    reader_done(r);
    return;
  }
  g_dbus_connection_call_with_unix_fd_list(c->bus, c->mutter, c->path, RD_SESSION,
                                           "SelectionRead", g_variant_new("(s)", r->type),
                                           G_VARIANT_TYPE("(h)"), G_DBUS_CALL_FLAGS_NONE,
                                           CALL_TIMEOUT_MS, NULL, r->cancellable,
                                           on_read_opened, r);
}

static void start_read(LlGnomeClipboard *c, const char *type)
{
  Reader *r = g_new0(Reader, 1);
  r->clipboard = c;
  r->type = g_strdup(type);
  r->cancellable = g_cancellable_new();
  r->deadline = g_timeout_add(TRANSFER_TIMEOUT_MS, on_read_deadline, r);
  c->reader = r;
  ask_mutter(r);
}

static const char *text_type_in(GVariant *types)
{
  g_autofree const char **offered = g_variant_get_strv(types, NULL);
  for (const char *const *t = ll_text_types; *t != NULL; t++)
    if (g_strv_contains(offered, *t))
      return *t;
  return NULL;
}

/* The types a new clipboard owner offers: Mutter 43 sends them as "(as)",
 * the interface's documentation as "as"; either is taken. */
static GVariant *offered_types(GVariant *options)
{
  g_autoptr(GVariant) value = g_variant_lookup_value(options, "mime-types", NULL);
  if (value != NULL && g_variant_is_of_type(value, G_VARIANT_TYPE("(as)")))
    return g_variant_get_child_value(value, 0);
  if (value != NULL && g_variant_is_of_type(value, G_VARIANT_TYPE("as")))
    return g_steal_pointer(&value);
  return NULL;
}

static void on_owner_changed(GDBusConnection *bus, const char *sender, const char *path,
                             const char *interface, const char *signal, GVariant *params,
                             gpointer data)
{
  LlGnomeClipboard *c = data;
  (void)bus; (void)sender; (void)path; (void)interface; (void)signal;
  if (!g_variant_is_of_type(params, G_VARIANT_TYPE("(a{sv})")))
    return;
  g_autoptr(GVariant) options = g_variant_get_child_value(params, 0);
  gboolean ours = FALSE;
  if (g_variant_lookup(options, "session-is-owner", "b", &ours) && ours)
    return;                      /* our own SetSelection */
  g_clear_pointer(&c->offered, g_bytes_unref);
  g_autoptr(GVariant) types = offered_types(options);
  const char *type = types != NULL ? text_type_in(types) : NULL;
  g_clear_pointer(&c->pending_type, g_free);
  if (c->reader != NULL) {
    c->reader->stale = TRUE;     /* superseded: finish it, then read this one */
    c->pending_type = g_strdup(type);
  } else if (type != NULL) {
    start_read(c, type);
  }
}

/* ---- helper -> novice: handing our text to a program that pastes ---- */

/* Owns what it needs: it may outlive the clipboard by the pipe's deadline. */
typedef struct {
  GDBusConnection *bus;
  char *mutter, *path;
  guint32 serial;
  GBytes *text;
} Writer;

static void writer_finish(gboolean ok, gpointer data)
{
  Writer *w = data;
  g_dbus_connection_call(w->bus, w->mutter, w->path, RD_SESSION, "SelectionWriteDone",
                         g_variant_new("(ub)", w->serial, ok), NULL,
                         G_DBUS_CALL_FLAGS_NO_AUTO_START, CALL_TIMEOUT_MS, NULL, NULL, NULL);
  g_bytes_unref(w->text);
  g_object_unref(w->bus);
  g_free(w->mutter);
  g_free(w->path);
  g_free(w);
}

static void on_write_opened(GObject *source, GAsyncResult *result, gpointer data)
{
  Writer *w = data;
  g_autoptr(GError) error = NULL;
  int fd = reply_fd(G_DBUS_CONNECTION(source), result, &error);
  if (fd < 0) {
    g_info("Mutter did not take the text for pasting: %s", error->message);
    writer_finish(FALSE, w);
    return;
  }
  ll_text_write(fd, w->text, writer_finish, w);
}

static void on_transfer(GDBusConnection *bus, const char *sender, const char *path,
                        const char *interface, const char *signal, GVariant *params,
                        gpointer data)
{
  LlGnomeClipboard *c = data;
  (void)bus; (void)sender; (void)path; (void)interface; (void)signal;
  if (!g_variant_is_of_type(params, G_VARIANT_TYPE("(su)")))
    return;
  const char *type;
  guint32 serial;
  g_variant_get(params, "(&su)", &type, &serial);
  if (c->offered == NULL || !is_text_type(type)) {
    call(c, "SelectionWriteDone", g_variant_new("(ub)", serial, FALSE));
    return;
  }
  Writer *w = g_new0(Writer, 1);
  w->bus = g_object_ref(c->bus);
  w->mutter = g_strdup(c->mutter);
  w->path = g_strdup(c->path);
  w->serial = serial;
  w->text = g_bytes_ref(c->offered);
  g_dbus_connection_call_with_unix_fd_list(c->bus, c->mutter, c->path, RD_SESSION,
                                           "SelectionWrite", g_variant_new("(u)", serial),
                                           G_VARIANT_TYPE("(h)"), G_DBUS_CALL_FLAGS_NONE,
                                           CALL_TIMEOUT_MS, NULL, NULL, on_write_opened, w);
}

void ll_gnome_clipboard_set(LlGnomeClipboard *c, const char *text, gsize len)
{
  g_clear_pointer(&c->offered, g_bytes_unref);
  c->offered = g_bytes_new(text, len);
  GVariantDict options;
  g_variant_dict_init(&options, NULL);
  g_variant_dict_insert_value(&options, "mime-types", g_variant_new_strv(ll_text_types, -1));
  call(c, "SetSelection", g_variant_new("(@a{sv})", g_variant_dict_end(&options)));
}

/* ---- life ---- */

static void on_enabled(GObject *source, GAsyncResult *result, gpointer data)
{
  g_autoptr(GTask) task = data;
  GError *error = NULL;
  g_autoptr(GVariant) reply = g_dbus_connection_call_finish(G_DBUS_CONNECTION(source), result,
                                                            &error);
  LlGnomeClipboard *c = g_task_get_task_data(task);
  if (reply == NULL) {
    g_info("Mutter's clipboard: %s", error->message);
    g_clear_error(&error);
    ll_gnome_clipboard_free(c);
    g_task_return_new_error(task, LL_ERROR, LL_ERROR_DISPLAY,
                            "this GNOME session does not share its clipboard");
    return;
  }
  g_task_return_pointer(task, c, (GDestroyNotify)ll_gnome_clipboard_free);
}

void ll_gnome_clipboard_new_async(GDBusConnection *bus, const char *mutter, const char *rd_path,
                                  LlGnomeClipboardChanged changed, gpointer user_data,
                                  GAsyncReadyCallback callback, gpointer callback_data)
{
  LlGnomeClipboard *c = g_new0(LlGnomeClipboard, 1);
  c->bus = g_object_ref(bus);
  c->mutter = g_strdup(mutter);
  c->path = g_strdup(rd_path);
  c->changed = changed;
  c->user_data = user_data;
  c->cancellable = g_cancellable_new();
  c->owner_signal = g_dbus_connection_signal_subscribe(
      bus, mutter, RD_SESSION, "SelectionOwnerChanged", rd_path, NULL, G_DBUS_SIGNAL_FLAGS_NONE,
      on_owner_changed, c, NULL);
  c->transfer_signal = g_dbus_connection_signal_subscribe(
      bus, mutter, RD_SESSION, "SelectionTransfer", rd_path, NULL, G_DBUS_SIGNAL_FLAGS_NONE,
      on_transfer, c, NULL);
  GTask *task = g_task_new(NULL, NULL, callback, callback_data);
  g_task_set_task_data(task, c, NULL);   /* on_enabled gives it away or frees it */
  g_dbus_connection_call(bus, mutter, rd_path, RD_SESSION, "EnableClipboard",
                         g_variant_new_parsed("(@a{sv} {},)"), G_VARIANT_TYPE("()"),
                         G_DBUS_CALL_FLAGS_NO_AUTO_START, CALL_TIMEOUT_MS, NULL, on_enabled,
                         task);
}

LlGnomeClipboard *ll_gnome_clipboard_new_finish(GAsyncResult *result, GError **error)
{
  return g_task_propagate_pointer(G_TASK(result), error);
}

void ll_gnome_clipboard_free(LlGnomeClipboard *c)
{
  if (c == NULL)
    return;
  g_cancellable_cancel(c->cancellable);
  if (c->reader != NULL) {
    c->reader->clipboard = NULL;   /* it ends on its own, cancelled */
    g_cancellable_cancel(c->reader->cancellable);
  }
  g_dbus_connection_signal_unsubscribe(c->bus, c->owner_signal);
  g_dbus_connection_signal_unsubscribe(c->bus, c->transfer_signal);
  g_free(c->pending_type);
  g_clear_object(&c->cancellable);
  g_clear_pointer(&c->offered, g_bytes_unref);
  g_object_unref(c->bus);
  g_free(c->mutter);
  g_free(c->path);
  g_free(c);
}

/* lifeline-rfb-worker: libvncserver in a process of its own. It holds no
 * key, no invitation secret and no connection to the desktop: it reads
 * the picture from shared memory, serves the viewers' sockets it is
 * handed, and reports their input as typed messages (rfb_ipc.h) to the
 * novice's Lifeline, whose control arbiter decides what reaches the
 * desktop. Started by Lifeline only; fd 3 is its connection. */
#include "novice/rfb_ipc.h"
#include "novice/rfb_worker/rfb_engine.h"
#include "novice/rfb_worker/worker_sandbox.h"
#include <gio/gio.h>
#include <gio/gunixfdlist.h>
#include <fcntl.h>
#include <string.h>
#include <time.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

typedef struct {
  GDBusConnection *bus;
  GMainLoop *loop;
  LlRfbEngine *engine;
  guint8 *mapped;            /* Lifeline's memfd, read-only */
  gsize mapped_size;
  guint8 *picture;           /* the first pixel, in it */
  LlScreenFormat format;
  GMutex lock;               /* engine and format, as the damage filter reads them */
} Worker;

static void emit(Worker *w, const char *signal, GVariant *args)
{
  g_dbus_connection_emit_signal(w->bus, NULL, LL_RFB_IPC_PATH, LL_RFB_IPC_INTERFACE, signal,
                                args, NULL);
}

static GVariant *bytes_of(const char *text, gsize len)
{
  return g_variant_new_fixed_array(G_VARIANT_TYPE_BYTE, text, len, 1);
}

static void on_key(gboolean down, guint32 keysym, gpointer data)
{
  emit(data, "Key", g_variant_new("(bu)", down, keysym));
}

static void on_pointer(int buttons, int x, int y, gpointer data)
{
  emit(data, "Pointer", g_variant_new("(iii)", buttons, x, y));
}

static void on_cut_text(const char *utf8, gsize len, gpointer data)
{
  emit(data, "CutText", g_variant_new_tuple((GVariant *[]){ bytes_of(utf8, len) }, 1));
}

static void on_text_chat(const char *utf8, gsize len, gpointer data)
{
  emit(data, "TextChat", g_variant_new_tuple((GVariant *[]){ bytes_of(utf8, len) }, 1));
}

static void on_viewers(guint count, gpointer data)
{
  emit(data, "Viewers", g_variant_new("(u)", count));
}

static const LlRfbEngineInput engine_input = {
  .key = on_key, .pointer = on_pointer, .cut_text = on_cut_text, .text_chat = on_text_chat,
  .viewers = on_viewers,
};

static gboolean format_from(GVariant *p, LlScreenFormat *f)
{
  guint32 width, height, stride, red, green, blue;
  gboolean big_endian;
  g_variant_get_child(p, 0, "u", &width);
  g_variant_get_child(p, 1, "u", &height);
  g_variant_get_child(p, 2, "u", &stride);
  g_variant_get_child(p, 3, "u", &red);
  g_variant_get_child(p, 4, "u", &green);
  g_variant_get_child(p, 5, "u", &blue);
  g_variant_get_child(p, 6, "b", &big_endian);
  if (width == 0 || height == 0 || width > 16384 || height > 16384 || stride < width * 4 ||
      stride > 65536 || red > 24 || green > 24 || blue > 24)
    return FALSE;
  *f = (LlScreenFormat){ width, height, stride, red, green, blue, big_endian };
  return TRUE;
}

typedef struct {
  guint8 *base;
  gsize size;
} Mapping;

/* Maps the memory handed over as fd index HANDLE, read-only, if a
 * picture in F from OFFSET fits in it. */
static gboolean map_picture(GDBusMethodInvocation *call, gint32 handle, guint64 offset,
                            const LlScreenFormat *f, Mapping *out)
{
  GUnixFDList *fds = g_dbus_message_get_unix_fd_list(g_dbus_method_invocation_get_message(call));
  int fd = fds != NULL ? g_unix_fd_list_get(fds, handle, NULL) : -1;
  if (fd < 0)
    return FALSE;
  struct stat st;
  gsize extent = (gsize)f->stride * (f->height - 1) + (gsize)f->width * 4;
  out->base = NULL;
  if (fstat(fd, &st) == 0 && st.st_size > 0 && offset <= (guint64)st.st_size &&
      extent <= (guint64)st.st_size - offset) {
    out->size = st.st_size;
    out->base = mmap(NULL, out->size, PROT_READ, MAP_SHARED, fd, 0);
    if (out->base == MAP_FAILED)
      out->base = NULL;
  }
  close(fd);
  return out->base != NULL;
}

static void take_mapping(Worker *w, const Mapping *m, guint64 offset)
{
  if (w->mapped != NULL)
    munmap(w->mapped, w->mapped_size);
  w->mapped = m->base;
  w->mapped_size = m->size;
  w->picture = m->base + offset;
}

static void start(Worker *w, GVariant *p, GDBusMethodInvocation *call)
{
  LlScreenFormat f;
  const char *name;
  gint32 handle;
  guint64 offset;
  Mapping m;
  g_variant_get_child(p, 7, "&s", &name);
  g_variant_get_child(p, 8, "h", &handle);
  g_variant_get_child(p, 9, "t", &offset);
  g_autoptr(GError) error = NULL;
  if (w->engine == NULL && format_from(p, &f) && map_picture(call, handle, offset, &f, &m)) {
    take_mapping(w, &m, offset);
    LlRfbEngine *engine = ll_rfb_engine_new(&f, w->picture, name, &error);
    g_mutex_lock(&w->lock);
    w->format = f;
    w->engine = engine;
    g_mutex_unlock(&w->lock);
    if (w->engine != NULL) {
      ll_rfb_engine_set_input(w->engine, &engine_input, w);
      g_dbus_method_invocation_return_value(call, NULL);
      return;
    }
  }
  g_dbus_method_invocation_return_error_literal(call, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                                                error != NULL ? error->message
                                                              : "cannot serve this picture");
}

static void resize(Worker *w, GVariant *p, GDBusMethodInvocation *call)
{
  LlScreenFormat f;
  gint32 handle;
  guint64 offset;
  Mapping m;
  g_variant_get_child(p, 7, "h", &handle);
  g_variant_get_child(p, 8, "t", &offset);
  if (w->engine == NULL || !format_from(p, &f) || !map_picture(call, handle, offset, &f, &m)) {
    g_dbus_method_invocation_return_error_literal(call, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                                                  "cannot serve this picture");
    return;
  }
  g_mutex_lock(&w->lock);
  ll_rfb_engine_resize(w->engine, &f, m.base + offset);
  w->format = f;
  g_mutex_unlock(&w->lock);
  take_mapping(w, &m, offset);   /* the old view goes once the engine lets it go */
  g_dbus_method_invocation_return_value(call, NULL);
}

/* On GDBus's own thread (a filter): changed rectangles go to the
 * viewers' threads without waiting for this process's main loop. */
static void damage(Worker *w, GVariant *p)
{
  g_autoptr(GVariant) list = g_variant_get_child_value(p, 0);
  GVariantIter iter;
  gint32 x, y, width, height;
  g_mutex_lock(&w->lock);
  g_variant_iter_init(&iter, list);
  while (g_variant_iter_next(&iter, "(iiii)", &x, &y, &width, &height))
    if (w->engine != NULL && x >= 0 && y >= 0 && width > 0 && height > 0 &&
        x < w->format.width && y < w->format.height)
      ll_rfb_engine_mark_changed(w->engine, x, y, MIN(width, w->format.width - x),
                                 MIN(height, w->format.height - y));
  g_mutex_unlock(&w->lock);
}

static GDBusMessage *filter_damage(GDBusConnection *bus, GDBusMessage *m, gboolean incoming,
                                   gpointer data)
{
  (void)bus;
  if (!incoming || g_dbus_message_get_message_type(m) != G_DBUS_MESSAGE_TYPE_METHOD_CALL ||
      g_strcmp0(g_dbus_message_get_member(m), "Damage") != 0)
    return m;
  GVariant *body = g_dbus_message_get_body(m);
  if (body != NULL && g_variant_is_of_type(body, G_VARIANT_TYPE("(a(iiii))")))
    damage(data, body);
  g_object_unref(m);
  return NULL;   /* handled; it expects no reply */
}

static void add_viewer(Worker *w, GVariant *p, GDBusMethodInvocation *call)
{
  gint32 handle;
  g_variant_get(p, "(h)", &handle);
  GUnixFDList *fds = g_dbus_message_get_unix_fd_list(g_dbus_method_invocation_get_message(call));
  int fd = fds != NULL ? g_unix_fd_list_get(fds, handle, NULL) : -1;
  g_autoptr(GError) error = NULL;
  if (w->engine == NULL || fd < 0 || !ll_rfb_engine_add_client(w->engine, fd, &error)) {
    if (fd >= 0 && error == NULL)
      close(fd);
    g_dbus_method_invocation_return_error_literal(call, G_IO_ERROR, G_IO_ERROR_FAILED,
                                                  error != NULL ? error->message
                                                                : "cannot serve this viewer");
    return;
  }
  g_dbus_method_invocation_return_value(call, NULL);
}

static void send_text(Worker *w, GVariant *p, gboolean chat)
{
  gsize len;
  g_autoptr(GVariant) bytes = g_variant_get_child_value(p, 0);
  const char *text = g_variant_get_fixed_array(bytes, &len, 1);
  if (w->engine == NULL || !g_utf8_validate(text, len, NULL))
    return;
  if (chat)
    ll_rfb_engine_send_text_chat(w->engine, text, len);
  else
    ll_rfb_engine_send_cut_text(w->engine, text, len);
}

static void on_call(GDBusConnection *bus, const char *sender, const char *path,
                    const char *interface, const char *method, GVariant *p,
                    GDBusMethodInvocation *call, gpointer data)
{
  Worker *w = data;
  (void)bus; (void)sender; (void)path; (void)interface;
  if (g_str_equal(method, "Start")) {
    start(w, p, call);
    return;
  }
  if (g_str_equal(method, "Resize")) {
    resize(w, p, call);
    return;
  }
  if (g_str_equal(method, "AddViewer")) {
    add_viewer(w, p, call);
    return;
  }
  if (g_str_equal(method, "SendCutText"))
    send_text(w, p, FALSE);
  else if (g_str_equal(method, "SendTextChat"))
    send_text(w, p, TRUE);
  g_dbus_method_invocation_return_value(call, NULL);   /* dropped when none is expected */
}

static void on_closed(GDBusConnection *bus, gboolean remote, GError *why, gpointer data)
{
  Worker *w = data;
  (void)bus; (void)remote; (void)why;
  g_main_loop_quit(w->loop);
}

static GDBusConnection *connect_to_lifeline(GError **error)
{
  g_autoptr(GSocket) socket = g_socket_new_from_fd(LL_RFB_IPC_FD, error);
  if (socket == NULL)
    return NULL;
  g_autoptr(GSocketConnection) stream = g_socket_connection_factory_create_connection(socket);
  return g_dbus_connection_new_sync(G_IO_STREAM(stream), NULL,
                                    G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT |
                                        G_DBUS_CONNECTION_FLAGS_DELAY_MESSAGE_PROCESSING,
                                    NULL, NULL, error);
}

/* What needs a file only the first time is done before the sandbox
 * closes every path: the time zone (log lines), the character set
 * converters (RFB's Latin-1 clipboard). */
static gboolean enter_sandbox(GError **error)
{
  tzset();
  g_free(g_convert("\xe9", 1, "UTF-8", "ISO-8859-1", NULL, NULL, NULL));
  g_free(g_convert("\xc3\xa9", 2, "ISO-8859-1", "UTF-8", NULL, NULL, NULL));
  LlSandboxExtras extras;
  if (!ll_worker_sandbox_enter(&extras, error))
    return FALSE;
  g_debug("sandboxed: no_new_privs, seccomp%s",
          (extras & LL_SANDBOX_LANDLOCK) ? ", Landlock" : " (this kernel has no Landlock)");
  return TRUE;
}

int main(int argc, char **argv)
{
  (void)argv;
  g_autoptr(GError) error = NULL;
  if (argc != 1 || fcntl(LL_RFB_IPC_FD, F_GETFD) < 0) {
    g_printerr("%s is started by lifeline; it is not a command\n", LL_RFB_WORKER_NAME);
    return 2;
  }
  Worker w = { 0 };
  g_mutex_init(&w.lock);
  w.bus = connect_to_lifeline(&error);
  if (w.bus == NULL) {
    g_printerr("%s: %s\n", LL_RFB_WORKER_NAME, error->message);
    return 1;
  }
  g_dbus_connection_set_exit_on_close(w.bus, FALSE);
  g_autoptr(GDBusNodeInfo) node = g_dbus_node_info_new_for_xml(LL_RFB_IPC_XML, NULL);
  if (!enter_sandbox(&error)) {
    g_printerr("%s: %s; not serving anyone\n", LL_RFB_WORKER_NAME, error->message);
    return 1;
  }
  static const GDBusInterfaceVTable vtable = { .method_call = on_call };
  g_dbus_connection_register_object(w.bus, LL_RFB_IPC_PATH, node->interfaces[0], &vtable, &w,
                                    NULL, NULL);
  g_signal_connect(w.bus, "closed", G_CALLBACK(on_closed), &w);
  g_dbus_connection_add_filter(w.bus, filter_damage, &w, NULL);
  w.loop = g_main_loop_new(NULL, FALSE);
  g_dbus_connection_start_message_processing(w.bus);
  g_main_loop_run(w.loop);
  ll_rfb_engine_free(w.engine);   /* Lifeline closed the viewers' other ends */
  if (w.mapped != NULL)
    munmap(w.mapped, w.mapped_size);
  g_main_loop_unref(w.loop);
  g_object_unref(w.bus);
  return 0;
}

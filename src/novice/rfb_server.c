#include "novice/rfb_server.h"
#include "common/error.h"
#include "novice/damage_batch.h"
#include "novice/desktop/shared_picture.h"
#include "novice/rfb_ipc.h"
#include <gio/gunixfdlist.h>
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define WORKER_START_MS 10000   /* a loaded sanitizer build takes its time */
#define WORKER_EXIT_MS 5000

/* The picture as the worker maps it: the desktop's own framebuffer where
 * that is shared memory (desktop/shared_picture.h), else a shared copy
 * kept current here. */
typedef struct {
  int fd;
  guint64 offset;            /* of the first pixel */
  guint8 *copy;              /* ours to copy into; NULL: the desktop's, shared as it is */
} Picture;

struct LlRfbServer {
  GSubprocess *worker;
  GDBusConnection *bus;
  guint signals;
  LlDamageBatch *damage;     /* changed rectangles on their way to the worker */
  LlRfbInput input;
  gpointer input_data;
  gboolean failed;           /* the worker went away on its own */
  guint viewers;             /* as the worker last said */
  GMutex lock;               /* guards the picture and the source (capture thread) */
  Picture picture;
  LlScreenFormat format;
  const guint8 *source;      /* the desktop's framebuffer */
};

/* ---- the picture ---- */

/* How far into its memory a picture in F reaches: a monitor's picture is
 * a window into a wider one, whose last row ends at its own width. */
static gsize picture_extent(const LlScreenFormat *f)
{
  return (gsize)f->stride * (f->height - 1) + (gsize)f->width * 4;
}

static gboolean picture_new(Picture *p, const LlScreenFormat *f, const guint8 *source,
                            GError **error)
{
  gsize offset = 0, size = 0;
  p->copy = NULL;
  p->fd = ll_shared_picture_fd(source, &offset, &size);
  if (p->fd >= 0 && offset + picture_extent(f) <= size) {
    p->offset = offset;
    g_debug("the screen server reads the desktop's picture in place");
    return TRUE;
  }
  if (p->fd >= 0)
    close(p->fd);
  g_debug("the screen server reads a copy of the desktop's picture");
  p->copy = ll_shared_picture_new((gsize)f->stride * f->height);
  p->offset = 0;
  p->fd = ll_shared_picture_fd(p->copy, &offset, &size);
  if (p->fd < 0) {
    g_set_error_literal(error, LL_ERROR, LL_ERROR_FAILED,
                        "cannot share the picture with the screen server (no memfd)");
    ll_shared_picture_free(g_steal_pointer(&p->copy));
    return FALSE;
  }
  for (int row = 0; row < f->height; row++)
    memcpy(p->copy + (gsize)row * f->stride, source + (gsize)row * f->stride, (gsize)f->width * 4);
  return TRUE;
}

static void picture_clear(Picture *p)
{
  ll_shared_picture_free(p->copy);
  if (p->fd >= 0)
    close(p->fd);
  *p = (Picture){ .fd = -1 };
}

/* ---- calls to the worker ---- */

static GVariant *format_args(const LlScreenFormat *f, GVariantBuilder *b)
{
  g_variant_builder_add(b, "u", (guint32)f->width);
  g_variant_builder_add(b, "u", (guint32)f->height);
  g_variant_builder_add(b, "u", (guint32)f->stride);
  g_variant_builder_add(b, "u", (guint32)f->red_shift);
  g_variant_builder_add(b, "u", (guint32)f->green_shift);
  g_variant_builder_add(b, "u", (guint32)f->blue_shift);
  g_variant_builder_add(b, "b", f->big_endian);
  return NULL;
}

/* A call that needs no answer: damage and text go out in order, from any
 * thread, and never wait for the worker. */
static void tell(LlRfbServer *s, const char *method, GVariant *args)
{
  g_autoptr(GDBusMessage) m = g_dbus_message_new_method_call(NULL, LL_RFB_IPC_PATH,
                                                             LL_RFB_IPC_INTERFACE, method);
  g_dbus_message_set_body(m, args);
  g_dbus_message_set_flags(m, G_DBUS_MESSAGE_FLAGS_NO_REPLY_EXPECTED);
  g_dbus_connection_send_message(s->bus, m, G_DBUS_SEND_MESSAGE_FLAGS_NONE, NULL, NULL);
}

static gboolean call_with_fd(LlRfbServer *s, const char *method, GVariant *args, int fd,
                             GError **error)
{
  g_autoptr(GUnixFDList) fds = g_unix_fd_list_new();
  if (g_unix_fd_list_append(fds, fd, error) < 0)
    return FALSE;
  g_autoptr(GVariant) reply = g_dbus_connection_call_with_unix_fd_list_sync(
      s->bus, NULL, LL_RFB_IPC_PATH, LL_RFB_IPC_INTERFACE, method, args, NULL,
      G_DBUS_CALL_FLAGS_NONE, WORKER_START_MS, fds, NULL, NULL, error);
  return reply != NULL;
}

/* ---- what the worker says: checked again, it is the untrusted side ---- */

static void on_key(LlRfbServer *s, GVariant *p)
{
  gboolean down;
  guint32 keysym;
  g_variant_get(p, "(bu)", &down, &keysym);
  if (s->input.key != NULL)
    s->input.key(down, keysym, s->input_data);
}

static void on_pointer(LlRfbServer *s, GVariant *p)
{
  gint32 buttons, x, y;
  g_variant_get(p, "(iii)", &buttons, &x, &y);
  g_mutex_lock(&s->lock);
  int width = s->format.width, height = s->format.height;
  g_mutex_unlock(&s->lock);
  if (buttons < 0 || buttons > 0xff)
    return;
  x = CLAMP(x, 0, width - 1);
  y = CLAMP(y, 0, height - 1);
  if (s->input.pointer != NULL)
    s->input.pointer(buttons, x, y, s->input_data);
}

static void on_text(LlRfbServer *s, GVariant *p, gboolean chat)
{
  g_autoptr(GVariant) bytes = g_variant_get_child_value(p, 0);
  gsize len;
  const char *text = g_variant_get_fixed_array(bytes, &len, 1);
  if (len > LL_RFB_MAX_TEXT || !g_utf8_validate(text, len, NULL))
    return;
  g_autofree char *copy = g_strndup(text, len);
  if (chat && s->input.text_chat != NULL)
    s->input.text_chat(copy, len, s->input_data);
  else if (!chat && s->input.cut_text != NULL)
    s->input.cut_text(copy, len, s->input_data);
}

static void on_signal(GDBusConnection *bus, const char *sender, const char *path,
                      const char *interface, const char *signal, GVariant *p, gpointer data)
{
  LlRfbServer *s = data;
  (void)bus; (void)sender; (void)path; (void)interface;
  if (g_str_equal(signal, "Key") && g_variant_is_of_type(p, G_VARIANT_TYPE("(bu)")))
    on_key(s, p);
  else if (g_str_equal(signal, "Pointer") && g_variant_is_of_type(p, G_VARIANT_TYPE("(iii)")))
    on_pointer(s, p);
  else if (g_str_equal(signal, "CutText") && g_variant_is_of_type(p, G_VARIANT_TYPE("(ay)")))
    on_text(s, p, FALSE);
  else if (g_str_equal(signal, "TextChat") && g_variant_is_of_type(p, G_VARIANT_TYPE("(ay)")))
    on_text(s, p, TRUE);
  else if (g_str_equal(signal, "Viewers") && g_variant_is_of_type(p, G_VARIANT_TYPE("(u)")))
    g_variant_get(p, "(u)", &s->viewers);
}

static void on_worker_closed(GDBusConnection *bus, gboolean remote, GError *why, gpointer data)
{
  LlRfbServer *s = data;
  (void)bus; (void)why;
  if (!remote || s->failed)
    return;
  s->failed = TRUE;
  s->viewers = 0;
  g_warning("the screen server (%s) stopped unexpectedly", LL_RFB_WORKER_NAME);
  g_autoptr(GError) e = g_error_new_literal(LL_ERROR, LL_ERROR_FAILED,
                                            "the screen server stopped unexpectedly");
  if (s->input.failed != NULL)
    s->input.failed(e, s->input_data);
}

/* ---- starting and stopping the worker ---- */

/* Where the worker is: as the environment says (tests), beside this
 * program (a build directory), or where it is installed. */
static char *worker_path(void)
{
  const char *chosen = g_getenv(LL_RFB_WORKER_ENV);
  if (chosen != NULL && *chosen != '\0')
    return g_strdup(chosen);
  g_autofree char *self = g_file_read_link("/proc/self/exe", NULL);
  if (self != NULL) {
    g_autofree char *dir = g_path_get_dirname(self);
    char *beside = g_build_filename(dir, LL_RFB_WORKER_NAME, NULL);
    if (g_file_test(beside, G_FILE_TEST_IS_EXECUTABLE))
      return beside;
    g_free(beside);
  }
  return g_build_filename(LL_LIBEXECDIR, "lifeline", LL_RFB_WORKER_NAME, NULL);
}

/* Cancels a blocking step that takes longer than its deadline: the
 * handshake runs in the caller's context, where the connection's own
 * events belong, so no timeout source of that context could fire. */
typedef struct {
  GMutex lock;
  GCond cond;
  gboolean done;
  gint64 until;
  GCancellable *cancellable;
} Watchdog;

static gpointer watchdog_run(gpointer data)
{
  Watchdog *w = data;
  g_mutex_lock(&w->lock);
  while (!w->done)
    if (!g_cond_wait_until(&w->cond, &w->lock, w->until)) {
      g_cancellable_cancel(w->cancellable);
      break;
    }
  g_mutex_unlock(&w->lock);
  return NULL;
}

static void watchdog_stop(Watchdog *w, GThread *thread)
{
  g_mutex_lock(&w->lock);
  w->done = TRUE;
  g_cond_signal(&w->cond);
  g_mutex_unlock(&w->lock);
  g_thread_join(thread);
  g_mutex_clear(&w->lock);
  g_cond_clear(&w->cond);
}

/* The D-Bus handshake with the worker, within WORKER_START_MS. */
static GDBusConnection *connect_worker(int fd, GError **error)
{
  g_autoptr(GSocket) socket = g_socket_new_from_fd(fd, error);
  if (socket == NULL) {
    close(fd);
    return NULL;
  }
  g_autoptr(GSocketConnection) stream = g_socket_connection_factory_create_connection(socket);
  g_autoptr(GCancellable) cancellable = g_cancellable_new();
  g_autofree char *guid = g_dbus_generate_guid();
  Watchdog watchdog = { .until = g_get_monotonic_time() + WORKER_START_MS * 1000,
                        .cancellable = cancellable };
  g_mutex_init(&watchdog.lock);
  g_cond_init(&watchdog.cond);
  GThread *thread = g_thread_new("rfb-worker-start", watchdog_run, &watchdog);
  g_autoptr(GError) local = NULL;
  GDBusConnection *bus = g_dbus_connection_new_sync(
      G_IO_STREAM(stream), guid,
      G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_SERVER |
          G_DBUS_CONNECTION_FLAGS_DELAY_MESSAGE_PROCESSING,
      NULL, cancellable, &local);
  watchdog_stop(&watchdog, thread);
  if (bus == NULL)
    g_set_error(error, LL_ERROR, LL_ERROR_FAILED, "the screen server did not start: %s",
                local->message);
  return bus;
}

static GSubprocess *spawn_worker(int child_end, GError **error)
{
  g_autofree char *path = worker_path();
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new(G_SUBPROCESS_FLAGS_NONE);
  g_subprocess_launcher_take_fd(launcher, child_end, LL_RFB_IPC_FD);
  g_autoptr(GError) local = NULL;
  GSubprocess *worker = g_subprocess_launcher_spawn(launcher, &local, path, NULL);
  if (worker == NULL)
    g_set_error(error, LL_ERROR, LL_ERROR_FAILED, "cannot start the screen server (%s): %s",
                path, local->message);
  return worker;
}

static gboolean start_worker(LlRfbServer *s, const char *desktop_name, GError **error)
{
  int pair[2];
  if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair) != 0) {
    g_set_error(error, LL_ERROR, LL_ERROR_FAILED, "cannot start the screen server: %s",
                g_strerror(errno));
    return FALSE;
  }
  s->worker = spawn_worker(pair[1], error);
  if (s->worker == NULL) {
    close(pair[0]);
    return FALSE;
  }
  s->bus = connect_worker(pair[0], error);
  if (s->bus == NULL)
    return FALSE;
  g_dbus_connection_set_exit_on_close(s->bus, FALSE);
  s->signals = g_dbus_connection_signal_subscribe(s->bus, NULL, LL_RFB_IPC_INTERFACE, NULL,
                                                  LL_RFB_IPC_PATH, NULL,
                                                  G_DBUS_SIGNAL_FLAGS_NONE, on_signal, s, NULL);
  g_signal_connect(s->bus, "closed", G_CALLBACK(on_worker_closed), s);
  g_dbus_connection_start_message_processing(s->bus);
  GVariantBuilder b;
  g_variant_builder_init(&b, G_VARIANT_TYPE("(uuuuuubsht)"));
  format_args(&s->format, &b);
  g_variant_builder_add(&b, "s", desktop_name);
  g_variant_builder_add(&b, "h", 0);
  g_variant_builder_add(&b, "t", s->picture.offset);
  return call_with_fd(s, "Start", g_variant_builder_end(&b), s->picture.fd, error);
}

/* On the batch's thread: one message for every rectangle that waited. */
static void send_damage(const LlDamageRect *rects, guint count, gpointer data)
{
  LlRfbServer *s = data;
  GVariantBuilder b;
  g_variant_builder_init(&b, G_VARIANT_TYPE("a(iiii)"));
  for (guint i = 0; i < count; i++)
    g_variant_builder_add(&b, "(iiii)", rects[i].x, rects[i].y, rects[i].width,
                          rects[i].height);
  GVariant *list = g_variant_builder_end(&b);
  tell(s, "Damage", g_variant_new_tuple(&list, 1));
}

LlRfbServer *ll_rfb_server_new(const LlScreenFormat *format, guint8 *framebuffer,
                               const char *desktop_name, GError **error)
{
  LlRfbServer *s = g_new0(LlRfbServer, 1);
  g_mutex_init(&s->lock);
  s->picture = (Picture){ .fd = -1 };
  s->format = *format;
  s->source = framebuffer;
  if (!picture_new(&s->picture, format, framebuffer, error) ||
      !start_worker(s, desktop_name, error)) {
    ll_rfb_server_free(s);
    return NULL;
  }
  s->damage = ll_damage_batch_new(send_damage, s);
  return s;
}

/* On the capture thread: the changed rows go to the shared copy (if the
 * desktop's framebuffer is not shared itself), then the worker is told. */
void ll_rfb_server_mark_changed(LlRfbServer *s, int x, int y, int w, int h)
{
  g_mutex_lock(&s->lock);
  const LlScreenFormat *f = &s->format;
  x = CLAMP(x, 0, f->width);
  y = CLAMP(y, 0, f->height);
  w = CLAMP(w, 0, f->width - x);
  h = CLAMP(h, 0, f->height - y);
  for (int row = y; s->picture.copy != NULL && row < y + h; row++) {
    gsize at = (gsize)row * f->stride + (gsize)x * 4;
    memcpy(s->picture.copy + at, s->source + at, (gsize)w * 4);
  }
  g_mutex_unlock(&s->lock);
  if (w > 0 && h > 0 && !s->failed)
    ll_damage_batch_add(s->damage, &(LlDamageRect){ x, y, w, h });
}


void ll_rfb_server_resize(LlRfbServer *s, const LlScreenFormat *f, guint8 *framebuffer)
{
  Picture fresh = { .fd = -1 };
  g_autoptr(GError) error = NULL;
  if (!picture_new(&fresh, f, framebuffer, &error)) {
    g_warning("%s", error->message);
    return;
  }
  g_mutex_lock(&s->lock);
  Picture old = s->picture;
  s->picture = fresh;
  s->format = *f;
  s->source = framebuffer;
  g_mutex_unlock(&s->lock);
  GVariantBuilder b;
  g_variant_builder_init(&b, G_VARIANT_TYPE("(uuuuuubht)"));
  format_args(f, &b);
  g_variant_builder_add(&b, "h", 0);
  g_variant_builder_add(&b, "t", fresh.offset);
  if (!s->failed && !call_with_fd(s, "Resize", g_variant_builder_end(&b), fresh.fd, &error))
    g_warning("the screen server did not take the new picture size: %s", error->message);
  picture_clear(&old);   /* the worker maps its own view of the new one */
}

gboolean ll_rfb_server_add_client(LlRfbServer *s, int fd, GError **error)
{
  gboolean ok = !s->failed && call_with_fd(s, "AddViewer", g_variant_new("(h)", 0), fd, error);
  if (!ok && s->failed)
    g_set_error_literal(error, LL_ERROR, LL_ERROR_FAILED, "the screen server is not running");
  close(fd);   /* the worker has its own copy */
  return ok;
}

void ll_rfb_server_set_input(LlRfbServer *s, const LlRfbInput *input, gpointer user_data)
{
  s->input = *input;
  s->input_data = user_data;
}

static void send_text(LlRfbServer *s, const char *method, const char *utf8, gsize len)
{
  if (s->failed || len > LL_RFB_MAX_TEXT)
    return;
  GVariant *bytes = g_variant_new_fixed_array(G_VARIANT_TYPE_BYTE, utf8, len, 1);
  tell(s, method, g_variant_new_tuple(&bytes, 1));
}

void ll_rfb_server_send_cut_text(LlRfbServer *s, const char *utf8, gsize len)
{
  send_text(s, "SendCutText", utf8, len);
}

void ll_rfb_server_send_text_chat(LlRfbServer *s, const char *utf8, gsize len)
{
  send_text(s, "SendTextChat", utf8, len);
}

guint ll_rfb_server_client_count(LlRfbServer *s) { return s->viewers; }

typedef struct {
  gboolean done, exited;
} Exit;

static void on_worker_exited(GObject *source, GAsyncResult *result, gpointer data)
{
  Exit *e = data;
  e->exited = g_subprocess_wait_finish(G_SUBPROCESS(source), result, NULL);
  e->done = TRUE;
}

static gboolean on_exit_deadline(gpointer data)
{
  g_cancellable_cancel(data);
  return G_SOURCE_REMOVE;
}

/* Closing the connection ends the worker; it has WORKER_EXIT_MS to go,
 * waited for on a context of its own so nothing else runs meanwhile. */
static void stop_worker(LlRfbServer *s)
{
  g_autoptr(GMainContext) context = g_main_context_new();
  g_autoptr(GCancellable) cancellable = g_cancellable_new();
  Exit e = { 0 };
  g_main_context_push_thread_default(context);
  g_subprocess_wait_async(s->worker, cancellable, on_worker_exited, &e);
  GSource *deadline = g_timeout_source_new(WORKER_EXIT_MS);
  g_source_set_callback(deadline, on_exit_deadline, cancellable, NULL);
  g_source_attach(deadline, context);
  while (!e.done)
    g_main_context_iteration(context, TRUE);
  g_source_destroy(deadline);
  g_source_unref(deadline);
  g_main_context_pop_thread_default(context);
  if (!e.exited) {
    g_warning("the screen server did not stop in time; ending it");
    g_subprocess_force_exit(s->worker);
    g_subprocess_wait(s->worker, NULL, NULL);
  }
}

void ll_rfb_server_free(LlRfbServer *s)
{
  if (s == NULL)
    return;
  ll_damage_batch_free(s->damage);   /* the desktop marks nothing more by now */
  if (s->bus != NULL) {
    g_dbus_connection_signal_unsubscribe(s->bus, s->signals);
    g_signal_handlers_disconnect_by_data(s->bus, s);
    g_dbus_connection_close_sync(s->bus, NULL, NULL);
    g_clear_object(&s->bus);
  }
  if (s->worker != NULL) {
    stop_worker(s);
    g_clear_object(&s->worker);
  }
  picture_clear(&s->picture);
  g_mutex_clear(&s->lock);
  g_free(s);
}

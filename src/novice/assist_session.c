#include "novice/assist_session.h"
#include "common/async_guard.h"
#include "common/error.h"
#include "common/token_bucket.h"
#include "net/stream_table.h"
#include "novice/control_arbiter.h"
#include "novice/rfb_server.h"
#include <errno.h>
#include <sys/socket.h>
#include <unistd.h>

#define MAX_STREAMS 4

struct LlAssistSession {
  LlSession *session;
  char *novice_name, *helper_name, *helper_key, *session_id;
  LlAuditLog *audit;
  LlAssistEvents events;
  gpointer user_data;
  LlDesktop *desktop;
  LlRfbServer *rfb;
  LlStreamTable *streams;
  LlControlArbiter *arbiter;
  GError *desktop_closed;        /* why the desktop ended the sharing, if it did */
  gboolean view_only;
  LlTokenBucket requests;
  LlTokenBucket monitor_requests;
  GCancellable *alive;           /* cancelled when freed: for what the capture thread posts */
  GMainContext *context;         /* the session's */
  guint grace_s;
  gboolean interrupted;          /* the connection is lost; waiting for the helper */
  gboolean finished;
};

/* ---- control ---- */

static void send_simple(LlAssistSession *a, LlMessageType type)
{
  g_autoptr(LlControlMessage) m = ll_control_message_new(type);
  ll_session_send_control(a->session, m);
}

static void act_ask(gpointer data)
{
  LlAssistSession *a = data;
  ll_audit_log_write(a->audit, "control-requested", "session", a->session_id, "helper",
                     a->helper_name, NULL);
  a->events.control_asked(a, a->helper_name, a->user_data);
}

static void act_withdrawn(gpointer data)
{
  LlAssistSession *a = data;
  a->events.control_withdrawn(a, a->user_data);
}

static void send_denied(LlAssistSession *a, const char *reason);

static void act_deny(const char *reason, gpointer data)
{
  LlAssistSession *a = data;
  send_denied(a, reason);
  ll_audit_log_write(a->audit, "control-refused", "session", a->session_id, "helper",
                     a->helper_name, "reason", reason, NULL);
}

static void act_granted(gpointer data)
{
  LlAssistSession *a = data;
  ll_desktop_watch_stop(a->desktop, TRUE);
  send_simple(a, LL_MSG_CONTROL_GRANTED);
  ll_audit_log_write(a->audit, "control-granted", "session", a->session_id, "helper",
                     a->helper_name, "helper-key", a->helper_key, NULL);
  a->events.control_changed(a, TRUE, NULL, a->user_data);
}

static void act_ended(LlControlEnd by, gpointer data)
{
  LlAssistSession *a = data;
  ll_desktop_watch_stop(a->desktop, FALSE);
  ll_desktop_release_all(a->desktop);
  g_autoptr(LlControlMessage) m = ll_control_message_new(LL_MSG_CONTROL_ENDED);
  m->by = g_strdup(ll_control_end_name(by));
  ll_session_send_control(a->session, m);
  ll_audit_log_write(a->audit, "control-ended", "session", a->session_id, "helper",
                     a->helper_name, "by", m->by, NULL);
  a->events.control_changed(a, FALSE, m->by, a->user_data);
}

static const LlControlActions control_actions = {
  act_ask, act_withdrawn, act_deny, act_granted, act_ended,
};

/* ---- what the desktop tells ---- */

static void on_desktop_stopped(LlDesktop *desktop, LlDesktopStop why, gpointer data)
{
  LlAssistSession *a = data;
  (void)desktop;
  switch (why) {
  case LL_DESKTOP_STOP_ESC:
    ll_control_arbiter_end(a->arbiter, LL_CONTROL_END_ESC);
    break;
  case LL_DESKTOP_STOP_POINTER:
    ll_control_arbiter_end(a->arbiter, LL_CONTROL_END_POINTER);
    break;
  }
}

static void on_desktop_copied(LlDesktop *desktop, const char *text, gsize len, gpointer data)
{
  LlAssistSession *a = data;
  (void)desktop;
  if (ll_control_arbiter_clipboard_to_helper_allowed(a->arbiter))
    ll_rfb_server_send_cut_text(a->rfb, text, len);
}

/* The desktop itself ended the sharing (its indicator, or it went away):
 * the session cannot go on, and the helper is told why. */
static void on_desktop_closed(LlDesktop *desktop, const GError *why, gpointer data)
{
  LlAssistSession *a = data;
  (void)desktop;
  if (a->finished || a->desktop_closed != NULL)
    return;
  a->desktop_closed = g_error_copy(why);
  ll_assist_session_end(a, why->message);
}

static const LlDesktopEvents desktop_events = {
  on_desktop_stopped, on_desktop_copied, on_desktop_closed,
};

static void on_screen_damaged(int x, int y, int width, int height, gpointer data)
{
  LlAssistSession *a = data;
  ll_rfb_server_mark_changed(a->rfb, x, y, width, height);
}

/* ---- monitors ---- */

/* The monitors (asked of the desktop, which may mean a display round
 * trip) and which is shown, to the helper; returns the message for the
 * caller's own use of the list. */
static LlControlMessage *send_monitors(LlAssistSession *a)
{
  LlControlMessage *m = ll_control_message_new(LL_MSG_MONITORS);
  m->n_monitors = ll_desktop_monitors(a->desktop, m->monitors);
  m->monitor = ll_desktop_shown_monitor(a->desktop);
  ll_session_send_control(a->session, m);
  return m;
}

static gboolean on_picture_changed(gpointer data)
{
  LlAssistSession *a = ll_async_guard_finish(data);
  if (a != NULL && a->session != NULL && !a->finished)
    ll_control_message_free(send_monitors(a));   /* a size change may have changed them */
  return G_SOURCE_REMOVE;
}

static void show_monitor(LlAssistSession *a, guint number)
{
  g_autoptr(GError) error = NULL;
  if (!ll_token_bucket_take(&a->monitor_requests)) {
    g_info("a monitor request from %s ignored: too many", a->helper_name);
    return;
  }
  if (!ll_desktop_show_monitor(a->desktop, number, &error)) {
    g_info("%s asked for a monitor: %s", a->helper_name, error->message);
    ll_control_message_free(send_monitors(a));   /* what there is, to choose again */
    return;
  }
  g_autoptr(LlControlMessage) told = send_monitors(a);
  guint shown = told->monitor;
  if (a->events.monitor_shown != NULL && shown <= told->n_monitors)
    a->events.monitor_shown(a, shown, shown > 0 ? &told->monitors[shown - 1] : NULL,
                            told->n_monitors, a->user_data);
}

/* On the capture thread. */
static void on_screen_resized(const LlScreenFormat *format, guint8 *framebuffer, gpointer data)
{
  LlAssistSession *a = data;
  ll_rfb_server_resize(a->rfb, format, framebuffer);
  g_main_context_invoke(a->context, on_picture_changed, ll_async_guard_new(a, a->alive));
}

static const LlScreenFeed screen_feed = {
  .damaged = on_screen_damaged, .resized = on_screen_resized,
};

/* ---- what viewers send ---- */

static void on_key(gboolean down, guint32 keysym, gpointer data)
{
  LlAssistSession *a = data;
  if (ll_control_arbiter_input_allowed(a->arbiter))
    ll_desktop_key(a->desktop, down, keysym);
}

static void on_pointer(int buttons, int x, int y, gpointer data)
{
  LlAssistSession *a = data;
  if (ll_control_arbiter_input_allowed(a->arbiter))
    ll_desktop_pointer(a->desktop, buttons, x, y);
}

static void on_viewer_cut_text(const char *text, gsize len, gpointer data)
{
  LlAssistSession *a = data;
  if (!(ll_desktop_caps(a->desktop) & LL_DESKTOP_CAN_CLIPBOARD))
    return;
  if (len > LL_MAX_CLIPBOARD || !ll_control_arbiter_clipboard_from_helper_allowed(a->arbiter)) {
    g_info("clipboard text from the helper not taken: %s",
           len > LL_MAX_CLIPBOARD ? "too large" : "the helper is not in control");
    return;
  }
  ll_desktop_clipboard_set(a->desktop, text, len);
}

static void on_viewer_text_chat(const char *text, gsize len, gpointer data)
{
  LlAssistSession *a = data;
  g_autofree char *copy = g_strndup(text, MIN(len, 4096));
  a->events.chat(a, a->helper_name, copy, a->user_data);
}

/* The RFB worker crashed (or was killed): nothing can be shown any more.
 * The session ends with a sentence; this process carries on. */
static void on_screen_server_failed(const GError *why, gpointer data)
{
  LlAssistSession *a = data;
  if (a->finished || a->desktop_closed != NULL)
    return;
  a->desktop_closed = g_error_new(LL_ERROR, LL_ERROR_FAILED,
                                  "%s, so the session ended; start a new one to carry on",
                                  why->message);
  ll_assist_session_end(a, a->desktop_closed->message);
}

static const LlRfbInput viewer_input = {
  on_key, on_pointer, on_viewer_cut_text, on_viewer_text_chat, on_screen_server_failed,
};

/* ---- streams ---- */

static void refuse_stream(LlAssistSession *a, guint32 id)
{
  g_autoptr(LlControlMessage) close = ll_control_message_new(LL_MSG_STREAM_CLOSE);
  close->stream_id = id;
  ll_session_send_control(a->session, close);
}

static void on_bridge_ended(LlStreamBridge *bridge, guint32 id, gpointer data)
{
  LlAssistSession *a = data;
  (void)bridge;
  ll_stream_table_remove(a->streams, id);
}

static GSocketConnection *connection_for_fd(int fd, GError **error)
{
  g_autoptr(GSocket) socket = g_socket_new_from_fd(fd, error);
  if (socket == NULL) {
    close(fd);
    return NULL;
  }
  return g_socket_connection_factory_create_connection(socket);
}

/* libvncserver's output thread writes each update whole and waits while
 * the socket is full, so with the default buffer (about 200 KiB) a
 * full-screen update (about 650 KiB in ZRLE) takes several hand-offs to
 * the main loop, which forwards it. bench/compare.py, fullscreen ZRLE
 * through the session: 24.3 -> 29.4 updates/s, median 58.7 -> 54.5 ms.
 * The kernel caps the size at net.core.wmem_max (stock: 425984 bytes
 * granted, which gave the same 29.5 updates/s); best effort. */
static void give_room_for_updates(int fd)
{
  int size = 4 * 1024 * 1024;
  if (setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &size, sizeof size) != 0)
    g_debug("viewer stream buffer left at its default: %s", g_strerror(errno));
}

static void violation(LlAssistSession *a, const char *what)
{
  g_autoptr(GError) e = g_error_new(LL_ERROR, LL_ERROR_PROTOCOL, "%s", what);
  g_warning("closing the session with %s: protocol violation: %s",
            ll_session_peer_label(a->session), what);
  ll_session_abort(a->session, e);
}

static void open_stream(LlAssistSession *a, guint32 id)
{
  g_autoptr(GError) error = NULL;
  int fds[2];
  if (ll_stream_table_contains(a->streams, id)) {
    violation(a, "a viewer stream opened twice");
    return;
  }
  if (ll_stream_table_size(a->streams) >= MAX_STREAMS) {
    g_message("refused a viewer from %s: already %d open", a->helper_name, MAX_STREAMS);
    refuse_stream(a, id);
    return;
  }
  if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) != 0) {
    g_warning("cannot open a viewer stream: %s", g_strerror(errno));
    refuse_stream(a, id);
    return;
  }
  give_room_for_updates(fds[0]);
  g_autoptr(GSocketConnection) ours = connection_for_fd(fds[1], &error);
  if (ours == NULL) {
    close(fds[0]);
    g_warning("cannot open a viewer stream: %s", error->message);
    refuse_stream(a, id);
    return;
  }
  if (!ll_rfb_server_add_client(a->rfb, fds[0], &error)) {
    g_warning("cannot open a viewer stream: %s", error->message);
    refuse_stream(a, id);
    return;
  }
  ll_stream_table_add(a->streams, ll_stream_bridge_new(a->session, id, G_IO_STREAM(ours),
                                                       on_bridge_ended, a));
  g_info("viewer stream %u open for %s", id, a->helper_name);
}

/* ---- the session ---- */

/* Input and the stop watch open with the first request for control:
 * sessions that only watch never connect them. */
static gboolean ensure_input(LlAssistSession *a)
{
  g_autoptr(GError) error = NULL;
  if (ll_desktop_start_input(a->desktop, &error))
    return TRUE;
  g_warning("the helper can only watch: %s", error->message);
  return FALSE;
}

static void send_denied(LlAssistSession *a, const char *reason)
{
  g_autoptr(LlControlMessage) m = ll_control_message_new(LL_MSG_CONTROL_DENIED);
  m->reason = g_strdup(reason);
  ll_session_send_control(a->session, m);
}

#define REQUEST_BURST 3.0
#define REQUESTS_PER_SECOND 1.0

static void on_control(LlSession *session, const LlControlMessage *m, gpointer data)
{
  LlAssistSession *a = data;
  (void)session;
  switch (m->type) {
  case LL_MSG_STREAM_OPEN:
    open_stream(a, m->stream_id);
    break;
  case LL_MSG_STREAM_CLOSE:
    ll_stream_table_remove(a->streams, m->stream_id);
    break;
  case LL_MSG_CONTROL_REQUEST:
    /* Without view-only, a request waits for the novice, so repeats cost
     * nothing. With it, each is answered at once: a few, then one a second,
     * so a helper repeating it cannot fill the send queue or audit log. */
    if (!a->view_only && !ensure_input(a))
      send_denied(a, "this computer cannot take input from a helper; it can only be watched");
    else if (!a->view_only || ll_token_bucket_take(&a->requests))
      ll_control_arbiter_request(a->arbiter);
    else
      g_info("a control request from %s ignored: too many", a->helper_name);
    break;
  case LL_MSG_CONTROL_RELEASE:
    ll_control_arbiter_end(a->arbiter, LL_CONTROL_END_RELEASE);
    break;
  case LL_MSG_SHOW_MONITOR:
    show_monitor(a, m->monitor);
    break;
  default: {
    g_autofree char *what = g_strdup_printf("unexpected %s message", ll_message_type_name(m->type));
    violation(a, what);
  }
  }
}

static void on_stream_data(LlSession *session, guint32 id, const guint8 *data, gsize len,
                           gpointer user_data)
{
  LlAssistSession *a = user_data;
  (void)session;
  ll_stream_table_deliver(a->streams, id, data, len);
}

static void on_chat(LlSession *session, const char *text, gpointer data)
{
  LlAssistSession *a = data;
  (void)session;
  a->events.chat(a, a->helper_name, text, a->user_data);
}

static void on_drained(LlSession *session, gpointer data)
{
  LlAssistSession *a = data;
  (void)session;
  ll_stream_table_resume_all(a->streams);
}

static void on_suspended(LlSession *session, const GError *why, gpointer data)
{
  LlAssistSession *a = data;
  (void)session;
  if (a->interrupted)
    return;   /* a failed attempt to come back: still the same interruption */
  a->interrupted = TRUE;
  /* Control does not outlive the connection: the helper sees nothing now,
   * and input typed into a frozen picture must not land later. */
  ll_control_arbiter_end(a->arbiter, LL_CONTROL_END_DROP);
  ll_audit_log_write(a->audit, "connection-lost", "session", a->session_id, "helper",
                     a->helper_name, "reason", why->message, NULL);
  a->events.interrupted(a, why, a->grace_s, a->user_data);
}

static void on_resumed(LlSession *session, gpointer data)
{
  LlAssistSession *a = data;
  (void)session;
  a->interrupted = FALSE;
  ll_audit_log_write(a->audit, "connection-resumed", "session", a->session_id, "helper",
                     a->helper_name, NULL);
  a->events.resumed(a, a->user_data);
}

static void on_closed(LlSession *session, const GError *why, gpointer data)
{
  LlAssistSession *a = data;
  (void)session;
  ll_control_arbiter_end(a->arbiter, LL_CONTROL_END_DROP);
  ll_stream_table_remove_all(a->streams);
  a->finished = TRUE;
  if (why == NULL)
    why = a->desktop_closed;
  ll_audit_log_write(a->audit, "session-end", "session", a->session_id, "helper", a->helper_name,
                     "reason", why != NULL ? why->message : "the novice ended it", NULL);
  a->events.finished(a, why, a->user_data);
}

static const LlSessionHandlers assist_handlers = {
  .control = on_control,
  .stream_data = on_stream_data,
  .chat = on_chat,
  .drained = on_drained,
  .suspended = on_suspended,
  .resumed = on_resumed,
  .closed = on_closed,
};

LlDesktop *ll_assist_session_desktop(LlAssistSession *a)
{
  return a->desktop;
}

LlAssistSession *ll_assist_session_new(LlSession *session, LlDesktop *desktop,
                                       const LlAssistConfig *c, const LlAssistEvents *events,
                                       gpointer user_data, GError **error)
{
  g_autofree char *name = g_strdup_printf("%s's desktop", c->novice_name);
  LlScreenFormat format;
  guint8 *framebuffer = ll_desktop_picture(desktop, &format);
  LlRfbServer *rfb = ll_rfb_server_new(&format, framebuffer, name, error);
  if (rfb == NULL) {
    ll_desktop_free(desktop);
    return NULL;
  }
  LlAssistSession *a = g_new0(LlAssistSession, 1);
  a->desktop = desktop;
  a->novice_name = g_strdup(c->novice_name);
  a->helper_name = g_strdup(c->helper_name);
  a->helper_key = g_strdup(c->helper_key);
  a->session_id = g_strdup(c->session_id);
  a->audit = c->audit;
  a->events = *events;
  a->user_data = user_data;
  a->rfb = rfb;
  a->streams = ll_stream_table_new();
  ll_token_bucket_init(&a->requests, REQUEST_BURST, REQUESTS_PER_SECOND);
  ll_token_bucket_init(&a->monitor_requests, REQUEST_BURST, REQUESTS_PER_SECOND);
  a->alive = g_cancellable_new();
  a->context = g_main_context_ref_thread_default();
  a->view_only = c->view_only;
  a->grace_s = c->grace_s;
  const char *reason = c->view_only_reason != NULL ? c->view_only_reason
                                                  : "this session is view-only";
  a->arbiter = ll_control_arbiter_new(a->view_only ? reason : NULL, c->novice_name,
                                      &control_actions, a);
  ll_rfb_server_set_input(rfb, &viewer_input, a);
  ll_desktop_set_events(desktop, &desktop_events, a);
  if (!ll_desktop_start_screen(desktop, &screen_feed, a, error)) {
    ll_assist_session_free(a);   /* the session is not ours yet: the caller refuses */
    return NULL;
  }
  a->session = ll_session_ref(session);
  ll_session_set_handlers(session, &assist_handlers, a);
  ll_session_enable_resume(session, c->grace_s);
  return a;
}

void ll_assist_session_free(LlAssistSession *a)
{
  if (a == NULL)
    return;
  if (a->session != NULL) {
    ll_session_forget_handlers(a->session);
    ll_session_abort(a->session, NULL);
  }
  ll_desktop_stop_screen(a->desktop);   /* no more changes marked on the server */
  g_cancellable_cancel(a->alive);       /* what it posted finds nobody */
  g_clear_object(&a->alive);
  g_main_context_unref(a->context);
  ll_stream_table_free(a->streams);   /* closes our socketpair ends first */
  ll_rfb_server_free(a->rfb);
  ll_control_arbiter_free(a->arbiter);
  ll_desktop_free(a->desktop);        /* its framebuffer outlived the server */
  g_clear_error(&a->desktop_closed);
  g_clear_pointer(&a->session, ll_session_unref);
  g_free(a->novice_name);
  g_free(a->helper_name);
  g_free(a->helper_key);
  g_free(a->session_id);
  g_free(a);
}

void ll_assist_session_accepted(LlAssistSession *a)
{
  ll_control_message_free(send_monitors(a));
}

void ll_assist_session_answer_control(LlAssistSession *a, gboolean allow)
{
  ll_control_arbiter_answer(a->arbiter, allow);
}

void ll_assist_session_stop_control(LlAssistSession *a)
{
  ll_control_arbiter_end(a->arbiter, LL_CONTROL_END_STOP);
}

gboolean ll_assist_session_send_chat(LlAssistSession *a, const char *text, GError **error)
{
  if (!ll_session_send_chat(a->session, text, error))
    return FALSE;
  ll_rfb_server_send_text_chat(a->rfb, text, strlen(text));
  return TRUE;
}

gboolean ll_assist_session_resume_from(LlAssistSession *a, LlSession *carrier,
                                       guint64 peer_received, GError **error)
{
  return ll_session_resume_from(a->session, carrier, peer_received, error);
}

void ll_assist_session_end(LlAssistSession *a, const char *reason)
{
  /* Control ends now, not when the goodbye has been flushed. */
  ll_control_arbiter_end(a->arbiter, LL_CONTROL_END_STOP);
  ll_session_close(a->session, reason);
}

#include "net/ice_path.h"
#include "common/error.h"
#include "net/turn_tls_tunnel.h"
#include <agent.h>
#include <errno.h>
#include <sys/socket.h>
#include <unistd.h>

#define CHUNK (64 * 1024)
#define MAX_TO_INNER (8 * 1024 * 1024)

struct LlIcePath {
  NiceAgent *agent;
  guint stream;
  LlIcePathEvents events;
  gpointer user_data;
  GSocket *inner;              /* our end of the socketpair */
  GSocketConnection *outer;    /* handed out at ready */
  GSource *read_source;
  GSource *write_source;
  guint8 *pending;             /* read from the socketpair, not yet taken by libnice */
  gsize pending_len, pending_off;
  GByteArray *to_inner;        /* from libnice, not yet written to the socketpair */
  GSList *early_candidates;    /* remote candidates before the credentials */
  gboolean have_credentials;
  gboolean ready, finished;
  guint timeout;
  LlTurnTlsTunnel *turns;      /* the relay over TLS, when there is one */
};

static void read_from_inner(LlIcePath *p);
static void stop_reading(LlIcePath *p);

/* ---- libnice -> socketpair ---- */

/* Writes what waits for the session side. TRUE when done: all written,
 * or the session side is gone (then the rest is dropped). */
static gboolean flush_to_inner(LlIcePath *p)
{
  while (p->to_inner->len > 0) {
    g_autoptr(GError) error = NULL;
    gssize n = g_socket_send(p->inner, (const char *)p->to_inner->data, p->to_inner->len, NULL,
                             &error);
    if (n < 0 && g_error_matches(error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
      return FALSE;
    if (n <= 0) {
      g_byte_array_set_size(p->to_inner, 0);
      return TRUE;
    }
    g_byte_array_remove_range(p->to_inner, 0, n);
  }
  return TRUE;
}

static gboolean on_inner_writable(GSocket *socket, GIOCondition condition, gpointer data)
{
  LlIcePath *p = data;
  (void)socket; (void)condition;
  if (!flush_to_inner(p))
    return G_SOURCE_CONTINUE;
  g_source_unref(p->write_source);
  p->write_source = NULL;
  return G_SOURCE_REMOVE;
}

static void on_nice_recv(NiceAgent *agent, guint stream, guint component, guint len, gchar *buf,
                         gpointer data)
{
  LlIcePath *p = data;
  (void)agent; (void)stream; (void)component;
  if (p->to_inner->len + len > MAX_TO_INNER) {
    g_warning("ICE: the local side stopped reading; closing the path");
    g_socket_shutdown(p->inner, TRUE, TRUE, NULL);
    return;
  }
  g_byte_array_append(p->to_inner, (const guint8 *)buf, len);
  if (p->write_source == NULL && !flush_to_inner(p)) {
    p->write_source = g_socket_create_source(p->inner, G_IO_OUT, NULL);
    g_source_set_callback(p->write_source, (GSourceFunc)(void (*)(void))on_inner_writable, p, NULL);
    g_source_attach(p->write_source, NULL);
  }
}

/* ---- socketpair -> libnice ---- */

/* Hands what is pending to libnice; FALSE while it cannot take all. */
static gboolean push_pending(LlIcePath *p)
{
  while (p->pending_off < p->pending_len) {
    gint n = nice_agent_send(p->agent, p->stream, 1, p->pending_len - p->pending_off,
                             (const gchar *)p->pending + p->pending_off);
    if (n <= 0)
      return FALSE;   /* "reliable-transport-writable" will call again */
    p->pending_off += n;
  }
  p->pending_len = p->pending_off = 0;
  return TRUE;
}

static gboolean on_inner_readable(GSocket *socket, GIOCondition condition, gpointer data)
{
  LlIcePath *p = data;
  (void)condition;
  gssize n = g_socket_receive(socket, (char *)p->pending, CHUNK, NULL, NULL);
  if (n <= 0) {
    g_debug("ICE: the session side closed");
    p->read_source = NULL;
    return G_SOURCE_REMOVE;
  }
  p->pending_len = n;
  p->pending_off = 0;
  if (push_pending(p))
    return G_SOURCE_CONTINUE;
  p->read_source = NULL;   /* paused until libnice can take more */
  return G_SOURCE_REMOVE;
}

static void read_from_inner(LlIcePath *p)
{
  if (p->read_source != NULL)
    return;
  p->read_source = g_socket_create_source(p->inner, G_IO_IN | G_IO_HUP, NULL);
  g_source_set_callback(p->read_source, (GSourceFunc)(void (*)(void))on_inner_readable, p, NULL);
  g_source_attach(p->read_source, NULL);
  g_source_unref(p->read_source);
}

static void stop_reading(LlIcePath *p)
{
  if (p->read_source != NULL) {
    g_source_destroy(p->read_source);
    p->read_source = NULL;
  }
}

static void on_writable(NiceAgent *agent, guint stream, guint component, gpointer data)
{
  LlIcePath *p = data;
  (void)agent; (void)stream; (void)component;
  if (p->ready && push_pending(p))
    read_from_inner(p);
}

/* ---- ICE state ---- */

static const char *pair_name(const NiceCandidate *local, const NiceCandidate *remote)
{
  if (local->type == NICE_CANDIDATE_TYPE_RELAYED || remote->type == NICE_CANDIDATE_TYPE_RELAYED)
    return "relay";
  if (local->type == NICE_CANDIDATE_TYPE_HOST && remote->type == NICE_CANDIDATE_TYPE_HOST)
    return "ice-host";
  return "ice-srflx";
}

static const char *path_name(LlIcePath *p)
{
  NiceCandidate *local = NULL, *remote = NULL;
  if (!nice_agent_get_selected_pair(p->agent, p->stream, 1, &local, &remote))
    return "ice-srflx";
  return pair_name(local, remote);
}

static void fail(LlIcePath *p, const char *why)
{
  if (p->finished)
    return;
  p->finished = TRUE;
  g_clear_handle_id(&p->timeout, g_source_remove);
  g_autoptr(GError) e = g_error_new(LL_ERROR, LL_ERROR_UNREACHABLE, "ICE: %s", why);
  p->events.failed(p, e, p->user_data);
}

static void become_ready(LlIcePath *p)
{
  p->ready = TRUE;
  p->finished = TRUE;
  g_clear_handle_id(&p->timeout, g_source_remove);
  const char *name = path_name(p);
  g_info("ICE path ready (%s)", name);
  read_from_inner(p);
  p->events.ready(p, g_steal_pointer(&p->outer), name, p->user_data);
}

static void on_state(NiceAgent *agent, guint stream, guint component, guint state, gpointer data)
{
  LlIcePath *p = data;
  (void)agent; (void)stream; (void)component;
  if (state == NICE_COMPONENT_STATE_READY && !p->ready && !p->finished)
    become_ready(p);
  else if (state == NICE_COMPONENT_STATE_FAILED && !p->ready)
    fail(p, "no working path between the two computers");
  else if (state == NICE_COMPONENT_STATE_FAILED && p->ready) {
    g_info("ICE path failed during the session");
    g_socket_shutdown(p->inner, TRUE, TRUE, NULL);
  }
}

/* A pair is selected (the controlling side nominates each pair that
 * works, libnice's aggressive nomination): the path is usable now, and the
 * pseudo-TCP over it starts. libnice says READY only once every other
 * check has ended, which for candidates nobody can reach means their
 * retransmissions running out (about 2 s in the NAT lab); a better pair
 * that works later is switched to underneath. */
static void on_selected_pair(NiceAgent *agent, guint stream, guint component,
                             NiceCandidate *local, NiceCandidate *remote, gpointer data)
{
  LlIcePath *p = data;
  (void)agent; (void)stream; (void)component;
  if (p->ready) {
    g_info("ICE path now %s", pair_name(local, remote));
    return;
  }
  if (!p->finished)
    become_ready(p);
}

static void send_data(LlIcePath *p, LlSignalMessage *m)
{
  p->events.signal(p, m, p->user_data);
}

static void on_new_candidate(NiceAgent *agent, NiceCandidate *candidate, gpointer data)
{
  LlIcePath *p = data;
  if (p->finished)
    return;   /* after ready or failure, no more events */
  g_autoptr(LlSignalMessage) m = ll_signal_message_new(LL_SIGNAL_SIGNAL);
  m->data_kind = LL_ICE_CANDIDATE;
  m->candidate = nice_agent_generate_local_candidate_sdp(agent, candidate);
  send_data(p, m);
}

static void on_gathering_done(NiceAgent *agent, guint stream, gpointer data)
{
  LlIcePath *p = data;
  (void)agent; (void)stream;
  if (p->finished)
    return;
  g_autoptr(LlSignalMessage) m = ll_signal_message_new(LL_SIGNAL_SIGNAL);
  m->data_kind = LL_ICE_DONE;
  send_data(p, m);
}

static gboolean on_timeout(gpointer data)
{
  LlIcePath *p = data;
  p->timeout = 0;
  fail(p, "no working path found in time");
  return G_SOURCE_REMOVE;
}

/* ---- setup ---- */

/* To libnice, the relay over TLS is a TURN-over-TCP server on the
 * loopback: our tunnel (see turn_tls_tunnel.h). */
static void add_tls_relay(LlIcePath *p, const LlIceServers *s)
{
  g_autoptr(GError) error = NULL;
  p->turns = ll_turn_tls_tunnel_new(s->turns_host, s->turns_port, &error);
  if (p->turns == NULL) {
    g_info("no relay over TLS: %s", error->message);
    return;
  }
  nice_agent_set_relay_info(p->agent, p->stream, 1, "127.0.0.1", ll_turn_tls_tunnel_port(p->turns),
                            s->turn_username, s->turn_password, NICE_RELAY_TYPE_TURN_TCP);
}

static void configure(LlIcePath *p, gboolean controlling, const LlIceServers *s)
{
  g_object_set(p->agent, "controlling-mode", controlling, "upnp", TRUE, "upnp-timeout", 1000,
               "ice-tcp", TRUE, "ice-udp", TRUE, NULL);
  if (s->stun_host != NULL)
    g_object_set(p->agent, "stun-server", s->stun_host, "stun-server-port", (guint)s->stun_port,
                 NULL);
  p->stream = nice_agent_add_stream(p->agent, 1);
  if (s->turn_host != NULL) {
    nice_agent_set_relay_info(p->agent, p->stream, 1, s->turn_host, s->turn_port,
                              s->turn_username, s->turn_password, NICE_RELAY_TYPE_TURN_UDP);
    nice_agent_set_relay_info(p->agent, p->stream, 1, s->turn_host, s->turn_port,
                              s->turn_username, s->turn_password, NICE_RELAY_TYPE_TURN_TCP);
  }
  if (s->turns_host != NULL)
    add_tls_relay(p, s);
}

LlIcePath *ll_ice_path_new(gboolean controlling, const LlIceServers *servers,
                           const LlIcePathEvents *events, gpointer user_data)
{
  LlIcePath *p = g_new0(LlIcePath, 1);
  p->events = *events;
  p->user_data = user_data;
  p->pending = g_malloc(CHUNK);
  p->to_inner = g_byte_array_new();
  int fds[2];
  if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) == 0) {
    p->inner = g_socket_new_from_fd(fds[0], NULL);
    g_autoptr(GSocket) outer = g_socket_new_from_fd(fds[1], NULL);
    p->outer = g_socket_connection_factory_create_connection(outer);
    g_socket_set_blocking(p->inner, FALSE);
  }
  p->agent = nice_agent_new_full(g_main_context_default(), NICE_COMPATIBILITY_RFC5245,
                                 NICE_AGENT_OPTION_RELIABLE | NICE_AGENT_OPTION_ICE_TRICKLE);
  configure(p, controlling, servers);
  g_signal_connect(p->agent, "component-state-changed", G_CALLBACK(on_state), p);
  g_signal_connect(p->agent, "new-selected-pair-full", G_CALLBACK(on_selected_pair), p);
  g_signal_connect(p->agent, "new-candidate-full", G_CALLBACK(on_new_candidate), p);
  g_signal_connect(p->agent, "candidate-gathering-done", G_CALLBACK(on_gathering_done), p);
  g_signal_connect(p->agent, "reliable-transport-writable", G_CALLBACK(on_writable), p);
  nice_agent_attach_recv(p->agent, p->stream, 1, g_main_context_default(), on_nice_recv, p);
  return p;
}

void ll_ice_path_start(LlIcePath *p)
{
  g_autofree char *ufrag = NULL, *pwd = NULL;
  if (p->inner == NULL || p->outer == NULL) {
    fail(p, "cannot create the local bridge");
    return;
  }
  p->timeout = g_timeout_add_seconds(LL_ICE_TIMEOUT_S, on_timeout, p);
  nice_agent_get_local_credentials(p->agent, p->stream, &ufrag, &pwd);
  g_autoptr(LlSignalMessage) m = ll_signal_message_new(LL_SIGNAL_SIGNAL);
  m->data_kind = LL_ICE_CREDENTIALS;
  m->ufrag = g_strdup(ufrag);
  m->pwd = g_strdup(pwd);
  send_data(p, m);
  if (!nice_agent_gather_candidates(p->agent, p->stream))
    fail(p, "cannot gather candidates");
}

static void add_remote_candidate(LlIcePath *p, const char *sdp)
{
  NiceCandidate *c = nice_agent_parse_remote_candidate_sdp(p->agent, p->stream, sdp);
  if (c == NULL) {
    g_debug("ICE: ignoring an unreadable candidate");
    return;
  }
  GSList *list = g_slist_append(NULL, c);
  nice_agent_set_remote_candidates(p->agent, p->stream, 1, list);
  g_slist_free_full(list, (GDestroyNotify)nice_candidate_free);
}

void ll_ice_path_remote(LlIcePath *p, const LlSignalMessage *m)
{
  switch (m->data_kind) {
  case LL_ICE_CREDENTIALS:
    if (p->have_credentials)
      return;   /* the first credentials stand: no one switches them mid-way */
    nice_agent_set_remote_credentials(p->agent, p->stream, m->ufrag, m->pwd);
    p->have_credentials = TRUE;
    for (GSList *l = p->early_candidates; l != NULL; l = l->next)
      add_remote_candidate(p, l->data);
    g_slist_free_full(g_steal_pointer(&p->early_candidates), g_free);
    break;
  case LL_ICE_CANDIDATE:
    if (p->have_credentials)
      add_remote_candidate(p, m->candidate);
    else if (g_slist_length(p->early_candidates) < 64)
      p->early_candidates = g_slist_append(p->early_candidates, g_strdup(m->candidate));
    break;
  case LL_ICE_DONE:
    nice_agent_peer_candidate_gathering_done(p->agent, p->stream);
    break;
  case LL_ICE_NONE:
  case LL_ICE_PAKE:   /* a code's mailbox carries no ICE */
    break;
  }
}

gboolean ll_ice_path_is_ready(LlIcePath *p) { return p->ready; }

static void on_agent_closed(GObject *agent, GAsyncResult *result, gpointer tunnel)
{
  (void)agent;
  (void)result;
  ll_turn_tls_tunnel_free(tunnel);
}

void ll_ice_path_free(LlIcePath *p)
{
  if (p == NULL)
    return;
  g_clear_handle_id(&p->timeout, g_source_remove);
  stop_reading(p);
  if (p->write_source != NULL) {
    g_source_destroy(p->write_source);
    g_source_unref(p->write_source);
  }
  g_signal_handlers_disconnect_by_data(p->agent, p);
  nice_agent_attach_recv(p->agent, p->stream, 1, g_main_context_default(), NULL, NULL);
  nice_agent_remove_stream(p->agent, p->stream);
  /* Gives the relay its allocations back (refreshes of lifetime 0) rather
   * than leaving them to time out, which libnice also warns about; the
   * agent and the tunnel those go through stay until that is done. */
  nice_agent_close_async(p->agent, on_agent_closed, g_steal_pointer(&p->turns));
  g_object_unref(p->agent);
  if (p->inner != NULL) {
    g_socket_close(p->inner, NULL);
    g_object_unref(p->inner);
  }
  g_clear_object(&p->outer);
  g_slist_free_full(p->early_candidates, g_free);
  g_byte_array_unref(p->to_inner);
  g_free(p->pending);
  g_free(p);
}

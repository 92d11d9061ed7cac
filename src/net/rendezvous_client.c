#include "net/rendezvous_client.h"
#include "common/host_proof.h"
#include "common/async_guard.h"
#include "common/error.h"
#include "common/rendezvous_url.h"
#include "net/proxy_choice.h"
#include <libsoup/soup.h>
#include <string.h>

#define CONNECT_TIMEOUT_S 10

struct LlRendezvousClient {
  char *url;
  LlRendezvousEvents events;
  gpointer user_data;
  SoupSession *soup;
  SoupWebsocketConnection *ws;
  GCancellable *cancellable;
  GQueue pending;              /* encoded messages waiting for the connection */
  guint bad_url_idle;
  GError *bad_url;           /* why the address could not be used, until reported */
  gboolean closed;
  char *nonce;                 /* the server's challenge, once it came */
  char *register_id;           /* a registration waiting for it */
  const LlIdentity *register_identity;
  char *nameplate;             /* a code's mailbox, once opened */
  char *token;                 /* an invitation's mailbox: the key to open it again */
};

/* Queued messages may hold ICE passwords or a mailbox's token. */
static void wipe_text(gpointer text)
{
  memset(text, 0, strlen(text));
  g_free(text);
}

static void report_closed(LlRendezvousClient *c, GError *why)
{
  if (c->closed) {
    g_clear_error(&why);
    return;
  }
  c->closed = TRUE;
  if (c->events.closed != NULL)
    c->events.closed(c, why, c->user_data);
  g_clear_error(&why);
}

static void send_text(LlRendezvousClient *c, char *text)
{
  if (c->ws != NULL && soup_websocket_connection_get_state(c->ws) == SOUP_WEBSOCKET_STATE_OPEN) {
    soup_websocket_connection_send_text(c->ws, text);
    memset(text, 0, strlen(text));   /* ICE passwords travel in these */
    g_free(text);
  } else if (!c->closed) {
    g_queue_push_tail(&c->pending, text);
  } else {
    wipe_text(text);
  }
}

/* The registration, proven, once the challenge and the request are both here. */
static void send_register(LlRendezvousClient *c)
{
  if (c->nonce == NULL || c->register_id == NULL)
    return;
  g_autoptr(GError) error = NULL;
  g_autoptr(LlSignalMessage) m = ll_signal_message_new(LL_SIGNAL_REGISTER);
  /* Signed as the server will read it: the one canonical way. */
  g_autofree char *asked = g_steal_pointer(&c->register_id);
  LlKeyPin pin;
  guint8 fingerprint[LL_FINGERPRINT_BYTES] = { 0 };
  if (ll_key_pin_parse(asked, &pin) && pin.len == LL_HOST_ID_BYTES)
    memcpy(fingerprint, pin.bytes, LL_HOST_ID_BYTES);
  m->mailbox = ll_host_id_of(fingerprint);
  if (!ll_host_proof_make(c->register_identity, m->mailbox, c->nonce, &m->certificate,
                          &m->proof, &error)) {
    report_closed(c, g_steal_pointer(&error));
    return;
  }
  send_text(c, ll_signal_message_encode(m));
}

static void dispatch(LlRendezvousClient *c, const LlSignalMessage *m)
{
  const LlRendezvousEvents *e = &c->events;
  switch (m->type) {
  case LL_SIGNAL_CHALLENGE:
    g_free(c->nonce);
    c->nonce = g_strdup(m->nonce);
    send_register(c);
    break;
  case LL_SIGNAL_OPENED:
    g_free(c->nameplate);
    c->nameplate = g_strdup(m->nameplate);
    if (m->token != NULL) {
      g_free(c->token);
      c->token = g_strdup(m->token);
    }
    if (e->opened) e->opened(c, m->mailbox, &m->ice, c->user_data);
    break;
  case LL_SIGNAL_JOINED:
    if (e->joined) e->joined(c, m->peer, &m->ice, c->user_data);
    break;
  case LL_SIGNAL_PEER:
    if (e->peer) e->peer(c, m->peer, c->user_data);
    break;
  case LL_SIGNAL_PEER_LEFT:
    if (e->peer_left) e->peer_left(c, m->peer, c->user_data);
    break;
  case LL_SIGNAL_SIGNAL:
    if (e->signal) e->signal(c, m->has_peer ? m->peer : 0, m, c->user_data);
    break;
  case LL_SIGNAL_ERROR:
    report_closed(c, g_error_new(LL_ERROR,
                                 m->reason == LL_SIGNAL_ERROR_NOBODY_THERE ? LL_ERROR_NOT_WAITING
                                 : m->reason == LL_SIGNAL_ERROR_EXPIRED    ? LL_ERROR_EXPIRED
                                                                           : LL_ERROR_REFUSED,
                                 "the rendezvous said: %s", m->message));
    break;
  default:
    g_debug("rendezvous sent a message meant for servers; ignored");
  }
}

static void on_message(SoupWebsocketConnection *ws, gint type, GBytes *message, gpointer data)
{
  LlRendezvousClient *c = data;
  g_autoptr(GError) error = NULL;
  (void)ws;
  gsize n = 0;
  const char *text = g_bytes_get_data(message, &n);
  g_autoptr(LlSignalMessage) m = type == SOUP_WEBSOCKET_DATA_TEXT
                                     ? ll_signal_message_decode(text, n, &error) : NULL;
  if (m == NULL) {
    g_warning("ignoring a bad message from the rendezvous: %s",
              error != NULL ? error->message : "binary");
    return;
  }
  dispatch(c, m);
}

static void on_ws_closed(SoupWebsocketConnection *ws, gpointer data)
{
  LlRendezvousClient *c = data;
  (void)ws;
  report_closed(c, g_error_new_literal(LL_ERROR, LL_ERROR_CONNECTION_LOST,
                                       "the rendezvous closed the connection"));
}

static void on_connected(GObject *source, GAsyncResult *result, gpointer data)
{
  g_autoptr(GError) error = NULL;
  SoupWebsocketConnection *ws =
      soup_session_websocket_connect_finish(SOUP_SESSION(source), result, &error);
  LlRendezvousClient *c = ll_async_guard_finish(data);
  if (c == NULL) {
    g_clear_object(&ws);
    return;
  }
  if (ws == NULL) {
    report_closed(c, g_error_new(LL_ERROR, LL_ERROR_UNREACHABLE,
                                 "cannot reach the rendezvous at %s (%s)", c->url, error->message));
    return;
  }
  c->ws = ws;
  soup_websocket_connection_set_max_incoming_payload_size(ws, LL_SIGNAL_MAX_BYTES);
  g_signal_connect(ws, "message", G_CALLBACK(on_message), c);
  g_signal_connect(ws, "closed", G_CALLBACK(on_ws_closed), c);
  char *text;
  while ((text = g_queue_pop_head(&c->pending)) != NULL)
    send_text(c, text);
}

static gboolean report_bad_url(gpointer data)
{
  LlRendezvousClient *c = data;
  c->bad_url_idle = 0;
  report_closed(c, g_steal_pointer(&c->bad_url));
  return G_SOURCE_REMOVE;
}

static GInetSocketAddress *bind_address;   /* for load generators; NULL: the system's choice */

void ll_rendezvous_clients_bind(const char *ip)
{
  g_clear_object(&bind_address);
  g_autoptr(GInetAddress) address = ip != NULL ? g_inet_address_new_from_string(ip) : NULL;
  if (address != NULL)
    bind_address = G_INET_SOCKET_ADDRESS(g_inet_socket_address_new(address, 0));
}

LlRendezvousClient *ll_rendezvous_client_new(const char *url, const LlRendezvousEvents *events,
                                             gpointer user_data)
{
  LlRendezvousClient *c = g_new0(LlRendezvousClient, 1);
  c->url = ll_rendezvous_url_normalize(url, &c->bad_url);
  c->events = *events;
  c->user_data = user_data;
  c->cancellable = g_cancellable_new();
  g_autoptr(GProxyResolver) proxy = ll_proxy_resolver_new();
  c->soup = soup_session_new_with_options("timeout", CONNECT_TIMEOUT_S, "proxy-resolver", proxy,
                                          "local-address", bind_address, NULL);
  g_queue_init(&c->pending);
  SoupMessage *msg = c->url != NULL ? soup_message_new(SOUP_METHOD_GET, c->url) : NULL;
  if (msg == NULL) {
    if (c->bad_url == NULL)
      c->bad_url = g_error_new(LL_ERROR, LL_ERROR_USAGE, "\"%s\" is not a rendezvous address",
                               url);
    /* Reported from the main loop: the caller is still setting up. */
    c->bad_url_idle = g_idle_add(report_bad_url, c);
    return c;
  }
  soup_session_websocket_connect_async(c->soup, msg, NULL, NULL, G_PRIORITY_DEFAULT,
                                       c->cancellable, on_connected,
                                       ll_async_guard_new(c, c->cancellable));
  g_object_unref(msg);
  return c;
}

void ll_rendezvous_client_open(LlRendezvousClient *c, gint64 lifetime)
{
  g_autoptr(LlSignalMessage) m = ll_signal_message_new(LL_SIGNAL_OPEN);
  m->lifetime = lifetime;
  send_text(c, ll_signal_message_encode(m));
}

void ll_rendezvous_client_reopen(LlRendezvousClient *c, const char *mailbox, const char *token,
                                 gint64 lifetime)
{
  g_autoptr(LlSignalMessage) m = ll_signal_message_new(LL_SIGNAL_OPEN);
  m->lifetime = MAX(lifetime, 1);
  m->mailbox = g_strdup(mailbox);
  m->token = g_strdup(token);
  g_free(c->token);
  c->token = g_strdup(token);
  send_text(c, ll_signal_message_encode(m));
}

const char *ll_rendezvous_client_token(LlRendezvousClient *c) { return c->token; }

void ll_rendezvous_client_open_code(LlRendezvousClient *c, gint64 lifetime)
{
  g_autoptr(LlSignalMessage) m = ll_signal_message_new(LL_SIGNAL_OPEN);
  m->lifetime = lifetime;
  m->code = TRUE;
  send_text(c, ll_signal_message_encode(m));
}

const char *ll_rendezvous_client_nameplate(LlRendezvousClient *c) { return c->nameplate; }

void ll_rendezvous_client_claim(LlRendezvousClient *c, const char *nameplate)
{
  g_autoptr(LlSignalMessage) m = ll_signal_message_new(LL_SIGNAL_CLAIM);
  m->nameplate = g_strdup(nameplate);
  send_text(c, ll_signal_message_encode(m));
}

void ll_rendezvous_client_join(LlRendezvousClient *c, const char *mailbox)
{
  g_autoptr(LlSignalMessage) m = ll_signal_message_new(LL_SIGNAL_JOIN);
  m->mailbox = g_strdup(mailbox);
  send_text(c, ll_signal_message_encode(m));
}

void ll_rendezvous_client_register(LlRendezvousClient *c, const char *host_id,
                                   const LlIdentity *identity)
{
  g_free(c->register_id);
  c->register_id = g_strdup(host_id);
  c->register_identity = identity;
  send_register(c);
}

void ll_rendezvous_client_renew(LlRendezvousClient *c)
{
  g_autoptr(LlSignalMessage) m = ll_signal_message_new(LL_SIGNAL_RENEW);
  send_text(c, ll_signal_message_encode(m));
}

void ll_rendezvous_client_send_signal(LlRendezvousClient *c, guint32 peer, LlSignalMessage *m)
{
  m->peer = peer;
  m->has_peer = peer != 0;
  send_text(c, ll_signal_message_encode(m));
}

void ll_rendezvous_client_set_events(LlRendezvousClient *c, const LlRendezvousEvents *events,
                                     gpointer user_data)
{
  c->events = *events;
  c->user_data = user_data;
}

void ll_rendezvous_client_forget_events(LlRendezvousClient *c)
{
  memset(&c->events, 0, sizeof c->events);
}

void ll_rendezvous_client_free(LlRendezvousClient *c)
{
  if (c == NULL)
    return;
  g_cancellable_cancel(c->cancellable);
  g_clear_handle_id(&c->bad_url_idle, g_source_remove);
  g_clear_error(&c->bad_url);
  if (c->ws != NULL) {
    g_signal_handlers_disconnect_by_data(c->ws, c);
    if (soup_websocket_connection_get_state(c->ws) == SOUP_WEBSOCKET_STATE_OPEN)
      soup_websocket_connection_close(c->ws, SOUP_WEBSOCKET_CLOSE_NORMAL, NULL);
    g_object_unref(c->ws);
  }
  g_queue_clear_full(&c->pending, wipe_text);
  g_object_unref(c->soup);
  g_object_unref(c->cancellable);
  g_free(c->url);
  g_free(c->nonce);
  g_free(c->register_id);
  g_free(c->nameplate);
  if (c->token != NULL)
    memset(c->token, 0, strlen(c->token));
  g_free(c->token);
  g_free(c);
}

#include "rendezvous/rendezvous_server.h"
#include "common/host_proof.h"
#include "common/encoding.h"
#include "common/error.h"
#include "common/signal_message.h"
#include "common/token_bucket.h"
#include "rendezvous/claim_limiter.h"
#include "rendezvous/nameplate_table.h"
#include "rendezvous/stun_responder.h"
#include "rendezvous/turn_credentials.h"
#include "rendezvous/upgrade_gate.h"
#include <libsoup/soup.h>
#include <sodium.h>
#include <string.h>

#define PATH "/lifeline"
#define MAILBOX_ID_BYTES 16
#define MAX_HELPERS_PER_MAILBOX 16

typedef struct Mailbox Mailbox;

typedef struct {
  LlRendezvousServer *server;
  SoupWebsocketConnection *ws;
  char *address;
  char *host_seen;           /* the host name the client used to reach us */
  Mailbox *owns;             /* a novice's own mailbox */
  Mailbox *joined;           /* a helper's mailbox */
  guint32 peer;              /* a helper's id in its mailbox */
  LlTokenBucket messages;
  char *nonce;               /* this connection's challenge: what a host signs */
} Client;

struct Mailbox {
  char *id;
  char *nameplate;           /* a code's, until it is claimed; else NULL */
  gboolean code;             /* reached only by its nameplate, by one helper */
  Client *novice;
  GHashTable *helpers;       /* peer id -> Client */
  guint32 next_peer;
  guint expiry;
};

struct LlRendezvousServer {
  LlRendezvousConfig config;
  SoupServer *soup;
  LlStunResponder *stun;
  guint16 port;
  GHashTable *mailboxes;     /* id -> Mailbox */
  GHashTable *per_address;   /* address -> count */
  LlNameplates *nameplates;  /* nameplate -> Mailbox */
  LlClaimLimiter *claims;
  GList *clients;
  LlUpgradeGate *gate;       /* accepts, and counts connections before the upgrade */
};

void ll_rendezvous_config_defaults(LlRendezvousConfig *c)
{
  memset(c, 0, sizeof *c);
  c->turn_ttl = 3600;
  c->max_connections_per_address = 32;
  c->upgrade_timeout_s = 10;
  c->max_waiting_per_address = 8;
  c->max_waiting = 1024;
  c->messages_per_second = 20;
  c->message_burst = 60;
  c->max_mailbox_lifetime = 24 * 3600;
  c->max_code_lifetime = 600;
  c->nameplate_cooldown = 1800;
  c->claims_per_address_per_minute = 10;
  c->claims_per_minute = 6000;
}

static gint64 now_s(void) { return g_get_monotonic_time() / G_USEC_PER_SEC; }

/* ---- sending ---- */

static void send_message(Client *c, const LlSignalMessage *m)
{
  if (soup_websocket_connection_get_state(c->ws) != SOUP_WEBSOCKET_STATE_OPEN)
    return;
  g_autofree char *text = ll_signal_message_encode(m);
  soup_websocket_connection_send_text(c->ws, text);
  memset(text, 0, strlen(text));   /* TURN and ICE passwords travel in these */
}

static void close_with_reason(Client *c, gushort code, LlSignalErrorReason reason,
                              const char *message)
{
  g_message("closing %s: %s", c->address, message);
  g_autoptr(LlSignalMessage) e = ll_signal_message_new(LL_SIGNAL_ERROR);
  e->message = g_strdup(message);
  e->reason = reason;
  send_message(c, e);
  if (soup_websocket_connection_get_state(c->ws) == SOUP_WEBSOCKET_STATE_OPEN)
    soup_websocket_connection_close(c->ws, code, message);
}

static void close_with_error(Client *c, gushort code, const char *message)
{
  close_with_reason(c, code, LL_SIGNAL_ERROR_OTHER, message);
}

static void fill_ice_servers(Client *c, LlIceServers *ice)
{
  const LlRendezvousConfig *cfg = &c->server->config;
  ice->stun_host = g_strdup(c->host_seen);
  ice->stun_port = c->server->port;
  ice->turn_host = g_strdup(cfg->turn_host);
  ice->turn_port = cfg->turn_port;
  ice->turns_host = g_strdup(cfg->turns_host);
  ice->turns_port = cfg->turns_port;
  if (cfg->turn_host != NULL || cfg->turns_host != NULL) {
    ll_turn_credentials_make(cfg->turn_secret, cfg->turn_secret_len,
                             g_get_real_time() / G_USEC_PER_SEC, cfg->turn_ttl, "lifeline",
                             &ice->turn_username, &ice->turn_password);
  }
}

/* ---- mailboxes ---- */

static void mailbox_close(LlRendezvousServer *s, Mailbox *mb)
{
  GHashTableIter iter;
  gpointer helper;
  g_hash_table_iter_init(&iter, mb->helpers);
  while (g_hash_table_iter_next(&iter, NULL, &helper)) {
    Client *h = helper;
    h->joined = NULL;
    close_with_reason(h, SOUP_WEBSOCKET_CLOSE_NORMAL, LL_SIGNAL_ERROR_NOBODY_THERE,
                      "the person who invited you is gone");
  }
  if (mb->novice != NULL)
    mb->novice->owns = NULL;
  if (mb->nameplate != NULL)
    ll_nameplates_release(s->nameplates, mb->nameplate, now_s());
  g_clear_handle_id(&mb->expiry, g_source_remove);
  g_hash_table_remove(s->mailboxes, mb->id);
}

static void mailbox_free(gpointer data)
{
  Mailbox *mb = data;
  g_hash_table_unref(mb->helpers);
  g_free(mb->id);
  g_free(mb->nameplate);
  g_free(mb);
}

static gboolean on_mailbox_expired(gpointer data)
{
  Mailbox *mb = data;
  Client *novice = mb->novice;
  mb->expiry = 0;
  gboolean code = mb->code;
  g_info("mailbox %.8s... expired", mb->id);
  mailbox_close(novice->server, mb);
  close_with_reason(novice, SOUP_WEBSOCKET_CLOSE_NORMAL, LL_SIGNAL_ERROR_EXPIRED,
                    code ? "the code's time is over" : "the invitation's time is over");
  return G_SOURCE_REMOVE;
}

static Mailbox *mailbox_add(Client *c, char *id, const char *nameplate)
{
  Mailbox *mb = g_new0(Mailbox, 1);
  mb->id = id;
  mb->novice = c;
  mb->helpers = g_hash_table_new(NULL, NULL);
  mb->nameplate = g_strdup(nameplate);
  mb->code = nameplate != NULL;
  g_hash_table_insert(c->server->mailboxes, mb->id, mb);
  c->owns = mb;
  g_autoptr(LlSignalMessage) opened = ll_signal_message_new(LL_SIGNAL_OPENED);
  opened->mailbox = g_strdup(mb->id);
  opened->nameplate = g_strdup(nameplate);
  fill_ice_servers(c, &opened->ice);
  send_message(c, opened);
  return mb;
}

static gboolean one_mailbox(Client *c)
{
  if (c->owns == NULL && c->joined == NULL)
    return TRUE;
  close_with_error(c, SOUP_WEBSOCKET_CLOSE_POLICY_VIOLATION, "one mailbox per connection");
  return FALSE;
}

static void handle_open(Client *c, const LlSignalMessage *m)
{
  LlRendezvousServer *s = c->server;
  if (!one_mailbox(c))
    return;
  guint8 raw[MAILBOX_ID_BYTES];
  randombytes_buf(raw, sizeof raw);
  const char *nameplate = NULL;
  if (m->code) {
    nameplate = ll_nameplates_add(s->nameplates, NULL, now_s());
    if (nameplate == NULL) {
      close_with_error(c, SOUP_WEBSOCKET_CLOSE_SERVER_ERROR,
                       "too many codes are waiting here; try again in a minute");
      return;
    }
  }
  Mailbox *mb = mailbox_add(c, ll_base64url_encode(raw, sizeof raw), nameplate);
  if (nameplate != NULL)
    ll_nameplates_set(s->nameplates, nameplate, mb);
  gint64 most = m->code ? s->config.max_code_lifetime : s->config.max_mailbox_lifetime;
  mb->expiry = g_timeout_add_seconds(MIN(m->lifetime, most), on_mailbox_expired, mb);
  g_info("%s opened a %s", c->address, m->code ? "code's mailbox" : "mailbox");
}

/* Fresh relay credentials for a mailbox that stays: "opened" again. */
static void handle_renew(Client *c)
{
  if (c->owns == NULL) {
    close_with_error(c, SOUP_WEBSOCKET_CLOSE_POLICY_VIOLATION, "renew without a mailbox");
    return;
  }
  g_autoptr(LlSignalMessage) opened = ll_signal_message_new(LL_SIGNAL_OPENED);
  opened->mailbox = g_strdup(c->owns->id);
  fill_ice_servers(c, &opened->ice);
  send_message(c, opened);
}

/* A host's mailbox is named by its host id and lives as long as its
 * connection. First come, first served: the id proves nothing here, the
 * helper checks the host's key against it after TLS, so a squatter can
 * only keep helpers out, never let them in somewhere else. */
static void handle_register(Client *c, const LlSignalMessage *m)
{
  LlRendezvousServer *s = c->server;
  g_autoptr(GError) error = NULL;
  if (!one_mailbox(c))
    return;
  if (!ll_host_proof_check(m->mailbox, c->nonce, m->certificate, m->proof, &error)) {
    g_info("%s tried to register host %s: %s", c->address, m->mailbox, error->message);
    close_with_error(c, SOUP_WEBSOCKET_CLOSE_POLICY_VIOLATION, error->message);
    return;
  }
  Mailbox *old = g_hash_table_lookup(s->mailboxes, m->mailbox);
  if (old != NULL) {
    /* The same key again (the host restarted, or its old connection is
     * stale): the proven newcomer takes the id. */
    Client *stale = old->novice;
    g_info("host %s registered again from %s; the old registration ends", m->mailbox,
           c->address);
    mailbox_close(s, old);
    if (stale != NULL)
      close_with_error(stale, SOUP_WEBSOCKET_CLOSE_NORMAL,
                       "this host registered again from elsewhere");
  }
  mailbox_add(c, g_strdup(m->mailbox), NULL);
  g_info("%s registered host %s", c->address, m->mailbox);
}

static const char NOBODY[] = "no such invitation or host here (it may have expired, been "
                            "cancelled, or be switched off)";

/* C becomes a helper in MB: "joined" for it, "peer" for the novice. */
static void mailbox_enter(Client *c, Mailbox *mb)
{
  c->joined = mb;
  c->peer = ++mb->next_peer;
  g_hash_table_insert(mb->helpers, GUINT_TO_POINTER(c->peer), c);
  g_autoptr(LlSignalMessage) joined = ll_signal_message_new(LL_SIGNAL_JOINED);
  joined->peer = c->peer;
  joined->has_peer = TRUE;
  fill_ice_servers(c, &joined->ice);
  send_message(c, joined);
  g_autoptr(LlSignalMessage) peer = ll_signal_message_new(LL_SIGNAL_PEER);
  peer->peer = c->peer;
  peer->has_peer = TRUE;
  send_message(mb->novice, peer);
}

static void handle_join(Client *c, const LlSignalMessage *m)
{
  LlRendezvousServer *s = c->server;
  Mailbox *mb = g_hash_table_lookup(s->mailboxes, m->mailbox);
  if (!one_mailbox(c))
    return;
  /* A code's mailbox is reached only through its nameplate, once. */
  if (mb == NULL || mb->code) {
    close_with_reason(c, SOUP_WEBSOCKET_CLOSE_NORMAL, LL_SIGNAL_ERROR_NOBODY_THERE, NOBODY);
    return;
  }
  if (g_hash_table_size(mb->helpers) >= MAX_HELPERS_PER_MAILBOX) {
    close_with_error(c, SOUP_WEBSOCKET_CLOSE_POLICY_VIOLATION, "too many people are joining");
    return;
  }
  mailbox_enter(c, mb);
}

/* A helper typed a code: its nameplate leads to the novice's mailbox,
 * and is burnt at once, so the code has this one attempt. Neither the
 * nameplate nor the code is logged. */
static void handle_claim(Client *c, const LlSignalMessage *m)
{
  LlRendezvousServer *s = c->server;
  if (!one_mailbox(c))
    return;
  if (!ll_claim_limiter_take(s->claims, c->address)) {
    g_info("%s tries codes too fast", c->address);
    close_with_error(c, SOUP_WEBSOCKET_CLOSE_POLICY_VIOLATION,
                     "too many codes were tried from your address; wait a minute and try again");
    return;
  }
  Mailbox *mb = ll_nameplates_lookup(s->nameplates, m->nameplate);
  if (mb == NULL) {
    close_with_reason(c, SOUP_WEBSOCKET_CLOSE_NORMAL, LL_SIGNAL_ERROR_NOBODY_THERE,
                      "no such code here (it may have expired, or been used already)");
    return;
  }
  ll_nameplates_release(s->nameplates, mb->nameplate, now_s());
  g_clear_pointer(&mb->nameplate, g_free);
  g_info("%s claimed a code", c->address);
  mailbox_enter(c, mb);
}

static void handle_signal(Client *c, LlSignalMessage *m)
{
  if (c->owns != NULL) {
    /* A novice addresses one of the helpers of its own mailbox only. */
    Client *helper = m->has_peer ? g_hash_table_lookup(c->owns->helpers, GUINT_TO_POINTER(m->peer))
                                 : NULL;
    if (helper == NULL)
      return;   /* that helper left a moment ago */
    m->has_peer = FALSE;
    send_message(helper, m);
  } else if (c->joined != NULL) {
    /* A helper speaks to its novice only, and cannot pose as another. */
    m->peer = c->peer;
    m->has_peer = TRUE;
    send_message(c->joined->novice, m);
  } else {
    close_with_error(c, SOUP_WEBSOCKET_CLOSE_POLICY_VIOLATION, "signal outside a mailbox");
  }
}

/* ---- connections ---- */

static void on_message(SoupWebsocketConnection *ws, gint type, GBytes *message, gpointer data)
{
  Client *c = data;
  g_autoptr(GError) error = NULL;
  (void)ws;
  if (!ll_token_bucket_take(&c->messages)) {
    close_with_error(c, SOUP_WEBSOCKET_CLOSE_POLICY_VIOLATION, "too many messages");
    return;
  }
  gsize n = 0;
  const char *text = g_bytes_get_data(message, &n);
  g_autoptr(LlSignalMessage) m = type == SOUP_WEBSOCKET_DATA_TEXT
                                     ? ll_signal_message_decode(text, n, &error) : NULL;
  if (m == NULL) {
    close_with_error(c, SOUP_WEBSOCKET_CLOSE_POLICY_VIOLATION,
                     error != NULL ? error->message : "binary messages are not spoken here");
    return;
  }
  switch (m->type) {
  case LL_SIGNAL_OPEN: handle_open(c, m); break;
  case LL_SIGNAL_REGISTER: handle_register(c, m); break;
  case LL_SIGNAL_RENEW: handle_renew(c); break;
  case LL_SIGNAL_JOIN: handle_join(c, m); break;
  case LL_SIGNAL_CLAIM: handle_claim(c, m); break;
  case LL_SIGNAL_SIGNAL: handle_signal(c, m); break;
  default:
    close_with_error(c, SOUP_WEBSOCKET_CLOSE_POLICY_VIOLATION, "a message only the server sends");
  }
}

static void client_free(Client *c)
{
  LlRendezvousServer *s = c->server;
  guint count = GPOINTER_TO_UINT(g_hash_table_lookup(s->per_address, c->address));
  if (count <= 1)
    g_hash_table_remove(s->per_address, c->address);
  else
    g_hash_table_insert(s->per_address, g_strdup(c->address), GUINT_TO_POINTER(count - 1));
  s->clients = g_list_remove(s->clients, c);
  g_signal_handlers_disconnect_by_data(c->ws, c);
  g_object_unref(c->ws);
  g_free(c->address);
  g_free(c->host_seen);
  g_free(c->nonce);
  g_free(c);
}

static void on_closed(SoupWebsocketConnection *ws, gpointer data)
{
  Client *c = data;
  (void)ws;
  if (c->owns != NULL)
    mailbox_close(c->server, c->owns);
  if (c->joined != NULL) {
    g_hash_table_remove(c->joined->helpers, GUINT_TO_POINTER(c->peer));
    g_autoptr(LlSignalMessage) left = ll_signal_message_new(LL_SIGNAL_PEER_LEFT);
    left->peer = c->peer;
    left->has_peer = TRUE;
    send_message(c->joined->novice, left);
  }
  client_free(c);
}

/* A connection that got a place at the gate goes to the HTTP server. */
static gboolean accept_stream(GIOStream *stream, GSocketAddress *local, GSocketAddress *remote,
                              gpointer data, GError **error)
{
  LlRendezvousServer *s = data;
  return soup_server_accept_iostream(s->soup, stream, local, remote, error);
}

static void on_websocket(SoupServer *soup, SoupServerMessage *msg, const char *path,
                         SoupWebsocketConnection *ws, gpointer data)
{
  LlRendezvousServer *s = data;
  (void)soup; (void)path;
  ll_upgrade_gate_passed(s->gate, soup_server_message_get_remote_address(msg));
  Client *c = g_new0(Client, 1);
  c->server = s;
  c->ws = g_object_ref(ws);
  c->address = g_strdup(soup_server_message_get_remote_host(msg));
  c->host_seen = g_strdup(g_uri_get_host(soup_server_message_get_uri(msg)));
  ll_token_bucket_init(&c->messages, s->config.message_burst, s->config.messages_per_second);
  guint count = GPOINTER_TO_UINT(g_hash_table_lookup(s->per_address, c->address)) + 1;
  g_hash_table_insert(s->per_address, g_strdup(c->address), GUINT_TO_POINTER(count));
  s->clients = g_list_prepend(s->clients, c);
  soup_websocket_connection_set_max_incoming_payload_size(ws, LL_SIGNAL_MAX_BYTES);
  soup_websocket_connection_set_keepalive_interval(ws, 30);
  g_signal_connect(ws, "message", G_CALLBACK(on_message), c);
  g_signal_connect(ws, "closed", G_CALLBACK(on_closed), c);
  if (count > s->config.max_connections_per_address) {
    close_with_error(c, SOUP_WEBSOCKET_CLOSE_POLICY_VIOLATION, "too many connections from you");
    return;
  }
  c->nonce = ll_host_nonce_new();
  g_autoptr(LlSignalMessage) challenge = ll_signal_message_new(LL_SIGNAL_CHALLENGE);
  challenge->nonce = g_strdup(c->nonce);
  send_message(c, challenge);
}

LlRendezvousServer *ll_rendezvous_server_new(const LlRendezvousConfig *config, GError **error)
{
  g_autoptr(GError) local = NULL;
  LlRendezvousServer *s = g_new0(LlRendezvousServer, 1);
  s->config = *config;
  s->mailboxes = g_hash_table_new_full(g_str_hash, g_str_equal, NULL, mailbox_free);
  s->per_address = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
  s->nameplates = ll_nameplates_new(config->nameplate_cooldown);
  s->claims = ll_claim_limiter_new(config->claims_per_address_per_minute,
                                   config->claims_per_minute);
  s->soup = config->tls != NULL ? soup_server_new("tls-certificate", config->tls, NULL)
                                : soup_server_new(NULL, NULL);
  soup_server_add_websocket_handler(s->soup, PATH, NULL, NULL, on_websocket, s, NULL);
  g_autoptr(GInetAddress) ip = g_inet_address_new_from_string(config->listen_address);
  if (ip == NULL) {
    g_set_error(error, LL_ERROR, LL_ERROR_USAGE, "\"%s\" is not an IP address to listen on",
                config->listen_address);
    ll_rendezvous_server_free(s);
    return NULL;
  }
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new(ip, config->port);
  LlUpgradeLimits limits = { config->upgrade_timeout_s, config->max_waiting_per_address,
                             config->max_waiting };
  s->gate = ll_upgrade_gate_new(address, config->tls, &limits, accept_stream, s, &s->port,
                                &local);
  if (s->gate == NULL) {
    g_set_error(error, LL_ERROR, LL_ERROR_FAILED, "cannot listen on %s port %u: %s",
                config->listen_address, config->port, local->message);
    ll_rendezvous_server_free(s);
    return NULL;
  }
  g_autoptr(GSocketAddress) udp = g_inet_socket_address_new(ip, s->port);
  s->stun = ll_stun_responder_new(G_INET_SOCKET_ADDRESS(udp), &local);
  if (s->stun == NULL) {
    g_set_error(error, LL_ERROR, LL_ERROR_FAILED, "cannot answer STUN on UDP port %u: %s",
                s->port, local->message);
    ll_rendezvous_server_free(s);
    return NULL;
  }
  return s;
}

guint16 ll_rendezvous_server_port(LlRendezvousServer *s) { return s->port; }

void ll_rendezvous_server_free(LlRendezvousServer *s)
{
  if (s == NULL)
    return;
  /* Mailboxes first, while every client they name is still there. */
  GHashTableIter iter;
  gpointer mailbox;
  g_hash_table_iter_init(&iter, s->mailboxes);
  while (g_hash_table_iter_next(&iter, NULL, &mailbox)) {
    mailbox_close(s, mailbox);
    g_hash_table_iter_init(&iter, s->mailboxes);
  }
  while (s->clients != NULL)
    client_free(s->clients->data);
  ll_upgrade_gate_free(s->gate);
  if (s->soup != NULL) {
    soup_server_disconnect(s->soup);
    g_object_unref(s->soup);
  }
  ll_stun_responder_free(s->stun);
  g_hash_table_unref(s->mailboxes);
  g_hash_table_unref(s->per_address);
  ll_nameplates_free(s->nameplates);
  ll_claim_limiter_free(s->claims);
  g_free(s);
}

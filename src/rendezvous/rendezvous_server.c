#include "rendezvous/server_parts.h"
#include "common/host_proof.h"
#include "common/encoding.h"
#include "common/error.h"
#include "rendezvous/turn_credentials.h"
#include <sodium.h>
#include <string.h>

#define PATH "/lifeline"
#define MAILBOX_ID_BYTES 16
#define HOST_LIFETIME (24 * 3600)   /* published again before it runs out */
#define MOST_BINDINGS 65536         /* invitations' tokens kept (about 6 MB) */

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
  c->most_connection_threads = 64;
  c->connections_per_thread = 256;
}

gint64 ll_rv_now_s(void) { return g_get_monotonic_time() / G_USEC_PER_SEC; }

const char LL_RV_NOBODY[] = "no such invitation or host here (it may have expired, been "
                            "cancelled, or be switched off)";

/* ---- sending ---- */

/* TURN and ICE passwords travel in these: the connection's thread wipes
 * the text once sent. */
void ll_rv_send(Client *c, const LlSignalMessage *m)
{
  if (c->closing)
    return;
  ll_connection_threads_send(c->server->threads, c->conn, ll_signal_message_encode(m));
}

void ll_rv_close(Client *c, gushort code, LlSignalErrorReason reason, const char *message)
{
  g_message("closing %s: %s", c->address, message);
  g_autoptr(LlSignalMessage) e = ll_signal_message_new(LL_SIGNAL_ERROR);
  e->message = g_strdup(message);
  e->reason = reason;
  ll_rv_send(c, e);
  if (!c->closing)
    ll_connection_threads_close(c->server->threads, c->conn, code, message);
  c->closing = TRUE;
}

static void close_with_error(Client *c, gushort code, const char *message)
{
  ll_rv_close(c, code, LL_SIGNAL_ERROR_OTHER, message);
}

void ll_rv_fill_ice(Client *c, LlIceServers *ice)
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

Client *ll_rv_client(LlRendezvousServer *s, guint32 id)
{
  return g_hash_table_lookup(s->clients_by_id, GUINT_TO_POINTER(id));
}

/* ---- mailboxes ---- */

static void helper_free(gpointer data)
{
  Helper *h = data;
  g_free(h->instance);
  g_free(h);
}

static void release_nameplate(LlRendezvousServer *s, Mailbox *mb)
{
  if (mb->nameplate == NULL)
    return;
  if (!mb->nameplate_shared)
    ll_nameplates_release(s->nameplates, mb->nameplate, ll_rv_now_s());
  else if (s->cluster != NULL)
    ll_cluster_release_nameplate(s->cluster, mb->nameplate, mb->id, s->config.nameplate_cooldown);
  g_clear_pointer(&mb->nameplate, g_free);
}

void ll_rv_mailbox_close(LlRendezvousServer *s, Mailbox *mb)
{
  GHashTableIter iter;
  gpointer value;
  g_hash_table_iter_init(&iter, mb->helpers);
  while (g_hash_table_iter_next(&iter, NULL, &value)) {
    Helper *h = value;
    if (h->local == NULL) {
      ll_rv_cluster_helper_closed(s, h, LL_SIGNAL_ERROR_NOBODY_THERE,
                                  "the person who invited you is gone");
      continue;
    }
    h->local->joined = NULL;
    ll_rv_close(h->local, SOUP_WEBSOCKET_CLOSE_NORMAL, LL_SIGNAL_ERROR_NOBODY_THERE,
                "the person who invited you is gone");
  }
  if (mb->novice != NULL)
    mb->novice->owns = NULL;
  release_nameplate(s, mb);
  ll_rv_cluster_forget(s, mb);
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
  gboolean code = mb->kind == MAILBOX_CODE;
  g_info("mailbox %.8s... expired", mb->id);
  ll_rv_mailbox_close(novice->server, mb);
  ll_rv_close(novice, SOUP_WEBSOCKET_CLOSE_NORMAL, LL_SIGNAL_ERROR_EXPIRED,
              code ? "the code's time is over" : "the invitation's time is over");
  return G_SOURCE_REMOVE;
}

static Mailbox *mailbox_add(Client *c, char *id, MailboxKind kind, gint64 lifetime)
{
  Mailbox *mb = g_new0(Mailbox, 1);
  mb->id = id;
  mb->kind = kind;
  mb->lifetime = lifetime;
  mb->novice = c;
  mb->helpers = g_hash_table_new_full(NULL, NULL, NULL, helper_free);
  g_hash_table_insert(c->server->mailboxes, mb->id, mb);
  c->owns = mb;
  return mb;
}

/* TOKEN: an invitation's new mailbox's key to open it again. */
static void send_opened_with(Client *c, Mailbox *mb, const char *token)
{
  g_autoptr(LlSignalMessage) opened = ll_signal_message_new(LL_SIGNAL_OPENED);
  opened->mailbox = g_strdup(mb->id);
  opened->nameplate = g_strdup(mb->nameplate);
  opened->token = g_strdup(token);
  ll_rv_fill_ice(c, &opened->ice);
  ll_rv_send(c, opened);
}

static void send_opened(Client *c, Mailbox *mb)
{
  send_opened_with(c, mb, NULL);
}

void ll_rv_token_hash(const char *token, guint8 hash[LL_TOKEN_HASH_BYTES])
{
  crypto_generichash(hash, LL_TOKEN_HASH_BYTES, (const guint8 *)token, strlen(token), NULL, 0);
}

/* MB's token is kept for its whole lifetime, past its novice's connection. */
static void bind_token(LlRendezvousServer *s, Mailbox *mb)
{
  gint64 now = ll_rv_now_s();
  ll_mailbox_bindings_keep(s->bindings, mb->id, mb->token_hash, now + mb->lifetime, now);
}

/* A fresh token for invitation MB: returned to send once, its hash kept. */
static char *new_token(Mailbox *mb)
{
  guint8 raw[LL_SIGNAL_TOKEN_BYTES];
  randombytes_buf(raw, sizeof raw);
  char *token = ll_base64url_encode(raw, sizeof raw);
  sodium_memzero(raw, sizeof raw);
  ll_rv_token_hash(token, mb->token_hash);
  mb->has_token = TRUE;
  bind_token(mb->novice->server, mb);
  return token;
}

static gboolean one_mailbox(Client *c)
{
  if (c->owns == NULL && c->joined == NULL && c->remote_owner == NULL && !c->waiting)
    return TRUE;
  close_with_error(c, SOUP_WEBSOCKET_CLOSE_POLICY_VIOLATION, "one mailbox per connection");
  return FALSE;
}

/* A code's nameplate, from Redis when the instances share one (the
 * answer sends "opened"), else from this instance's own table. */
static gboolean give_nameplate(Client *c, Mailbox *mb)
{
  return ll_rv_cluster_add_nameplate(c, mb) || ll_rv_give_local_nameplate(c, mb);
}

gboolean ll_rv_give_local_nameplate(Client *c, Mailbox *mb)
{
  LlRendezvousServer *s = c->server;
  const char *nameplate = ll_nameplates_add(s->nameplates, mb, ll_rv_now_s());
  if (nameplate == NULL) {
    ll_rv_mailbox_close(s, mb);
    close_with_error(c, SOUP_WEBSOCKET_CLOSE_SERVER_ERROR,
                     "too many codes are waiting here; try again in a minute");
    return FALSE;
  }
  mb->nameplate = g_strdup(nameplate);
  send_opened(c, mb);
  return TRUE;
}

static void handle_reopen(Client *c, const LlSignalMessage *m);

static void handle_open(Client *c, const LlSignalMessage *m)
{
  LlRendezvousServer *s = c->server;
  if (!one_mailbox(c))
    return;
  if (m->mailbox != NULL) {
    handle_reopen(c, m);
    return;
  }
  guint8 raw[MAILBOX_ID_BYTES];
  randombytes_buf(raw, sizeof raw);
  gint64 most = m->code ? s->config.max_code_lifetime : s->config.max_mailbox_lifetime;
  gint64 lifetime = MIN(m->lifetime, most);
  Mailbox *mb = mailbox_add(c, ll_base64url_encode(raw, sizeof raw),
                            m->code ? MAILBOX_CODE : MAILBOX_INVITATION, lifetime);
  mb->expiry = g_timeout_add_seconds(lifetime, on_mailbox_expired, mb);
  g_info("%s opened a %s", c->address, m->code ? "code's mailbox" : "mailbox");
  if (m->code) {
    give_nameplate(c, mb);
    return;
  }
  g_autofree char *token = new_token(mb);
  ll_rv_cluster_publish(s, mb, TRUE);
  send_opened_with(c, mb, token);
  memset(token, 0, strlen(token));
}

/* An invitation's mailbox id: MAILBOX_ID_BYTES random bytes, base64url. */
static gboolean is_mailbox_id(const char *id)
{
  gsize n = 0;
  g_autofree guint8 *raw = ll_base64url_decode(id, MAILBOX_ID_BYTES, &n);
  return raw != NULL && n == MAILBOX_ID_BYTES;
}

/* The novice of an invitation lost its rendezvous (this one or another)
 * and opens its mailbox again with its token: here, it takes the mailbox
 * over from its stale connection, helpers and all; where this instance
 * does not hold it, it is opened again under the same id (and taken over
 * from any other instance, through Redis, where the token matches). */
static void handle_reopen(Client *c, const LlSignalMessage *m)
{
  LlRendezvousServer *s = c->server;
  guint8 hash[LL_TOKEN_HASH_BYTES];
  ll_rv_token_hash(m->token, hash);
  Mailbox *mb = g_hash_table_lookup(s->mailboxes, m->mailbox);
  if (!is_mailbox_id(m->mailbox) ||
      (mb != NULL && (!mb->has_token || sodium_memcmp(mb->token_hash, hash, sizeof hash))) ||
      (mb == NULL && !ll_mailbox_bindings_allow(s->bindings, m->mailbox, hash, ll_rv_now_s()))) {
    close_with_error(c, SOUP_WEBSOCKET_CLOSE_POLICY_VIOLATION,
                     "this invitation's mailbox is not yours to open");
    return;
  }
  if (mb != NULL) {
    Client *stale = mb->novice;
    stale->owns = NULL;
    close_with_error(stale, SOUP_WEBSOCKET_CLOSE_NORMAL, "this invitation was opened again");
    mb->novice = c;
    c->owns = mb;
  } else {
    gint64 lifetime = MIN(m->lifetime, s->config.max_mailbox_lifetime);
    mb = mailbox_add(c, g_strdup(m->mailbox), MAILBOX_INVITATION, lifetime);
    memcpy(mb->token_hash, hash, sizeof hash);
    mb->has_token = TRUE;
    mb->expiry = g_timeout_add_seconds(lifetime, on_mailbox_expired, mb);
    bind_token(s, mb);
  }
  g_info("%s opened a mailbox again", c->address);
  ll_rv_cluster_publish(s, mb, TRUE);
  send_opened(c, mb);
}

/* Fresh relay credentials for a mailbox that stays: "opened" again. */
static void handle_renew(Client *c)
{
  if (c->owns == NULL || c->waiting) {
    close_with_error(c, SOUP_WEBSOCKET_CLOSE_POLICY_VIOLATION, "renew without a mailbox");
    return;
  }
  g_autoptr(LlSignalMessage) opened = ll_signal_message_new(LL_SIGNAL_OPENED);
  opened->mailbox = g_strdup(c->owns->id);
  ll_rv_fill_ice(c, &opened->ice);
  ll_rv_send(c, opened);
}

/* A host's mailbox is named by its host id and lives as long as its
 * connection. First come, first served: the id proves nothing here, the
 * helper checks the host's key against it after TLS, so a squatter can
 * only keep helpers out, never let them in somewhere else. The proven
 * newcomer takes the id, here and (through Redis) at every instance. */
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
    g_info("host %s registered again from %s; the old registration ends", m->mailbox,
           c->address);
    ll_rv_end_registration(s, old);
  }
  Mailbox *mb = mailbox_add(c, g_strdup(m->mailbox), MAILBOX_HOST, HOST_LIFETIME);
  ll_rv_cluster_publish(s, mb, TRUE);
  send_opened(c, mb);
  g_info("%s registered host %s", c->address, m->mailbox);
}

/* The host's old connection (stale, or the host restarted elsewhere). */
void ll_rv_end_registration(LlRendezvousServer *s, Mailbox *old)
{
  Client *stale = old->novice;
  gboolean host = old->kind == MAILBOX_HOST;
  ll_rv_mailbox_close(s, old);
  if (stale != NULL)
    close_with_error(stale, SOUP_WEBSOCKET_CLOSE_NORMAL,
                     host ? "this host registered again from elsewhere"
                          : "this invitation was opened again elsewhere");
}

void ll_rv_send_joined(Client *c)
{
  g_autoptr(LlSignalMessage) joined = ll_signal_message_new(LL_SIGNAL_JOINED);
  joined->peer = c->peer;
  joined->has_peer = TRUE;
  ll_rv_fill_ice(c, &joined->ice);
  ll_rv_send(c, joined);
}

guint32 ll_rv_mailbox_admit(Mailbox *mb, Client *c, const char *instance, guint32 ref)
{
  Helper *h = g_new0(Helper, 1);
  h->local = c;
  h->instance = g_strdup(instance);
  h->ref = ref;
  guint32 peer = ++mb->next_peer;
  g_hash_table_insert(mb->helpers, GUINT_TO_POINTER(peer), h);
  g_autoptr(LlSignalMessage) m = ll_signal_message_new(LL_SIGNAL_PEER);
  m->peer = peer;
  m->has_peer = TRUE;
  ll_rv_send(mb->novice, m);
  return peer;
}

/* C becomes a helper in MB, here: "joined" for it, "peer" for the novice. */
void ll_rv_enter_local(Client *c, Mailbox *mb)
{
  c->joined = mb;
  c->peer = ll_rv_mailbox_admit(mb, c, NULL, 0);
  ll_rv_send_joined(c);
}

static void handle_join(Client *c, const LlSignalMessage *m)
{
  LlRendezvousServer *s = c->server;
  Mailbox *mb = g_hash_table_lookup(s->mailboxes, m->mailbox);
  if (!one_mailbox(c))
    return;
  if (mb == NULL && ll_rv_cluster_join(c, m->mailbox))
    return;   /* perhaps at another instance */
  /* A code's mailbox is reached only through its nameplate, once. */
  if (mb == NULL || mb->kind == MAILBOX_CODE) {
    ll_rv_close(c, SOUP_WEBSOCKET_CLOSE_NORMAL, LL_SIGNAL_ERROR_NOBODY_THERE, LL_RV_NOBODY);
    return;
  }
  if (g_hash_table_size(mb->helpers) >= LL_RV_MAX_HELPERS_PER_MAILBOX) {
    close_with_error(c, SOUP_WEBSOCKET_CLOSE_POLICY_VIOLATION, "too many people are joining");
    return;
  }
  ll_rv_enter_local(c, mb);
}

/* A helper typed a code: its nameplate leads to the novice's mailbox,
 * and is burnt at once, so the code has this one attempt. Neither the
 * nameplate nor the code is logged. Through Redis when the instances
 * share it; this instance's own table (and limits) otherwise. */
static void handle_claim(Client *c, const LlSignalMessage *m)
{
  LlRendezvousServer *s = c->server;
  if (!one_mailbox(c) || ll_rv_cluster_claim(c, m->nameplate))
    return;
  if (!ll_claim_limiter_take(s->claims, c->address)) {
    ll_rv_claims_exceeded(c);
    return;
  }
  ll_rv_claim_here(c, m->nameplate);
}

void ll_rv_claims_exceeded(Client *c)
{
  g_info("%s tries codes too fast", c->address);
  close_with_error(c, SOUP_WEBSOCKET_CLOSE_POLICY_VIOLATION,
                   "too many codes were tried from your address; wait a minute and try again");
}

/* NAMEPLATE among those this instance handed out alone. */
void ll_rv_claim_here(Client *c, const char *nameplate)
{
  LlRendezvousServer *s = c->server;
  Mailbox *mb = ll_nameplates_lookup(s->nameplates, nameplate);
  if (mb == NULL) {
    ll_rv_close(c, SOUP_WEBSOCKET_CLOSE_NORMAL, LL_SIGNAL_ERROR_NOBODY_THERE,
                "no such code here (it may have expired, or been used already)");
    return;
  }
  release_nameplate(s, mb);
  g_info("%s claimed a code", c->address);
  ll_rv_enter_local(c, mb);
}

static void handle_signal(Client *c, LlSignalMessage *m)
{
  if (c->owns != NULL) {
    /* A novice addresses one of the helpers of its own mailbox only. */
    Helper *h = m->has_peer ? g_hash_table_lookup(c->owns->helpers, GUINT_TO_POINTER(m->peer))
                            : NULL;
    if (h == NULL)
      return;   /* that helper left a moment ago */
    m->has_peer = FALSE;
    if (h->local != NULL)
      ll_rv_send(h->local, m);
    else
      ll_rv_cluster_to_helper(c->server, h, m);
  } else if (c->joined != NULL) {
    /* A helper speaks to its novice only, and cannot pose as another. */
    m->peer = c->peer;
    m->has_peer = TRUE;
    ll_rv_send(c->joined->novice, m);
  } else if (c->remote_owner != NULL && !c->waiting) {
    ll_rv_cluster_to_novice(c, m);
  } else {
    close_with_error(c, SOUP_WEBSOCKET_CLOSE_POLICY_VIOLATION, "signal outside a mailbox");
  }
}

/* ---- connections ---- */

static void on_message(LlConnectionId conn, gboolean text_message, GBytes *message,
                       gpointer data)
{
  Client *c = g_hash_table_lookup(((LlRendezvousServer *)data)->clients_by_conn, &conn);
  g_autoptr(GError) error = NULL;
  if (c == NULL || c->closing)
    return;   /* what came after it was told to close */
  if (!ll_token_bucket_take(&c->messages)) {
    close_with_error(c, SOUP_WEBSOCKET_CLOSE_POLICY_VIOLATION, "too many messages");
    return;
  }
  gsize n = 0;
  const char *text = g_bytes_get_data(message, &n);
  g_autoptr(LlSignalMessage) m = text_message
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
  g_hash_table_remove(s->clients_by_id, GUINT_TO_POINTER(c->id));
  g_hash_table_remove(s->clients_by_conn, &c->conn);
  g_clear_handle_id(&c->wait_deadline, g_source_remove);
  g_free(c->address);
  g_free(c->host_seen);
  g_free(c->nonce);
  g_free(c->remote_owner);
  g_free(c->remote_mailbox);
  g_free(c);
}

static void on_closed(LlConnectionId conn, gpointer data)
{
  Client *c = g_hash_table_lookup(((LlRendezvousServer *)data)->clients_by_conn, &conn);
  if (c == NULL)
    return;
  c->closing = TRUE;
  if (c->owns != NULL)
    ll_rv_mailbox_close(c->server, c->owns);
  if (c->joined != NULL) {
    g_hash_table_remove(c->joined->helpers, GUINT_TO_POINTER(c->peer));
    g_autoptr(LlSignalMessage) left = ll_signal_message_new(LL_SIGNAL_PEER_LEFT);
    left->peer = c->peer;
    left->has_peer = TRUE;
    ll_rv_send(c->joined->novice, left);
  }
  if (c->remote_owner != NULL)
    ll_rv_cluster_client_left(c);
  client_free(c);
}
/* A connection that got a place at the gate goes to a thread's HTTP
 * server; one that lost its place is closed there. */
static void take_stream(GIOStream *stream, GSocketAddress *local, GSocketAddress *remote,
                        const char *key, gpointer data)
{
  LlRendezvousServer *s = data;
  ll_connection_threads_take(s->threads, stream, local, remote, key);
}

static void drop_stream(const char *key, gpointer data)
{
  LlRendezvousServer *s = data;
  ll_connection_threads_drop(s->threads, key);
}

static Client *client_new(LlRendezvousServer *s, LlConnectionId conn, const char *address,
                          const char *host_seen)
{
  Client *c = g_new0(Client, 1);
  c->server = s;
  do
    c->id = ++s->next_client_id;
  while (c->id == 0 || ll_rv_client(s, c->id) != NULL);
  g_hash_table_insert(s->clients_by_id, GUINT_TO_POINTER(c->id), c);
  c->conn = conn;
  g_hash_table_insert(s->clients_by_conn, &c->conn, c);
  c->address = g_strdup(address);
  c->host_seen = g_strdup(host_seen);
  ll_token_bucket_init(&c->messages, s->config.message_burst, s->config.messages_per_second);
  s->clients = g_list_prepend(s->clients, c);
  return c;
}

static void on_opened(LlConnectionId conn, const char *key, const char *address,
                      const char *host_seen, gpointer data)
{
  LlRendezvousServer *s = data;
  if (key != NULL)
    ll_upgrade_gate_passed(s->gate, key);
  Client *c = client_new(s, conn, address, host_seen);
  guint count = GPOINTER_TO_UINT(g_hash_table_lookup(s->per_address, c->address)) + 1;
  g_hash_table_insert(s->per_address, g_strdup(c->address), GUINT_TO_POINTER(count));
  if (count > s->config.max_connections_per_address) {
    close_with_error(c, SOUP_WEBSOCKET_CLOSE_POLICY_VIOLATION, "too many connections from you");
    return;
  }
  c->nonce = ll_host_nonce_new();
  g_autoptr(LlSignalMessage) challenge = ll_signal_message_new(LL_SIGNAL_CHALLENGE);
  challenge->nonce = g_strdup(c->nonce);
  ll_rv_send(c, challenge);
}

static const LlConnectionEvents connection_events = {
  .opened = on_opened, .message = on_message, .closed = on_closed,
};

static void start_threads(LlRendezvousServer *s)
{
  LlConnectionThreadsConfig threads = {
    .tls = s->config.tls, .path = PATH, .max_payload = LL_SIGNAL_MAX_BYTES,
    .most_threads = s->config.most_connection_threads,
    .per_thread = s->config.connections_per_thread,
  };
  s->threads = ll_connection_threads_new(&threads, &connection_events, s);
}

LlRendezvousServer *ll_rendezvous_server_new(const LlRendezvousConfig *config, GError **error)
{
  g_autoptr(GError) local = NULL;
  LlRendezvousServer *s = g_new0(LlRendezvousServer, 1);
  s->config = *config;
  s->mailboxes = g_hash_table_new_full(g_str_hash, g_str_equal, NULL, mailbox_free);
  s->per_address = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
  s->clients_by_id = g_hash_table_new(NULL, NULL);
  s->clients_by_conn = g_hash_table_new(g_int64_hash, g_int64_equal);
  s->nameplates = ll_nameplates_new(config->nameplate_cooldown);
  s->claims = ll_claim_limiter_new(config->claims_per_address_per_minute,
                                   config->claims_per_minute);
  s->bindings = ll_mailbox_bindings_new(MOST_BINDINGS);
  start_threads(s);
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
  static const LlUpgradeTaker taker = { take_stream, drop_stream };
  s->gate = ll_upgrade_gate_new(address, config->tls, &limits, &taker, s, &s->port, &local);
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
  if (config->redis_address != NULL) {
    ll_rv_cluster_start(s, &local);
    if (s->cluster == NULL) {
      g_propagate_error(error, g_steal_pointer(&local));
      ll_rendezvous_server_free(s);
      return NULL;
    }
  }
  return s;
}

guint16 ll_rendezvous_server_port(LlRendezvousServer *s) { return s->port; }

guint ll_rendezvous_server_connection_threads(LlRendezvousServer *s)
{
  return ll_connection_threads_started(s->threads);
}

void ll_rendezvous_server_free(LlRendezvousServer *s)
{
  if (s == NULL)
    return;
  s->freeing = TRUE;
  /* Mailboxes first, while every client they name is still there (and
   * Redis, to tell the other instances). */
  GHashTableIter iter;
  gpointer mailbox;
  g_hash_table_iter_init(&iter, s->mailboxes);
  while (g_hash_table_iter_next(&iter, NULL, &mailbox)) {
    ll_rv_mailbox_close(s, mailbox);
    g_hash_table_iter_init(&iter, s->mailboxes);
  }
  for (GList *l = s->clients; l != NULL; l = l->next)
    if (((Client *)l->data)->remote_owner != NULL)
      ll_rv_cluster_client_left(l->data);
  ll_rv_cluster_stop(s);
  ll_upgrade_gate_free(s->gate);
  /* Every connection closed, the threads joined: no events after this. */
  ll_connection_threads_free(s->threads);
  while (s->clients != NULL)
    client_free(s->clients->data);
  ll_stun_responder_free(s->stun);
  g_hash_table_unref(s->mailboxes);
  g_hash_table_unref(s->per_address);
  g_hash_table_unref(s->clients_by_id);
  g_hash_table_unref(s->clients_by_conn);
  ll_nameplates_free(s->nameplates);
  ll_claim_limiter_free(s->claims);
  ll_mailbox_bindings_free(s->bindings);
  g_free(s);
}

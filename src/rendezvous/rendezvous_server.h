/* The rendezvous: mailboxes where a novice waits and helpers join, ICE
 * signalling forwarded between them, STUN answers on the same port (UDP),
 * and TURN credentials for a configured coturn. It sees only signalling:
 * the session itself is end-to-end TLS between the two people. Limits
 * keep one bad client from hurting the others: message size, messages per
 * second, connections per address, mailbox lifetime. */
#pragma once
#include <gio/gio.h>

typedef struct {
  char *listen_address;      /* "0.0.0.0" */
  guint16 port;
  GTlsCertificate *tls;      /* NULL: plain ws:// */
  char *turn_host;           /* NULL: no relay offered */
  guint16 turn_port;
  char *turns_host;          /* NULL: no relay over TLS offered */
  guint16 turns_port;
  char *turn_secret;         /* shared by both */
  gsize turn_secret_len;
  gint64 turn_ttl;           /* seconds */
  guint max_connections_per_address;
  /* Connections not yet upgraded to a WebSocket: each has this long, at
   * most this many from one address, and this many in all. */
  guint upgrade_timeout_s;
  guint max_waiting_per_address;
  guint max_waiting;
  double messages_per_second;
  double message_burst;
  gint64 max_mailbox_lifetime;
  /* Codes (common/pairing_code.h): how long one waits at most, how long
   * a released nameplate is not handed out again, and how many codes may
   * be tried a minute from one address and from everyone. */
  gint64 max_code_lifetime;
  gint64 nameplate_cooldown;
  double claims_per_address_per_minute;
  double claims_per_minute;
  /* Several instances sharing registrations, mailboxes, nameplates and
   * limits (rendezvous/cluster.h): Redis' address (NULL: alone) and
   * password (NULL: none). */
  char *redis_address;
  char *redis_password;
  /* WebSockets live on threads of their own (connection_threads.h): at
   * most this many, another started whenever each holds so many. */
  guint most_connection_threads;
  guint connections_per_thread;
} LlRendezvousConfig;

void ll_rendezvous_config_defaults(LlRendezvousConfig *config);

typedef struct LlRendezvousServer LlRendezvousServer;

LlRendezvousServer *ll_rendezvous_server_new(const LlRendezvousConfig *config, GError **error);
/* The port actually listened on (useful with port 0). */
guint16 ll_rendezvous_server_port(LlRendezvousServer *server);
/* How many connection threads it started so far. */
guint ll_rendezvous_server_connection_threads(LlRendezvousServer *server);
void ll_rendezvous_server_free(LlRendezvousServer *server);

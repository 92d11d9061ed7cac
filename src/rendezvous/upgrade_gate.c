#include "rendezvous/upgrade_gate.h"
#include "common/error.h"
#include <gio/gnetworking.h>
#include <string.h>

struct LlUpgradeGate {
  LlUpgradeLimits limits;
  GTlsCertificate *tls;
  LlUpgradeTaker taker;
  gpointer data;
  GSocketService *listener;
  GHashTable *waiting;       /* "ip port" -> Waiting, until the upgrade */
  GHashTable *per_address;   /* ip -> count */
  GQueue order;              /* of Waiting, oldest first */
  gint64 last_note;          /* when turning away was last logged (monotonic us) */
  guint turned_away;         /* since then */
};

/* A connection on its way to the WebSocket upgrade. */
typedef struct {
  LlUpgradeGate *gate;
  char *key, *ip;
  guint deadline;
  GList link;                /* in the gate's order */
} Waiting;

char *ll_upgrade_gate_key(GSocketAddress *address)
{
  if (!G_IS_INET_SOCKET_ADDRESS(address))
    return NULL;
  GInetSocketAddress *inet = G_INET_SOCKET_ADDRESS(address);
  g_autofree char *ip = g_inet_address_to_string(g_inet_socket_address_get_address(inet));
  return g_strdup_printf("%s %u", ip, g_inet_socket_address_get_port(inet));
}

static void count(LlUpgradeGate *g, const char *ip, int delta)
{
  guint n = GPOINTER_TO_UINT(g_hash_table_lookup(g->per_address, ip)) + delta;
  if (n == 0)
    g_hash_table_remove(g->per_address, ip);
  else
    g_hash_table_insert(g->per_address, g_strdup(ip), GUINT_TO_POINTER(n));
}

static void waiting_free(gpointer data)
{
  Waiting *w = data;
  g_clear_handle_id(&w->deadline, g_source_remove);
  g_queue_unlink(&w->gate->order, &w->link);
  count(w->gate, w->ip, -1);
  g_free(w->key);
  g_free(w->ip);
  g_free(w);
}

/* Its taker closes it; it leaves the gate at once. */
static void close_waiting(Waiting *w)
{
  LlUpgradeGate *g = w->gate;
  g->taker.drop(w->key, g->data);
  g_hash_table_remove(g->waiting, w->key);
}

static gboolean on_deadline(gpointer data)
{
  Waiting *w = data;
  w->deadline = 0;
  g_debug("closing a connection from %s: no WebSocket upgrade within %u s", w->ip,
          w->gate->limits.timeout_s);
  close_waiting(w);
  return G_SOURCE_REMOVE;
}

/* Says, at most once a minute, that connections are being turned away. */
static void note_turned_away(LlUpgradeGate *g, const char *ip, gboolean all_full)
{
  g->turned_away++;
  gint64 now = g_get_monotonic_time();
  if (g->last_note != 0 && now - g->last_note < 60 * G_USEC_PER_SEC)
    return;
  g_message("turned away %u connection(s) waiting to start, the last from %s: %s",
            g->turned_away, ip,
            all_full ? "the server's limit of waiting connections is reached (the oldest "
                       "ones go)" : "too many from that address");
  g->last_note = now;
  g->turned_away = 0;
}

static void push_out_oldest(LlUpgradeGate *g)
{
  GList *oldest = g_queue_peek_head_link(&g->order);
  if (oldest == NULL)
    return;
  Waiting *w = oldest->data;
  note_turned_away(g, w->ip, TRUE);
  close_waiting(w);
}

/* The stream the HTTP server reads: TLS where configured. Small messages
 * (ICE candidates) must not wait for Nagle, as libsoup's own listener
 * sees to, and a client may close without a TLS close_notify. */
static GIOStream *stream_for(LlUpgradeGate *g, GSocketConnection *connection)
{
  GSocket *socket = g_socket_connection_get_socket(connection);
  g_socket_set_option(socket, IPPROTO_TCP, TCP_NODELAY, TRUE, NULL);
  /* A client that vanished (its machine off, its router gone) is found by
   * the kernel's keepalive probes, which also keep a router's mapping of a
   * host's idle connection: after 30 s of silence, every 10 s, 3 unanswered
   * close it. Kernel timers, not one main-loop timer per connection, which
   * with thousands of hosts cost every iteration of the loop. */
  g_socket_set_keepalive(socket, TRUE);
  g_socket_set_option(socket, IPPROTO_TCP, TCP_KEEPIDLE, 30, NULL);
  g_socket_set_option(socket, IPPROTO_TCP, TCP_KEEPINTVL, 10, NULL);
  g_socket_set_option(socket, IPPROTO_TCP, TCP_KEEPCNT, 3, NULL);
  if (g->tls == NULL)
    return G_IO_STREAM(g_object_ref(connection));
  GIOStream *tls = g_tls_server_connection_new(G_IO_STREAM(connection), g->tls, NULL);
  if (tls != NULL)
    g_tls_connection_set_require_close_notify(G_TLS_CONNECTION(tls), FALSE);
  return tls;
}

static void waiting_add(LlUpgradeGate *g, const char *key, const char *ip)
{
  Waiting *w = g_new0(Waiting, 1);
  w->gate = g;
  w->key = g_strdup(key);
  w->ip = g_strdup(ip);
  w->link.data = w;
  g_queue_push_tail_link(&g->order, &w->link);
  count(g, ip, 1);
  g_hash_table_replace(g->waiting, w->key, w);
  w->deadline = g_timeout_add_seconds(g->limits.timeout_s, on_deadline, w);
}

static gboolean on_incoming(GSocketService *service, GSocketConnection *connection,
                            GObject *source, gpointer data)
{
  LlUpgradeGate *g = data;
  (void)service; (void)source;
  g_autoptr(GSocketAddress) remote = g_socket_connection_get_remote_address(connection, NULL);
  g_autoptr(GSocketAddress) local = g_socket_connection_get_local_address(connection, NULL);
  g_autofree char *key = ll_upgrade_gate_key(remote);
  if (key == NULL || local == NULL)
    return TRUE;
  /* The same address and port again: the earlier connection from there
   * is over, whatever its taker has not heard yet. */
  Waiting *earlier = g_hash_table_lookup(g->waiting, key);
  if (earlier != NULL)
    close_waiting(earlier);
  g_autofree char *ip = g_strndup(key, strrchr(key, ' ') - key);
  if (GPOINTER_TO_UINT(g_hash_table_lookup(g->per_address, ip)) >= g->limits.max_per_address) {
    note_turned_away(g, ip, FALSE);
    g_io_stream_close(G_IO_STREAM(connection), NULL, NULL);
    return TRUE;
  }
  if (g_hash_table_size(g->waiting) >= g->limits.max_total)
    push_out_oldest(g);
  GIOStream *stream = stream_for(g, connection);
  if (stream == NULL)
    return TRUE;
  waiting_add(g, key, ip);
  g->taker.accept(stream, local, remote, key, g->data);
  return TRUE;
}

LlUpgradeGate *ll_upgrade_gate_new(GSocketAddress *address, GTlsCertificate *tls,
                                   const LlUpgradeLimits *limits, const LlUpgradeTaker *taker,
                                   gpointer data, guint16 *port, GError **error)
{
  LlUpgradeGate *g = g_new0(LlUpgradeGate, 1);
  g->limits = *limits;
  g->tls = tls != NULL ? g_object_ref(tls) : NULL;
  g->taker = *taker;
  g->data = data;
  g->waiting = g_hash_table_new_full(g_str_hash, g_str_equal, NULL, waiting_free);
  g->per_address = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
  g->listener = g_socket_service_new();
  g_socket_listener_set_backlog(G_SOCKET_LISTENER(g->listener), 512);   /* floods come fast */
  g_autoptr(GSocketAddress) effective = NULL;
  if (!g_socket_listener_add_address(G_SOCKET_LISTENER(g->listener), address,
                                     G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, NULL,
                                     &effective, error)) {
    ll_upgrade_gate_free(g);
    return NULL;
  }
  g_signal_connect(g->listener, "incoming", G_CALLBACK(on_incoming), g);
  g_socket_service_start(g->listener);
  *port = g_inet_socket_address_get_port(G_INET_SOCKET_ADDRESS(effective));
  return g;
}

void ll_upgrade_gate_passed(LlUpgradeGate *g, const char *key)
{
  g_hash_table_remove(g->waiting, key);
}

guint ll_upgrade_gate_waiting(LlUpgradeGate *g) { return g_hash_table_size(g->waiting); }

void ll_upgrade_gate_free(LlUpgradeGate *g)
{
  if (g == NULL)
    return;
  g_socket_service_stop(g->listener);
  g_socket_listener_close(G_SOCKET_LISTENER(g->listener));
  g_signal_handlers_disconnect_by_data(g->listener, g);
  g_object_unref(g->listener);
  g_hash_table_remove_all(g->waiting);
  g_hash_table_unref(g->waiting);
  g_hash_table_unref(g->per_address);
  g_clear_object(&g->tls);
  g_free(g);
}

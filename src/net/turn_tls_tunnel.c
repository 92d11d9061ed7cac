#include "net/turn_tls_tunnel.h"
#include "net/proxy_choice.h"

/* libnice opens one connection per local address; a few suffice. */
#define MAX_LINKS 8
#define CONNECT_DEADLINE_S 10

struct LlTurnTlsTunnel {
  GSocketService *service;
  GSocketClient *client;
  char *host;
  guint16 port, local_port;
  GList *links;
};

/* One connection from libnice and its way on to the relay. It outlives
 * the tunnel when the tunnel is freed mid-way: its callbacks then only
 * clean up after themselves. */
typedef struct {
  LlTurnTlsTunnel *tunnel;     /* NULL once the tunnel is gone */
  GSocketConnection *local;
  GCancellable *cancellable;
  guint deadline;
} Link;

static void link_free(Link *link)
{
  if (link->tunnel != NULL)
    link->tunnel->links = g_list_remove(link->tunnel->links, link);
  g_clear_handle_id(&link->deadline, g_source_remove);
  g_object_unref(link->local);
  g_object_unref(link->cancellable);
  g_free(link);
}

static void on_spliced(GObject *source, GAsyncResult *result, gpointer data)
{
  (void)source;
  g_autoptr(GError) error = NULL;
  if (!g_io_stream_splice_finish(result, &error) &&
      !g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    g_debug("the relay over TLS: connection ended: %s", error->message);
  link_free(data);
}

static gboolean on_deadline(gpointer data)
{
  Link *link = data;
  link->deadline = 0;
  g_cancellable_cancel(link->cancellable);
  return G_SOURCE_REMOVE;
}

static void on_connected(GObject *source, GAsyncResult *result, gpointer data)
{
  Link *link = data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GSocketConnection) remote =
      g_socket_client_connect_to_host_finish(G_SOCKET_CLIENT(source), result, &error);
  g_clear_handle_id(&link->deadline, g_source_remove);
  if (remote == NULL) {
    if (link->tunnel != NULL)
      g_info("the relay over TLS could not be reached: %s",
             g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CANCELLED)
                 ? "no answer in time" : error->message);
    link_free(link);
    return;
  }
  g_io_stream_splice_async(G_IO_STREAM(link->local), G_IO_STREAM(remote),
                           G_IO_STREAM_SPLICE_CLOSE_STREAM1 | G_IO_STREAM_SPLICE_CLOSE_STREAM2,
                           G_PRIORITY_DEFAULT, link->cancellable, on_spliced, link);
}

static gboolean on_incoming(GSocketService *service, GSocketConnection *connection,
                            GObject *source, gpointer data)
{
  (void)service;
  (void)source;
  LlTurnTlsTunnel *t = data;
  if (g_list_length(t->links) >= MAX_LINKS) {
    g_debug("the relay over TLS: %d connections already, one more refused", MAX_LINKS);
    return FALSE;   /* the service closes it */
  }
  Link *link = g_new0(Link, 1);
  link->tunnel = t;
  link->local = g_object_ref(connection);
  link->cancellable = g_cancellable_new();
  link->deadline = g_timeout_add_seconds(CONNECT_DEADLINE_S, on_deadline, link);
  t->links = g_list_prepend(t->links, link);
  g_socket_client_connect_to_host_async(t->client, t->host, t->port, link->cancellable,
                                        on_connected, link);
  return TRUE;
}

static GSocketClient *tls_client(void)
{
  g_autoptr(GProxyResolver) proxy = ll_proxy_resolver_new();
  return g_object_new(G_TYPE_SOCKET_CLIENT, "tls", TRUE, "enable-proxy", TRUE,
                      "proxy-resolver", proxy, NULL);
}

LlTurnTlsTunnel *ll_turn_tls_tunnel_new(const char *host, guint16 port, GError **error)
{
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback(G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new(loopback, 0);
  g_autoptr(GSocketAddress) bound = NULL;
  GSocketService *service = g_socket_service_new();
  if (!g_socket_listener_add_address(G_SOCKET_LISTENER(service), address,
                                     G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, NULL,
                                     &bound, error)) {
    g_object_unref(service);
    return NULL;
  }
  LlTurnTlsTunnel *t = g_new0(LlTurnTlsTunnel, 1);
  t->service = service;
  t->client = tls_client();
  t->host = g_strdup(host);
  t->port = port;
  t->local_port = g_inet_socket_address_get_port(G_INET_SOCKET_ADDRESS(bound));
  g_signal_connect(service, "incoming", G_CALLBACK(on_incoming), t);
  g_socket_service_start(service);
  return t;
}

guint16 ll_turn_tls_tunnel_port(const LlTurnTlsTunnel *t)
{
  return t->local_port;
}

void ll_turn_tls_tunnel_free(LlTurnTlsTunnel *t)
{
  if (t == NULL)
    return;
  g_signal_handlers_disconnect_by_data(t->service, t);
  g_socket_service_stop(t->service);
  g_socket_listener_close(G_SOCKET_LISTENER(t->service));
  g_object_unref(t->service);
  for (GList *l = t->links; l != NULL; l = l->next) {
    Link *link = l->data;
    link->tunnel = NULL;
    g_cancellable_cancel(link->cancellable);
  }
  g_list_free(t->links);
  g_object_unref(t->client);
  g_free(t->host);
  g_free(t);
}

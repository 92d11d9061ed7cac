#include "cut_proxy.h"
#include <gio/gio.h>

#define CHUNK 65536

typedef struct Pair Pair;

struct CutProxy {
  GSocketService *service;
  GSocketClient *client;
  guint16 port, target_port;
  gboolean dead;
  guint connections;
  GList *pairs;
};

/* One forwarded connection: the accepted side and the one to the target. */
struct Pair {
  gint refs;
  CutProxy *proxy;
  GSocketConnection *side[2];
  GCancellable *cancellable;
  gboolean closed;
};

typedef struct {
  Pair *pair;
  int from;
  guint8 buffer[CHUNK];
} Pump;

static void pair_unref(Pair *p)
{
  if (--p->refs > 0)
    return;
  for (int i = 0; i < 2; i++)
    g_clear_object(&p->side[i]);
  g_object_unref(p->cancellable);
  g_free(p);
}

static void pair_close(Pair *p)
{
  if (p->closed)
    return;
  p->closed = TRUE;
  g_cancellable_cancel(p->cancellable);
  for (int i = 0; i < 2; i++)
    if (p->side[i] != NULL)
      g_socket_shutdown(g_socket_connection_get_socket(p->side[i]), TRUE, TRUE, NULL);
  if (p->proxy != NULL)
    p->proxy->pairs = g_list_remove(p->proxy->pairs, p);
  pair_unref(p);   /* the proxy's reference */
}

static void pump_read(Pump *pump);

static void pump_end(Pump *pump)
{
  pair_close(pump->pair);
  pair_unref(pump->pair);
  g_free(pump);
}

static void on_written(GObject *source, GAsyncResult *result, gpointer data)
{
  Pump *pump = data;
  if (!g_output_stream_write_all_finish(G_OUTPUT_STREAM(source), result, NULL, NULL) ||
      pump->pair->closed) {
    pump_end(pump);
    return;
  }
  pump_read(pump);
}

static void on_read(GObject *source, GAsyncResult *result, gpointer data)
{
  Pump *pump = data;
  gssize n = g_input_stream_read_finish(G_INPUT_STREAM(source), result, NULL);
  Pair *p = pump->pair;
  if (n <= 0 || p->closed) {
    pump_end(pump);
    return;
  }
  if (p->proxy->dead) {
    pump_read(pump);   /* a dead network loses what it carries */
    return;
  }
  GOutputStream *out = g_io_stream_get_output_stream(G_IO_STREAM(p->side[1 - pump->from]));
  g_output_stream_write_all_async(out, pump->buffer, n, G_PRIORITY_DEFAULT, p->cancellable,
                                  on_written, pump);
}

static void pump_read(Pump *pump)
{
  Pair *p = pump->pair;
  g_input_stream_read_async(g_io_stream_get_input_stream(G_IO_STREAM(p->side[pump->from])),
                            pump->buffer, CHUNK, G_PRIORITY_DEFAULT, p->cancellable, on_read, pump);
}

static void start_pump(Pair *p, int from)
{
  Pump *pump = g_new0(Pump, 1);
  pump->pair = p;
  pump->from = from;
  p->refs++;
  pump_read(pump);
}

static void on_target(GObject *source, GAsyncResult *result, gpointer data)
{
  Pair *p = data;
  GSocketConnection *c = g_socket_client_connect_finish(G_SOCKET_CLIENT(source), result, NULL);
  if (c == NULL || p->closed) {
    g_clear_object(&c);
    pair_close(p);
    pair_unref(p);
    return;
  }
  p->side[1] = c;
  start_pump(p, 0);
  start_pump(p, 1);
  pair_unref(p);   /* the connect's reference */
}

static gboolean on_incoming(GSocketService *service, GSocketConnection *connection,
                            GObject *source, gpointer data)
{
  CutProxy *proxy = data;
  (void)service; (void)source;
  if (proxy->dead) {
    g_socket_shutdown(g_socket_connection_get_socket(connection), TRUE, TRUE, NULL);
    return TRUE;
  }
  Pair *p = g_new0(Pair, 1);
  p->refs = 2;   /* the proxy's list, the connect in progress */
  p->proxy = proxy;
  p->side[0] = g_object_ref(connection);
  p->cancellable = g_cancellable_new();
  proxy->pairs = g_list_prepend(proxy->pairs, p);
  proxy->connections++;
  g_autoptr(GInetAddress) lo = g_inet_address_new_loopback(G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) target = g_inet_socket_address_new(lo, proxy->target_port);
  g_socket_client_connect_async(proxy->client, G_SOCKET_CONNECTABLE(target), p->cancellable,
                                on_target, p);
  return TRUE;
}

CutProxy *cut_proxy_new(guint16 target_port)
{
  CutProxy *proxy = g_new0(CutProxy, 1);
  proxy->target_port = target_port;
  proxy->client = g_socket_client_new();
  g_socket_client_set_enable_proxy(proxy->client, FALSE);
  proxy->service = g_socket_service_new();
  g_autoptr(GInetAddress) lo = g_inet_address_new_loopback(G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) any = g_inet_socket_address_new(lo, 0);
  g_autoptr(GSocketAddress) bound = NULL;
  g_assert_true(g_socket_listener_add_address(G_SOCKET_LISTENER(proxy->service), any,
                                              G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, NULL,
                                              &bound, NULL));
  proxy->port = g_inet_socket_address_get_port(G_INET_SOCKET_ADDRESS(bound));
  g_signal_connect(proxy->service, "incoming", G_CALLBACK(on_incoming), proxy);
  g_socket_service_start(proxy->service);
  return proxy;
}

guint16 cut_proxy_port(CutProxy *proxy) { return proxy->port; }
guint cut_proxy_connections(CutProxy *proxy) { return proxy->connections; }

void cut_proxy_cut(CutProxy *proxy)
{
  while (proxy->pairs != NULL)
    pair_close(proxy->pairs->data);
}

void cut_proxy_set_dead(CutProxy *proxy, gboolean dead)
{
  proxy->dead = dead;
}

void cut_proxy_free(CutProxy *proxy)
{
  cut_proxy_cut(proxy);   /* closed pairs no longer look at the proxy */
  g_socket_service_stop(proxy->service);
  g_socket_listener_close(G_SOCKET_LISTENER(proxy->service));
  g_object_unref(proxy->service);
  g_object_unref(proxy->client);
  g_free(proxy);
}

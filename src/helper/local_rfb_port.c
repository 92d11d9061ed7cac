#include "helper/local_rfb_port.h"
#include "common/error.h"
#include "helper/loopback_owner.h"
#include <unistd.h>
#include <netinet/in.h>
#include <netinet/tcp.h>

struct LlLocalRfbPort {
  GSocket *socket;
  GSocketService *service;
  guint16 number;
  LlViewerArrived arrived;
  LlViewerRefused refused;
  gpointer user_data;
};

LlLocalRfbPort *ll_local_rfb_port_bind(guint16 port, GError **error)
{
  g_autoptr(GError) local = NULL;
  g_autoptr(GSocket) socket = g_socket_new(G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM,
                                           G_SOCKET_PROTOCOL_TCP, &local);
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback(G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new(loopback, port);
  /* Listening at once holds the port: with address reuse, another
   * process could otherwise bind it too until we listen. A viewer that
   * connects early waits in the backlog until the novice says yes. */
  if (socket == NULL || !g_socket_bind(socket, address, TRUE, &local) ||
      !g_socket_listen(socket, &local)) {
    g_set_error(error, LL_ERROR, LL_ERROR_USAGE,
                "cannot use port %u on this computer for the viewer (%s); "
                "choose another with --vnc-port", port, local->message);
    return NULL;
  }
  g_autoptr(GSocketAddress) bound = g_socket_get_local_address(socket, NULL);
  LlLocalRfbPort *p = g_new0(LlLocalRfbPort, 1);
  p->socket = g_steal_pointer(&socket);
  p->number = g_inet_socket_address_get_port(G_INET_SOCKET_ADDRESS(bound));
  return p;
}

guint16 ll_local_rfb_port_number(LlLocalRfbPort *p) { return p->number; }

static gboolean on_incoming(GSocketService *service, GSocketConnection *connection,
                            GObject *source, gpointer data)
{
  LlLocalRfbPort *p = data;
  (void)service; (void)source;
  uid_t owner = 0;
  g_autoptr(GError) error = NULL;
  if (!ll_loopback_owner(connection, &owner, &error) || owner != geteuid()) {
    g_autofree char *why = error != NULL
        ? g_strdup_printf("a viewer was turned away: %s", error->message)
        : g_strdup_printf("a viewer of another account on this computer (uid %u) was turned "
                          "away: only your own programs may attach to the viewer port",
                          (unsigned)owner);
    g_io_stream_close(G_IO_STREAM(connection), NULL, NULL);   /* before any byte */
    p->refused(error != NULL ? -1 : (gint64)owner, why, p->user_data);
    return TRUE;
  }
  g_socket_set_option(g_socket_connection_get_socket(connection), IPPROTO_TCP, TCP_NODELAY, 1,
                      NULL);   /* a viewer's input and small updates go at once */
  p->arrived(connection, p->user_data);
  return TRUE;
}

gboolean ll_local_rfb_port_open(LlLocalRfbPort *p, LlViewerArrived arrived,
                                LlViewerRefused refused, gpointer user_data, GError **error)
{
  p->arrived = arrived;
  p->refused = refused;
  p->user_data = user_data;
  p->service = g_socket_service_new();
  if (!g_socket_listener_add_socket(G_SOCKET_LISTENER(p->service), p->socket, NULL, error))
    return FALSE;
  g_signal_connect(p->service, "incoming", G_CALLBACK(on_incoming), p);
  g_socket_service_start(p->service);
  return TRUE;
}

void ll_local_rfb_port_free(LlLocalRfbPort *p)
{
  if (p == NULL)
    return;
  if (p->service != NULL) {
    g_socket_service_stop(p->service);
    g_socket_listener_close(G_SOCKET_LISTENER(p->service));
    g_object_unref(p->service);
  }
  g_socket_close(p->socket, NULL);
  g_object_unref(p->socket);
  g_free(p);
}

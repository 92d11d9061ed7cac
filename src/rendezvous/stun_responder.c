#include "rendezvous/stun_responder.h"
#include "rendezvous/stun_reply.h"

#define MAX_PACKET LL_STUN_MAX_PACKET

struct LlStunResponder {
  GSocket *socket;
  GSource *source;
  StunAgent agent;
  guint64 answered;
};

static void answer(LlStunResponder *r, const guint8 *packet, gsize len, GSocketAddress *from)
{
  guint8 out[LL_STUN_MAX_PACKET];
  gsize out_len = ll_stun_binding_reply(&r->agent, packet, len, from, out);
  if (out_len > 0 && g_socket_send_to(r->socket, from, (const char *)out, out_len, NULL, NULL) > 0)
    r->answered++;
}

static gboolean on_packet(GSocket *socket, GIOCondition condition, gpointer data)
{
  LlStunResponder *r = data;
  (void)condition;
  guint8 packet[MAX_PACKET];
  for (;;) {
    GSocketAddress *from = NULL;
    gssize n = g_socket_receive_from(socket, &from, (char *)packet, sizeof packet, NULL, NULL);
    if (n <= 0) {
      g_clear_object(&from);
      break;
    }
    answer(r, packet, n, from);
    g_object_unref(from);
  }
  return G_SOURCE_CONTINUE;
}

LlStunResponder *ll_stun_responder_new(GInetSocketAddress *address, GError **error)
{
  GSocketFamily family = g_inet_address_get_family(g_inet_socket_address_get_address(address));
  g_autoptr(GSocket) socket = g_socket_new(family, G_SOCKET_TYPE_DATAGRAM,
                                           G_SOCKET_PROTOCOL_UDP, error);
  if (socket == NULL || !g_socket_bind(socket, G_SOCKET_ADDRESS(address), TRUE, error))
    return NULL;
  g_socket_set_blocking(socket, FALSE);
  LlStunResponder *r = g_new0(LlStunResponder, 1);
  r->socket = g_steal_pointer(&socket);
  ll_stun_agent_init(&r->agent);
  r->source = g_socket_create_source(r->socket, G_IO_IN, NULL);
  g_source_set_callback(r->source, (GSourceFunc)(void (*)(void))on_packet, r, NULL);
  g_source_attach(r->source, NULL);
  return r;
}

guint64 ll_stun_responder_answered(LlStunResponder *r) { return r->answered; }

void ll_stun_responder_free(LlStunResponder *r)
{
  if (r == NULL)
    return;
  g_source_destroy(r->source);
  g_source_unref(r->source);
  g_socket_close(r->socket, NULL);
  g_object_unref(r->socket);
  g_free(r);
}

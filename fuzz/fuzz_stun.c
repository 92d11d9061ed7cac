/* libFuzzer target: the rendezvous's STUN responder, one datagram. */
#include "rendezvous/stun_reply.h"
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  static StunAgent agent;
  static GSocketAddress *from;
  if (from == NULL) {
    ll_stun_agent_init(&agent);
    from = g_inet_socket_address_new_from_string("192.0.2.7", 40000);
  }
  guint8 out[LL_STUN_MAX_PACKET];
  gsize n = ll_stun_binding_reply(&agent, data, size, from, out);
  g_assert_cmpuint(n, <=, sizeof out);
  return 0;
}

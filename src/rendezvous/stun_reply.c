#include "rendezvous/stun_reply.h"
#include <stun/stunmessage.h>

void ll_stun_agent_init(StunAgent *agent)
{
  stun_agent_init(agent, STUN_ALL_KNOWN_ATTRIBUTES, STUN_COMPATIBILITY_RFC5389,
                  STUN_AGENT_USAGE_USE_FINGERPRINT);
}

gsize ll_stun_binding_reply(StunAgent *agent, const guint8 *packet, gsize len,
                            GSocketAddress *from, guint8 *out)
{
  StunMessage request, response;
  struct sockaddr_storage addr;
  if (stun_agent_validate(agent, &request, packet, len, NULL, NULL) != STUN_VALIDATION_SUCCESS ||
      stun_message_get_class(&request) != STUN_REQUEST ||
      stun_message_get_method(&request) != STUN_BINDING)
    return 0;
  if (!g_socket_address_to_native(from, &addr, sizeof addr, NULL) ||
      !stun_agent_init_response(agent, &response, out, LL_STUN_MAX_PACKET, &request))
    return 0;
  if (stun_message_append_xor_addr(&response, STUN_ATTRIBUTE_XOR_MAPPED_ADDRESS, &addr,
                                   g_socket_address_get_native_size(from)) !=
      STUN_MESSAGE_RETURN_SUCCESS)
    return 0;
  return stun_agent_finish_message(agent, &response, NULL, 0);
}

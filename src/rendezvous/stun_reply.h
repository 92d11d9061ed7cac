/* The STUN responder's one decision, without a socket: the Binding
 * success response to a request, or nothing (for a fuzz target too). */
#pragma once
#include <gio/gio.h>
#include <stun/stunagent.h>

#define LL_STUN_MAX_PACKET 1500

/* RFC 5389 with fingerprints, as the responder answers. */
void ll_stun_agent_init(StunAgent *agent);
/* The response to PACKET (LEN bytes) from FROM, in OUT (at least
 * LL_STUN_MAX_PACKET bytes); its length, 0 when PACKET is no Binding
 * request or is damaged. */
gsize ll_stun_binding_reply(StunAgent *agent, const guint8 *packet, gsize len,
                            GSocketAddress *from, guint8 *out);

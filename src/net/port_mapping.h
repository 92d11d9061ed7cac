/* Asks the router in front of this computer to forward a TCP port to it
 * (UPnP-IGD through miniupnpc; NAT-PMP through libnatpmp where UPnP gets
 * no answer), so helpers outside can connect directly. Discovery and the
 * requests run on a thread of their own; the mapping is removed when
 * freed. A router with neither simply gives no mapping. */
#pragma once
#include <glib.h>

#define LL_UPNP_DISCOVERY_MS 1000

typedef struct LlPortMapping LlPortMapping;
/* EXTERNAL is "PUBLIC-IP:PORT", or NULL with a sentence in WHY. */
typedef void (*LlPortMappingDone)(LlPortMapping *mapping, const char *external, const char *why,
                                  gpointer user_data);

LlPortMapping *ll_port_mapping_request(guint16 port, gint64 lifetime, LlPortMappingDone done,
                                       gpointer user_data);
/* Waits for a request still under way, then removes the mapping. */
void ll_port_mapping_free(LlPortMapping *mapping);

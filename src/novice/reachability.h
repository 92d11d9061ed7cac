/* How helpers will reach an invitation: a port the router forwards
 * (UPnP / NAT-PMP), the rendezvous mailbox, and this computer's own
 * addresses. Waits for the answers that take time, then writes them all
 * into the invitation. Shared by `lifeline invite` and the desktop app
 * through the novice host. */
#pragma once
#include <glib.h>
#include "common/invitation.h"

typedef struct LlReachability LlReachability;
/* Every answer is in: ll_reachability_fill can write the invitation. */
typedef void (*LlReachabilityDone)(LlReachability *reach, gpointer user_data);

/* Asks the router for PORT when MAP_PORT; waits for a mailbox when
 * AWAIT_MAILBOX. DONE runs from the main loop, once. */
LlReachability *ll_reachability_new(guint16 port, gint64 lifetime, gboolean map_port,
                                    gboolean await_mailbox, LlReachabilityDone done,
                                    gpointer user_data);
/* The rendezvous answered: MAILBOX at URL, or NULL when it failed. */
void ll_reachability_set_mailbox(LlReachability *reach, const char *url, const char *mailbox);
/* Adds the mapped address, the local addresses and the mailbox. */
void ll_reachability_fill(LlReachability *reach, LlInvitation *invitation);
/* Removes the router's mapping. */
void ll_reachability_free(LlReachability *reach);

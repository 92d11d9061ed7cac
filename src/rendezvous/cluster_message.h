/* What the instances of one rendezvous tell each other through Redis
 * (rendezvous/cluster.h), on the channel of the instance that holds the
 * connection concerned. A helper connected to instance B whose novice is
 * connected to instance A is "ref" on B and "peer" in A's mailbox:
 *   B -> A  enter     mailbox, from, ref, claim (a code's nameplate was
 *                     claimed for it)
 *   A -> B  entered   mailbox, from, ref, peer | refused  ref, reason, text
 *   B -> A  to-novice mailbox, from, peer, text (a signal message)
 *   A -> B  to-helper ref, text (a signal message)
 *   B -> A  left      mailbox, from, peer
 *   A -> B  closed    ref, reason, text (the novice is gone)
 *   X -> A  takeover  mailbox (a host registered again at X)
 * JSON; every field bounded; signal messages are carried as their own
 * JSON text and decoded again by the receiver. */
#pragma once
#include "common/signal_message.h"
#include <glib.h>

#define LL_CLUSTER_MAX_BYTES (4 * LL_SIGNAL_MAX_BYTES)
#define LL_CLUSTER_MAX_INSTANCE 64

typedef enum {
  LL_CLUSTER_ENTER,
  LL_CLUSTER_ENTERED,
  LL_CLUSTER_REFUSED,
  LL_CLUSTER_TO_NOVICE,
  LL_CLUSTER_TO_HELPER,
  LL_CLUSTER_LEFT,
  LL_CLUSTER_CLOSED,
  LL_CLUSTER_TAKEOVER,
} LlClusterType;

typedef struct {
  LlClusterType type;
  char *mailbox;             /* ENTER, ENTERED, TO_NOVICE, LEFT, TAKEOVER */
  char *from;                /* ENTER, ENTERED, TO_NOVICE, LEFT: the sender's instance */
  guint32 ref;               /* ENTER, ENTERED, REFUSED, TO_HELPER, CLOSED */
  guint32 peer;              /* ENTERED, TO_NOVICE, LEFT */
  gboolean claim;            /* ENTER */
  LlSignalErrorReason reason;   /* REFUSED, CLOSED */
  char *text;                /* REFUSED, CLOSED: a sentence; TO_*: a signal message */
} LlClusterMessage;

LlClusterMessage *ll_cluster_message_new(LlClusterType type);
void ll_cluster_message_free(LlClusterMessage *message);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(LlClusterMessage, ll_cluster_message_free)

char *ll_cluster_message_encode(const LlClusterMessage *message);
/* NULL (and ERROR) for anything malformed, oversized or out of range. */
LlClusterMessage *ll_cluster_message_decode(const char *text, gsize length, GError **error);

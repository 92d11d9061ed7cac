/* The state several rendezvous instances share through Redis, so that a
 * helper connected to any of them reaches a novice or host connected to
 * any other: which instance holds each mailbox, the nameplates of codes
 * (one attempt each, wherever it is made), the limits on trying codes,
 * and a channel per instance for cluster_message.h. Each instance says
 * every second that it is alive; one that stops saying so for 5 s holds
 * nothing any more. An instance that lost Redis comes back under a new
 * id (its old one removed at once), so the others let go of the links
 * they held to it, as it let go of its own while it was away.
 *
 * What Redis holds, all of it (nothing there lets anyone into a session,
 * which takes the novice's pinned key and the invitation's secret, and
 * neither ever reaches a rendezvous):
 *   lifeline:instance:ID        "1" for 5 s, renewed each second
 *   lifeline:mailbox:MAILBOX    the instance holding it (an invitation's
 *                               random mailbox id, or a host's id)
 *   lifeline:binding:MAILBOX    an invitation's: a hash (BLAKE2b) of the
 *                               token its novice opens it again with
 *   lifeline:nameplate:N        "INSTANCE MAILBOX" while a code waits
 *   lifeline:nameplates:DIGITS  nameplates in use or cooling down, scored
 *                               by when they may be handed out again
 *   lifeline:claims:ADDRESS, lifeline:claims
 *                               how many codes that address, and everyone,
 *                               may still try (a token bucket; gone 2 min
 *                               after the last try)
 * and, passing through without being kept, the messages of
 * cluster_message.h: ICE candidates and credentials, PAKE messages. */
#pragma once
#include "rendezvous/cluster_message.h"
#include <gio/gio.h>

typedef struct LlCluster LlCluster;

typedef struct {
  /* From another instance; MESSAGE is the callee's to keep or free. */
  void (*message)(LlClusterMessage *message, gpointer user_data);
  /* Redis came (SHARED: publish what you hold) or went (serve alone). */
  void (*shared)(gboolean shared, gpointer user_data);
  /* MAILBOX, published here bound to the token of TOKEN_HASH (32 bytes),
   * is another token's. */
  void (*not_ours)(const char *mailbox, const guint8 *token_hash, gpointer user_data);
} LlClusterEvents;

LlCluster *ll_cluster_new(const char *redis_address, const char *password,
                          const LlClusterEvents *events, gpointer user_data, GError **error);
void ll_cluster_free(LlCluster *cluster);
/* This instance's random id. */
const char *ll_cluster_instance(LlCluster *cluster);
gboolean ll_cluster_shared(LlCluster *cluster);

/* This instance holds MAILBOX (for at most LIFETIME s). With TAKE_OVER
 * (a host registering, an invitation opened again here), whoever held it
 * before is told. Without (again, to renew it or after Redis was away),
 * it stays with another live instance that took it meanwhile, and a
 * "takeover" of it comes to this instance's own events: its registration
 * here is stale. An invitation's mailbox is bound to the TOKEN_HASH (32
 * bytes) of its token: held by whoever has that token, and "not_ours"
 * here when bound to another; a host's has none (NULL). */
void ll_cluster_publish_mailbox(LlCluster *cluster, const char *mailbox, gint64 lifetime,
                                const guint8 *token_hash, gboolean take_over);
/* This instance no longer holds MAILBOX. */
void ll_cluster_forget_mailbox(LlCluster *cluster, const char *mailbox);

/* Each callback below comes exactly once when its call returned TRUE
 * (FALSE: Redis is away; serve alone). FAILED: Redis went away first. */
typedef void (*LlClusterFoundFn)(const char *owner, gboolean failed, gpointer user_data);
/* Which live instance holds MAILBOX (OWNER NULL: none). */
gboolean ll_cluster_find_mailbox(LlCluster *cluster, const char *mailbox, LlClusterFoundFn fn,
                                 gpointer user_data);

/* Whether INSTANCE still says it is alive (OWNER: INSTANCE, or NULL). */
gboolean ll_cluster_instance_alive(LlCluster *cluster, const char *instance, LlClusterFoundFn fn,
                                   gpointer user_data);

typedef void (*LlClusterNameplateFn)(const char *nameplate, gboolean failed,
                                     gpointer user_data);
/* A fresh nameplate for MAILBOX, free in every instance and not released
 * in the last COOLDOWN s, 3 digits while a tenth at most are taken, then
 * more; NULL when all are taken (FAILED: Redis went away first). */
gboolean ll_cluster_add_nameplate(LlCluster *cluster, const char *mailbox, gint64 lifetime,
                                  gint64 cooldown, LlClusterNameplateFn fn, gpointer user_data);
/* MAILBOX's NAMEPLATE is no longer wanted (the code ended unclaimed). */
void ll_cluster_release_nameplate(LlCluster *cluster, const char *nameplate, const char *mailbox,
                                  gint64 cooldown);

typedef void (*LlClusterReenteredFn)(gboolean kept, gboolean failed, gpointer user_data);
/* MAILBOX's NAMEPLATE, which this instance holds, is entered again under
 * its current id (it came back under a new one, or handed the nameplate
 * out alone while Redis was away). KEPT: it is this mailbox's in every
 * instance now; else another instance gave out the same digits meanwhile
 * (or they cool down), and the code must be withdrawn. */
gboolean ll_cluster_reenter_nameplate(LlCluster *cluster, const char *nameplate,
                                      const char *mailbox, gint64 lifetime, gint64 cooldown,
                                      LlClusterReenteredFn fn, gpointer user_data);

typedef enum {
  LL_CLUSTER_CLAIM_FOUND,    /* OWNER and MAILBOX hold it; it is burnt now */
  LL_CLUSTER_CLAIM_NONE,     /* no such code waiting */
  LL_CLUSTER_CLAIM_LIMITED,  /* too many tries from ADDRESS, or from all */
  LL_CLUSTER_CLAIM_FAILED,   /* Redis went away */
} LlClusterClaim;
typedef void (*LlClusterClaimFn)(LlClusterClaim result, const char *owner, const char *mailbox,
                                 gpointer user_data);
/* ADDRESS tries NAMEPLATE: counted against PER_ADDRESS and TOTAL tries a
 * minute; found, it is burnt in every instance. */
gboolean ll_cluster_claim(LlCluster *cluster, const char *address, const char *nameplate,
                          guint per_address, guint total, gint64 cooldown, LlClusterClaimFn fn,
                          gpointer user_data);

/* MESSAGE to INSTANCE (dropped while Redis is away). */
void ll_cluster_send(LlCluster *cluster, const char *instance, const LlClusterMessage *message);

/* The rendezvous server's own parts, shared by rendezvous_server.c (the
 * connections and what one instance does alone) and server_cluster.c
 * (what it does with the other instances through Redis). Not for use
 * outside src/rendezvous/. */
#pragma once
#include "rendezvous/rendezvous_server.h"
#include "common/signal_message.h"
#include "common/token_bucket.h"
#include "rendezvous/claim_limiter.h"
#include "rendezvous/cluster.h"
#include "rendezvous/connection_threads.h"
#include "rendezvous/mailbox_bindings.h"
#include "rendezvous/nameplate_table.h"
#include "rendezvous/stun_responder.h"
#include "rendezvous/upgrade_gate.h"
#include <libsoup/soup.h>

#define LL_RV_MAX_HELPERS_PER_MAILBOX 16

typedef struct Mailbox Mailbox;

typedef struct {
  LlRendezvousServer *server;
  guint32 id;                /* this instance's name for it ("ref" to others) */
  LlConnectionId conn;       /* its WebSocket, on a thread of connection_threads.c */
  gboolean closing;          /* it was told to close: nothing more is sent */
  char *address;
  char *host_seen;           /* the host name the client used to reach us */
  Mailbox *owns;             /* a novice's own mailbox */
  Mailbox *joined;           /* a helper's mailbox, here */
  char *remote_owner;        /* a helper's novice is at this instance ... */
  char *remote_mailbox;      /* ... in this mailbox */
  guint32 peer;              /* a helper's id in its mailbox */
  gboolean waiting;          /* for Redis or another instance: one request at a time */
  guint wait_deadline;
  LlTokenBucket messages;
  char *nonce;               /* this connection's challenge: what a host signs */
} Client;

/* A helper in a mailbox here: connected here (LOCAL), or to INSTANCE as
 * its client REF. */
typedef struct {
  Client *local;
  char *instance;
  guint32 ref;
} Helper;

typedef enum { MAILBOX_INVITATION, MAILBOX_CODE, MAILBOX_HOST } MailboxKind;

struct Mailbox {
  char *id;
  MailboxKind kind;
  char *nameplate;           /* a code's, until it is claimed; else NULL */
  gboolean nameplate_shared; /* handed out by Redis (else by this instance alone) */
  gint64 lifetime;           /* seconds, as published to the others */
  /* An invitation's: the hash of the token its novice opens it again
   * with (the token itself is never kept). */
  guint8 token_hash[LL_TOKEN_HASH_BYTES];
  gboolean has_token;
  Client *novice;
  GHashTable *helpers;       /* peer id -> Helper */
  guint32 next_peer;
  guint expiry;
};

struct LlRendezvousServer {
  LlRendezvousConfig config;
  LlConnectionThreads *threads;
  LlStunResponder *stun;
  guint16 port;
  GHashTable *mailboxes;     /* id -> Mailbox */
  GHashTable *per_address;   /* address -> count */
  LlNameplates *nameplates;  /* nameplate -> Mailbox, those handed out alone */
  LlClaimLimiter *claims;
  LlMailboxBindings *bindings; /* invitations' tokens, for their lifetimes */
  GList *clients;
  GHashTable *clients_by_id; /* id -> Client */
  GHashTable *clients_by_conn; /* LlConnectionId -> Client */
  guint32 next_client_id;
  LlUpgradeGate *gate;       /* accepts, and counts connections before the upgrade */
  LlCluster *cluster;        /* NULL: one instance alone */
  guint sweep, refresh;
  gboolean freeing;
};

extern const char LL_RV_NOBODY[];

gint64 ll_rv_now_s(void);
void ll_rv_send(Client *c, const LlSignalMessage *m);
void ll_rv_close(Client *c, gushort code, LlSignalErrorReason reason, const char *message);
void ll_rv_fill_ice(Client *c, LlIceServers *ice);
void ll_rv_mailbox_close(LlRendezvousServer *s, Mailbox *mb);
/* "joined" for helper C, now PEER in a mailbox (here or elsewhere). */
void ll_rv_send_joined(Client *c);
/* A new helper in MB (local C, or INSTANCE's REF): its peer id; the
 * novice hears "peer". */
guint32 ll_rv_mailbox_admit(Mailbox *mb, Client *c, const char *instance, guint32 ref);
void ll_rv_enter_local(Client *c, Mailbox *mb);
/* The hash a mailbox's token is kept as. */
void ll_rv_token_hash(const char *token, guint8 hash[LL_TOKEN_HASH_BYTES]);
/* The old registration OLD ends: its host registered again, or its
 * invitation was opened again, elsewhere. */
void ll_rv_end_registration(LlRendezvousServer *s, Mailbox *old);
void ll_rv_claims_exceeded(Client *c);
/* A nameplate for MB from this instance's own table, and "opened"; FALSE
 * (C closed) when all are taken. */
gboolean ll_rv_give_local_nameplate(Client *c, Mailbox *mb);
/* NAMEPLATE among those this instance handed out alone. */
void ll_rv_claim_here(Client *c, const char *nameplate);
Client *ll_rv_client(LlRendezvousServer *s, guint32 id);

/* server_cluster.c */
void ll_rv_cluster_start(LlRendezvousServer *s, GError **error);
void ll_rv_cluster_stop(LlRendezvousServer *s);
gboolean ll_rv_cluster_shared(LlRendezvousServer *s);
/* FRESH: just opened or registered (a host takes its id over). */
void ll_rv_cluster_publish(LlRendezvousServer *s, Mailbox *mb, gboolean fresh);
void ll_rv_cluster_forget(LlRendezvousServer *s, Mailbox *mb);
/* Try elsewhere: FALSE when there is no elsewhere (Redis away). */
gboolean ll_rv_cluster_join(Client *c, const char *mailbox);
gboolean ll_rv_cluster_claim(Client *c, const char *nameplate);
gboolean ll_rv_cluster_add_nameplate(Client *c, Mailbox *mb);
/* A helper of another instance in MB is told; a helper here whose novice
 * is elsewhere has left. */
void ll_rv_cluster_helper_closed(LlRendezvousServer *s, const Helper *h, LlSignalErrorReason reason,
                                 const char *message);
void ll_rv_cluster_client_left(Client *c);
void ll_rv_cluster_to_helper(LlRendezvousServer *s, const Helper *h, const LlSignalMessage *m);
void ll_rv_cluster_to_novice(Client *c, const LlSignalMessage *m);

/* A connection to a rendezvous server (WebSocket, libsoup 3): a novice
 * opens a mailbox and hears of helpers joining it; a helper joins one.
 * ICE signalling goes through it; nothing it carries can let anyone into
 * a session (that takes the pinned TLS key and the secret proof). */
#pragma once
#include "common/signal_message.h"
#include <gio/gio.h>
#include "common/identity.h"

typedef struct LlRendezvousClient LlRendezvousClient;

typedef struct {
  /* Novice: the mailbox is open. */
  void (*opened)(LlRendezvousClient *client, const char *mailbox, const LlIceServers *ice,
                 gpointer user_data);
  /* Helper: joined as PEER. */
  void (*joined)(LlRendezvousClient *client, guint32 peer, const LlIceServers *ice,
                 gpointer user_data);
  /* Novice: a helper arrived in the mailbox, or left it. */
  void (*peer)(LlRendezvousClient *client, guint32 peer, gpointer user_data);
  void (*peer_left)(LlRendezvousClient *client, guint32 peer, gpointer user_data);
  /* ICE data (PEER is 0 for a helper: it only hears its novice). */
  void (*signal)(LlRendezvousClient *client, guint32 peer, const LlSignalMessage *message,
                 gpointer user_data);
  /* Connection over; WHY says why (NULL when we closed it). Once only. */
  void (*closed)(LlRendezvousClient *client, const GError *why, gpointer user_data);
} LlRendezvousEvents;

/* Clients made from now on connect from IP (NULL: as the system
 * chooses): for load generators with many loopback addresses. */
void ll_rendezvous_clients_bind(const char *ip);
LlRendezvousClient *ll_rendezvous_client_new(const char *url, const LlRendezvousEvents *events,
                                             gpointer user_data);
void ll_rendezvous_client_free(LlRendezvousClient *client);
/* Requests are queued until the connection is up. */
void ll_rendezvous_client_open(LlRendezvousClient *client, gint64 lifetime);
void ll_rendezvous_client_join(LlRendezvousClient *client, const char *mailbox);
/* An invitation's MAILBOX again (after the rendezvous was lost), here or
 * at another rendezvous, with the TOKEN the first "opened" gave, for
 * LIFETIME s more; "opened" follows. */
void ll_rendezvous_client_reopen(LlRendezvousClient *client, const char *mailbox,
                                 const char *token, gint64 lifetime);
/* An invitation's mailbox's token, once "opened" came (NULL before). */
const char *ll_rendezvous_client_token(LlRendezvousClient *client);
/* Novice: a code's mailbox, which the rendezvous names with a short
 * nameplate too (see ll_rendezvous_client_nameplate once "opened" came);
 * the server may cut LIFETIME short. Closed with LL_ERROR_EXPIRED when
 * its time is over. */
void ll_rendezvous_client_open_code(LlRendezvousClient *client, gint64 lifetime);
const char *ll_rendezvous_client_nameplate(LlRendezvousClient *client);
/* Helper: the mailbox of a code's NAMEPLATE ("joined" follows; or closed
 * with LL_ERROR_NOT_WAITING for no such code). One attempt per code. */
void ll_rendezvous_client_claim(LlRendezvousClient *client, const char *nameplate);
/* Host: a mailbox named HOST_ID for as long as the connection lasts,
 * proven with IDENTITY's key once the server's challenge came (IDENTITY
 * must outlive the client); "opened" follows. */
void ll_rendezvous_client_register(LlRendezvousClient *client, const char *host_id,
                                   const LlIdentity *identity);
/* Host: fresh relay credentials for the same mailbox ("opened" again). */
void ll_rendezvous_client_renew(LlRendezvousClient *client);
/* PEER: the helper to send to (novice side); ignored on a helper. */
void ll_rendezvous_client_send_signal(LlRendezvousClient *client, guint32 peer,
                                      LlSignalMessage *message);
/* From now on, EVENTS go to USER_DATA. */
void ll_rendezvous_client_set_events(LlRendezvousClient *client, const LlRendezvousEvents *events,
                                     gpointer user_data);
/* No more events will be delivered. */
void ll_rendezvous_client_forget_events(LlRendezvousClient *client);

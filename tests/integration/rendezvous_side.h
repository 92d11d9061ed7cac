/* One party of the rendezvous tests, through the real client code: what
 * it heard, kept for the test to check. */
#pragma once
#include "common/identity.h"
#include "common/signal_message.h"
#include "net/rendezvous_client.h"

typedef struct {
  char *mailbox;
  int opened;
  guint32 peer;
  guint32 last_peer_seen;
  guint32 last_peer_left;
  int signals;
  char *last_candidate;
  guint32 last_signal_peer;
  gboolean closed;
  char *closed_why;
  int closed_code;
  char *last_pake;
  LlIceServers ice;
} Side;

extern const LlRendezvousEvents side_events;

void side_clear(Side *side);
char *url_for(guint16 port);
/* A signal message carrying ICE candidate TEXT. */
LlSignalMessage *candidate(const char *text);
/* Removes DIR and everything in it. */
void rm_rf(const char *dir);
/* A key of its own in DIR (which goes with the test). */
LlIdentity *identity_in(const char *dir, const char *name);
/* A helper claiming NAMEPLATE at URL is closed with CODE and a sentence
 * holding WHY, never let in. */
void claim_fails(const char *url, const char *nameplate, int code, const char *why);

/* Tries every path of an invitation at once (direct TCP to each endpoint,
 * ICE through the rendezvous, which includes the relay) and keeps the
 * first whose TLS handshake completes with the pinned key; the others are
 * dropped. */
#pragma once
#include <gio/gio.h>
#include "common/fingerprint.h"

#define LL_CONNECT_TIMEOUT_S 10
/* Endpoints a router forwards on the novice's behalf start with this. */
#define LL_MAPPED_PREFIX "mapped:"

typedef struct LlEndpointRace LlEndpointRace;
/* Exactly one call: WINNER (owned by the callee) with the endpoint it came
 * from and the path name, or an ERROR saying why every attempt failed
 * (LL_ERROR_WRONG_KEY when one answered with the wrong key). */
typedef void (*LlRaceDone)(GTlsConnection *winner, const char *endpoint, const char *path,
                           const GError *error, gpointer user_data);

/* RENDEZVOUS_URLS (NULL-terminated, or NULL) and MAILBOX add an ICE
 * attempt through that mailbox to the direct endpoints: at the first
 * rendezvous, and at the next whenever one cannot be reached or knows
 * nobody there (each with a deadline of its own). LL_ERROR_NOT_WAITING
 * only when every rendezvous tried said nobody is there. */
LlEndpointRace *ll_endpoint_race_start(GPtrArray *endpoints,
                                       const char *const *rendezvous_urls,
                                       const char *mailbox, GTlsCertificate *identity,
                                       const LlKeyPin *pin,
                                       LlRaceDone done, gpointer user_data);
/* Stops the race if it still runs (DONE is not called afterwards) and
 * frees RACE: call it once, also after DONE. */
void ll_endpoint_race_cancel(LlEndpointRace *race);

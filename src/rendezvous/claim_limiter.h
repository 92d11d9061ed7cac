/* How many codes may be tried: each address has its own token bucket,
 * and all of them share one, so neither one guesser nor many together
 * can try codes faster than the operator allows. A code gets one try
 * (its nameplate is burnt); this bounds how fast new tries come. */
#pragma once
#include <glib.h>

typedef struct LlClaimLimiter LlClaimLimiter;

/* PER_ADDRESS_PER_MINUTE tries from one address (that many at once,
 * too), TOTAL_PER_MINUTE from everyone. */
LlClaimLimiter *ll_claim_limiter_new(double per_address_per_minute, double total_per_minute);
void ll_claim_limiter_free(LlClaimLimiter *limiter);
/* Whether ADDRESS may try a code now (and counts the try). */
gboolean ll_claim_limiter_take(LlClaimLimiter *limiter, const char *address);
/* Addresses tracked (bounded: full buckets are forgotten). */
guint ll_claim_limiter_size(LlClaimLimiter *limiter);

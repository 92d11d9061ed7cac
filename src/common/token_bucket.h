/* A token bucket: BURST events at once, then RATE a second. The one rate
 * limiter of Lifeline (stdin lines, rendezvous messages, control
 * requests in view-only sessions). */
#pragma once
#include <glib.h>

typedef struct {
  double burst;
  double rate;        /* tokens per second */
  double tokens;
  gint64 at_us;       /* monotonic time of the last refill */
} LlTokenBucket;

void ll_token_bucket_init(LlTokenBucket *bucket, double burst, double rate);
/* Takes one token; FALSE when none is left. */
gboolean ll_token_bucket_take(LlTokenBucket *bucket);
/* Milliseconds until a token is there (0 if one is). */
guint ll_token_bucket_wait_ms(LlTokenBucket *bucket);
/* Whether the bucket has refilled to its burst (nothing to remember). */
gboolean ll_token_bucket_is_full(LlTokenBucket *bucket);

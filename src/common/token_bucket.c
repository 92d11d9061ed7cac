#include "common/token_bucket.h"

void ll_token_bucket_init(LlTokenBucket *b, double burst, double rate)
{
  b->burst = burst;
  b->rate = rate;
  b->tokens = burst;
  b->at_us = g_get_monotonic_time();
}

static void refill(LlTokenBucket *b)
{
  gint64 now = g_get_monotonic_time();
  b->tokens = MIN(b->burst, b->tokens + (now - b->at_us) / 1e6 * b->rate);
  b->at_us = now;
}

gboolean ll_token_bucket_take(LlTokenBucket *b)
{
  refill(b);
  if (b->tokens < 1.0)
    return FALSE;
  b->tokens -= 1.0;
  return TRUE;
}

guint ll_token_bucket_wait_ms(LlTokenBucket *b)
{
  refill(b);
  return b->tokens >= 1.0 ? 0 : (guint)((1.0 - b->tokens) / b->rate * 1000) + 1;
}

gboolean ll_token_bucket_is_full(LlTokenBucket *b)
{
  refill(b);
  return b->tokens >= b->burst;
}

#include "rendezvous/claim_limiter.h"
#include "common/token_bucket.h"

/* Past this many addresses, those that could try a full burst again are
 * forgotten (they lose nothing by it). */
#define PRUNE_AT 4096

struct LlClaimLimiter {
  double per_address;       /* per minute */
  LlTokenBucket total;
  GHashTable *addresses;    /* address -> LlTokenBucket */
};

LlClaimLimiter *ll_claim_limiter_new(double per_address_per_minute, double total_per_minute)
{
  LlClaimLimiter *l = g_new0(LlClaimLimiter, 1);
  l->per_address = per_address_per_minute;
  ll_token_bucket_init(&l->total, total_per_minute, total_per_minute / 60.0);
  l->addresses = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
  return l;
}

void ll_claim_limiter_free(LlClaimLimiter *l)
{
  if (l == NULL)
    return;
  g_hash_table_unref(l->addresses);
  g_free(l);
}

static void prune(LlClaimLimiter *l)
{
  GHashTableIter iter;
  gpointer bucket;
  g_hash_table_iter_init(&iter, l->addresses);
  while (g_hash_table_iter_next(&iter, NULL, &bucket))
    if (ll_token_bucket_is_full(bucket))
      g_hash_table_iter_remove(&iter);
}

gboolean ll_claim_limiter_take(LlClaimLimiter *l, const char *address)
{
  LlTokenBucket *b = g_hash_table_lookup(l->addresses, address);
  if (b == NULL) {
    if (g_hash_table_size(l->addresses) >= PRUNE_AT)
      prune(l);
    b = g_new0(LlTokenBucket, 1);
    ll_token_bucket_init(b, l->per_address, l->per_address / 60.0);
    g_hash_table_insert(l->addresses, g_strdup(address), b);
  }
  if (ll_token_bucket_wait_ms(b) > 0)
    return FALSE;
  if (!ll_token_bucket_take(&l->total))
    return FALSE;
  return ll_token_bucket_take(b);
}

guint ll_claim_limiter_size(LlClaimLimiter *l) { return g_hash_table_size(l->addresses); }

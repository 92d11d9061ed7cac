/* The rendezvous' nameplates: unique, short while few are taken, and not
 * handed out again while they cool down. Also the claim limiter. */
#include "rendezvous/claim_limiter.h"
#include "rendezvous/nameplate_table.h"
#include "common/pairing_code.h"
#include <string.h>

static void test_short_then_longer(void)
{
  LlNameplates *t = ll_nameplates_new(1800);
  g_autoptr(GHashTable) seen = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
  guint lengths[LL_NAMEPLATE_MAX_DIGITS + 1] = { 0 };
  for (int i = 0; i < 1500; i++) {
    const char *n = ll_nameplates_add(t, GINT_TO_POINTER(i + 1), 0);
    g_assert_nonnull(n);
    g_assert_true(ll_nameplate_is_valid(n));
    g_assert_true(g_hash_table_add(seen, g_strdup(n)));
    lengths[strlen(n)]++;
    g_assert_cmpint(GPOINTER_TO_INT(ll_nameplates_lookup(t, n)), ==, i + 1);
  }
  /* A tenth of the three-digit ones at most, then of the four-digit
   * ones, then five digits. */
  g_assert_cmpuint(lengths[3], <=, 100);
  g_assert_cmpuint(lengths[3], >=, 90);
  g_assert_cmpuint(lengths[4], <=, 1000);
  g_assert_cmpuint(lengths[4], >=, 900);
  g_assert_cmpuint(lengths[5], ==, 1500 - lengths[3] - lengths[4]);
  g_assert_cmpuint(ll_nameplates_in_use(t), ==, 1500);
  ll_nameplates_free(t);
}

static void test_cooldown(void)
{
  LlNameplates *t = ll_nameplates_new(1800);
  g_autoptr(GHashTable) released = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
  /* Take and release many: none comes back within the cooldown. */
  for (int i = 0; i < 90; i++) {
    g_autofree char *n = g_strdup(ll_nameplates_add(t, GINT_TO_POINTER(1), 100));
    g_assert_false(g_hash_table_contains(released, n));
    ll_nameplates_release(t, n, 100);
    g_assert_null(ll_nameplates_lookup(t, n));
    g_hash_table_add(released, g_strdup(n));
  }
  g_assert_cmpuint(ll_nameplates_in_use(t), ==, 0);
  g_assert_cmpuint(ll_nameplates_cooling(t), ==, 90);
  /* After it, they are free again. */
  g_assert_nonnull(ll_nameplates_add(t, NULL, 100 + 1800));
  g_assert_cmpuint(ll_nameplates_cooling(t), ==, 0);
  ll_nameplates_release(t, "999", 0);   /* unknown: nothing happens */
  ll_nameplates_set(t, "998", NULL);
  ll_nameplates_free(t);
}

static void test_claim_limiter(void)
{
  LlClaimLimiter *l = ll_claim_limiter_new(5, 8);
  for (int i = 0; i < 5; i++)
    g_assert_true(ll_claim_limiter_take(l, "192.0.2.1"));
  g_assert_false(ll_claim_limiter_take(l, "192.0.2.1"));
  /* Another address has its own, but everyone shares the total. */
  for (int i = 0; i < 3; i++)
    g_assert_true(ll_claim_limiter_take(l, "192.0.2.2"));
  g_assert_false(ll_claim_limiter_take(l, "192.0.2.3"));
  g_assert_cmpuint(ll_claim_limiter_size(l), ==, 3);
  ll_claim_limiter_free(l);
}

static void test_claim_limiter_bounded(void)
{
  LlClaimLimiter *l = ll_claim_limiter_new(5, 1e9);
  char address[32];
  for (int i = 0; i < 10000; i++) {
    g_snprintf(address, sizeof address, "10.%d.%d.1", i / 256, i % 256);
    g_assert_true(ll_claim_limiter_take(l, address));
  }
  /* Each address used one of five: none was full, all are kept... */
  g_assert_cmpuint(ll_claim_limiter_size(l), ==, 10000);
  ll_claim_limiter_free(l);
  /* ...but addresses whose bucket refilled are forgotten. */
  l = ll_claim_limiter_new(1e6, 1e12);
  for (int i = 0; i < 10000; i++) {
    g_snprintf(address, sizeof address, "10.%d.%d.2", i / 256, i % 256);
    ll_claim_limiter_take(l, address);
  }
  g_assert_cmpuint(ll_claim_limiter_size(l), <=, 4097);
  ll_claim_limiter_free(l);
}

int main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/nameplates/short-then-longer", test_short_then_longer);
  g_test_add_func("/nameplates/cooldown", test_cooldown);
  g_test_add_func("/claims/limits", test_claim_limiter);
  g_test_add_func("/claims/bounded", test_claim_limiter_bounded);
  return g_test_run();
}

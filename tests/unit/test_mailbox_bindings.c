/* Which token an invitation's mailbox is bound to (mailbox_bindings.h). */
#include "rendezvous/mailbox_bindings.h"
#include <string.h>

static void hash_of(guint8 out[LL_TOKEN_HASH_BYTES], guint8 value)
{
  memset(out, value, LL_TOKEN_HASH_BYTES);
}

/* Bound, only its own hash opens it, until its time is over; an id bound
 * to nothing may be opened. */
static void test_bound_until_over(void)
{
  LlMailboxBindings *t = ll_mailbox_bindings_new(10);
  guint8 mine[LL_TOKEN_HASH_BYTES], other[LL_TOKEN_HASH_BYTES];
  hash_of(mine, 1);
  hash_of(other, 2);
  g_assert_true(ll_mailbox_bindings_allow(t, "m", other, 100));
  ll_mailbox_bindings_keep(t, "m", mine, 200, 100);
  g_assert_true(ll_mailbox_bindings_allow(t, "m", mine, 150));
  g_assert_false(ll_mailbox_bindings_allow(t, "m", other, 150));
  g_assert_false(ll_mailbox_bindings_allow(t, "m", other, 199));
  g_assert_true(ll_mailbox_bindings_allow(t, "m", other, 200));   /* over: free again */
  g_assert_cmpuint(ll_mailbox_bindings_count(t), ==, 0);
  /* Kept again (opened again), it moves to its new time. */
  ll_mailbox_bindings_keep(t, "m", mine, 300, 200);
  ll_mailbox_bindings_keep(t, "m", mine, 500, 250);
  g_assert_false(ll_mailbox_bindings_allow(t, "m", other, 400));
  g_assert_cmpuint(ll_mailbox_bindings_count(t), ==, 1);
  ll_mailbox_bindings_free(t);
}

/* At most MOST: the oldest go first, and those that are over. */
static void test_bounded(void)
{
  LlMailboxBindings *t = ll_mailbox_bindings_new(3);
  guint8 h[LL_TOKEN_HASH_BYTES], other[LL_TOKEN_HASH_BYTES];
  hash_of(h, 7);
  hash_of(other, 8);
  const char *ids[] = { "a", "b", "c", "d" };
  for (int i = 0; i < 4; i++)
    ll_mailbox_bindings_keep(t, ids[i], h, 1000, 0);
  g_assert_cmpuint(ll_mailbox_bindings_count(t), ==, 3);
  g_assert_true(ll_mailbox_bindings_allow(t, "a", other, 1));    /* the oldest went */
  g_assert_false(ll_mailbox_bindings_allow(t, "d", other, 1));
  ll_mailbox_bindings_keep(t, "e", h, 20, 10);
  g_assert_cmpuint(ll_mailbox_bindings_count(t), ==, 3);
  ll_mailbox_bindings_free(t);
}

int main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/mailbox_bindings/bound-until-over", test_bound_until_over);
  g_test_add_func("/mailbox_bindings/bounded", test_bounded);
  return g_test_run();
}

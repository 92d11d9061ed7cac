/* Damage batches: everything added arrives, in order, in as few batches
 * as the sender's pace makes; too many at once become their bounds; what
 * is pending when the batch is freed still arrives. */
#include "novice/damage_batch.h"

typedef struct {
  GMutex lock;
  GArray *seen;       /* of LlDamageRect */
  guint batches;
  gboolean hold;      /* the first flush waits until released */
  gboolean entered;   /* a flush has begun */
  GCond released;
} Seen;

static void flush(const LlDamageRect *rects, guint count, gpointer data)
{
  Seen *s = data;
  g_mutex_lock(&s->lock);
  s->entered = TRUE;
  while (s->hold)
    g_cond_wait(&s->released, &s->lock);
  g_array_append_vals(s->seen, rects, count);
  s->batches++;
  g_mutex_unlock(&s->lock);
}

static Seen *seen_new(gboolean hold)
{
  Seen *s = g_new0(Seen, 1);
  g_mutex_init(&s->lock);
  g_cond_init(&s->released);
  s->seen = g_array_new(FALSE, FALSE, sizeof(LlDamageRect));
  s->hold = hold;
  return s;
}

static void seen_free(Seen *s)
{
  g_array_unref(s->seen);
  g_mutex_clear(&s->lock);
  g_cond_clear(&s->released);
  g_free(s);
}

static void test_all_arrive_in_order(void)
{
  Seen *s = seen_new(FALSE);
  LlDamageBatch *b = ll_damage_batch_new(flush, s);
  for (int i = 0; i < 500; i++)
    ll_damage_batch_add(b, &(LlDamageRect){ i, 2 * i, 10, 20 });
  ll_damage_batch_free(b);   /* hands on what is pending first */
  g_assert_cmpuint(s->seen->len, ==, 500);
  for (guint i = 0; i < s->seen->len; i++) {
    LlDamageRect *r = &g_array_index(s->seen, LlDamageRect, i);
    g_assert_cmpint(r->x, ==, (int)i);
    g_assert_cmpint(r->y, ==, 2 * (int)i);
  }
  g_assert_cmpuint(s->batches, >=, 1);
  g_assert_cmpuint(s->batches, <=, 500);
  seen_free(s);
}

/* While the sender is held up, what waits is bounded: past the limit it
 * is one rectangle around everything. */
static void test_too_many_become_bounds(void)
{
  Seen *s = seen_new(TRUE);
  LlDamageBatch *b = ll_damage_batch_new(flush, s);
  ll_damage_batch_add(b, &(LlDamageRect){ 0, 0, 1, 1 });   /* taken, then held */
  gint64 deadline = g_get_monotonic_time() + 10 * G_USEC_PER_SEC;
  gboolean entered = FALSE;
  while (!entered && g_get_monotonic_time() < deadline) {
    g_usleep(1000);
    g_mutex_lock(&s->lock);
    entered = s->entered;
    g_mutex_unlock(&s->lock);
  }
  g_assert_true(entered);
  for (int i = 0; i < 3 * LL_DAMAGE_BATCH_MAX; i++)
    ll_damage_batch_add(b, &(LlDamageRect){ 100 + i % 50, 200, 2, 3 });
  ll_damage_batch_add(b, &(LlDamageRect){ 1000, 10, 24, 30 });
  g_mutex_lock(&s->lock);
  s->hold = FALSE;
  g_cond_signal(&s->released);
  g_mutex_unlock(&s->lock);
  ll_damage_batch_free(b);
  /* Everything added is covered, by at most the limit plus the first. */
  g_assert_cmpuint(s->seen->len, <=, LL_DAMAGE_BATCH_MAX + 1);
  gint32 x0 = G_MAXINT32, y0 = G_MAXINT32, x1 = 0, y1 = 0;
  for (guint i = 0; i < s->seen->len; i++) {
    LlDamageRect *r = &g_array_index(s->seen, LlDamageRect, i);
    x0 = MIN(x0, r->x); y0 = MIN(y0, r->y);
    x1 = MAX(x1, r->x + r->width); y1 = MAX(y1, r->y + r->height);
  }
  g_assert_cmpint(x0, ==, 0);
  g_assert_cmpint(y0, ==, 0);
  g_assert_cmpint(x1, ==, 1024);
  g_assert_cmpint(y1, ==, 203);
  seen_free(s);
}

int main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/damage-batch/all-arrive-in-order", test_all_arrive_in_order);
  g_test_add_func("/damage-batch/too-many-become-bounds", test_too_many_become_bounds);
  return g_test_run();
}

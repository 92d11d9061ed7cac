#include "novice/damage_batch.h"

struct LlDamageBatch {
  LlDamageFlush flush;
  gpointer user_data;
  GMutex lock;
  GCond wake;
  GArray *pending;           /* of LlDamageRect */
  gboolean stopping;
  GThread *thread;
};

/* One rectangle around all of RECTS: what too many become. */
static LlDamageRect bounds(const GArray *rects)
{
  const LlDamageRect *r = &g_array_index(rects, LlDamageRect, 0);
  gint32 x0 = r->x, y0 = r->y, x1 = r->x + r->width, y1 = r->y + r->height;
  for (guint i = 1; i < rects->len; i++) {
    r = &g_array_index(rects, LlDamageRect, i);
    x0 = MIN(x0, r->x);
    y0 = MIN(y0, r->y);
    x1 = MAX(x1, r->x + r->width);
    y1 = MAX(y1, r->y + r->height);
  }
  return (LlDamageRect){ x0, y0, x1 - x0, y1 - y0 };
}


static gpointer run(gpointer data)
{
  LlDamageBatch *b = data;
  GArray *taken = g_array_new(FALSE, FALSE, sizeof(LlDamageRect));
  g_mutex_lock(&b->lock);
  for (;;) {
    while (b->pending->len == 0 && !b->stopping)
      g_cond_wait(&b->wake, &b->lock);
    if (b->pending->len == 0)
      break;   /* stopping, and nothing is left */
    GArray *swap = b->pending;
    b->pending = taken;
    taken = swap;
    g_mutex_unlock(&b->lock);
    b->flush((const LlDamageRect *)taken->data, taken->len, b->user_data);
    g_array_set_size(taken, 0);
    g_mutex_lock(&b->lock);
  }
  g_mutex_unlock(&b->lock);
  g_array_unref(taken);
  return NULL;
}

LlDamageBatch *ll_damage_batch_new(LlDamageFlush flush, gpointer user_data)
{
  LlDamageBatch *b = g_new0(LlDamageBatch, 1);
  b->flush = flush;
  b->user_data = user_data;
  g_mutex_init(&b->lock);
  g_cond_init(&b->wake);
  b->pending = g_array_new(FALSE, FALSE, sizeof(LlDamageRect));
  b->thread = g_thread_new("damage-batch", run, b);
  return b;
}

void ll_damage_batch_add(LlDamageBatch *b, const LlDamageRect *rect)
{
  g_mutex_lock(&b->lock);
  g_array_append_val(b->pending, *rect);
  if (b->pending->len > LL_DAMAGE_BATCH_MAX) {
    /* The sender is behind: what waits stays one rectangle's worth. */
    LlDamageRect all = bounds(b->pending);
    g_array_set_size(b->pending, 0);
    g_array_append_val(b->pending, all);
  }
  if (b->pending->len == 1)
    g_cond_signal(&b->wake);
  g_mutex_unlock(&b->lock);
}

void ll_damage_batch_free(LlDamageBatch *b)
{
  if (b == NULL)
    return;
  g_mutex_lock(&b->lock);
  b->stopping = TRUE;
  g_cond_signal(&b->wake);
  g_mutex_unlock(&b->lock);
  g_thread_join(b->thread);
  g_array_unref(b->pending);
  g_mutex_clear(&b->lock);
  g_cond_clear(&b->wake);
  g_free(b);
}

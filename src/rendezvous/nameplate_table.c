#include "rendezvous/nameplate_table.h"
#include "common/pairing_code.h"
#include <sodium.h>

#define TRIES 20

typedef struct {
  char *nameplate;
  gint64 free_at;
} Cooling;

struct LlNameplates {
  gint64 cooldown_s;
  GHashTable *in_use;          /* nameplate -> value (owns the key) */
  GHashTable *cooling;         /* nameplate -> Cooling (key owned by it) */
  GQueue queue;                /* Cooling, oldest first */
  guint busy[LL_NAMEPLATE_MAX_DIGITS + 1];   /* in use or cooling, per length */
};

LlNameplates *ll_nameplates_new(gint64 cooldown_s)
{
  LlNameplates *t = g_new0(LlNameplates, 1);
  t->cooldown_s = cooldown_s;
  t->in_use = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
  t->cooling = g_hash_table_new(g_str_hash, g_str_equal);
  g_queue_init(&t->queue);
  return t;
}

static void cooling_free(gpointer data)
{
  Cooling *c = data;
  g_free(c->nameplate);
  g_free(c);
}

void ll_nameplates_free(LlNameplates *t)
{
  if (t == NULL)
    return;
  g_hash_table_unref(t->in_use);
  g_hash_table_unref(t->cooling);
  g_queue_clear_full(&t->queue, cooling_free);
  g_free(t);
}

/* Those whose cooldown is over may be handed out again. */
static void expire_cooling(LlNameplates *t, gint64 now)
{
  Cooling *c;
  while ((c = g_queue_peek_head(&t->queue)) != NULL && c->free_at <= now) {
    g_queue_pop_head(&t->queue);
    g_hash_table_remove(t->cooling, c->nameplate);
    t->busy[strlen(c->nameplate)]--;
    cooling_free(c);
  }
}

static guint capacity(guint digits)
{
  guint n = 1;
  for (guint i = 0; i < digits; i++)
    n *= 10;
  return n;
}

static gboolean try_length(LlNameplates *t, guint digits, char out[LL_NAMEPLATE_MAX_DIGITS + 1])
{
  guint cap = capacity(digits);
  if (t->busy[digits] >= cap / 10)
    return FALSE;
  for (int i = 0; i < TRIES; i++) {
    g_snprintf(out, LL_NAMEPLATE_MAX_DIGITS + 1, "%0*u", (int)digits, randombytes_uniform(cap));
    if (!g_hash_table_contains(t->in_use, out) && !g_hash_table_contains(t->cooling, out))
      return TRUE;
  }
  return FALSE;
}

const char *ll_nameplates_add(LlNameplates *t, gpointer value, gint64 now)
{
  char name[LL_NAMEPLATE_MAX_DIGITS + 1];
  expire_cooling(t, now);
  for (guint digits = LL_NAMEPLATE_MIN_DIGITS; digits <= LL_NAMEPLATE_MAX_DIGITS; digits++) {
    if (!try_length(t, digits, name))
      continue;
    char *key = g_strdup(name);
    g_hash_table_insert(t->in_use, key, value);
    t->busy[digits]++;
    return key;
  }
  return NULL;
}

void ll_nameplates_set(LlNameplates *t, const char *nameplate, gpointer value)
{
  gpointer key;
  if (!g_hash_table_lookup_extended(t->in_use, nameplate, &key, NULL))
    return;
  /* Out and in again: inserting a key the table holds would free it. */
  g_hash_table_steal(t->in_use, key);
  g_hash_table_insert(t->in_use, key, value);
}

gpointer ll_nameplates_lookup(LlNameplates *t, const char *nameplate)
{
  return g_hash_table_lookup(t->in_use, nameplate);
}

void ll_nameplates_release(LlNameplates *t, const char *nameplate, gint64 now)
{
  gpointer key;
  if (!g_hash_table_lookup_extended(t->in_use, nameplate, &key, NULL))
    return;
  g_hash_table_steal(t->in_use, key);
  Cooling *c = g_new0(Cooling, 1);
  c->nameplate = key;
  c->free_at = now + t->cooldown_s;
  g_queue_push_tail(&t->queue, c);
  g_hash_table_insert(t->cooling, c->nameplate, c);
  expire_cooling(t, now);
}

guint ll_nameplates_in_use(LlNameplates *t) { return g_hash_table_size(t->in_use); }
guint ll_nameplates_cooling(LlNameplates *t) { return g_hash_table_size(t->cooling); }

#include "net/stream_table.h"

struct LlStreamTable {
  GHashTable *by_id;   /* guint32 -> LlStreamBridge, owned */
};

LlStreamTable *ll_stream_table_new(void)
{
  LlStreamTable *t = g_new(LlStreamTable, 1);
  t->by_id = g_hash_table_new_full(NULL, NULL, NULL, (GDestroyNotify)ll_stream_bridge_free);
  return t;
}

void ll_stream_table_free(LlStreamTable *t)
{
  if (t == NULL)
    return;
  g_hash_table_unref(t->by_id);
  g_free(t);
}

void ll_stream_table_add(LlStreamTable *t, LlStreamBridge *bridge)
{
  g_hash_table_replace(t->by_id, GUINT_TO_POINTER(ll_stream_bridge_id(bridge)), bridge);
}

gboolean ll_stream_table_contains(LlStreamTable *t, guint32 id)
{
  return g_hash_table_contains(t->by_id, GUINT_TO_POINTER(id));
}

guint ll_stream_table_size(LlStreamTable *t)
{
  return g_hash_table_size(t->by_id);
}

void ll_stream_table_deliver(LlStreamTable *t, guint32 id, const guint8 *data, gsize len)
{
  LlStreamBridge *bridge = g_hash_table_lookup(t->by_id, GUINT_TO_POINTER(id));
  if (bridge != NULL)
    ll_stream_bridge_deliver(bridge, data, len);
}

void ll_stream_table_remove(LlStreamTable *t, guint32 id)
{
  g_hash_table_remove(t->by_id, GUINT_TO_POINTER(id));
}

void ll_stream_table_remove_all(LlStreamTable *t)
{
  g_hash_table_remove_all(t->by_id);
}

void ll_stream_table_resume_all(LlStreamTable *t)
{
  GHashTableIter iter;
  gpointer bridge;
  g_hash_table_iter_init(&iter, t->by_id);
  while (g_hash_table_iter_next(&iter, NULL, &bridge))
    ll_stream_bridge_resume(bridge);
}

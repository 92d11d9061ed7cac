#include "common/async_guard.h"

struct LlAsyncGuard {
  gpointer owner;
  GCancellable *cancellable;
};

LlAsyncGuard *ll_async_guard_new(gpointer owner, GCancellable *owner_cancellable)
{
  LlAsyncGuard *g = g_new(LlAsyncGuard, 1);
  g->owner = owner;
  g->cancellable = g_object_ref(owner_cancellable);
  return g;
}

gpointer ll_async_guard_finish(LlAsyncGuard *g)
{
  gpointer owner = g_cancellable_is_cancelled(g->cancellable) ? NULL : g->owner;
  g_object_unref(g->cancellable);
  g_free(g);
  return owner;
}

void ll_async_guard_idle(gpointer owner, GCancellable *owner_cancellable, GSourceFunc callback)
{
  GSource *idle = g_idle_source_new();
  g_source_set_callback(idle, callback, ll_async_guard_new(owner, owner_cancellable), NULL);
  g_source_attach(idle, g_main_context_get_thread_default());
  g_source_unref(idle);
}

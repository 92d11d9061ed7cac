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

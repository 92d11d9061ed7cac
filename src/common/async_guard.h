/* A pending GIO operation may complete after its owner was freed. The
 * operation carries a guard instead of the owner: the owner cancels its
 * cancellable when it goes away, and the callback gets the owner back only
 * if that has not happened. */
#pragma once
#include <gio/gio.h>

typedef struct LlAsyncGuard LlAsyncGuard;

LlAsyncGuard *ll_async_guard_new(gpointer owner, GCancellable *owner_cancellable);
/* Frees the guard; returns the owner, or NULL if it is gone. */
gpointer ll_async_guard_finish(LlAsyncGuard *guard);
/* Calls CALLBACK(guard) once from the thread-default main context: for
 * an answer that must not come before the caller has the owner. CALLBACK
 * finishes the guard and returns G_SOURCE_REMOVE. */
void ll_async_guard_idle(gpointer owner, GCancellable *owner_cancellable, GSourceFunc callback);

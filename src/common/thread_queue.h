/* Items handed from any thread to one GMainContext, in the order they
 * were pushed: a batch is handled in one dispatch, with one wake-up of
 * that context however many items arrived meanwhile. */
#pragma once
#include <glib.h>

typedef struct LlThreadQueue LlThreadQueue;

/* Called in CONTEXT's thread for each item; the queue frees the item with
 * FREE_ITEM afterwards (and frees those never handled when it goes). */
typedef void (*LlThreadQueueHandle)(gpointer item, gpointer data);

LlThreadQueue *ll_thread_queue_new(GMainContext *context, LlThreadQueueHandle handle,
                                   GDestroyNotify free_item, gpointer data);
/* From any thread, while the queue lives. */
void ll_thread_queue_push(LlThreadQueue *queue, gpointer item);
/* Once nobody pushes any more (their threads joined), from any thread
 * not dispatching it. */
void ll_thread_queue_free(LlThreadQueue *queue);

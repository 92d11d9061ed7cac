#include "common/thread_queue.h"

typedef struct {
  GSource source;
  GMutex lock;
  GQueue items;              /* under lock */
  gboolean armed;            /* a wake-up is on its way; under lock */
  LlThreadQueueHandle handle;
  GDestroyNotify free_item;
  gpointer data;
} QueueSource;

struct LlThreadQueue {
  QueueSource *source;
};

static gboolean queue_dispatch(GSource *base, GSourceFunc callback, gpointer data)
{
  QueueSource *q = (QueueSource *)base;
  (void)callback; (void)data;
  GQueue batch = G_QUEUE_INIT;
  g_mutex_lock(&q->lock);
  batch = q->items;
  g_queue_init(&q->items);
  q->armed = FALSE;
  g_source_set_ready_time(base, -1);
  g_mutex_unlock(&q->lock);
  gpointer item;
  while ((item = g_queue_pop_head(&batch)) != NULL) {
    q->handle(item, q->data);
    q->free_item(item);
  }
  return G_SOURCE_CONTINUE;
}

static void queue_finalize(GSource *base)
{
  QueueSource *q = (QueueSource *)base;
  g_queue_clear_full(&q->items, q->free_item);
  g_mutex_clear(&q->lock);
}

static GSourceFuncs queue_funcs = { .dispatch = queue_dispatch, .finalize = queue_finalize };

LlThreadQueue *ll_thread_queue_new(GMainContext *context, LlThreadQueueHandle handle,
                                   GDestroyNotify free_item, gpointer data)
{
  QueueSource *q = (QueueSource *)g_source_new(&queue_funcs, sizeof *q);
  g_mutex_init(&q->lock);
  g_queue_init(&q->items);
  q->handle = handle;
  q->free_item = free_item;
  q->data = data;
  g_source_set_name(&q->source, "lifeline thread queue");
  g_source_attach(&q->source, context);
  LlThreadQueue *queue = g_new0(LlThreadQueue, 1);
  queue->source = q;
  return queue;
}

void ll_thread_queue_push(LlThreadQueue *queue, gpointer item)
{
  QueueSource *q = queue->source;
  g_mutex_lock(&q->lock);
  g_queue_push_tail(&q->items, item);
  /* The wake-up stays under the lock: once the lock is let go the
   * dispatching thread may free the queue. */
  if (!q->armed) {
    q->armed = TRUE;
    g_source_set_ready_time(&q->source, 0);
  }
  g_mutex_unlock(&q->lock);
}

void ll_thread_queue_free(LlThreadQueue *queue)
{
  if (queue == NULL)
    return;
  g_source_destroy(&queue->source->source);
  g_source_unref(&queue->source->source);
  g_free(queue);
}

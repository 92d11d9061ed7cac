#include "common/thread_queue.h"

#define PRODUCERS 4
#define EACH 20000

typedef struct {
  guint producer;
  guint number;
} Item;

typedef struct {
  guint next[PRODUCERS];     /* the number each producer's next item must have */
  guint handled;
  gboolean out_of_order;
} Seen;

static gint freed;

static void item_free(gpointer item)
{
  g_atomic_int_inc(&freed);
  g_free(item);
}

static void handle(gpointer data, gpointer user_data)
{
  Item *item = data;
  Seen *seen = user_data;
  if (item->number != seen->next[item->producer])
    seen->out_of_order = TRUE;
  seen->next[item->producer] = item->number + 1;
  seen->handled++;
}

typedef struct {
  LlThreadQueue *queue;
  guint producer;
} Producer;

static gpointer produce(gpointer data)
{
  Producer *p = data;
  for (guint i = 0; i < EACH; i++) {
    Item *item = g_new0(Item, 1);
    item->producer = p->producer;
    item->number = i;
    ll_thread_queue_push(p->queue, item);
  }
  return NULL;
}

/* Items pushed from several threads at once all arrive, each thread's in
 * its order, and the queue frees every one of them. */
static void test_order_from_threads(void)
{
  g_autoptr(GMainContext) context = g_main_context_new();
  Seen seen = { 0 };
  freed = 0;
  LlThreadQueue *queue = ll_thread_queue_new(context, handle, item_free, &seen);
  Producer producers[PRODUCERS];
  GThread *threads[PRODUCERS];
  for (guint i = 0; i < PRODUCERS; i++) {
    producers[i] = (Producer){ queue, i };
    threads[i] = g_thread_new("producer", produce, &producers[i]);
  }
  gint64 deadline = g_get_monotonic_time() + 60 * G_USEC_PER_SEC;
  while (seen.handled < PRODUCERS * EACH && g_get_monotonic_time() < deadline)
    g_main_context_iteration(context, TRUE);
  for (guint i = 0; i < PRODUCERS; i++)
    g_thread_join(threads[i]);
  g_assert_cmpuint(seen.handled, ==, PRODUCERS * EACH);
  g_assert_false(seen.out_of_order);
  for (guint i = 0; i < PRODUCERS; i++)
    g_assert_cmpuint(seen.next[i], ==, EACH);
  ll_thread_queue_free(queue);
  g_assert_cmpint(freed, ==, PRODUCERS * EACH);
}

/* What was pushed but never handled is freed with the queue. */
static void test_leftovers_freed(void)
{
  g_autoptr(GMainContext) context = g_main_context_new();
  Seen seen = { 0 };
  freed = 0;
  LlThreadQueue *queue = ll_thread_queue_new(context, handle, item_free, &seen);
  for (guint i = 0; i < 3; i++)
    ll_thread_queue_push(queue, g_new0(Item, 1));
  ll_thread_queue_free(queue);
  g_assert_cmpuint(seen.handled, ==, 0);
  g_assert_cmpint(freed, ==, 3);
}

/* One wake-up serves a batch: nothing is left for a second dispatch. */
static void test_one_dispatch_per_batch(void)
{
  g_autoptr(GMainContext) context = g_main_context_new();
  Seen seen = { 0 };
  LlThreadQueue *queue = ll_thread_queue_new(context, handle, item_free, &seen);
  for (guint i = 0; i < 5; i++) {
    Item *item = g_new0(Item, 1);
    item->number = i;
    ll_thread_queue_push(queue, item);
  }
  g_assert_true(g_main_context_iteration(context, FALSE));
  g_assert_cmpuint(seen.handled, ==, 5);
  g_assert_false(g_main_context_pending(context));
  ll_thread_queue_free(queue);
}

int main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/thread_queue/order-from-threads", test_order_from_threads);
  g_test_add_func("/thread_queue/leftovers-freed", test_leftovers_freed);
  g_test_add_func("/thread_queue/one-dispatch-per-batch", test_one_dispatch_per_batch);
  return g_test_run();
}

#include "novice/desktop/thread_mailbox.h"

struct LlMailbox {
  gatomicrefcount refs;
  GMainContext *context;
  gpointer owner;                /* NULL once closed; read on the context only */
};

typedef struct {
  LlMailbox *mailbox;
  LlMailboxFn fn;
  gpointer data;
  GDestroyNotify free_data;
} Post;

static void mailbox_unref(LlMailbox *m)
{
  if (!g_atomic_ref_count_dec(&m->refs))
    return;
  g_main_context_unref(m->context);
  g_free(m);
}

LlMailbox *ll_mailbox_new(GMainContext *context, gpointer owner)
{
  LlMailbox *m = g_new0(LlMailbox, 1);
  g_atomic_ref_count_init(&m->refs);
  m->context = context != NULL ? g_main_context_ref(context) : g_main_context_ref_thread_default();
  m->owner = owner;
  return m;
}

static gboolean deliver(gpointer data)
{
  Post *p = data;
  if (p->mailbox->owner != NULL)
    p->fn(p->mailbox->owner, p->data);
  return G_SOURCE_REMOVE;
}

static void post_free(gpointer data)
{
  Post *p = data;
  if (p->free_data != NULL)
    p->free_data(p->data);
  mailbox_unref(p->mailbox);
  g_free(p);
}

void ll_mailbox_post(LlMailbox *m, LlMailboxFn fn, gpointer data, GDestroyNotify free_data)
{
  Post *p = g_new0(Post, 1);
  g_atomic_ref_count_inc(&m->refs);
  p->mailbox = m;
  p->fn = fn;
  p->data = data;
  p->free_data = free_data;
  /* Not g_main_context_invoke: that would run at once on the owner's
   * thread, in the middle of whatever called this. */
  GSource *source = g_idle_source_new();
  g_source_set_callback(source, deliver, p, post_free);
  g_source_attach(source, m->context);
  g_source_unref(source);
}

void ll_mailbox_close(LlMailbox *m)
{
  if (m == NULL)
    return;
  m->owner = NULL;
  mailbox_unref(m);
}

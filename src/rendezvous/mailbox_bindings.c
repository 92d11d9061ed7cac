#include "rendezvous/mailbox_bindings.h"
#include <sodium.h>
#include <string.h>

typedef struct {
  char *mailbox;
  guint8 hash[LL_TOKEN_HASH_BYTES];
  gint64 until;
  GList link;                /* in the order they came */
} Binding;

struct LlMailboxBindings {
  guint most;
  GHashTable *by_mailbox;    /* id -> Binding */
  GQueue order;              /* oldest first */
};

static void binding_free(gpointer data)
{
  Binding *b = data;
  g_free(b->mailbox);
  g_free(b);
}

LlMailboxBindings *ll_mailbox_bindings_new(guint most)
{
  LlMailboxBindings *t = g_new0(LlMailboxBindings, 1);
  t->most = MAX(most, 1);
  t->by_mailbox = g_hash_table_new_full(g_str_hash, g_str_equal, NULL, binding_free);
  g_queue_init(&t->order);
  return t;
}

void ll_mailbox_bindings_free(LlMailboxBindings *t)
{
  if (t == NULL)
    return;
  g_hash_table_unref(t->by_mailbox);
  g_free(t);
}

static void forget(LlMailboxBindings *t, Binding *b)
{
  g_queue_unlink(&t->order, &b->link);
  g_hash_table_remove(t->by_mailbox, b->mailbox);
}

/* The oldest go while they are over or too many (one that is over behind
 * a younger one is found out when it is asked for). */
static void prune(LlMailboxBindings *t, gint64 now)
{
  GList *l;
  while ((l = g_queue_peek_head_link(&t->order)) != NULL) {
    Binding *b = l->data;
    if (b->until > now && g_hash_table_size(t->by_mailbox) <= t->most)
      break;
    forget(t, b);
  }
}

void ll_mailbox_bindings_keep(LlMailboxBindings *t, const char *mailbox,
                              const guint8 hash[LL_TOKEN_HASH_BYTES], gint64 until, gint64 now)
{
  Binding *old = g_hash_table_lookup(t->by_mailbox, mailbox);
  if (old != NULL)
    forget(t, old);
  Binding *b = g_new0(Binding, 1);
  b->mailbox = g_strdup(mailbox);
  memcpy(b->hash, hash, LL_TOKEN_HASH_BYTES);
  b->until = until;
  b->link.data = b;
  g_hash_table_insert(t->by_mailbox, b->mailbox, b);
  g_queue_push_tail_link(&t->order, &b->link);
  prune(t, now);
}

gboolean ll_mailbox_bindings_allow(LlMailboxBindings *t, const char *mailbox,
                                   const guint8 hash[LL_TOKEN_HASH_BYTES], gint64 now)
{
  Binding *b = g_hash_table_lookup(t->by_mailbox, mailbox);
  if (b != NULL && b->until <= now) {
    forget(t, b);
    b = NULL;
  }
  return b == NULL || sodium_memcmp(b->hash, hash, LL_TOKEN_HASH_BYTES) == 0;
}

guint ll_mailbox_bindings_count(LlMailboxBindings *t)
{
  return g_hash_table_size(t->by_mailbox);
}

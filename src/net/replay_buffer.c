#include "net/replay_buffer.h"

struct LlReplayBuffer {
  GQueue frames;     /* GBytes, oldest first */
  guint64 start;     /* offset of the head frame */
  guint64 end;
};

LlReplayBuffer *ll_replay_buffer_new(void)
{
  LlReplayBuffer *b = g_new0(LlReplayBuffer, 1);
  g_queue_init(&b->frames);
  return b;
}

void ll_replay_buffer_free(LlReplayBuffer *b)
{
  if (b == NULL)
    return;
  g_queue_clear_full(&b->frames, (GDestroyNotify)g_bytes_unref);
  g_free(b);
}

void ll_replay_buffer_push(LlReplayBuffer *b, GBytes *frame)
{
  g_queue_push_tail(&b->frames, g_bytes_ref(frame));
  b->end += g_bytes_get_size(frame);
}

guint64 ll_replay_buffer_start(const LlReplayBuffer *b) { return b->start; }
guint64 ll_replay_buffer_end(const LlReplayBuffer *b) { return b->end; }
guint64 ll_replay_buffer_size(const LlReplayBuffer *b) { return b->end - b->start; }

/* The position in the queue of the frame starting at OFFSET (the length
 * of the queue for the end), or -1 when no frame starts there. */
static gint frame_index_at(const LlReplayBuffer *b, guint64 offset)
{
  if (offset < b->start || offset > b->end)
    return -1;
  guint64 at = b->start;
  gint index = 0;
  for (GList *l = b->frames.head; l != NULL && at < offset; l = l->next, index++)
    at += g_bytes_get_size(l->data);
  return at == offset ? index : -1;
}

gboolean ll_replay_buffer_confirm(LlReplayBuffer *b, guint64 offset)
{
  gint index = frame_index_at(b, offset);
  if (index < 0)
    return FALSE;
  for (gint i = 0; i < index; i++)
    g_bytes_unref(g_queue_pop_head(&b->frames));
  b->start = offset;
  return TRUE;
}

GPtrArray *ll_replay_buffer_since(LlReplayBuffer *b, guint64 offset)
{
  gint index = frame_index_at(b, offset);
  if (index < 0)
    return NULL;
  GPtrArray *out = g_ptr_array_new_with_free_func((GDestroyNotify)g_bytes_unref);
  for (GList *l = g_queue_peek_nth_link(&b->frames, index); l != NULL; l = l->next)
    g_ptr_array_add(out, g_bytes_ref(l->data));
  return out;
}

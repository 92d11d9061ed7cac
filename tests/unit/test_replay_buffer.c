/* The replay buffer: offsets, confirmations at frame boundaries only, and
 * what is sent again after a lost connection. */
#include "net/replay_buffer.h"
#include <string.h>

static GBytes *frame_of(gsize len, guint8 fill)
{
  guint8 *data = g_malloc(len);
  memset(data, fill, len);
  return g_bytes_new_take(data, len);
}

static LlReplayBuffer *three_frames(void)
{
  LlReplayBuffer *b = ll_replay_buffer_new();
  for (guint8 i = 1; i <= 3; i++) {
    g_autoptr(GBytes) f = frame_of(10 * i, i);   /* 10, 20, 30 bytes at 0, 10, 30 */
    ll_replay_buffer_push(b, f);
  }
  return b;
}

static void test_offsets(void)
{
  g_autoptr(LlReplayBuffer) b = three_frames();
  g_assert_cmpuint(ll_replay_buffer_start(b), ==, 0);
  g_assert_cmpuint(ll_replay_buffer_end(b), ==, 60);
  g_assert_cmpuint(ll_replay_buffer_size(b), ==, 60);
}

static void test_confirm_at_boundaries_only(void)
{
  g_autoptr(LlReplayBuffer) b = three_frames();
  g_assert_false(ll_replay_buffer_confirm(b, 5));    /* inside the first frame */
  g_assert_false(ll_replay_buffer_confirm(b, 61));   /* beyond what was sent */
  g_assert_cmpuint(ll_replay_buffer_size(b), ==, 60);
  g_assert_true(ll_replay_buffer_confirm(b, 0));     /* a heartbeat with nothing new */
  g_assert_true(ll_replay_buffer_confirm(b, 30));
  g_assert_cmpuint(ll_replay_buffer_start(b), ==, 30);
  g_assert_cmpuint(ll_replay_buffer_size(b), ==, 30);
  g_assert_false(ll_replay_buffer_confirm(b, 10));   /* going backwards */
  g_assert_true(ll_replay_buffer_confirm(b, 60));
  g_assert_cmpuint(ll_replay_buffer_size(b), ==, 0);
  g_assert_true(ll_replay_buffer_confirm(b, 60));
}

static void test_since(void)
{
  g_autoptr(LlReplayBuffer) b = three_frames();
  g_autoptr(GPtrArray) all = ll_replay_buffer_since(b, 0);
  g_assert_cmpuint(all->len, ==, 3);
  g_autoptr(GPtrArray) last = ll_replay_buffer_since(b, 30);
  g_assert_cmpuint(last->len, ==, 1);
  g_assert_cmpuint(g_bytes_get_size(g_ptr_array_index(last, 0)), ==, 30);
  g_assert_cmpuint(((const guint8 *)g_bytes_get_data(g_ptr_array_index(last, 0), NULL))[0], ==, 3);
  g_autoptr(GPtrArray) none = ll_replay_buffer_since(b, 60);
  g_assert_cmpuint(none->len, ==, 0);
  g_assert_null(ll_replay_buffer_since(b, 11));
  g_assert_null(ll_replay_buffer_since(b, 70));
  ll_replay_buffer_confirm(b, 10);
  g_assert_null(ll_replay_buffer_since(b, 0));       /* already let go */
  g_autoptr(GPtrArray) rest = ll_replay_buffer_since(b, 10);
  g_assert_cmpuint(rest->len, ==, 2);
}

static void test_frames_outlive_the_sender(void)
{
  LlReplayBuffer *b = ll_replay_buffer_new();
  GBytes *f = frame_of(4, 9);
  ll_replay_buffer_push(b, f);
  g_bytes_unref(f);   /* the buffer holds its own reference */
  g_autoptr(GPtrArray) again = ll_replay_buffer_since(b, 0);
  ll_replay_buffer_free(b);
  g_assert_cmpuint(g_bytes_get_size(g_ptr_array_index(again, 0)), ==, 4);
}

int main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/replay/offsets", test_offsets);
  g_test_add_func("/replay/confirm-at-boundaries-only", test_confirm_at_boundaries_only);
  g_test_add_func("/replay/since", test_since);
  g_test_add_func("/replay/frames-outlive-the-sender", test_frames_outlive_the_sender);
  return g_test_run();
}

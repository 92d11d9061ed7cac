/* The ZRLE compression-level shim: inside a viewer's update, a
 * default-level deflate stream takes that viewer's level; anywhere else,
 * deflateInit behaves exactly as zlib's own. Streams are compared by their
 * output on the same input, which depends on the level. */
#include "novice/rfb_worker/zrle_compress_level.h"
#include <glib.h>
#include <zlib.h>

enum { SAMPLE_LEN = 256 * 1024 };

/* Text-like input: words from a small vocabulary in a pseudo-random order,
 * where zlib's levels give different outputs. */
static GBytes *sample_input(void)
{
  static const char *const words[] = { "remote ", "help ", "desktop ", "viewer ", "screen ",
                                       "update ", "novice ", "helper ", "key ", "mouse " };
  GByteArray *out = g_byte_array_sized_new(SAMPLE_LEN);
  GRand *rand = g_rand_new_with_seed(7);
  while (out->len < SAMPLE_LEN) {
    const char *w = words[g_rand_int_range(rand, 0, G_N_ELEMENTS(words))];
    g_byte_array_append(out, (const guint8 *)w, strlen(w));
  }
  g_rand_free(rand);
  return g_byte_array_free_to_bytes(out);
}

static GBytes *deflate_all(z_stream *strm, GBytes *input)
{
  gsize in_len = 0;
  const guint8 *in = g_bytes_get_data(input, &in_len);
  gsize cap = deflateBound(strm, in_len);
  guint8 *out = g_malloc(cap);
  strm->next_in = (Bytef *)in;
  strm->avail_in = in_len;
  strm->next_out = out;
  strm->avail_out = cap;
  g_assert_cmpint(deflate(strm, Z_FINISH), ==, Z_STREAM_END);
  gsize len = cap - strm->avail_out;
  g_assert_cmpint(deflateEnd(strm), ==, Z_OK);
  return g_bytes_new_take(out, len);
}

/* deflateInit(LEVEL), through the shim. */
static GBytes *compress_with_init(int level, GBytes *input)
{
  z_stream strm = { 0 };
  g_assert_cmpint(deflateInit(&strm, level), ==, Z_OK);
  return deflate_all(&strm, input);
}

/* zlib's own definition of that level, bypassing deflateInit_. */
static GBytes *compress_reference(int level, GBytes *input)
{
  z_stream strm = { 0 };
  g_assert_cmpint(deflateInit2(&strm, level, Z_DEFLATED, MAX_WBITS, 8, Z_DEFAULT_STRATEGY),
                  ==, Z_OK);
  return deflate_all(&strm, input);
}

typedef struct {
  rfbScreenInfo screen;
  rfbClientRec viewer;
  GBytes *input;
} Fixture;

static void fixture_set_up(Fixture *f, gconstpointer data)
{
  (void)data;
  memset(&f->screen, 0, sizeof f->screen);
  memset(&f->viewer, 0, sizeof f->viewer);
  f->viewer.screen = &f->screen;
  ll_zrle_compress_level_attach(&f->screen);
  f->input = sample_input();
}

static void fixture_tear_down(Fixture *f, gconstpointer data)
{
  (void)data;
  g_bytes_unref(f->input);
}

static void begin_update(Fixture *f, int viewer_level)
{
  f->viewer.zlibCompressLevel = viewer_level;
  g_assert_nonnull(f->screen.displayHook);
  f->screen.displayHook(&f->viewer);
}

static void end_update(Fixture *f)
{
  g_assert_nonnull(f->screen.displayFinishedHook);
  f->screen.displayFinishedHook(&f->viewer, 0);
}

/* deflateInit(INIT_LEVEL) made inside an update of a viewer at
 * VIEWER_LEVEL (or outside any update when VIEWER_LEVEL is -1) compresses
 * exactly as zlib's own WANT_LEVEL. */
static void assert_stream_level(Fixture *f, int viewer_level, int init_level, int want_level)
{
  if (viewer_level >= 0)
    begin_update(f, viewer_level);
  g_autoptr(GBytes) got = compress_with_init(init_level, f->input);
  if (viewer_level >= 0)
    end_update(f);
  g_autoptr(GBytes) want = compress_reference(want_level, f->input);
  g_assert_true(g_bytes_equal(got, want));
}

static void test_levels_differ_on_sample(Fixture *f, gconstpointer data)
{
  (void)data;
  /* Otherwise every other test here proves nothing. */
  g_autoptr(GBytes) fast = compress_reference(1, f->input);
  g_autoptr(GBytes) deflt = compress_reference(6, f->input);
  g_autoptr(GBytes) best = compress_reference(9, f->input);
  g_assert_false(g_bytes_equal(fast, deflt));
  g_assert_false(g_bytes_equal(best, deflt));
}

static void test_outside_update_is_zlib_default(Fixture *f, gconstpointer data)
{
  (void)data;
  g_assert_cmpint(ll_zrle_compress_level_current(), ==, -1);
  assert_stream_level(f, -1, Z_DEFAULT_COMPRESSION, Z_DEFAULT_COMPRESSION);
}

static void test_inside_update_takes_viewer_level(Fixture *f, gconstpointer data)
{
  (void)data;
  begin_update(f, 1);
  g_assert_cmpint(ll_zrle_compress_level_current(), ==, 1);
  end_update(f);
  assert_stream_level(f, 1, Z_DEFAULT_COMPRESSION, 1);
  assert_stream_level(f, 9, Z_DEFAULT_COMPRESSION, 9);
}

static void test_after_update_back_to_default(Fixture *f, gconstpointer data)
{
  (void)data;
  begin_update(f, 1);
  end_update(f);
  g_assert_cmpint(ll_zrle_compress_level_current(), ==, -1);
  assert_stream_level(f, -1, Z_DEFAULT_COMPRESSION, Z_DEFAULT_COMPRESSION);
}

static void test_explicit_level_kept(Fixture *f, gconstpointer data)
{
  (void)data;
  /* Tight and Zlib ask for a level themselves: the shim leaves it. */
  assert_stream_level(f, 1, 9, 9);
}

static void test_out_of_range_viewer_level_ignored(Fixture *f, gconstpointer data)
{
  (void)data;
  /* A level RFB cannot carry (its pseudo-encodings give 0..9) must not
   * reach zlib, which would fail the stream. */
  assert_stream_level(f, 42, Z_DEFAULT_COMPRESSION, Z_DEFAULT_COMPRESSION);
}

static gpointer level_on_other_thread(gpointer data)
{
  (void)data;
  return GINT_TO_POINTER(ll_zrle_compress_level_current());
}

static void test_level_is_per_thread(Fixture *f, gconstpointer data)
{
  (void)data;
  /* Each viewer has its own output thread: one viewer's level must not
   * leak into another's stream. */
  begin_update(f, 1);
  GThread *other = g_thread_new("other-viewer", level_on_other_thread, NULL);
  int seen = GPOINTER_TO_INT(g_thread_join(other));
  end_update(f);
  g_assert_cmpint(seen, ==, -1);
}

int main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
#define ADD(path, fn) g_test_add(path, Fixture, NULL, fixture_set_up, fn, fixture_tear_down)
  ADD("/zrle-level/levels-differ-on-sample", test_levels_differ_on_sample);
  ADD("/zrle-level/outside-update-is-zlib-default", test_outside_update_is_zlib_default);
  ADD("/zrle-level/inside-update-takes-viewer-level", test_inside_update_takes_viewer_level);
  ADD("/zrle-level/after-update-back-to-default", test_after_update_back_to_default);
  ADD("/zrle-level/explicit-level-kept", test_explicit_level_kept);
  ADD("/zrle-level/out-of-range-viewer-level-ignored", test_out_of_range_viewer_level_ignored);
  ADD("/zrle-level/level-is-per-thread", test_level_is_per_thread);
#undef ADD
  return g_test_run();
}

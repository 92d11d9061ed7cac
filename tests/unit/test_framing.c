/* Frame encoding and the incremental decoder's bounds. */
#include "common/error.h"
#include "common/framing.h"
#include <string.h>

typedef struct {
  GPtrArray *frames;   /* GBytes, payloads in order */
  GArray *channels;
  guint stop_after;    /* 0: never ask to stop */
} Collected;

static gboolean collect(LlChannel channel, GBytes *payload, gpointer data)
{
  Collected *c = data;
  g_ptr_array_add(c->frames, g_bytes_ref(payload));
  g_array_append_val(c->channels, channel);
  return c->stop_after == 0 || c->frames->len < c->stop_after;
}

static Collected *collected_new(void)
{
  Collected *c = g_new0(Collected, 1);
  c->frames = g_ptr_array_new_with_free_func((GDestroyNotify)g_bytes_unref);
  c->channels = g_array_new(FALSE, FALSE, sizeof(LlChannel));
  return c;
}

static void collected_free(Collected *c)
{
  g_ptr_array_unref(c->frames);
  g_array_unref(c->channels);
  g_free(c);
}

static void test_round_trip_byte_by_byte(void)
{
  g_autoptr(GBytes) a = ll_frame_encode(LL_CHANNEL_CONTROL, "hello", 5);
  g_autoptr(GBytes) b = ll_frame_encode(LL_CHANNEL_CHAT, "", 0);
  g_autoptr(GBytes) c = ll_frame_encode_stream(7, "rfb", 3);
  GByteArray *all = g_byte_array_new();
  g_byte_array_append(all, g_bytes_get_data(a, NULL), g_bytes_get_size(a));
  g_byte_array_append(all, g_bytes_get_data(b, NULL), g_bytes_get_size(b));
  g_byte_array_append(all, g_bytes_get_data(c, NULL), g_bytes_get_size(c));

  Collected *got = collected_new();
  g_autoptr(LlFrameDecoder) d = ll_frame_decoder_new();
  for (guint i = 0; i < all->len; i++)
    g_assert_true(ll_frame_decoder_feed(d, all->data + i, 1, collect, got, NULL));
  g_assert_cmpuint(got->frames->len, ==, 3);
  g_assert_cmpint(g_array_index(got->channels, LlChannel, 0), ==, LL_CHANNEL_CONTROL);
  g_assert_cmpint(g_array_index(got->channels, LlChannel, 1), ==, LL_CHANNEL_CHAT);
  g_assert_cmpint(g_array_index(got->channels, LlChannel, 2), ==, LL_CHANNEL_RFB);
  gsize n = 0;
  const guint8 *p = g_bytes_get_data(got->frames->pdata[0], &n);
  g_assert_cmpmem(p, n, "hello", 5);
  g_assert_cmpuint(g_bytes_get_size(got->frames->pdata[1]), ==, 0);
  p = g_bytes_get_data(got->frames->pdata[2], &n);
  g_assert_cmpmem(p, n, "\0\0\0\7rfb", 7);
  collected_free(got);
  g_byte_array_unref(all);
}

static void expect_violation(const guint8 *header, gsize len, const char *fragment)
{
  Collected *got = collected_new();
  g_autoptr(LlFrameDecoder) d = ll_frame_decoder_new();
  g_autoptr(GError) error = NULL;
  g_assert_false(ll_frame_decoder_feed(d, header, len, collect, got, &error));
  g_assert_error(error, LL_ERROR, LL_ERROR_PROTOCOL);
  g_assert_nonnull(strstr(error->message, fragment));
  g_assert_cmpuint(got->frames->len, ==, 0);
  /* A failed decoder stays failed. */
  g_autoptr(GError) again = NULL;
  g_assert_false(ll_frame_decoder_feed(d, header, 1, collect, got, &again));
  g_assert_error(again, LL_ERROR, LL_ERROR_PROTOCOL);
  collected_free(got);
}

static void test_oversized_refused_from_header(void)
{
  /* 4 GiB claimed on the control channel: refused from the header alone,
   * without allocating (ASan would flag a 4 GiB allocation). */
  const guint8 huge[] = { LL_CHANNEL_CONTROL, 0xff, 0xff, 0xff, 0xff };
  expect_violation(huge, sizeof huge, "exceeds its limit");
  /* One byte over the RFB limit. */
  guint32 over = LL_MAX_RFB_PAYLOAD + 1;
  const guint8 rfb[] = { LL_CHANNEL_RFB, over >> 24, over >> 16, over >> 8, over };
  expect_violation(rfb, sizeof rfb, "exceeds its limit");
}

static void test_unknown_channel(void)
{
  const guint8 header[] = { 9, 0, 0, 0, 1 };
  expect_violation(header, sizeof header, "unknown channel");
}

static void test_limits_are_inclusive(void)
{
  g_autofree guint8 *big = g_malloc0(LL_MAX_CONTROL_PAYLOAD);
  g_autoptr(GBytes) frame = ll_frame_encode(LL_CHANNEL_CONTROL, big, LL_MAX_CONTROL_PAYLOAD);
  Collected *got = collected_new();
  g_autoptr(LlFrameDecoder) d = ll_frame_decoder_new();
  gsize n = 0;
  const guint8 *p = g_bytes_get_data(frame, &n);
  g_assert_true(ll_frame_decoder_feed(d, p, n, collect, got, NULL));
  g_assert_cmpuint(got->frames->len, ==, 1);
  g_assert_cmpuint(g_bytes_get_size(got->frames->pdata[0]), ==, LL_MAX_CONTROL_PAYLOAD);
  collected_free(got);
}

static void test_handler_can_stop(void)
{
  g_autoptr(GBytes) a = ll_frame_encode(LL_CHANNEL_CONTROL, "a", 1);
  GByteArray *two = g_byte_array_new();
  for (int i = 0; i < 2; i++)
    g_byte_array_append(two, g_bytes_get_data(a, NULL), g_bytes_get_size(a));
  Collected *got = collected_new();
  got->stop_after = 1;
  g_autoptr(LlFrameDecoder) d = ll_frame_decoder_new();
  g_autoptr(GError) error = NULL;
  g_assert_false(ll_frame_decoder_feed(d, two->data, two->len, collect, got, &error));
  g_assert_no_error(error);
  g_assert_cmpuint(got->frames->len, ==, 1);
  collected_free(got);
  g_byte_array_unref(two);
}

int main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/framing/round-trip-byte-by-byte", test_round_trip_byte_by_byte);
  g_test_add_func("/framing/oversized-refused-from-header", test_oversized_refused_from_header);
  g_test_add_func("/framing/unknown-channel", test_unknown_channel);
  g_test_add_func("/framing/limits-are-inclusive", test_limits_are_inclusive);
  g_test_add_func("/framing/handler-can-stop", test_handler_can_stop);
  return g_test_run();
}

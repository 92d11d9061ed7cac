/* CPace against the test vectors of draft-irtf-cfrg-cpace-21, appendix
 * B.3 (ristretto255, SHA-512), and the abort conditions of B.3.11. */
#include "common/cpace.h"
#include "common/encoding.h"
#include <sodium.h>
#include <string.h>

static const char SID[] = "7e4b4791d6a8ef019b936c79fb7f2c57";
static const char CI_HEX[] = "0b415f696e69746961746f720b425f726573706f6e646572";
static const char G_HEX[] = "222b6b195fe84b1652badb6f6a3ae3d24341e7306967f0b8115b40d5698c7e56";
static const char YA_SCALAR[] = "da3d23700a9e5699258aef94dc060dfda5ebb61f02a5ea77fad53f4ff0976d08";
static const char YA[] = "d6bac480f2c386c394efc7c47adb9925dcd2630b64f240c50f8d0eec482b9157";
static const char YB_SCALAR[] = "d2316b454718c35362d83d69df6320f38578ed5984651435e2949762d900b80d";
static const char YB[] = "3ea7e0b19560d7c0b0f5734f63b955286dfa8232b5ebe63324e2d9e7433f7258";
static const char K[] = "80b69a8a76457ab6a4d7f887a4bf6b55a2f80ac19c333f917a05fc9887c8b40f";
static const char ISK_IR[] =
  "b69effbf61b51d56401c0f65601abe428de8206feaaf0e32198896dcae7b35cd"
  "2b38950a39dfd5d4a79164614c2984f7daa460b588c1e80c3fa2068af7900447";

static guint8 *bytes(const char *hex, gsize *len)
{
  *len = strlen(hex) / 2;
  guint8 *out = g_malloc(*len + 1);
  g_assert_true(ll_hex_decode(hex, out, *len));
  return out;
}

static void assert_hex(const guint8 *data, gsize len, const char *expected)
{
  g_autofree char *hex = ll_hex_encode(data, len);
  g_assert_cmpstr(hex, ==, expected);
}

static void test_generator(void)
{
  gsize sid_len, ci_len;
  g_autofree guint8 *sid = bytes(SID, &sid_len);
  g_autofree guint8 *ci = bytes(CI_HEX, &ci_len);
  GByteArray *gen = ll_cpace_generator_string((const guint8 *)"Password", 8, ci, ci_len, sid,
                                              sid_len);
  g_autofree char *zeros = g_strnfill(200, '0');
  g_autofree char *expected = g_strconcat(
    "11435061636552697374726574746f3235350850617373776f726464", zeros,
    "180b415f696e69746961746f720b425f726573706f6e646572107e4b4791d6a8ef019b936c79fb7f2c57",
    NULL);
  g_assert_cmpuint(gen->len, ==, 170);
  assert_hex(gen->data, gen->len, expected);
  g_byte_array_unref(gen);
  guint8 g[LL_CPACE_POINT_BYTES];
  ll_cpace_generator((const guint8 *)"Password", 8, ci, ci_len, sid, sid_len, g);
  assert_hex(g, sizeof g, G_HEX);
}

static void test_long_password_has_no_padding(void)
{
  /* len_zpad = max(0, ...): a PRS longer than the block gets none. */
  guint8 prs[200];
  memset(prs, 'p', sizeof prs);
  GByteArray *gen = ll_cpace_generator_string(prs, sizeof prs, NULL, 0, NULL, 0);
  /* 0x11 DSI, 0xc8 0x01 PRS, 0x00 (empty padding), 0x00 CI, 0x00 sid */
  g_assert_cmpuint(gen->len, ==, 1 + 17 + 2 + 200 + 1 + 1 + 1);
  g_assert_cmphex(gen->data[18], ==, 0xc8);
  g_assert_cmphex(gen->data[19], ==, 0x01);
  g_assert_cmphex(gen->data[220], ==, 0x00);
  g_byte_array_unref(gen);
}

static void test_shares_and_secret(void)
{
  gsize n;
  g_autofree guint8 *g = bytes(G_HEX, &n);
  g_autofree guint8 *ya = bytes(YA_SCALAR, &n);
  g_autofree guint8 *yb = bytes(YB_SCALAR, &n);
  guint8 big_ya[32], big_yb[32], k1[32], k2[32];
  g_assert_true(ll_cpace_scalar_mult_vfy(ya, g, big_ya));
  assert_hex(big_ya, 32, YA);
  g_assert_true(ll_cpace_scalar_mult_vfy(yb, g, big_yb));
  assert_hex(big_yb, 32, YB);
  g_assert_true(ll_cpace_scalar_mult_vfy(ya, big_yb, k1));
  g_assert_true(ll_cpace_scalar_mult_vfy(yb, big_ya, k2));
  assert_hex(k1, 32, K);
  assert_hex(k2, 32, K);
}

static void test_isk(void)
{
  gsize n, sid_len;
  g_autofree guint8 *sid = bytes(SID, &sid_len);
  g_autofree guint8 *k = bytes(K, &n);
  g_autofree guint8 *ya = bytes(YA, &n);
  g_autofree guint8 *yb = bytes(YB, &n);
  guint8 isk[LL_CPACE_ISK_BYTES];
  ll_cpace_isk(sid, sid_len, k, ya, (const guint8 *)"ADa", 3, yb, (const guint8 *)"ADb", 3,
               isk);
  assert_hex(isk, sizeof isk, ISK_IR);
}

static void test_scalar_mult_vectors(void)
{
  gsize n;
  g_autofree guint8 *s =
    bytes("7cd0e075fa7955ba52c02759a6c90dbbfc10e6d40aea8d283e407d88cf538a05", &n);
  g_autofree guint8 *x =
    bytes("2c3c6b8c4f3800e7aef6864025b4ed79bd599117e427c41bd47d93d654b4a51c", &n);
  g_autofree guint8 *invalid =
    bytes("2b3c6b8c4f3800e7aef6864025b4ed79bd599117e427c41bd47d93d654b4a51c", &n);
  guint8 identity[32] = { 0 }, out[32];
  g_assert_true(ll_cpace_scalar_mult_vfy(s, x, out));
  assert_hex(out, 32, "7c13645fe790a468f62c39beb7388e541d8405d1ade69d1778c5fe3e7f6b600e");
  /* Both must abort: no valid encoding, and the neutral element. */
  g_assert_false(ll_cpace_scalar_mult_vfy(s, invalid, out));
  g_assert_true(sodium_is_zero(out, sizeof out));
  g_assert_false(ll_cpace_scalar_mult_vfy(s, identity, out));
}

static void test_lv_message_lengths(void)
{
  /* prepend_len's vectors: 127 takes one byte (7f), 128 takes two (80 01). */
  guint8 y[32] = { 0 }, ad[128];
  for (guint i = 0; i < sizeof ad; i++)
    ad[i] = i;
  GByteArray *m127 = ll_cpace_lv_message(y, ad, 127);
  GByteArray *m128 = ll_cpace_lv_message(y, ad, 128);
  g_assert_cmpuint(m127->len, ==, 1 + 32 + 1 + 127);
  g_assert_cmphex(m127->data[33], ==, 0x7f);
  g_assert_cmpuint(m128->len, ==, 1 + 32 + 2 + 128);
  g_assert_cmphex(m128->data[33], ==, 0x80);
  g_assert_cmphex(m128->data[34], ==, 0x01);
  g_assert_cmphex(m128->data[35], ==, 0x00);
  g_byte_array_unref(m127);
  g_byte_array_unref(m128);
}

/* Two parties with their own random scalars agree exactly when the
 * password matches, and each side's confirmation tag is its own. */
static void run(const char *prs_a, const char *prs_b, guint8 isk_a[64], guint8 isk_b[64])
{
  guint8 sid[16], ga[32], gb[32], ya[32], yb[32], big_ya[32], big_yb[32], ka[32], kb[32];
  randombytes_buf(sid, sizeof sid);
  ll_cpace_generator((const guint8 *)prs_a, strlen(prs_a), (const guint8 *)"ci", 2, sid, 16, ga);
  ll_cpace_generator((const guint8 *)prs_b, strlen(prs_b), (const guint8 *)"ci", 2, sid, 16, gb);
  ll_cpace_sample_scalar(ya);
  ll_cpace_sample_scalar(yb);
  g_assert_true(ll_cpace_scalar_mult_vfy(ya, ga, big_ya));
  g_assert_true(ll_cpace_scalar_mult_vfy(yb, gb, big_yb));
  g_assert_true(ll_cpace_scalar_mult_vfy(ya, big_yb, ka));
  g_assert_true(ll_cpace_scalar_mult_vfy(yb, big_ya, kb));
  ll_cpace_isk(sid, 16, ka, big_ya, NULL, 0, big_yb, NULL, 0, isk_a);
  ll_cpace_isk(sid, 16, kb, big_ya, NULL, 0, big_yb, NULL, 0, isk_b);
}

static void test_agreement(void)
{
  guint8 a[64], b[64];
  run("123456", "123456", a, b);
  g_assert_cmpmem(a, 64, b, 64);
  run("123456", "123457", a, b);
  g_assert_true(memcmp(a, b, 64) != 0);
}

static void test_confirmation_tags(void)
{
  guint8 isk[64], y1[32], y2[32], t1[64], t2[64], t3[64];
  randombytes_buf(isk, sizeof isk);
  randombytes_buf(y1, sizeof y1);
  randombytes_buf(y2, sizeof y2);
  ll_cpace_confirmation_tag((const guint8 *)"sid", 3, isk, y1, (const guint8 *)"A", 1, t1);
  ll_cpace_confirmation_tag((const guint8 *)"sid", 3, isk, y1, (const guint8 *)"A", 1, t2);
  g_assert_cmpmem(t1, 64, t2, 64);
  ll_cpace_confirmation_tag((const guint8 *)"sid", 3, isk, y2, (const guint8 *)"A", 1, t3);
  g_assert_true(memcmp(t1, t3, 64) != 0);
  isk[0] ^= 1;
  ll_cpace_confirmation_tag((const guint8 *)"sid", 3, isk, y1, (const guint8 *)"A", 1, t3);
  g_assert_true(memcmp(t1, t3, 64) != 0);
}

int main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_assert_cmpint(sodium_init(), >=, 0);
  g_test_add_func("/cpace/generator", test_generator);
  g_test_add_func("/cpace/long-password", test_long_password_has_no_padding);
  g_test_add_func("/cpace/shares-and-secret", test_shares_and_secret);
  g_test_add_func("/cpace/isk", test_isk);
  g_test_add_func("/cpace/scalar-mult", test_scalar_mult_vectors);
  g_test_add_func("/cpace/lv-lengths", test_lv_message_lengths);
  g_test_add_func("/cpace/agreement", test_agreement);
  g_test_add_func("/cpace/confirmation-tags", test_confirmation_tags);
  return g_test_run();
}

#include "common/cpace.h"
#include <sodium.h>
#include <string.h>

#define DSI "CPaceRistretto255"
#define DSI_ISK DSI "_ISK"
#define MAC_LABEL "CPaceMac"
/* SHA-512's input block. */
#define S_IN_BYTES 128

/* LEB128 of LEN, as the draft's prepend_len puts it before a string. */
static void append_len(GByteArray *out, gsize len)
{
  do {
    guint8 byte = len & 0x7f;
    len >>= 7;
    if (len != 0)
      byte |= 0x80;
    g_byte_array_append(out, &byte, 1);
  } while (len != 0);
}

static gsize leb128_size(gsize len)
{
  gsize n = 1;
  while (len >= 128) {
    len >>= 7;
    n++;
  }
  return n;
}

static void append_lv(GByteArray *out, const guint8 *data, gsize len)
{
  g_assert(len <= LL_CPACE_MAX_INPUT);
  append_len(out, len);
  if (len > 0)
    g_byte_array_append(out, data, len);
}

GByteArray *ll_cpace_generator_string(const guint8 *prs, gsize prs_len, const guint8 *ci,
                                      gsize ci_len, const guint8 *sid, gsize sid_len)
{
  gsize dsi_len = strlen(DSI);
  gssize used = (gssize)(leb128_size(prs_len) + prs_len + leb128_size(dsi_len) + dsi_len + 1);
  gsize zpad = used < S_IN_BYTES ? S_IN_BYTES - (gsize)used : 0;
  g_autofree guint8 *zeros = g_malloc0(zpad + 1);
  GByteArray *out = g_byte_array_new();
  append_lv(out, (const guint8 *)DSI, dsi_len);
  append_lv(out, prs, prs_len);
  append_lv(out, zeros, zpad);
  append_lv(out, ci, ci_len);
  append_lv(out, sid, sid_len);
  return out;
}

void ll_cpace_generator(const guint8 *prs, gsize prs_len, const guint8 *ci, gsize ci_len,
                        const guint8 *sid, gsize sid_len, guint8 g[LL_CPACE_POINT_BYTES])
{
  GByteArray *gen = ll_cpace_generator_string(prs, prs_len, ci, ci_len, sid, sid_len);
  guint8 hash[crypto_hash_sha512_BYTES];
  crypto_hash_sha512(hash, gen->data, gen->len);
  crypto_core_ristretto255_from_hash(g, hash);
  /* The string holds the password. */
  sodium_memzero(gen->data, gen->len);
  g_byte_array_unref(gen);
  sodium_memzero(hash, sizeof hash);
}

void ll_cpace_sample_scalar(guint8 y[LL_CPACE_SCALAR_BYTES])
{
  /* Uniform in 1 .. group order - 1: the draft's alternative sampling. */
  crypto_core_ristretto255_scalar_random(y);
}

gboolean ll_cpace_scalar_mult_vfy(const guint8 y[LL_CPACE_SCALAR_BYTES],
                                  const guint8 x[LL_CPACE_POINT_BYTES],
                                  guint8 out[LL_CPACE_POINT_BYTES])
{
  /* libsodium fails both on an invalid encoding and on an identity
   * result: exactly the draft's two abort conditions. */
  if (crypto_scalarmult_ristretto255(out, y, x) != 0) {
    memset(out, 0, LL_CPACE_POINT_BYTES);
    return FALSE;
  }
  return TRUE;
}

GByteArray *ll_cpace_lv_message(const guint8 y[LL_CPACE_POINT_BYTES], const guint8 *ad,
                                gsize ad_len)
{
  GByteArray *out = g_byte_array_new();
  append_lv(out, y, LL_CPACE_POINT_BYTES);
  append_lv(out, ad, ad_len);
  return out;
}

void ll_cpace_isk(const guint8 *sid, gsize sid_len, const guint8 k[LL_CPACE_POINT_BYTES],
                  const guint8 ya[LL_CPACE_POINT_BYTES], const guint8 *ada, gsize ada_len,
                  const guint8 yb[LL_CPACE_POINT_BYTES], const guint8 *adb, gsize adb_len,
                  guint8 isk[LL_CPACE_ISK_BYTES])
{
  GByteArray *in = g_byte_array_new();
  append_lv(in, (const guint8 *)DSI_ISK, strlen(DSI_ISK));
  append_lv(in, sid, sid_len);
  append_lv(in, k, LL_CPACE_POINT_BYTES);
  append_lv(in, ya, LL_CPACE_POINT_BYTES);
  append_lv(in, ada, ada_len);
  append_lv(in, yb, LL_CPACE_POINT_BYTES);
  append_lv(in, adb, adb_len);
  crypto_hash_sha512(isk, in->data, in->len);
  sodium_memzero(in->data, in->len);   /* K is in it */
  g_byte_array_unref(in);
}

void ll_cpace_confirmation_tag(const guint8 *sid, gsize sid_len,
                               const guint8 isk[LL_CPACE_ISK_BYTES],
                               const guint8 y[LL_CPACE_POINT_BYTES], const guint8 *ad,
                               gsize ad_len, guint8 tag[LL_CPACE_TAG_BYTES])
{
  guint8 mac_key[crypto_hash_sha512_BYTES];
  crypto_hash_sha512_state hash;
  crypto_hash_sha512_init(&hash);
  crypto_hash_sha512_update(&hash, (const guint8 *)MAC_LABEL, strlen(MAC_LABEL));
  crypto_hash_sha512_update(&hash, sid, sid_len);
  crypto_hash_sha512_update(&hash, isk, LL_CPACE_ISK_BYTES);
  crypto_hash_sha512_final(&hash, mac_key);
  GByteArray *message = ll_cpace_lv_message(y, ad, ad_len);
  crypto_auth_hmacsha512_state mac;
  crypto_auth_hmacsha512_init(&mac, mac_key, sizeof mac_key);
  crypto_auth_hmacsha512_update(&mac, message->data, message->len);
  crypto_auth_hmacsha512_final(&mac, tag);
  g_byte_array_unref(message);
  sodium_memzero(mac_key, sizeof mac_key);
  sodium_memzero(&hash, sizeof hash);
  sodium_memzero(&mac, sizeof mac);
}

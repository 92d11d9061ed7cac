#include "common/code_exchange.h"
#include "common/cpace.h"
#include "common/error.h"
#include <sodium.h>
#include <string.h>

#define VERSION 1
#define SID_BYTES 16
#define KEY_BYTES LL_FINGERPRINT_BYTES
#define POINT LL_CPACE_POINT_BYTES
#define TAG LL_CPACE_TAG_BYTES
#define NONCE crypto_aead_xchacha20poly1305_ietf_NPUBBYTES
#define SEAL_TAG crypto_aead_xchacha20poly1305_ietf_ABYTES
#define CI_LABEL "lifeline-code-1:"
#define SECRET_LABEL "lifeline code 1: invitation secret"
#define SEAL_LABEL "lifeline code 1: seal key"
#define SEAL_AD "lifeline code 1: invitation"

enum { KIND_A = 1, KIND_B = 2, KIND_C = 3, KIND_WRONG = 4 };
#define A_BYTES (2 + SID_BYTES + POINT + KEY_BYTES)
#define B_BYTES (2 + POINT + KEY_BYTES + TAG)
#define C_MIN_BYTES (2 + TAG + NONCE + SEAL_TAG)

typedef enum { NOVICE_SENT_A, HELPER_WAITS_A, HELPER_WAITS_C, CONFIRMED, OVER } State;

struct LlCodeExchange {
  State state;
  gboolean novice;
  LlPairingCode code;
  guint8 own_key[KEY_BYTES], peer_key[KEY_BYTES];
  guint8 sid[SID_BYTES];
  guint8 scalar[LL_CPACE_SCALAR_BYTES];
  guint8 ya[POINT], yb[POINT];
  guint8 isk[LL_CPACE_ISK_BYTES];
  LlInvitation *invitation;   /* helper, once done */
};

static LlCodeExchange *exchange_new(const LlPairingCode *code, const guint8 key[KEY_BYTES],
                                    gboolean novice)
{
  LlCodeExchange *x = g_new0(LlCodeExchange, 1);
  x->novice = novice;
  x->code = *code;
  memcpy(x->own_key, key, KEY_BYTES);
  x->state = novice ? NOVICE_SENT_A : HELPER_WAITS_A;
  return x;
}

LlCodeExchange *ll_code_exchange_new_novice(const LlPairingCode *code,
                                            const guint8 novice_key[LL_FINGERPRINT_BYTES])
{
  return exchange_new(code, novice_key, TRUE);
}

LlCodeExchange *ll_code_exchange_new_helper(const LlPairingCode *code,
                                            const guint8 helper_key[LL_FINGERPRINT_BYTES])
{
  return exchange_new(code, helper_key, FALSE);
}

void ll_code_exchange_free(LlCodeExchange *x)
{
  if (x == NULL)
    return;
  if (x->invitation != NULL)
    ll_invitation_free(x->invitation);
  sodium_memzero(x, sizeof *x);
  g_free(x);
}

/* ---- the PAKE's inputs and outputs ---- */

static void generator(LlCodeExchange *x, guint8 g[POINT])
{
  g_autofree char *ci = g_strconcat(CI_LABEL, x->code.nameplate, NULL);
  ll_cpace_generator((const guint8 *)x->code.secret, strlen(x->code.secret),
                     (const guint8 *)ci, strlen(ci), x->sid, SID_BYTES, g);
}

/* K from the other side's share, then ISK over both keys. */
static gboolean derive_isk(LlCodeExchange *x, const guint8 other[POINT])
{
  guint8 k[POINT];
  if (!ll_cpace_scalar_mult_vfy(x->scalar, other, k))
    return FALSE;
  const guint8 *ada = x->novice ? x->own_key : x->peer_key;
  const guint8 *adb = x->novice ? x->peer_key : x->own_key;
  ll_cpace_isk(x->sid, SID_BYTES, k, x->ya, ada, KEY_BYTES, x->yb, adb, KEY_BYTES, x->isk);
  sodium_memzero(k, sizeof k);
  sodium_memzero(x->scalar, sizeof x->scalar);
  return TRUE;
}

static void tag_of(LlCodeExchange *x, gboolean of_novice, guint8 tag[TAG])
{
  ll_cpace_confirmation_tag(x->sid, SID_BYTES, x->isk, of_novice ? x->ya : x->yb,
                            of_novice ? (x->novice ? x->own_key : x->peer_key)
                                      : (x->novice ? x->peer_key : x->own_key),
                            KEY_BYTES, tag);
}

/* HKDF-Expand's one block over ISK (already a uniform key). */
static void derive_key(LlCodeExchange *x, const char *label, guint8 out[32])
{
  crypto_auth_hmacsha256_state st;
  const guint8 counter = 1;
  crypto_auth_hmacsha256_init(&st, x->isk, sizeof x->isk);
  crypto_auth_hmacsha256_update(&st, (const guint8 *)label, strlen(label));
  crypto_auth_hmacsha256_update(&st, &counter, 1);
  crypto_auth_hmacsha256_final(&st, out);
  sodium_memzero(&st, sizeof st);
}

static LlCodeStep fail(LlCodeExchange *x, GError **error, LlErrorCode code, const char *why)
{
  x->state = OVER;
  sodium_memzero(x->isk, sizeof x->isk);
  sodium_memzero(x->scalar, sizeof x->scalar);
  g_set_error(error, LL_ERROR, code, "%s", why);
  return LL_CODE_FAILED;
}

static GBytes *wrong_message(void)
{
  const guint8 w[2] = { VERSION, KIND_WRONG };
  return g_bytes_new(w, sizeof w);
}

/* ---- the novice ---- */

GBytes *ll_code_exchange_first(LlCodeExchange *x)
{
  g_return_val_if_fail(x->novice && x->state == NOVICE_SENT_A, NULL);
  guint8 g[POINT], msg[A_BYTES] = { VERSION, KIND_A };
  randombytes_buf(x->sid, SID_BYTES);
  generator(x, g);
  ll_cpace_sample_scalar(x->scalar);
  /* A fresh scalar times a generator from a hash is never the identity. */
  g_assert(ll_cpace_scalar_mult_vfy(x->scalar, g, x->ya));
  memcpy(msg + 2, x->sid, SID_BYTES);
  memcpy(msg + 2 + SID_BYTES, x->ya, POINT);
  memcpy(msg + 2 + SID_BYTES + POINT, x->own_key, KEY_BYTES);
  return g_bytes_new(msg, sizeof msg);
}

static LlCodeStep novice_hears_b(LlCodeExchange *x, const guint8 *d, gsize len, GBytes **reply,
                                 GError **error)
{
  *reply = wrong_message();
  if (len != B_BYTES || d[1] != KIND_B)
    return fail(x, error, LL_ERROR_PROTOCOL, "the helper's side sent something unexpected");
  memcpy(x->yb, d + 2, POINT);
  memcpy(x->peer_key, d + 2 + POINT, KEY_BYTES);
  guint8 expected[TAG];
  if (!derive_isk(x, x->yb))
    return fail(x, error, LL_ERROR_PROTOCOL, "the helper's side sent an invalid key share");
  tag_of(x, FALSE, expected);
  gboolean ok = crypto_verify_64(expected, d + 2 + POINT + KEY_BYTES) == 0;
  sodium_memzero(expected, sizeof expected);
  if (!ok)
    return fail(x, error, LL_ERROR_WRONG_CODE, "someone tried a wrong code");
  g_clear_pointer(reply, g_bytes_unref);
  x->state = CONFIRMED;
  return LL_CODE_CONFIRMED;
}

const guint8 *ll_code_exchange_peer_key(LlCodeExchange *x)
{
  g_return_val_if_fail(x->novice && x->state == CONFIRMED, NULL);
  return x->peer_key;
}

GBytes *ll_code_exchange_seal(LlCodeExchange *x, LlInvitation *invitation, GError **error)
{
  g_return_val_if_fail(x->novice && x->state == CONFIRMED, NULL);
  x->state = OVER;
  derive_key(x, SECRET_LABEL, invitation->secret);
  gsize text_len = 0;
  char *text = ll_invitation_to_text(invitation, &text_len);
  gsize total = C_MIN_BYTES + text_len;
  if (total > LL_CODE_MESSAGE_MAX) {
    sodium_memzero(text, text_len);
    g_free(text);
    g_set_error(error, LL_ERROR, LL_ERROR_FAILED,
                "this computer has too many addresses to send in answer to a code");
    return NULL;
  }
  guint8 *msg = g_malloc(total), key[32];
  msg[0] = VERSION;
  msg[1] = KIND_C;
  tag_of(x, TRUE, msg + 2);
  randombytes_buf(msg + 2 + TAG, NONCE);
  derive_key(x, SEAL_LABEL, key);
  crypto_aead_xchacha20poly1305_ietf_encrypt(
    msg + 2 + TAG + NONCE, NULL, (const guint8 *)text, text_len, (const guint8 *)SEAL_AD,
    strlen(SEAL_AD), NULL, msg + 2 + TAG, key);
  sodium_memzero(key, sizeof key);
  sodium_memzero(text, text_len);
  g_free(text);
  sodium_memzero(x->isk, sizeof x->isk);
  return g_bytes_new_take(msg, total);
}

/* ---- the helper ---- */

static LlCodeStep helper_hears_a(LlCodeExchange *x, const guint8 *d, gsize len, GBytes **reply,
                                 GError **error)
{
  if (len != A_BYTES || d[1] != KIND_A)
    return fail(x, error, LL_ERROR_PROTOCOL, "the other side sent something unexpected");
  memcpy(x->sid, d + 2, SID_BYTES);
  memcpy(x->ya, d + 2 + SID_BYTES, POINT);
  memcpy(x->peer_key, d + 2 + SID_BYTES + POINT, KEY_BYTES);
  guint8 g[POINT], msg[B_BYTES] = { VERSION, KIND_B };
  generator(x, g);
  ll_cpace_sample_scalar(x->scalar);
  g_assert(ll_cpace_scalar_mult_vfy(x->scalar, g, x->yb));
  if (!derive_isk(x, x->ya))
    return fail(x, error, LL_ERROR_PROTOCOL, "the other side sent an invalid key share");
  memcpy(msg + 2, x->yb, POINT);
  memcpy(msg + 2 + POINT, x->own_key, KEY_BYTES);
  tag_of(x, FALSE, msg + 2 + POINT + KEY_BYTES);
  *reply = g_bytes_new(msg, sizeof msg);
  x->state = HELPER_WAITS_C;
  return LL_CODE_MORE;
}

static const char TAMPERED[] =
  "the answer to your code did not prove it: someone between you and the person you help "
  "may have altered it; nothing was sent, so ask for a new code";

/* The sealed invitation, opened and checked against the PAKE's key. */
static LlCodeStep helper_opens(LlCodeExchange *x, const guint8 *sealed, gsize len,
                               GError **error)
{
  guint8 key[32];
  gsize text_len = len - NONCE - SEAL_TAG;
  g_autofree char *text = g_malloc(text_len + 1);
  derive_key(x, SEAL_LABEL, key);
  int rc = crypto_aead_xchacha20poly1305_ietf_decrypt(
    (guint8 *)text, NULL, NULL, sealed + NONCE, len - NONCE, (const guint8 *)SEAL_AD,
    strlen(SEAL_AD), sealed, key);
  sodium_memzero(key, sizeof key);
  if (rc != 0)
    return fail(x, error, LL_ERROR_WRONG_CODE, TAMPERED);
  text[text_len] = '\0';
  g_autoptr(GError) local = NULL;
  LlInvitation *inv = ll_invitation_from_text(text, text_len, &local);
  sodium_memzero(text, text_len);
  guint8 secret[LL_INVITATION_SECRET_BYTES];
  derive_key(x, SECRET_LABEL, secret);
  gboolean same = inv != NULL && sodium_memcmp(inv->fingerprint, x->peer_key, KEY_BYTES) == 0 &&
                  sodium_memcmp(inv->secret, secret, sizeof secret) == 0;
  sodium_memzero(secret, sizeof secret);
  if (!same) {
    if (inv != NULL)
      ll_invitation_free(inv);
    return fail(x, error, LL_ERROR_PROTOCOL, "the invitation that came for your code is not "
                                             "the one the code was made for");
  }
  x->invitation = inv;
  x->state = OVER;
  sodium_memzero(x->isk, sizeof x->isk);
  return LL_CODE_DONE;
}

static LlCodeStep helper_hears_c(LlCodeExchange *x, const guint8 *d, gsize len, GError **error)
{
  if (len == 2 && d[1] == KIND_WRONG)
    return fail(x, error, LL_ERROR_WRONG_CODE,
                "that is not the code you were given; it no longer works now, so ask for a "
                "new one");
  if (len < C_MIN_BYTES || d[1] != KIND_C)
    return fail(x, error, LL_ERROR_PROTOCOL, "the other side sent something unexpected");
  guint8 expected[TAG];
  tag_of(x, TRUE, expected);
  gboolean ok = crypto_verify_64(expected, d + 2) == 0;
  sodium_memzero(expected, sizeof expected);
  if (!ok)
    return fail(x, error, LL_ERROR_WRONG_CODE, TAMPERED);
  return helper_opens(x, d + 2 + TAG, len - 2 - TAG, error);
}

LlCodeStep ll_code_exchange_receive(LlCodeExchange *x, const guint8 *data, gsize len,
                                    GBytes **reply, GError **error)
{
  *reply = NULL;
  if (len < 2 || len > LL_CODE_MESSAGE_MAX || data[0] != VERSION) {
    if (x->novice && x->state == NOVICE_SENT_A)
      *reply = wrong_message();
    return fail(x, error, LL_ERROR_PROTOCOL, "the other side speaks another version of codes");
  }
  switch (x->state) {
  case NOVICE_SENT_A: return novice_hears_b(x, data, len, reply, error);
  case HELPER_WAITS_A: return helper_hears_a(x, data, len, reply, error);
  case HELPER_WAITS_C: return helper_hears_c(x, data, len, error);
  case CONFIRMED:
  case OVER: break;
  }
  return fail(x, error, LL_ERROR_PROTOCOL, "a message after the exchange was over");
}

LlInvitation *ll_code_exchange_take_invitation(LlCodeExchange *x)
{
  return g_steal_pointer(&x->invitation);
}

#include "common/secret_proof.h"
#include <sodium.h>
#include <string.h>

#define LABEL "lifeline secret proof v1"

void ll_secret_proof_compute(const guint8 secret[LL_INVITATION_SECRET_BYTES],
                             const char *session_id, const guint8 *binding, gsize binding_len,
                             guint8 out[LL_PROOF_BYTES])
{
  crypto_auth_hmacsha256_state st;
  /* Lengths separate the fields so no two inputs collide. */
  guint8 lengths[8] = {
    (strlen(session_id) >> 24) & 0xff, (strlen(session_id) >> 16) & 0xff,
    (strlen(session_id) >> 8) & 0xff, strlen(session_id) & 0xff,
    (binding_len >> 24) & 0xff, (binding_len >> 16) & 0xff,
    (binding_len >> 8) & 0xff, binding_len & 0xff,
  };
  crypto_auth_hmacsha256_init(&st, secret, LL_INVITATION_SECRET_BYTES);
  crypto_auth_hmacsha256_update(&st, (const guint8 *)LABEL, sizeof LABEL);
  crypto_auth_hmacsha256_update(&st, lengths, sizeof lengths);
  crypto_auth_hmacsha256_update(&st, (const guint8 *)session_id, strlen(session_id));
  crypto_auth_hmacsha256_update(&st, binding, binding_len);
  crypto_auth_hmacsha256_final(&st, out);
  sodium_memzero(&st, sizeof st);
}

gboolean ll_secret_proof_verify(const guint8 secret[LL_INVITATION_SECRET_BYTES],
                                const char *session_id, const guint8 *binding,
                                gsize binding_len, const guint8 proof[LL_PROOF_BYTES])
{
  guint8 expected[LL_PROOF_BYTES];
  ll_secret_proof_compute(secret, session_id, binding, binding_len, expected);
  gboolean ok = crypto_verify_32(expected, proof) == 0;
  sodium_memzero(expected, sizeof expected);
  return ok;
}

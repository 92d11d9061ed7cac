#include "common/host_proof.h"
#include "common/encoding.h"
#include "common/error.h"
#include "common/fingerprint.h"
#include <gnutls/abstract.h>
#include <gnutls/gnutls.h>
#include <sodium.h>
#include <string.h>

#define CONTEXT "lifeline-host-register-v1"

char *ll_host_nonce_new(void)
{
  guint8 nonce[LL_HOST_NONCE_BYTES];
  randombytes_buf(nonce, sizeof nonce);
  return ll_base64url_encode(nonce, sizeof nonce);
}

/* What is signed: the context, the host id and the nonce, each ended by
 * a zero byte, so no two triples give the same bytes. */
static GBytes *signed_text(const char *host_id, const char *nonce)
{
  GByteArray *text = g_byte_array_new();
  g_byte_array_append(text, (const guint8 *)CONTEXT, sizeof CONTEXT);
  g_byte_array_append(text, (const guint8 *)host_id, strlen(host_id) + 1);
  g_byte_array_append(text, (const guint8 *)nonce, strlen(nonce) + 1);
  return g_byte_array_free_to_bytes(text);
}

static gboolean sign(const char *key_pem, GBytes *text, gnutls_datum_t *signature)
{
  gnutls_privkey_t key = NULL;
  gnutls_datum_t pem = { (unsigned char *)key_pem, (unsigned int)strlen(key_pem) };
  gnutls_datum_t data = { (unsigned char *)g_bytes_get_data(text, NULL),
                          (unsigned int)g_bytes_get_size(text) };
  gboolean ok = gnutls_privkey_init(&key) >= 0 &&
                gnutls_privkey_import_x509_raw(key, &pem, GNUTLS_X509_FMT_PEM, NULL, 0) >= 0 &&
                gnutls_privkey_sign_data(key, GNUTLS_DIG_SHA256, 0, &data, signature) >= 0;
  if (key != NULL)
    gnutls_privkey_deinit(key);
  return ok;
}

gboolean ll_host_proof_make(const LlIdentity *identity, const char *host_id, const char *nonce,
                            char **certificate, char **proof, GError **error)
{
  g_autofree char *key_pem = NULL;
  g_autoptr(GByteArray) der = NULL;
  g_object_get(identity->certificate, "private-key-pem", &key_pem, "certificate", &der, NULL);
  g_autoptr(GBytes) text = signed_text(host_id, nonce);
  gnutls_datum_t signature = { NULL, 0 };
  gboolean ok = key_pem != NULL && der != NULL && sign(key_pem, text, &signature);
  if (key_pem != NULL)
    sodium_memzero(key_pem, strlen(key_pem));
  if (!ok) {
    g_set_error_literal(error, LL_ERROR, LL_ERROR_FAILED,
                        "this computer's key cannot sign its registration");
    return FALSE;
  }
  *certificate = ll_base64url_encode(der->data, der->len);
  *proof = ll_base64url_encode(signature.data, signature.size);
  gnutls_free(signature.data);
  return TRUE;
}

/* The certificate's key verifies SIGNATURE over TEXT. */
static gboolean verify(const guint8 *der, gsize der_len, GBytes *text, const guint8 *signature,
                       gsize signature_len)
{
  gnutls_x509_crt_t crt = NULL;
  gnutls_pubkey_t key = NULL;
  gnutls_datum_t cert = { (unsigned char *)der, (unsigned int)der_len };
  gnutls_datum_t data = { (unsigned char *)g_bytes_get_data(text, NULL),
                          (unsigned int)g_bytes_get_size(text) };
  gnutls_datum_t sig = { (unsigned char *)signature, (unsigned int)signature_len };
  gboolean ok = gnutls_x509_crt_init(&crt) >= 0 &&
                gnutls_x509_crt_import(crt, &cert, GNUTLS_X509_FMT_DER) >= 0 &&
                gnutls_pubkey_init(&key) >= 0 && gnutls_pubkey_import_x509(key, crt, 0) >= 0;
  if (ok) {
    int pk = gnutls_pubkey_get_pk_algorithm(key, NULL);
    gnutls_sign_algorithm_t algorithm = gnutls_pk_to_sign(pk, GNUTLS_DIG_SHA256);
    if (pk == GNUTLS_PK_EDDSA_ED25519)
      algorithm = GNUTLS_SIGN_EDDSA_ED25519;
    ok = gnutls_pubkey_verify_data2(key, algorithm, 0, &data, &sig) >= 0;
  }
  if (key != NULL)
    gnutls_pubkey_deinit(key);
  if (crt != NULL)
    gnutls_x509_crt_deinit(crt);
  return ok;
}

gboolean ll_host_proof_check(const char *host_id, const char *nonce, const char *certificate,
                             const char *proof, GError **error)
{
  gsize der_len = 0, signature_len = 0;
  g_autofree guint8 *der = ll_base64url_decode(certificate, LL_HOST_CERT_MAX_TEXT, &der_len);
  g_autofree guint8 *signature = ll_base64url_decode(proof, LL_HOST_PROOF_MAX_TEXT,
                                                     &signature_len);
  guint8 fingerprint[LL_FINGERPRINT_BYTES];
  g_autofree char *own_id = der != NULL && ll_fingerprint_of_der(der, der_len, fingerprint)
                                ? ll_host_id_of(fingerprint) : NULL;
  g_autoptr(GBytes) text = signed_text(host_id, nonce);
  if (own_id == NULL || signature == NULL || strcmp(own_id, host_id) != 0 ||
      !verify(der, der_len, text, signature, signature_len)) {
    g_set_error_literal(error, LL_ERROR, LL_ERROR_WRONG_KEY,
                        "this host id belongs to another key");
    return FALSE;
  }
  return TRUE;
}

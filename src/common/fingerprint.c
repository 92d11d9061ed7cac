#include "common/fingerprint.h"
#include "common/encoding.h"
#include <gnutls/abstract.h>
#include <gnutls/x509.h>
#include <sodium.h>
#include <string.h>

#define PREFIX "sha256:"

gboolean ll_fingerprint_of_der(const guint8 *der, gsize der_len,
                               guint8 out[LL_FINGERPRINT_BYTES])
{
  gnutls_x509_crt_t crt = NULL;
  gnutls_pubkey_t key = NULL;
  gnutls_datum_t in = { (unsigned char *)der, (unsigned int)der_len };
  gnutls_datum_t spki = { NULL, 0 };
  gboolean ok = der_len <= G_MAXUINT32 && gnutls_x509_crt_init(&crt) >= 0 &&
                gnutls_x509_crt_import(crt, &in, GNUTLS_X509_FMT_DER) >= 0 &&
                gnutls_pubkey_init(&key) >= 0 && gnutls_pubkey_import_x509(key, crt, 0) >= 0 &&
                gnutls_pubkey_export2(key, GNUTLS_X509_FMT_DER, &spki) >= 0;
  if (ok)
    crypto_hash_sha256(out, spki.data, spki.size);
  gnutls_free(spki.data);
  if (key != NULL)
    gnutls_pubkey_deinit(key);
  if (crt != NULL)
    gnutls_x509_crt_deinit(crt);
  return ok;
}

gboolean ll_fingerprint_of_certificate(GTlsCertificate *certificate,
                                       guint8 out[LL_FINGERPRINT_BYTES])
{
  g_autoptr(GByteArray) der = NULL;
  g_object_get(certificate, "certificate", &der, NULL);
  if (der == NULL || der->len == 0)
    return FALSE;
  return ll_fingerprint_of_der(der->data, der->len, out);
}

char *ll_fingerprint_to_text(const guint8 fingerprint[LL_FINGERPRINT_BYTES])
{
  g_autofree char *hex = ll_hex_encode(fingerprint, LL_FINGERPRINT_BYTES);
  return g_strconcat(PREFIX, hex, NULL);
}

gboolean ll_fingerprint_from_text(const char *text,
                                  guint8 out[LL_FINGERPRINT_BYTES])
{
  if (text == NULL || !g_str_has_prefix(text, PREFIX))
    return FALSE;
  g_autofree char *lower = g_ascii_strdown(text + strlen(PREFIX), -1);
  return ll_hex_decode(lower, out, LL_FINGERPRINT_BYTES);
}

char *ll_fingerprint_short(const guint8 fingerprint[LL_FINGERPRINT_BYTES])
{
  g_autofree char *hex = ll_hex_encode(fingerprint, 8);
  return g_strdup_printf("%.4s %.4s %.4s %.4s", hex, hex + 4, hex + 8, hex + 12);
}

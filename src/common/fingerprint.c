#include "common/fingerprint.h"
#include "common/encoding.h"
#include <sodium.h>
#include <string.h>

#define PREFIX "sha256:"

void ll_fingerprint_of_der(const guint8 *der, gsize der_len,
                           guint8 out[LL_FINGERPRINT_BYTES])
{
  crypto_hash_sha256(out, der, der_len);
}

gboolean ll_fingerprint_of_certificate(GTlsCertificate *certificate,
                                       guint8 out[LL_FINGERPRINT_BYTES])
{
  g_autoptr(GByteArray) der = NULL;
  g_object_get(certificate, "certificate", &der, NULL);
  if (der == NULL || der->len == 0)
    return FALSE;
  ll_fingerprint_of_der(der->data, der->len, out);
  return TRUE;
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

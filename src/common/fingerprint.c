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

void ll_key_pin_full(LlKeyPin *pin, const guint8 fingerprint[LL_FINGERPRINT_BYTES])
{
  memcpy(pin->bytes, fingerprint, LL_FINGERPRINT_BYTES);
  pin->len = LL_FINGERPRINT_BYTES;
}

gboolean ll_key_pin_matches(const LlKeyPin *pin, const guint8 fingerprint[LL_FINGERPRINT_BYTES])
{
  return (pin->len == LL_FINGERPRINT_BYTES || pin->len == LL_HOST_ID_BYTES) &&
         sodium_memcmp(pin->bytes, fingerprint, pin->len) == 0;
}

static const char crockford[] = "0123456789abcdefghjkmnpqrstvwxyz";
#define HOST_ID_SYMBOLS (LL_HOST_ID_BYTES * 8 / 5)

char *ll_host_id_of(const guint8 fingerprint[LL_FINGERPRINT_BYTES])
{
  GString *out = g_string_new(NULL);
  for (guint i = 0; i < HOST_ID_SYMBOLS; i++) {
    guint bit = i * 5, value = 0;
    for (guint b = 0; b < 5; b++, bit++)
      value = (value << 1) | ((fingerprint[bit / 8] >> (7 - bit % 8)) & 1);
    if (i > 0 && i % 4 == 0)
      g_string_append_c(out, '-');
    g_string_append_c(out, crockford[value]);
  }
  return g_string_free(out, FALSE);
}

static int crockford_value(char c)
{
  c = g_ascii_tolower(c);
  if (c == 'o')
    return 0;
  if (c == 'i' || c == 'l')
    return 1;
  const char *at = strchr(crockford, c);
  return c != '\0' && at != NULL ? (int)(at - crockford) : -1;
}

static gboolean parse_host_id(const char *text, LlKeyPin *pin)
{
  guint symbols = 0, bit = 0;
  memset(pin->bytes, 0, sizeof pin->bytes);
  for (const char *p = text; *p != '\0'; p++) {
    if (*p == '-' || *p == ' ')
      continue;
    int value = crockford_value(*p);
    if (value < 0 || symbols == HOST_ID_SYMBOLS)
      return FALSE;
    for (int b = 4; b >= 0; b--, bit++)
      pin->bytes[bit / 8] |= ((value >> b) & 1) << (7 - bit % 8);
    symbols++;
  }
  pin->len = LL_HOST_ID_BYTES;
  return symbols == HOST_ID_SYMBOLS;
}

gboolean ll_key_pin_parse(const char *text, LlKeyPin *pin)
{
  guint8 fingerprint[LL_FINGERPRINT_BYTES];
  if (text == NULL)
    return FALSE;
  if (ll_fingerprint_from_text(text, fingerprint)) {
    ll_key_pin_full(pin, fingerprint);
    return TRUE;
  }
  return parse_host_id(text, pin);
}

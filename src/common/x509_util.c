#include "common/x509_util.h"
#include "common/error.h"
#include "common/text_sanitize.h"
#include <sodium.h>
#include <string.h>

#define MAX_PEM_FILE (64 * 1024)

gboolean ll_gnutls_ok(int rc, const char *what, GError **error)
{
  if (rc >= 0)
    return TRUE;
  g_set_error(error, LL_ERROR, LL_ERROR_FAILED, "%s failed: %s", what, gnutls_strerror(rc));
  return FALSE;
}

gboolean ll_generate_p256_key(gnutls_x509_privkey_t *key, GError **error)
{
  *key = NULL;
  if (!ll_gnutls_ok(gnutls_x509_privkey_init(key), "making a key", error))
    return FALSE;
  return ll_gnutls_ok(gnutls_x509_privkey_generate(
                          *key, GNUTLS_PK_ECDSA,
                          GNUTLS_CURVE_TO_BITS(GNUTLS_ECC_CURVE_SECP256R1), 0),
                      "making a key", error);
}

gboolean ll_certificate_set_basics(gnutls_x509_crt_t crt, gint64 from, gint64 seconds,
                                   GError **error)
{
  guint8 serial[16];
  randombytes_buf(serial, sizeof serial);
  serial[0] &= 0x7f;   /* a positive integer, as X.509 wants */
  serial[0] |= 0x01;   /* and no leading zero byte */
  return ll_gnutls_ok(gnutls_x509_crt_set_version(crt, 3), "certificate version", error) &&
         ll_gnutls_ok(gnutls_x509_crt_set_serial(crt, serial, sizeof serial),
                      "certificate serial", error) &&
         ll_gnutls_ok(gnutls_x509_crt_set_activation_time(crt, (time_t)from),
                      "certificate start", error) &&
         ll_gnutls_ok(gnutls_x509_crt_set_expiration_time(crt, (time_t)(from + seconds)),
                      "certificate end", error);
}

gboolean ll_export_key_pem(gnutls_x509_privkey_t key, gnutls_datum_t *out, GError **error)
{
  out->data = NULL;
  out->size = 0;
  return ll_gnutls_ok(gnutls_x509_privkey_export2_pkcs8(key, GNUTLS_X509_FMT_PEM, NULL,
                                                        GNUTLS_PKCS_PLAIN, out),
                      "writing the key", error);
}

char *ll_export_certificate_pem(gnutls_x509_crt_t crt, GError **error)
{
  gnutls_datum_t pem = { NULL, 0 };
  if (!ll_gnutls_ok(gnutls_x509_crt_export2(crt, GNUTLS_X509_FMT_PEM, &pem),
                    "writing the certificate", error))
    return NULL;
  char *out = g_strndup((const char *)pem.data, pem.size);
  gnutls_free(pem.data);
  return out;
}

static gboolean read_pem(const char *path, char **text, gsize *len, GError **error)
{
  g_autoptr(GError) local = NULL;
  if (!g_file_get_contents(path, text, len, &local)) {
    g_set_error(error, LL_ERROR, LL_ERROR_FAILED, "cannot read %s: %s", path, local->message);
    return FALSE;
  }
  if (*len > MAX_PEM_FILE) {
    g_set_error(error, LL_ERROR, LL_ERROR_FAILED, "%s is too large for a key file", path);
    g_free(*text);
    *text = NULL;
    return FALSE;
  }
  return TRUE;
}

gboolean ll_import_key_file(const char *path, gnutls_x509_privkey_t *key, GError **error)
{
  char *text = NULL;
  gsize len = 0;
  *key = NULL;
  if (!read_pem(path, &text, &len, error))
    return FALSE;
  gnutls_datum_t in = { (unsigned char *)text, (unsigned int)len };
  int rc = gnutls_x509_privkey_init(key);
  if (rc >= 0)
    rc = gnutls_x509_privkey_import2(*key, &in, GNUTLS_X509_FMT_PEM, NULL, GNUTLS_PKCS_PLAIN);
  sodium_memzero(text, len);
  g_free(text);
  if (rc < 0) {
    g_set_error(error, LL_ERROR, LL_ERROR_FAILED, "%s holds no usable private key (%s)", path,
                gnutls_strerror(rc));
    if (*key != NULL)
      gnutls_x509_privkey_deinit(*key);
    *key = NULL;
    return FALSE;
  }
  return TRUE;
}

gboolean ll_import_certificate_file(const char *path, gnutls_x509_crt_t *crt, GError **error)
{
  g_autofree char *text = NULL;
  gsize len = 0;
  *crt = NULL;
  if (!read_pem(path, &text, &len, error))
    return FALSE;
  gnutls_datum_t in = { (unsigned char *)text, (unsigned int)len };
  int rc = gnutls_x509_crt_init(crt);
  if (rc >= 0)
    rc = gnutls_x509_crt_import(*crt, &in, GNUTLS_X509_FMT_PEM);
  if (rc < 0) {
    g_set_error(error, LL_ERROR, LL_ERROR_FAILED, "%s holds no usable certificate (%s)", path,
                gnutls_strerror(rc));
    if (*crt != NULL)
      gnutls_x509_crt_deinit(*crt);
    *crt = NULL;
    return FALSE;
  }
  return TRUE;
}

char *ll_certificate_dn_field(gnutls_x509_crt_t crt, const char *oid, gboolean issuer)
{
  char buffer[256];
  size_t size = sizeof buffer;
  int rc = issuer ? gnutls_x509_crt_get_issuer_dn_by_oid(crt, oid, 0, 0, buffer, &size)
                  : gnutls_x509_crt_get_dn_by_oid(crt, oid, 0, 0, buffer, &size);
  if (rc < 0 || size >= sizeof buffer)
    return g_strdup("");
  buffer[size] = '\0';
  /* Names from certificates are shown on terminals and in dialogs. */
  return ll_text_sanitize(buffer, LL_CERTIFICATE_MAX_NAME);
}

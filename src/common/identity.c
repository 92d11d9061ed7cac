#include "common/identity.h"
#include "common/error.h"
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <sodium.h>
#include <errno.h>
#include <glib/gstdio.h>
#include <sys/stat.h>
#include <string.h>

#define IDENTITY_FILE "identity.pem"
#define CERT_YEARS 20

static gboolean gnutls_ok(int rc, const char *what, GError **error)
{
  if (rc >= 0)
    return TRUE;
  g_set_error(error, LL_ERROR, LL_ERROR_FAILED,
              "could not create a key for this computer (%s: %s)", what,
              gnutls_strerror(rc));
  return FALSE;
}

static gboolean fill_certificate(gnutls_x509_crt_t crt, gnutls_x509_privkey_t key,
                                 GError **error)
{
  guint8 serial[16];
  time_t now = time(NULL);
  const char *cn = "Lifeline identity";

  randombytes_buf(serial, sizeof serial);
  serial[0] &= 0x7f;  /* a positive integer, as X.509 wants */
  return gnutls_ok(gnutls_x509_crt_set_version(crt, 3), "version", error) &&
         gnutls_ok(gnutls_x509_crt_set_serial(crt, serial, sizeof serial), "serial", error) &&
         gnutls_ok(gnutls_x509_crt_set_dn_by_oid(crt, GNUTLS_OID_X520_COMMON_NAME, 0,
                                                 cn, strlen(cn)), "name", error) &&
         gnutls_ok(gnutls_x509_crt_set_activation_time(crt, now - 86400), "start", error) &&
         gnutls_ok(gnutls_x509_crt_set_expiration_time(crt, now + (time_t)CERT_YEARS * 365 * 86400),
                   "end", error) &&
         gnutls_ok(gnutls_x509_crt_set_basic_constraints(crt, 0, -1), "constraints", error) &&
         gnutls_ok(gnutls_x509_crt_set_key(crt, key), "key", error) &&
         gnutls_ok(gnutls_x509_crt_sign2(crt, crt, key, GNUTLS_DIG_SHA256, 0), "signature", error);
}

static char *export_pem(gnutls_x509_privkey_t key, gnutls_x509_crt_t crt, GError **error)
{
  gnutls_datum_t key_pem = { NULL, 0 }, crt_pem = { NULL, 0 };
  char *out = NULL;
  if (gnutls_ok(gnutls_x509_privkey_export2_pkcs8(key, GNUTLS_X509_FMT_PEM, NULL,
                                                  GNUTLS_PKCS_PLAIN, &key_pem), "export key", error) &&
      gnutls_ok(gnutls_x509_crt_export2(crt, GNUTLS_X509_FMT_PEM, &crt_pem), "export certificate", error))
    out = g_strdup_printf("%.*s%.*s", (int)key_pem.size, key_pem.data,
                          (int)crt_pem.size, crt_pem.data);
  if (key_pem.data != NULL) {
    sodium_memzero(key_pem.data, key_pem.size);
    gnutls_free(key_pem.data);
  }
  gnutls_free(crt_pem.data);
  return out;
}

char *ll_identity_generate_pem(GError **error)
{
  gnutls_x509_privkey_t key = NULL;
  gnutls_x509_crt_t crt = NULL;
  char *pem = NULL;

  if (gnutls_ok(gnutls_x509_privkey_init(&key), "init", error) &&
      gnutls_ok(gnutls_x509_privkey_generate(key, GNUTLS_PK_ECDSA,
                                             GNUTLS_CURVE_TO_BITS(GNUTLS_ECC_CURVE_SECP256R1), 0),
                "generate", error) &&
      gnutls_ok(gnutls_x509_crt_init(&crt), "init certificate", error) &&
      fill_certificate(crt, key, error))
    pem = export_pem(key, crt, error);
  if (crt != NULL)
    gnutls_x509_crt_deinit(crt);
  if (key != NULL)
    gnutls_x509_privkey_deinit(key);
  return pem;
}

static gboolean write_new_identity(const char *path, GError **error)
{
  g_autofree char *pem = ll_identity_generate_pem(error);
  if (pem == NULL)
    return FALSE;
  gboolean ok = g_file_set_contents_full(path, pem, -1, G_FILE_SET_CONTENTS_CONSISTENT,
                                         0600, error);
  sodium_memzero(pem, strlen(pem));
  if (ok)
    g_info("created a new identity in %s", path);
  return ok;
}

static gboolean check_private(const char *path, GError **error)
{
  GStatBuf st;
  if (g_stat(path, &st) != 0) {
    int saved = errno;
    g_set_error(error, LL_ERROR, LL_ERROR_FAILED, "cannot read %s: %s", path,
                g_strerror(saved));
    return FALSE;
  }
  if ((st.st_mode & 077) != 0) {
    g_set_error(error, LL_ERROR, LL_ERROR_FAILED,
                "%s can be read by other users; run \"chmod 600 %s\" and try again",
                path, path);
    return FALSE;
  }
  return TRUE;
}

static LlIdentity *load_identity(const char *path, GError **error)
{
  g_autoptr(GError) local = NULL;
  if (!check_private(path, error))
    return NULL;
  GTlsCertificate *certificate = g_tls_certificate_new_from_file(path, &local);
  if (certificate == NULL) {
    g_set_error(error, LL_ERROR, LL_ERROR_FAILED,
                "the identity in %s is damaged (%s); move it away to create a new one",
                path, local->message);
    return NULL;
  }
  LlIdentity *identity = g_new0(LlIdentity, 1);
  identity->certificate = certificate;
  identity->path = g_strdup(path);
  ll_fingerprint_of_certificate(certificate, identity->fingerprint);
  return identity;
}

LlIdentity *ll_identity_load_or_create(const char *dir, GError **error)
{
  g_autofree char *default_dir = g_build_filename(g_get_user_data_dir(), "lifeline", NULL);
  const char *use_dir = dir != NULL ? dir : default_dir;
  g_autofree char *path = g_build_filename(use_dir, IDENTITY_FILE, NULL);

  if (g_mkdir_with_parents(use_dir, 0700) != 0) {
    int saved = errno;
    g_set_error(error, LL_ERROR, LL_ERROR_FAILED, "cannot create %s: %s", use_dir,
                g_strerror(saved));
    return NULL;
  }
  if (!g_file_test(path, G_FILE_TEST_EXISTS) && !write_new_identity(path, error))
    return NULL;
  return load_identity(path, error);
}

void ll_identity_free(LlIdentity *identity)
{
  if (identity == NULL)
    return;
  g_clear_object(&identity->certificate);
  g_free(identity->path);
  g_free(identity);
}

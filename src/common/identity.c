#include "common/identity.h"
#include "common/error.h"
#include "common/text_sanitize.h"
#include "common/x509_util.h"
#include <sodium.h>
#include <errno.h>
#include <glib/gstdio.h>
#include <sys/stat.h>
#include <string.h>

#define IDENTITY_FILE "identity.pem"
#define NAME_FILE "identity.conf"
#define ORG_CERT_FILE "organisation-cert.pem"
#define CERT_YEARS 20
#define MAX_IMPORT_BYTES (64 * 1024)

static gboolean fill_certificate(gnutls_x509_crt_t crt, gnutls_x509_privkey_t key,
                                 GError **error)
{
  const char *cn = "Lifeline identity";
  gint64 now = g_get_real_time() / G_USEC_PER_SEC;
  return ll_certificate_set_basics(crt, now - 86400, (gint64)CERT_YEARS * 365 * 86400 + 86400,
                                   error) &&
         ll_gnutls_ok(gnutls_x509_crt_set_dn_by_oid(crt, GNUTLS_OID_X520_COMMON_NAME, 0, cn,
                                                    strlen(cn)), "name", error) &&
         ll_gnutls_ok(gnutls_x509_crt_set_basic_constraints(crt, 0, -1), "constraints", error) &&
         ll_gnutls_ok(gnutls_x509_crt_set_key(crt, key), "key", error) &&
         ll_gnutls_ok(gnutls_x509_crt_sign2(crt, crt, key, GNUTLS_DIG_SHA256, 0), "signature",
                      error);
}

static char *export_pem(gnutls_x509_privkey_t key, gnutls_x509_crt_t crt, GError **error)
{
  gnutls_datum_t key_pem = { NULL, 0 };
  g_autofree char *crt_pem = ll_export_certificate_pem(crt, error);
  char *out = NULL;
  if (crt_pem != NULL && ll_export_key_pem(key, &key_pem, error))
    out = g_strdup_printf("%.*s%s", (int)key_pem.size, key_pem.data, crt_pem);
  if (key_pem.data != NULL) {
    sodium_memzero(key_pem.data, key_pem.size);
    gnutls_free(key_pem.data);
  }
  return out;
}

char *ll_identity_generate_pem(GError **error)
{
  gnutls_x509_privkey_t key = NULL;
  gnutls_x509_crt_t crt = NULL;
  char *pem = NULL;
  g_autoptr(GError) local = NULL;

  if (ll_generate_p256_key(&key, &local) &&
      ll_gnutls_ok(gnutls_x509_crt_init(&crt), "certificate", &local) &&
      fill_certificate(crt, key, &local))
    pem = export_pem(key, crt, &local);
  if (local != NULL)
    g_set_error(error, LL_ERROR, LL_ERROR_FAILED, "could not create a key for this computer (%s)",
                local->message);
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

static void load_name(LlIdentity *identity)
{
  g_clear_pointer(&identity->name, g_free);
  g_autofree char *path = g_build_filename(identity->dir, NAME_FILE, NULL);
  g_autoptr(GKeyFile) kf = g_key_file_new();
  g_autofree char *name = NULL;
  if (!g_key_file_load_from_file(kf, path, G_KEY_FILE_NONE, NULL))
    return;
  name = g_key_file_get_string(kf, "identity", "name", NULL);
  if (name != NULL && *name != '\0')
    identity->name = ll_text_sanitize(name, LL_IDENTITY_MAX_NAME);
}

void ll_identity_reload_name(LlIdentity *identity)
{
  load_name(identity);
}

/* The organisation's certificate for our key, with the key of
 * identity.pem; a broken or foreign one is left aside with a warning. */
static void load_organisation_certificate(LlIdentity *identity)
{
  g_autofree char *path = g_build_filename(identity->dir, ORG_CERT_FILE, NULL);
  g_autoptr(GError) error = NULL;
  guint8 fingerprint[LL_FINGERPRINT_BYTES];
  gnutls_x509_crt_t crt = NULL;
  if (!g_file_test(path, G_FILE_TEST_EXISTS))
    return;
  GTlsCertificate *certificate = g_tls_certificate_new_from_files(path, identity->path, &error);
  if (certificate == NULL || !ll_fingerprint_of_certificate(certificate, fingerprint) ||
      memcmp(fingerprint, identity->fingerprint, LL_FINGERPRINT_BYTES) != 0 ||
      !ll_import_certificate_file(path, &crt, NULL)) {
    g_warning("the organisation certificate %s does not fit this identity%s%s; it is not used",
              path, error != NULL ? ": " : "", error != NULL ? error->message : "");
    g_clear_object(&certificate);
    return;
  }
  identity->organisation = ll_certificate_dn_field(crt, GNUTLS_OID_X520_ORGANIZATION_NAME, FALSE);
  identity->organisation_expires = gnutls_x509_crt_get_expiration_time(crt);
  gnutls_x509_crt_deinit(crt);
  g_object_unref(identity->certificate);
  identity->certificate = certificate;
}

static LlIdentity *load_identity(const char *dir, const char *path, GError **error)
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
  identity->dir = g_strdup(dir);
  identity->path = g_strdup(path);
  ll_fingerprint_of_certificate(certificate, identity->fingerprint);
  load_name(identity);
  load_organisation_certificate(identity);
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
  return load_identity(use_dir, path, error);
}

void ll_identity_free(LlIdentity *identity)
{
  if (identity == NULL)
    return;
  g_clear_object(&identity->certificate);
  g_free(identity->dir);
  g_free(identity->path);
  g_free(identity->name);
  g_free(identity->organisation);
  g_free(identity);
}

/* ---- name, request, organisation certificate ---- */

gboolean ll_identity_set_name(LlIdentity *identity, const char *name, GError **error)
{
  g_autofree char *clean = ll_text_sanitize(name, LL_IDENTITY_MAX_NAME + 1);
  g_autofree char *path = g_build_filename(identity->dir, NAME_FILE, NULL);
  g_autoptr(GKeyFile) kf = g_key_file_new();
  g_strstrip(clean);
  if (*clean == '\0' || strcmp(clean, name) != 0 ||
      g_utf8_strlen(clean, -1) > LL_IDENTITY_MAX_NAME) {
    g_set_error(error, LL_ERROR, LL_ERROR_USAGE,
                "a name is 1 to %d printable characters, like \"Mary Jones\"",
                LL_IDENTITY_MAX_NAME);
    return FALSE;
  }
  g_key_file_set_string(kf, "identity", "name", clean);
  if (!g_key_file_save_to_file(kf, path, error))
    return FALSE;
  g_free(identity->name);
  identity->name = g_steal_pointer(&clean);
  return TRUE;
}

static gboolean fill_request(gnutls_x509_crq_t crq, gnutls_x509_privkey_t key, const char *name,
                             GError **error)
{
  return ll_gnutls_ok(gnutls_x509_crq_set_version(crq, 1), "request", error) &&
         ll_gnutls_ok(gnutls_x509_crq_set_dn_by_oid(crq, GNUTLS_OID_X520_COMMON_NAME, 0, name,
                                                    strlen(name)), "request name", error) &&
         ll_gnutls_ok(gnutls_x509_crq_set_key(crq, key), "request key", error) &&
         ll_gnutls_ok(gnutls_x509_crq_sign2(crq, key, GNUTLS_DIG_SHA256, 0), "request signature",
                      error);
}

char *ll_identity_export_request(LlIdentity *identity, GError **error)
{
  gnutls_x509_privkey_t key = NULL;
  gnutls_x509_crq_t crq = NULL;
  gnutls_datum_t pem = { NULL, 0 };
  char *out = NULL;
  if (identity->name == NULL) {
    g_set_error(error, LL_ERROR, LL_ERROR_USAGE,
                "set the name people will see first: lifeline id --name \"First Last\"");
    return NULL;
  }
  if (ll_import_key_file(identity->path, &key, error) &&
      ll_gnutls_ok(gnutls_x509_crq_init(&crq), "request", error) &&
      fill_request(crq, key, identity->name, error) &&
      ll_gnutls_ok(gnutls_x509_crq_export2(crq, GNUTLS_X509_FMT_PEM, &pem), "request", error))
    out = g_strndup((const char *)pem.data, pem.size);
  gnutls_free(pem.data);
  if (crq != NULL)
    gnutls_x509_crq_deinit(crq);
  if (key != NULL)
    gnutls_x509_privkey_deinit(key);
  return out;
}

static gboolean check_for_this_key(LlIdentity *identity, const char *pem, gsize length,
                                   GError **error)
{
  gnutls_x509_crt_t crt = NULL;
  gnutls_datum_t in = { (unsigned char *)pem, (unsigned int)length };
  gnutls_datum_t der = { NULL, 0 };
  guint8 fingerprint[LL_FINGERPRINT_BYTES];
  gboolean ok = length <= MAX_IMPORT_BYTES && gnutls_x509_crt_init(&crt) >= 0 &&
                gnutls_x509_crt_import(crt, &in, GNUTLS_X509_FMT_PEM) >= 0 &&
                gnutls_x509_crt_export2(crt, GNUTLS_X509_FMT_DER, &der) >= 0 &&
                ll_fingerprint_of_der(der.data, der.size, fingerprint);
  gnutls_free(der.data);
  if (crt != NULL)
    gnutls_x509_crt_deinit(crt);
  if (!ok) {
    g_set_error(error, LL_ERROR, LL_ERROR_DAMAGED,
                "this file holds no certificate; use the file \"lifeline ca sign\" wrote");
    return FALSE;
  }
  if (memcmp(fingerprint, identity->fingerprint, LL_FINGERPRINT_BYTES) != 0) {
    g_autofree char *theirs = ll_fingerprint_to_text(fingerprint);
    g_set_error(error, LL_ERROR, LL_ERROR_WRONG_KEY,
                "this certificate was made for another key (%s), not this account's; "
                "export this identity again and have it signed", theirs);
    return FALSE;
  }
  return TRUE;
}

gboolean ll_identity_import_certificate(LlIdentity *identity, const char *pem, gsize length,
                                        GError **error)
{
  g_autofree char *path = g_build_filename(identity->dir, ORG_CERT_FILE, NULL);
  if (!check_for_this_key(identity, pem, length, error) ||
      !g_file_set_contents_full(path, pem, length, G_FILE_SET_CONTENTS_CONSISTENT, 0644, error))
    return FALSE;
  g_clear_pointer(&identity->organisation, g_free);
  load_organisation_certificate(identity);
  if (identity->organisation == NULL) {
    g_set_error(error, LL_ERROR, LL_ERROR_DAMAGED,
                "the certificate was saved in %s but cannot be used with this identity", path);
    return FALSE;
  }
  return TRUE;
}

#include "common/org_ca.h"
#include "common/error.h"
#include "common/fingerprint.h"
#include "common/x509_util.h"
#include <gnutls/abstract.h>
#include <errno.h>
#include <glib/gstdio.h>
#include <sodium.h>
#include <string.h>

/* A helper's clock may run a little ahead of the CA's. */
#define CLOCK_SLACK_S (5 * 60)
#define MAX_REQUEST_BYTES (16 * 1024)

static gboolean fill_ca_certificate(gnutls_x509_crt_t crt, gnutls_x509_privkey_t key,
                                    const char *organisation, GError **error)
{
  g_autofree char *cn = g_strdup_printf("%s Lifeline helpers", organisation);
  guint8 key_id[64];
  size_t key_id_size = sizeof key_id;
  gint64 now = g_get_real_time() / G_USEC_PER_SEC;
  return ll_certificate_set_basics(crt, now - CLOCK_SLACK_S,
                                   (gint64)LL_CA_YEARS * 365 * 86400, error) &&
         ll_gnutls_ok(gnutls_x509_crt_set_dn_by_oid(crt, GNUTLS_OID_X520_ORGANIZATION_NAME, 0,
                                                    organisation, strlen(organisation)),
                      "the organisation name", error) &&
         ll_gnutls_ok(gnutls_x509_crt_set_dn_by_oid(crt, GNUTLS_OID_X520_COMMON_NAME, 0, cn,
                                                    strlen(cn)), "the CA name", error) &&
         ll_gnutls_ok(gnutls_x509_crt_set_key(crt, key), "the CA key", error) &&
         ll_gnutls_ok(gnutls_x509_crt_set_basic_constraints(crt, 1, 0), "CA constraints", error) &&
         ll_gnutls_ok(gnutls_x509_crt_set_key_usage(crt, GNUTLS_KEY_KEY_CERT_SIGN |
                                                             GNUTLS_KEY_CRL_SIGN),
                      "CA key usage", error) &&
         ll_gnutls_ok(gnutls_x509_crt_get_key_id(crt, 0, key_id, &key_id_size), "key id", error) &&
         ll_gnutls_ok(gnutls_x509_crt_set_subject_key_id(crt, key_id, key_id_size), "key id",
                      error) &&
         ll_gnutls_ok(gnutls_x509_crt_sign2(crt, crt, key, GNUTLS_DIG_SHA256, 0),
                      "signing the CA certificate", error);
}

static gboolean write_ca_files(const char *dir, gnutls_x509_privkey_t key,
                               gnutls_x509_crt_t crt, GError **error)
{
  g_autofree char *key_path = g_build_filename(dir, LL_CA_KEY_FILE, NULL);
  g_autofree char *cert_path = g_build_filename(dir, LL_CA_CERT_FILE, NULL);
  g_autofree char *cert_pem = ll_export_certificate_pem(crt, error);
  gnutls_datum_t key_pem = { NULL, 0 };
  if (cert_pem == NULL || !ll_export_key_pem(key, &key_pem, error))
    return FALSE;
  gboolean ok = g_file_set_contents_full(key_path, (const char *)key_pem.data, key_pem.size,
                                         G_FILE_SET_CONTENTS_CONSISTENT, 0600, error) &&
                g_file_set_contents_full(cert_path, cert_pem, -1,
                                         G_FILE_SET_CONTENTS_CONSISTENT, 0644, error);
  sodium_memzero(key_pem.data, key_pem.size);
  gnutls_free(key_pem.data);
  return ok;
}

gboolean ll_org_ca_init(const char *dir, const char *organisation, GError **error)
{
  g_autofree char *key_path = g_build_filename(dir, LL_CA_KEY_FILE, NULL);
  gnutls_x509_privkey_t key = NULL;
  gnutls_x509_crt_t crt = NULL;
  if (organisation == NULL || *organisation == '\0' ||
      g_utf8_strlen(organisation, -1) > 60 || !g_utf8_validate(organisation, -1, NULL)) {
    g_set_error(error, LL_ERROR, LL_ERROR_USAGE,
                "give the organisation's name (1 to 60 characters) with --name");
    return FALSE;
  }
  if (g_file_test(key_path, G_FILE_TEST_EXISTS)) {
    g_set_error(error, LL_ERROR, LL_ERROR_USAGE,
                "%s already holds a CA; use another directory, or move it away first", dir);
    return FALSE;
  }
  if (g_mkdir_with_parents(dir, 0700) != 0) {
    int saved = errno;
    g_set_error(error, LL_ERROR, LL_ERROR_FAILED, "cannot create %s: %s", dir,
                g_strerror(saved));
    return FALSE;
  }
  gboolean ok = ll_generate_p256_key(&key, error) &&
                ll_gnutls_ok(gnutls_x509_crt_init(&crt), "the CA certificate", error) &&
                fill_ca_certificate(crt, key, organisation, error) &&
                write_ca_files(dir, key, crt, error);
  if (crt != NULL)
    gnutls_x509_crt_deinit(crt);
  if (key != NULL)
    gnutls_x509_privkey_deinit(key);
  return ok;
}

/* ---- signing a helper ---- */

typedef struct {
  gnutls_x509_privkey_t key;
  gnutls_x509_crt_t cert;
} Ca;

static void ca_clear(Ca *ca)
{
  if (ca->key != NULL)
    gnutls_x509_privkey_deinit(ca->key);
  if (ca->cert != NULL)
    gnutls_x509_crt_deinit(ca->cert);
}

static gboolean ca_load(const char *dir, Ca *ca, GError **error)
{
  g_autofree char *key_path = g_build_filename(dir, LL_CA_KEY_FILE, NULL);
  g_autofree char *cert_path = g_build_filename(dir, LL_CA_CERT_FILE, NULL);
  if (!g_file_test(key_path, G_FILE_TEST_EXISTS)) {
    g_set_error(error, LL_ERROR, LL_ERROR_USAGE,
                "%s holds no CA; create one with \"lifeline ca init %s --name ORGANISATION\"",
                dir, dir);
    return FALSE;
  }
  return ll_import_key_file(key_path, &ca->key, error) &&
         ll_import_certificate_file(cert_path, &ca->cert, error);
}

static gnutls_x509_crq_t read_request(const char *pem, gsize len, GError **error)
{
  gnutls_x509_crq_t crq = NULL;
  gnutls_datum_t in = { (unsigned char *)pem, (unsigned int)len };
  int rc = len > MAX_REQUEST_BYTES ? GNUTLS_E_BASE64_DECODING_ERROR : gnutls_x509_crq_init(&crq);
  if (rc >= 0)
    rc = gnutls_x509_crq_import(crq, &in, GNUTLS_X509_FMT_PEM);
  if (rc < 0) {
    g_set_error(error, LL_ERROR, LL_ERROR_DAMAGED,
                "this is not a helper identity from \"lifeline id --export\" (%s)",
                gnutls_strerror(rc));
  } else if (gnutls_x509_crq_verify(crq, 0) < 0) {
    g_set_error(error, LL_ERROR, LL_ERROR_DAMAGED,
                "this helper identity was altered: its signature does not hold");
    rc = -1;
  }
  if (rc < 0 && crq != NULL) {
    gnutls_x509_crq_deinit(crq);
    crq = NULL;
  }
  return crq;
}

static char *request_name(gnutls_x509_crq_t crq)
{
  char buffer[256];
  size_t size = sizeof buffer;
  if (gnutls_x509_crq_get_dn_by_oid(crq, GNUTLS_OID_X520_COMMON_NAME, 0, 0, buffer, &size) < 0 ||
      size >= sizeof buffer || !g_utf8_validate(buffer, size, NULL) || size == 0)
    return NULL;
  return g_strndup(buffer, size);
}

static gboolean fill_helper_certificate(gnutls_x509_crt_t crt, gnutls_x509_crq_t crq,
                                        const Ca *ca, const char *name, const char *organisation,
                                        int days, GError **error)
{
  gnutls_pubkey_t pubkey = NULL;
  guint8 key_id[64];
  size_t key_id_size = sizeof key_id;
  gint64 now = g_get_real_time() / G_USEC_PER_SEC;
  gboolean ok =
      ll_certificate_set_basics(crt, now - CLOCK_SLACK_S, (gint64)days * 86400 + CLOCK_SLACK_S,
                                error) &&
      ll_gnutls_ok(gnutls_x509_crt_set_dn_by_oid(crt, GNUTLS_OID_X520_ORGANIZATION_NAME, 0,
                                                 organisation, strlen(organisation)),
                   "the organisation", error) &&
      ll_gnutls_ok(gnutls_x509_crt_set_dn_by_oid(crt, GNUTLS_OID_X520_COMMON_NAME, 0, name,
                                                 strlen(name)), "the helper's name", error) &&
      ll_gnutls_ok(gnutls_pubkey_init(&pubkey), "the helper's key", error) &&
      ll_gnutls_ok(gnutls_pubkey_import_x509_crq(pubkey, crq, 0), "the helper's key", error) &&
      ll_gnutls_ok(gnutls_x509_crt_set_pubkey(crt, pubkey), "the helper's key", error) &&
      ll_gnutls_ok(gnutls_x509_crt_set_basic_constraints(crt, 0, -1), "constraints", error) &&
      ll_gnutls_ok(gnutls_x509_crt_set_key_usage(crt, GNUTLS_KEY_DIGITAL_SIGNATURE), "key usage",
                   error) &&
      ll_gnutls_ok(gnutls_x509_crt_set_key_purpose_oid(crt, GNUTLS_KP_TLS_WWW_CLIENT, 0),
                   "key purpose", error) &&
      ll_gnutls_ok(gnutls_x509_crt_get_subject_key_id(ca->cert, key_id, &key_id_size, NULL),
                   "the CA's key id", error) &&
      ll_gnutls_ok(gnutls_x509_crt_set_authority_key_id(crt, key_id, key_id_size), "key id",
                   error) &&
      ll_gnutls_ok(gnutls_x509_crt_sign2(crt, ca->cert, ca->key, GNUTLS_DIG_SHA256, 0),
                   "signing", error);
  if (pubkey != NULL)
    gnutls_pubkey_deinit(pubkey);
  return ok;
}

static gboolean describe_result(gnutls_x509_crt_t crt, const Ca *ca, LlSignedHelper *out,
                                GError **error)
{
  gnutls_datum_t der = { NULL, 0 };
  guint8 fingerprint[LL_FINGERPRINT_BYTES];
  g_autofree char *helper_pem = ll_export_certificate_pem(crt, error);
  g_autofree char *ca_pem = ll_export_certificate_pem(ca->cert, error);
  if (helper_pem == NULL || ca_pem == NULL ||
      !ll_gnutls_ok(gnutls_x509_crt_export2(crt, GNUTLS_X509_FMT_DER, &der), "export", error))
    return FALSE;
  gboolean ok = ll_fingerprint_of_der(der.data, der.size, fingerprint);
  gnutls_free(der.data);
  if (!ok) {
    g_set_error(error, LL_ERROR, LL_ERROR_FAILED, "the new certificate cannot be read back");
    return FALSE;
  }
  out->certificate_pem = g_strconcat(helper_pem, ca_pem, NULL);
  out->fingerprint = ll_fingerprint_to_text(fingerprint);
  out->expires = gnutls_x509_crt_get_expiration_time(crt);
  return TRUE;
}

gboolean ll_org_ca_sign(const char *dir, const char *request_pem, gsize request_len, int days,
                        LlSignedHelper *out, GError **error)
{
  Ca ca = { NULL, NULL };
  gnutls_x509_crq_t crq = NULL;
  gnutls_x509_crt_t crt = NULL;
  memset(out, 0, sizeof *out);
  if (days < 1 || days > LL_MAX_SIGN_DAYS) {
    g_set_error(error, LL_ERROR, LL_ERROR_USAGE, "--days must be 1 to %d", LL_MAX_SIGN_DAYS);
    return FALSE;
  }
  gboolean ok = ca_load(dir, &ca, error) &&
                (crq = read_request(request_pem, request_len, error)) != NULL;
  if (ok) {
    out->helper_name = request_name(crq);
    out->organisation = ll_certificate_dn_field(ca.cert, GNUTLS_OID_X520_ORGANIZATION_NAME, FALSE);
    if (out->helper_name == NULL) {
      g_set_error(error, LL_ERROR, LL_ERROR_DAMAGED,
                  "this helper identity carries no name; the helper should run "
                  "\"lifeline id --name 'First Last'\" and export it again");
      ok = FALSE;
    }
  }
  ok = ok && ll_gnutls_ok(gnutls_x509_crt_init(&crt), "the certificate", error) &&
       fill_helper_certificate(crt, crq, &ca, out->helper_name, out->organisation, days, error) &&
       describe_result(crt, &ca, out, error);
  if (crt != NULL)
    gnutls_x509_crt_deinit(crt);
  if (crq != NULL)
    gnutls_x509_crq_deinit(crq);
  ca_clear(&ca);
  if (!ok)
    ll_signed_helper_clear(out);
  return ok;
}

void ll_signed_helper_clear(LlSignedHelper *s)
{
  g_clear_pointer(&s->certificate_pem, g_free);
  g_clear_pointer(&s->helper_name, g_free);
  g_clear_pointer(&s->organisation, g_free);
  g_clear_pointer(&s->fingerprint, g_free);
}

/* Small steps of making keys and certificates with GnuTLS, shared by the
 * user identity and the organisation CA, with errors as sentences. */
#pragma once
#include <glib.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>

/* TRUE for a GnuTLS success code; else sets ERROR "WHAT failed: ...". */
gboolean ll_gnutls_ok(int rc, const char *what, GError **error);
gboolean ll_generate_p256_key(gnutls_x509_privkey_t *key, GError **error);
/* Version 3, a random positive serial, valid from FROM for SECONDS. */
gboolean ll_certificate_set_basics(gnutls_x509_crt_t crt, gint64 from, gint64 seconds,
                                   GError **error);
/* PEM of KEY (PKCS#8, unencrypted); wipe and gnutls_free it. */
gboolean ll_export_key_pem(gnutls_x509_privkey_t key, gnutls_datum_t *out, GError **error);
char *ll_export_certificate_pem(gnutls_x509_crt_t crt, GError **error);
/* Reads the first private key / certificate of a PEM file. */
gboolean ll_import_key_file(const char *path, gnutls_x509_privkey_t *key, GError **error);
gboolean ll_import_certificate_file(const char *path, gnutls_x509_crt_t *crt, GError **error);
#define LL_CERTIFICATE_MAX_NAME 64   /* characters */

/* A DN field of the subject (or ISSUER's), "" when absent; sanitized
 * (common/text_sanitize.h) to LL_CERTIFICATE_MAX_NAME characters. */
char *ll_certificate_dn_field(gnutls_x509_crt_t crt, const char *oid, gboolean issuer);

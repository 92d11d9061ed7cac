/* A user's long-term key, created on first use and kept in
 * $XDG_DATA_HOME/lifeline/ (mode 0600): identity.pem holds the key and a
 * self-signed certificate; identity.conf the name shown to others;
 * organisation-cert.pem, when installed, a certificate an organisation's
 * helper CA signed for the same key. The novice presents it so the helper
 * can check it against the invitation's pin; a helper presents it so the
 * novice can log who connected and a host can check its policy. */
#pragma once
#include <gio/gio.h>
#include "common/fingerprint.h"

#define LL_IDENTITY_MAX_NAME 64   /* characters */

typedef struct {
  GTlsCertificate *certificate;   /* with its private key: the organisation's certificate
                                   * when one is installed, else the self-signed one */
  guint8 fingerprint[LL_FINGERPRINT_BYTES];   /* of the key: the same for both */
  char *dir;
  char *path;                     /* identity.pem */
  char *name;                     /* NULL until set */
  char *organisation;             /* of the installed certificate; NULL when none */
  gint64 organisation_expires;    /* Unix time */
} LlIdentity;

/* DIR NULL means $XDG_DATA_HOME/lifeline. */
LlIdentity *ll_identity_load_or_create(const char *dir, GError **error);
void ll_identity_free(LlIdentity *identity);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(LlIdentity, ll_identity_free)

/* Makes a fresh key pair and certificate in PEM (key first). For tests,
 * and for the first run. */
char *ll_identity_generate_pem(GError **error);

/* Sets the name shown to the people being helped (1 to
 * LL_IDENTITY_MAX_NAME printable characters) and saves it. */
gboolean ll_identity_set_name(LlIdentity *identity, const char *name, GError **error);
/* Reads the saved name again: another program (or window) may have set it. */
void ll_identity_reload_name(LlIdentity *identity);
/* A certificate request (PKCS#10, PEM) for the key and name, signed with
 * the key: what `lifeline ca sign` takes. */
char *ll_identity_export_request(LlIdentity *identity, GError **error);
/* Installs a certificate signed for this key (PEM: the certificate, then
 * optionally its CA). Refuses one made for another key. */
gboolean ll_identity_import_certificate(LlIdentity *identity, const char *pem, gsize length,
                                        GError **error);

/* An organisation's helper CA (the "helper group" of the old tool): a key
 * and a self-signed X.509 CA certificate in a directory the help desk
 * keeps safe, and the signing of helpers' certificate requests with it.
 * Machines that trust the CA (policy helper-ca) admit every helper it
 * signed while the certificate is valid. */
#pragma once
#include <glib.h>

#define LL_CA_KEY_FILE "ca-key.pem"
#define LL_CA_CERT_FILE "ca-cert.pem"
#define LL_CA_YEARS 10
#define LL_MAX_SIGN_DAYS (5 * 365)

/* Creates DIR (mode 0700) with a new CA named ORGANISATION. Refuses to
 * overwrite a CA already there. */
gboolean ll_org_ca_init(const char *dir, const char *organisation, GError **error);

typedef struct {
  char *certificate_pem;   /* the helper's certificate, then the CA's */
  char *helper_name;
  char *organisation;
  char *fingerprint;       /* the helper's key, as policy files write it */
  gint64 expires;          /* Unix time */
} LlSignedHelper;

/* Signs the certificate request REQUEST_PEM (from `lifeline id --export`)
 * with the CA in DIR, valid for DAYS days from now. The request's own
 * signature must hold: it proves the helper holds the key. */
gboolean ll_org_ca_sign(const char *dir, const char *request_pem, gsize request_len, int days,
                        LlSignedHelper *out, GError **error);
void ll_signed_helper_clear(LlSignedHelper *signed_helper);


/* A user's long-term key and self-signed certificate, created on first use
 * and kept in $XDG_DATA_HOME/lifeline/identity.pem (mode 0600). The novice
 * presents it so the helper can check it against the invitation's pin; the
 * helper presents its own so the novice can log who connected. */
#pragma once
#include <gio/gio.h>
#include "common/fingerprint.h"

typedef struct {
  GTlsCertificate *certificate;   /* with its private key */
  guint8 fingerprint[LL_FINGERPRINT_BYTES];
  char *path;
} LlIdentity;

/* DIR NULL means $XDG_DATA_HOME/lifeline. */
LlIdentity *ll_identity_load_or_create(const char *dir, GError **error);
void ll_identity_free(LlIdentity *identity);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(LlIdentity, ll_identity_free)

/* Makes a fresh key pair and certificate in PEM (key first). For tests,
 * and for the first run. */
char *ll_identity_generate_pem(GError **error);

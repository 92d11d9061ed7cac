/* Key fingerprints: SHA-256 of a certificate's public key (its DER
 * SubjectPublicKeyInfo), written "sha256:" followed by 64 lowercase hex
 * digits. The same text appears in invitations, policy files and logs.
 * It names the key, not the certificate, so a helper keeps the same
 * fingerprint when an organisation signs their key. */
#pragma once
#include <gio/gio.h>

#define LL_FINGERPRINT_BYTES 32

/* FALSE when DER is not an X.509 certificate. */
gboolean ll_fingerprint_of_der(const guint8 *der, gsize der_len,
                               guint8 out[LL_FINGERPRINT_BYTES]);
/* FALSE if the certificate has no usable DER form (never for a real one). */
gboolean ll_fingerprint_of_certificate(GTlsCertificate *certificate,
                                       guint8 out[LL_FINGERPRINT_BYTES]);
char *ll_fingerprint_to_text(const guint8 fingerprint[LL_FINGERPRINT_BYTES]);
gboolean ll_fingerprint_from_text(const char *text,
                                  guint8 out[LL_FINGERPRINT_BYTES]);
/* A short form people can compare by eye: "3f2a 9c01 77de 4b10". */
char *ll_fingerprint_short(const guint8 fingerprint[LL_FINGERPRINT_BYTES]);

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

/* What a helper expects of the other computer's key: its whole fingerprint
 * (an invitation, --host-key sha256:...) or, for a host id, the first
 * LL_HOST_ID_BYTES of it. */
#define LL_HOST_ID_BYTES 10   /* 80 bits */
typedef struct {
  guint8 bytes[LL_FINGERPRINT_BYTES];
  gsize len;                  /* LL_FINGERPRINT_BYTES or LL_HOST_ID_BYTES */
} LlKeyPin;

void ll_key_pin_full(LlKeyPin *pin, const guint8 fingerprint[LL_FINGERPRINT_BYTES]);
gboolean ll_key_pin_matches(const LlKeyPin *pin, const guint8 fingerprint[LL_FINGERPRINT_BYTES]);
/* A host id: the first 80 bits of a key's fingerprint in Crockford's
 * base32, in four groups people can read out: "k7qm-3xrd-pa9t-we2f". */
char *ll_host_id_of(const guint8 fingerprint[LL_FINGERPRINT_BYTES]);
/* Reads a host id (any case; dashes and spaces ignored; o, i and l read
 * as 0, 1, 1) or a whole fingerprint ("sha256:...") into PIN. */
gboolean ll_key_pin_parse(const char *text, LlKeyPin *pin);

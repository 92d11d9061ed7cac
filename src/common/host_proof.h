/* A host proves at the rendezvous that its host id is its own: the server
 * sends each connection a fresh nonce, and the host signs the host id and
 * that nonce with the key whose fingerprint the host id is made of. The
 * rendezvous checks both before it registers anyone, so nobody can take
 * a host's id without its key. */
#pragma once
#include <glib.h>
#include "common/identity.h"

#define LL_HOST_NONCE_BYTES 32
/* Bounds of what the host sends (base64url): a certificate, a signature. */
#define LL_HOST_CERT_MAX_TEXT 4096
#define LL_HOST_PROOF_MAX_TEXT 1024

/* A fresh nonce, base64url. */
char *ll_host_nonce_new(void);
/* Signs HOST_ID and NONCE (as the server sent it) with IDENTITY's key;
 * the proof and IDENTITY's certificate (DER), both base64url. */
gboolean ll_host_proof_make(const LlIdentity *identity, const char *host_id, const char *nonce,
                            char **certificate, char **proof, GError **error);
/* Whether PROOF, made over HOST_ID and NONCE, comes from the key of
 * CERTIFICATE, and HOST_ID is that key's. LL_ERROR_WRONG_KEY otherwise. */
gboolean ll_host_proof_check(const char *host_id, const char *nonce, const char *certificate,
                             const char *proof, GError **error);

/* The helper's proof that it holds the invitation secret, bound to this
 * TLS connection: HMAC-SHA-256 keyed with the secret over a label, the
 * session id and the connection's channel binding (tls-exporter). A relay
 * or a man in the middle sees a value useless on any other connection. */
#pragma once
#include <glib.h>
#include "common/control_message.h"
#include "common/invitation.h"

/* A resume token keys the same proof as the invitation secret. */
G_STATIC_ASSERT(LL_RESUME_TOKEN_BYTES == LL_INVITATION_SECRET_BYTES);

void ll_secret_proof_compute(const guint8 secret[LL_INVITATION_SECRET_BYTES],
                             const char *session_id, const guint8 *binding, gsize binding_len,
                             guint8 out[LL_PROOF_BYTES]);
/* Constant-time comparison with the expected proof. */
gboolean ll_secret_proof_verify(const guint8 secret[LL_INVITATION_SECRET_BYTES],
                                const char *session_id, const guint8 *binding,
                                gsize binding_len, const guint8 proof[LL_PROOF_BYTES]);

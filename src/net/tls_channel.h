/* The secure channel: TLS 1.3 through GIO over any byte stream. The novice
 * is the server with its identity certificate; the helper is the client
 * and accepts only the certificate whose fingerprint the invitation pins.
 * Both present their identity, so each side knows the other's key. */
#pragma once
#include <gio/gio.h>
#include "common/fingerprint.h"
#include "common/secret_proof.h"

#define LL_TLS_HANDSHAKE_TIMEOUT_MS 15000

GTlsConnection *ll_tls_server_new(GIOStream *base, GTlsCertificate *identity, GError **error);
GTlsConnection *ll_tls_client_new(GIOStream *base, GTlsCertificate *identity,
                                  const LlKeyPin *pin, GError **error);

/* Runs the handshake, then checks the result: TLS 1.3, and for a client
 * the pinned key. Errors are rewritten into sentences (LL_ERROR_WRONG_KEY
 * for a key that is not the pinned one). */
void ll_tls_handshake_async(GTlsConnection *tls, GCancellable *cancellable,
                            GAsyncReadyCallback callback, gpointer user_data);
gboolean ll_tls_handshake_finish(GTlsConnection *tls, GAsyncResult *result, GError **error);

/* The tls-exporter channel binding of an established connection. */
GBytes *ll_tls_channel_binding(GTlsConnection *tls, GError **error);
/* The secret proof (common/secret_proof.h) of KEY for SESSION_ID, bound to
 * this connection; FALSE when the connection has no channel binding. */
gboolean ll_tls_prove(GTlsConnection *tls, const guint8 key[LL_INVITATION_SECRET_BYTES],
                      const char *session_id, guint8 out[LL_PROOF_BYTES], GError **error);
/* TRUE when PROOF is that of KEY for SESSION_ID on this connection. */
gboolean ll_tls_proof_is_valid(GTlsConnection *tls, const guint8 key[LL_INVITATION_SECRET_BYTES],
                               const char *session_id, const guint8 proof[LL_PROOF_BYTES]);
/* The peer's certificate fingerprint; FALSE when it sent none. */
gboolean ll_tls_peer_fingerprint(GTlsConnection *tls, guint8 out[LL_FINGERPRINT_BYTES]);

/* Sends small writes at once: screen updates are latency-bound. */
void ll_socket_set_nodelay(GSocketConnection *connection);

/* Cancels CANCELLABLE after MS milliseconds; returns the source id. */
guint ll_cancel_after(GCancellable *cancellable, guint ms);

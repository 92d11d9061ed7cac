#include "net/tls_channel.h"
#include "common/error.h"
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <string.h>

#define PIN_KEY "lifeline-pin"
#define PIN_MISMATCH_KEY "lifeline-pin-mismatch"

static gboolean accept_any_client(GTlsConnection *conn, GTlsCertificate *cert,
                                  GTlsCertificateFlags errors, gpointer data)
{
  (void)conn; (void)cert; (void)errors; (void)data;
  /* Helpers bring self-signed identities: any is taken here, and the one
   * presented is what the audit log, the resume check and offers judge. */
  return TRUE;
}

GTlsConnection *ll_tls_server_new(GIOStream *base, GTlsCertificate *identity, GError **error)
{
  GIOStream *tls = g_tls_server_connection_new(base, identity, error);
  if (tls == NULL)
    return NULL;
  /* Every helper presents its identity key: one without it would look
   * like every other keyless one to the audit log and the resume check. */
  g_object_set(tls, "authentication-mode", G_TLS_AUTHENTICATION_REQUIRED, NULL);
  /* No CA database: every peer certificate goes to accept-certificate. */
  g_tls_connection_set_database(G_TLS_CONNECTION(tls), NULL);
  g_signal_connect(tls, "accept-certificate", G_CALLBACK(accept_any_client), NULL);
  return G_TLS_CONNECTION(tls);
}

static gboolean matches_pin(GTlsConnection *conn, GTlsCertificate *cert)
{
  const LlKeyPin *pin = g_object_get_data(G_OBJECT(conn), PIN_KEY);
  guint8 seen[LL_FINGERPRINT_BYTES];
  if (cert == NULL || !ll_fingerprint_of_certificate(cert, seen))
    return FALSE;
  return ll_key_pin_matches(pin, seen);
}

static gboolean accept_pinned_server(GTlsConnection *conn, GTlsCertificate *cert,
                                     GTlsCertificateFlags errors, gpointer data)
{
  (void)errors; (void)data;
  gboolean ok = matches_pin(conn, cert);
  if (!ok)
    g_object_set_data(G_OBJECT(conn), PIN_MISMATCH_KEY, GINT_TO_POINTER(1));
  return ok;
}

GTlsConnection *ll_tls_client_new(GIOStream *base, GTlsCertificate *identity,
                                  const LlKeyPin *pin, GError **error)
{
  GIOStream *tls = g_tls_client_connection_new(base, NULL, error);
  if (tls == NULL)
    return NULL;
  g_tls_connection_set_certificate(G_TLS_CONNECTION(tls), identity);
  /* No system CA can vouch for a novice: trust comes from the pin alone. */
  g_tls_connection_set_database(G_TLS_CONNECTION(tls), NULL);
  g_object_set_data_full(G_OBJECT(tls), PIN_KEY, g_memdup2(pin, sizeof *pin), g_free);
  g_signal_connect(tls, "accept-certificate", G_CALLBACK(accept_pinned_server), NULL);
  return G_TLS_CONNECTION(tls);
}

void ll_tls_handshake_async(GTlsConnection *tls, GCancellable *cancellable,
                            GAsyncReadyCallback callback, gpointer user_data)
{
  g_tls_connection_handshake_async(tls, G_PRIORITY_DEFAULT, cancellable, callback, user_data);
}

#define WRONG_KEY_SENTENCE \
  "the computer that answered is not the one expected (its key does not match the " \
  "invitation or --host-key); nothing was sent to it"

static gboolean check_established(GTlsConnection *tls, GError **error)
{
  if (g_tls_connection_get_protocol_version(tls) != G_TLS_PROTOCOL_VERSION_TLS_1_3) {
    g_set_error(error, LL_ERROR, LL_ERROR_PROTOCOL,
                "the other computer did not agree on TLS 1.3; refusing an older protocol");
    return FALSE;
  }
  /* A client checks the pin again even when validation passed without
   * asking us: a certificate some CA vouches for is still not the pin. */
  if (G_IS_TLS_CLIENT_CONNECTION(tls) &&
      !matches_pin(tls, g_tls_connection_get_peer_certificate(tls))) {
    g_set_error_literal(error, LL_ERROR, LL_ERROR_WRONG_KEY, WRONG_KEY_SENTENCE);
    return FALSE;
  }
  return TRUE;
}

gboolean ll_tls_handshake_finish(GTlsConnection *tls, GAsyncResult *result, GError **error)
{
  g_autoptr(GError) local = NULL;
  if (!g_tls_connection_handshake_finish(tls, result, &local)) {
    if (g_object_get_data(G_OBJECT(tls), PIN_MISMATCH_KEY) != NULL)
      g_set_error_literal(error, LL_ERROR, LL_ERROR_WRONG_KEY, WRONG_KEY_SENTENCE);
    else
      g_propagate_error(error, g_steal_pointer(&local));
    return FALSE;
  }
  return check_established(tls, error);
}

GBytes *ll_tls_channel_binding(GTlsConnection *tls, GError **error)
{
  GByteArray *data = g_byte_array_new();
  if (!g_tls_connection_get_channel_binding_data(tls, G_TLS_CHANNEL_BINDING_TLS_EXPORTER, data,
                                                 error)) {
    g_byte_array_unref(data);
    return NULL;
  }
  return g_byte_array_free_to_bytes(data);
}

gboolean ll_tls_peer_fingerprint(GTlsConnection *tls, guint8 out[LL_FINGERPRINT_BYTES])
{
  GTlsCertificate *cert = g_tls_connection_get_peer_certificate(tls);
  return cert != NULL && ll_fingerprint_of_certificate(cert, out);
}

static gboolean cancel_now(gpointer data)
{
  g_cancellable_cancel(G_CANCELLABLE(data));
  return G_SOURCE_REMOVE;
}

guint ll_cancel_after(GCancellable *cancellable, guint ms)
{
  return g_timeout_add_full(G_PRIORITY_DEFAULT, ms, cancel_now, g_object_ref(cancellable),
                            g_object_unref);
}

void ll_socket_set_nodelay(GSocketConnection *connection)
{
  GSocket *socket = g_socket_connection_get_socket(connection);
  /* Sockets made by GSocketClient report protocol "default": look at the
   * family and type instead. */
  GSocketFamily family = g_socket_get_family(socket);
  if (g_socket_get_socket_type(socket) == G_SOCKET_TYPE_STREAM &&
      (family == G_SOCKET_FAMILY_IPV4 || family == G_SOCKET_FAMILY_IPV6))
    g_socket_set_option(socket, IPPROTO_TCP, TCP_NODELAY, 1, NULL);
}

gboolean ll_tls_prove(GTlsConnection *tls, const guint8 key[LL_INVITATION_SECRET_BYTES],
                      const char *session_id, guint8 out[LL_PROOF_BYTES], GError **error)
{
  g_autoptr(GBytes) binding = ll_tls_channel_binding(tls, error);
  if (binding == NULL)
    return FALSE;
  ll_secret_proof_compute(key, session_id, g_bytes_get_data(binding, NULL),
                          g_bytes_get_size(binding), out);
  return TRUE;
}

gboolean ll_tls_proof_is_valid(GTlsConnection *tls, const guint8 key[LL_INVITATION_SECRET_BYTES],
                               const char *session_id, const guint8 proof[LL_PROOF_BYTES])
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) binding = ll_tls_channel_binding(tls, &error);
  if (binding == NULL) {
    g_warning("no channel binding: %s", error->message);
    return FALSE;
  }
  return ll_secret_proof_verify(key, session_id, g_bytes_get_data(binding, NULL),
                                g_bytes_get_size(binding), proof);
}

/* The relay-over-TLS tunnel against relays that misbehave: one whose
 * certificate nobody trusts, one that never answers, more connections than
 * the tunnel takes. (A relay that works, through a proxy and without, is
 * the NAT lab's.) */
#include "common/identity.h"
#include "main_loop_wait.h"
#include "net/turn_tls_tunnel.h"
#include <string.h>

typedef struct {
  GSocketService *service;
  guint16 port;
  GPtrArray *held;               /* connections kept open, never answered */
  GTlsCertificate *certificate;  /* when set: answers TLS with it */
  gboolean handshake_done, handshake_failed;
} FakeRelay;

static void on_handshake(GObject *source, GAsyncResult *result, gpointer data)
{
  FakeRelay *r = data;
  g_autoptr(GError) error = NULL;
  if (g_tls_connection_handshake_finish(G_TLS_CONNECTION(source), result, &error))
    r->handshake_done = TRUE;
  else
    r->handshake_failed = TRUE;
}

static gboolean on_relay_incoming(GSocketService *s, GSocketConnection *c, GObject *o,
                                  gpointer data)
{
  (void)s;
  (void)o;
  FakeRelay *r = data;
  if (r->certificate == NULL) {
    g_ptr_array_add(r->held, g_object_ref(c));
    return TRUE;
  }
  GIOStream *tls = g_tls_server_connection_new(G_IO_STREAM(c), r->certificate, NULL);
  g_tls_connection_handshake_async(G_TLS_CONNECTION(tls), G_PRIORITY_DEFAULT, NULL,
                                   on_handshake, r);
  g_ptr_array_add(r->held, tls);
  return TRUE;
}

static void fake_relay_start(FakeRelay *r, GTlsCertificate *certificate)
{
  memset(r, 0, sizeof *r);
  r->service = g_socket_service_new();
  r->held = g_ptr_array_new_with_free_func(g_object_unref);
  r->certificate = certificate;
  r->port = g_socket_listener_add_any_inet_port(G_SOCKET_LISTENER(r->service), NULL, NULL);
  g_assert_cmpuint(r->port, >, 0);
  g_signal_connect(r->service, "incoming", G_CALLBACK(on_relay_incoming), r);
  g_socket_service_start(r->service);
}

static void fake_relay_stop(FakeRelay *r)
{
  g_socket_service_stop(r->service);
  g_socket_listener_close(G_SOCKET_LISTENER(r->service));
  g_object_unref(r->service);
  g_ptr_array_unref(r->held);
}

/* As libnice does: a TCP connection to the tunnel's port. */
static GSocket *connect_to_tunnel(LlTurnTlsTunnel *t)
{
  g_autoptr(GError) error = NULL;
  GSocket *s = g_socket_new(G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP,
                            &error);
  g_assert_no_error(error);
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback(G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) a = g_inet_socket_address_new(loopback, ll_turn_tls_tunnel_port(t));
  g_assert_true(g_socket_connect(s, a, NULL, &error));
  g_socket_set_blocking(s, FALSE);
  return s;
}

/* TRUE once the tunnel closed S (end of stream or reset), spinning the
 * main loop meanwhile, for at most MS. */
static gboolean closed_within(GSocket *s, guint ms)
{
  for (guint waited = 0; waited < ms; waited += 10) {
    char byte;
    g_autoptr(GError) error = NULL;
    gssize n = g_socket_receive(s, &byte, 1, NULL, &error);
    if (n == 0 || (n < 0 && !g_error_matches(error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK)))
      return TRUE;
    spin(10);
  }
  return FALSE;
}

static void test_untrusted_relay_is_refused(void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *pem = ll_identity_generate_pem(&error);
  g_assert_no_error(error);
  g_autoptr(GTlsCertificate) self_signed = g_tls_certificate_new_from_pem(pem, -1, &error);
  g_assert_no_error(error);
  FakeRelay relay;
  fake_relay_start(&relay, self_signed);
  LlTurnTlsTunnel *t = ll_turn_tls_tunnel_new("127.0.0.1", relay.port, &error);
  g_assert_no_error(error);
  GSocket *client = connect_to_tunnel(t);
  g_assert_cmpint(g_socket_send(client, "allocate", 8, NULL, NULL), ==, 8);
  g_assert_true(closed_within(client, 5000));
  g_assert_false(relay.handshake_done);   /* the tunnel gave up in the handshake */
  g_object_unref(client);
  ll_turn_tls_tunnel_free(t);
  fake_relay_stop(&relay);
}

static void test_limit_and_free(void)
{
  FakeRelay relay;
  fake_relay_start(&relay, NULL);
  g_autoptr(GError) error = NULL;
  LlTurnTlsTunnel *t = ll_turn_tls_tunnel_new("127.0.0.1", relay.port, &error);
  g_assert_no_error(error);
  GSocket *clients[9];
  for (int i = 0; i < 8; i++)
    clients[i] = connect_to_tunnel(t);
  gboolean all_reached = FALSE;
  while (!all_reached) {
    spin(10);
    all_reached = relay.held->len == 8;
  }
  clients[8] = connect_to_tunnel(t);
  g_assert_true(closed_within(clients[8], 2000));   /* one too many: closed at once */
  g_assert_cmpuint(relay.held->len, ==, 8);
  for (int i = 0; i < 8; i++)
    g_assert_false(closed_within(clients[i], 10));  /* still waiting for the relay */
  ll_turn_tls_tunnel_free(t);                        /* mid-handshake, all of them */
  for (int i = 0; i < 8; i++)
    g_assert_true(closed_within(clients[i], 2000));
  for (int i = 0; i < 9; i++)
    g_object_unref(clients[i]);
  spin(50);   /* the links' last callbacks */
  fake_relay_stop(&relay);
}

int main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/turn-tls-tunnel/untrusted-relay", test_untrusted_relay_is_refused);
  g_test_add_func("/turn-tls-tunnel/limit-and-free", test_limit_and_free);
  return g_test_run();
}

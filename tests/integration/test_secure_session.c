/* The session between a real novice host and a real helper join on
 * loopback, plus hand-made hostile peers: every refusal the first slice
 * promises, checked from both sides. No display is needed: these tests
 * stop before any screen stream opens. */
#include "common/error.h"
#include "common/framing.h"
#include "common/identity.h"
#include "common/invitation.h"
#include "common/secret_proof.h"
#include "helper/helper_join.h"
#include "net/tls_channel.h"
#include "novice/novice_host.h"
#include "main_loop_wait.h"
#include "session_fixture.h"
#include <sodium.h>
#include <string.h>


/* ---- a well-behaved helper ---- */

static void test_accepted_then_spent(void)
{
  Novice n = { .answer = TRUE };
  novice_start_now(&n);
  Helper first = { 0 };
  helper_start(&first, &n, NULL);
  run_until(&first.ready);
  g_assert_true(first.waiting);
  g_assert_cmpint(n.asks, ==, 1);

  /* The same invitation a second time: refused without asking. */
  Helper second = { 0 };
  helper_start(&second, &n, NULL);
  run_until(&second.finished);
  g_assert_error(second.result, LL_ERROR, LL_ERROR_REFUSED);
  g_assert_nonnull(strstr(second.result->message, "already used"));
  g_assert_cmpint(n.asks, ==, 1);

  /* The first helper leaves: the novice's session is over. */
  ll_helper_join_stop(first.join, "Bob left");
  run_until(&n.host_finished);
  run_until(&first.finished);
  g_assert_no_error(first.result);
  helper_stop(&first);
  helper_stop(&second);
  novice_stop(&n);
}

/* The session measures its round trip with pings: on loopback it is
 * known within two heartbeats and far under a second. */
static void test_round_trip_measured(void)
{
  Novice n = { .answer = TRUE };
  novice_start_now(&n);
  Helper h = { 0 };
  helper_start(&h, &n, NULL);
  run_until(&h.ready);
  gint64 deadline = g_get_monotonic_time() + 3 * G_USEC_PER_SEC;
  while (ll_helper_join_rtt_ms(h.join) < 0 && g_get_monotonic_time() < deadline)
    spin(50);
  gint64 rtt = ll_helper_join_rtt_ms(h.join);
  g_test_message("round trip: %" G_GINT64_FORMAT " ms", rtt);
  g_assert_cmpint(rtt, >=, 0);
  g_assert_cmpint(rtt, <, 1000);
  ll_helper_join_stop(h.join, "Bob left");
  run_until(&h.finished);
  run_until(&n.host_finished);
  helper_stop(&h);
  novice_stop(&n);
}

static void test_novice_says_no(void)
{
  Novice n = { .answer = FALSE };
  novice_start_now(&n);
  Helper h = { 0 };
  helper_start(&h, &n, NULL);
  run_until(&h.finished);
  g_assert_false(h.ready);
  g_assert_error(h.result, LL_ERROR, LL_ERROR_REFUSED);
  g_assert_cmpstr(h.result->message, ==, "Alice said no");
  helper_stop(&h);
  novice_stop(&n);
}

static void test_novice_stops_helper_told(void)
{
  Novice n = { .answer = TRUE };
  novice_start_now(&n);
  Helper h = { 0 };
  helper_start(&h, &n, NULL);
  run_until(&h.ready);
  ll_novice_host_stop(n.host, "Alice stopped sharing the screen");
  run_until(&h.finished);
  g_assert_error(h.result, LL_ERROR, LL_ERROR_CLOSED);
  g_assert_cmpstr(h.result->message, ==, "Alice stopped sharing the screen");
  run_until(&n.host_finished);
  helper_stop(&h);
  novice_stop(&n);
}

/* ---- refusals ---- */

static void test_wrong_secret_refused_before_asking(void)
{
  Novice n = { .answer = TRUE };
  novice_start_now(&n);
  g_autoptr(LlInvitation) inv = helper_copy(&n);
  inv->secret[0] ^= 0x01;
  Helper h = { 0 };
  helper_start(&h, &n, inv);
  run_until(&h.finished);
  g_assert_error(h.result, LL_ERROR, LL_ERROR_REFUSED);
  g_assert_cmpint(n.asks, ==, 0);
  g_assert_cmpint(n.refusals, ==, 1);
  g_assert_cmpstr(n.last_refusal, ==, "wrong invitation secret");
  helper_stop(&h);
  novice_stop(&n);
}

static void test_wrong_key_refused_by_helper(void)
{
  Novice n = { .answer = TRUE };
  novice_start_now(&n);
  g_autoptr(LlInvitation) inv = helper_copy(&n);
  inv->fingerprint[5] ^= 0x80;   /* a man in the middle would have another key */
  Helper h = { 0 };
  helper_start(&h, &n, inv);
  run_until(&h.finished);
  g_assert_error(h.result, LL_ERROR, LL_ERROR_WRONG_KEY);
  g_assert_nonnull(strstr(h.result->message, "not the one expected"));
  spin(200);
  /* No proof was sent: the novice never saw a hello. */
  g_assert_cmpint(n.asks, ==, 0);
  g_assert_cmpint(n.refusals, ==, 0);
  helper_stop(&h);
  novice_stop(&n);
}

static void test_expired_refused_by_novice(void)
{
  Novice n = { .answer = TRUE };
  gint64 now = g_get_real_time() / G_USEC_PER_SEC;
  novice_start(&n, now - 2 * 3600, 3600);
  g_autoptr(LlInvitation) inv = helper_copy(&n);
  inv->lifetime = 4 * 3600;      /* a helper whose copy claims longer */
  Helper h = { 0 };
  helper_start(&h, &n, inv);
  run_until(&h.finished);
  g_assert_error(h.result, LL_ERROR, LL_ERROR_REFUSED);
  g_assert_nonnull(strstr(h.result->message, "expired at"));
  g_assert_cmpint(n.asks, ==, 0);
  helper_stop(&h);
  novice_stop(&n);
}

static void test_expired_refused_by_helper(void)
{
  Novice n = { .answer = TRUE };
  novice_start_now(&n);
  g_autoptr(LlInvitation) inv = helper_copy(&n);
  inv->created -= 2 * 3600;
  g_autoptr(GError) error = NULL;
  LlHelperJoin *j = ll_helper_join_new(n.helper_id, inv, "Bob", &helper_events, NULL);
  g_assert_false(ll_helper_join_start(j, 0, &error));
  g_assert_error(error, LL_ERROR, LL_ERROR_EXPIRED);
  ll_helper_join_free(j);
  novice_stop(&n);
}

/* ---- hostile peers, played from a thread with blocking I/O ---- */

typedef struct {
  guint16 port;
  const guint8 *pin;
  GTlsCertificate *identity;
  GBytes *to_send;          /* raw bytes after the handshake */
  const LlInvitation *invitation;   /* when set: send a valid hello first */
  gboolean got_eof;         /* the novice closed on us */
  gsize bytes_before_eof;
  gint done;
} RawHelper;

static GBytes *hello_frame(const LlInvitation *inv, GTlsConnection *tls)
{
  g_autoptr(LlControlMessage) hello = ll_control_message_new(LL_MSG_HELLO);
  hello->version = LL_PROTOCOL_VERSION;
  hello->name = g_strdup("Bob");
  hello->session_id = g_strdup(inv->session_id);
  g_assert_true(ll_tls_prove(tls, inv->secret, inv->session_id, hello->proof, NULL));
  g_autoptr(GBytes) payload = ll_control_message_encode(hello);
  return ll_frame_encode(LL_CHANNEL_CONTROL, g_bytes_get_data(payload, NULL),
                         g_bytes_get_size(payload));
}

static gboolean accept_any_server(GTlsConnection *conn, GTlsCertificate *cert,
                                  GTlsCertificateFlags errors, gpointer data)
{
  (void)conn; (void)cert; (void)errors; (void)data;
  return TRUE;
}

/* TLS with no client certificate at all. */
static GTlsConnection *keyless_client(GIOStream *base)
{
  GIOStream *tls = g_tls_client_connection_new(base, NULL, NULL);
  g_assert_nonnull(tls);
  g_tls_connection_set_database(G_TLS_CONNECTION(tls), NULL);
  g_signal_connect(tls, "accept-certificate", G_CALLBACK(accept_any_server), NULL);
  return G_TLS_CONNECTION(tls);
}

static gpointer raw_helper_thread(gpointer data)
{
  RawHelper *r = data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GSocketClient) client = g_socket_client_new();
  g_socket_client_set_enable_proxy(client, FALSE);
  g_autoptr(GSocketConnection) conn =
      g_socket_client_connect_to_host(client, "127.0.0.1", r->port, NULL, &error);
  g_assert_no_error(error);
  LlKeyPin pin;
  ll_key_pin_full(&pin, r->pin);
  g_autoptr(GTlsConnection) tls = r->identity != NULL
      ? ll_tls_client_new(G_IO_STREAM(conn), r->identity, &pin, &error)
      : keyless_client(G_IO_STREAM(conn));
  if (!g_tls_connection_handshake(tls, NULL, &error)) {
    g_assert_null(r->identity);   /* only a helper without a key is refused here */
    r->got_eof = TRUE;
    g_atomic_int_set(&r->done, 1);
    g_main_context_wakeup(NULL);
    return NULL;
  }
  GOutputStream *out = g_io_stream_get_output_stream(G_IO_STREAM(tls));
  if (r->invitation != NULL) {
    g_autoptr(GBytes) hello = hello_frame(r->invitation, tls);
    g_output_stream_write_all(out, g_bytes_get_data(hello, NULL), g_bytes_get_size(hello), NULL,
                              NULL, &error);
  }
  g_output_stream_write_all(out, g_bytes_get_data(r->to_send, NULL), g_bytes_get_size(r->to_send),
                            NULL, NULL, NULL);
  g_clear_error(&error);   /* a write the novice cut short is not the point here */
  /* Read until the novice hangs up (or 10 s pass). */
  g_socket_set_timeout(g_socket_connection_get_socket(conn), 10);
  guint8 buf[4096];
  gssize n;
  while ((n = g_input_stream_read(g_io_stream_get_input_stream(G_IO_STREAM(tls)), buf, sizeof buf,
                                  NULL, &error)) > 0)
    r->bytes_before_eof += n;
  r->got_eof = !g_error_matches(error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT);
  g_atomic_int_set(&r->done, 1);
  g_main_context_wakeup(NULL);
  return NULL;
}

static void run_raw_helper(RawHelper *r)
{
  GThread *t = g_thread_new("raw-helper", raw_helper_thread, r);
  /* The novice needs its main loop while the thread talks to it. */
  while (!g_atomic_int_get(&r->done))
    g_main_context_iteration(NULL, TRUE);
  g_thread_join(t);
}

static void assert_listener_still_works(Novice *n)
{
  Helper h = { 0 };
  helper_start(&h, n, NULL);
  run_until(&h.ready);
  helper_stop(&h);
}

static void check_hostile_bytes(const guint8 *bytes, gsize len, gboolean with_hello)
{
  Novice n = { .answer = TRUE };
  novice_start_now(&n);
  RawHelper r = { .port = n.port, .pin = n.novice_id->fingerprint,
                  .identity = n.helper_id->certificate, .to_send = g_bytes_new(bytes, len),
                  .invitation = with_hello ? n.invitation : NULL };
  run_raw_helper(&r);
  g_assert_true(r.got_eof);
  g_bytes_unref(r.to_send);
  /* Nothing of a session was granted, and the port still serves others. */
  g_assert_cmpint(n.asks, ==, 0);
  assert_listener_still_works(&n);
  g_assert_cmpint(n.asks, ==, 1);
  novice_stop(&n);
}

static void test_oversized_frame_from_helper(void)
{
  const guint8 huge[] = { LL_CHANNEL_CONTROL, 0x7f, 0xff, 0xff, 0xff, 'x' };
  check_hostile_bytes(huge, sizeof huge, FALSE);
}

static void test_malformed_control_from_helper(void)
{
  const guint8 junk[] = { LL_CHANNEL_CONTROL, 0, 0, 0, 4, 0xde, 0xad, 0xbe, 0xef };
  check_hostile_bytes(junk, sizeof junk, FALSE);
}

static void test_unknown_channel_from_helper(void)
{
  const guint8 junk[] = { 77, 0, 0, 0, 1, 0 };
  check_hostile_bytes(junk, sizeof junk, FALSE);
}

/* A helper with the invitation's secret but no identity key (no TLS
 * client certificate) is refused before the novice is asked. */
static void test_helper_without_key_refused(void)
{
  Novice n = { .answer = TRUE };
  novice_start_now(&n);
  RawHelper r = { .port = n.port, .pin = n.novice_id->fingerprint, .identity = NULL,
                  .to_send = g_bytes_new(NULL, 0), .invitation = n.invitation };
  run_raw_helper(&r);
  g_assert_true(r.got_eof);
  g_assert_cmpuint(r.bytes_before_eof, ==, 0);
  g_bytes_unref(r.to_send);
  g_assert_cmpint(n.asks, ==, 0);
  assert_listener_still_works(&n);
  g_assert_cmpint(n.asks, ==, 1);
  novice_stop(&n);
}

static void test_active_session_survives_hostile_peer(void)
{
  Novice n = { .answer = TRUE };
  novice_start_now(&n);
  Helper good = { 0 };
  helper_start(&good, &n, NULL);
  run_until(&good.ready);
  const guint8 huge[] = { LL_CHANNEL_RFB, 0xff, 0xff, 0xff, 0xff };
  RawHelper r = { .port = n.port, .pin = n.novice_id->fingerprint,
                  .identity = n.helper_id->certificate, .to_send = g_bytes_new(huge, sizeof huge) };
  run_raw_helper(&r);
  g_assert_true(r.got_eof);
  g_bytes_unref(r.to_send);
  spin(200);
  g_assert_false(good.finished);
  g_assert_false(n.host_finished);
  helper_stop(&good);
  novice_stop(&n);
}

static void test_stream_before_consent_closes_session(void)
{
  /* A valid hello, then an attempt to open a screen stream while the
   * novice is still being asked: the session is closed, the question
   * withdrawn, and the screen never opened. */
  Novice n = { .never_answer = TRUE };
  novice_start_now(&n);
  g_autoptr(LlControlMessage) open = ll_control_message_new(LL_MSG_STREAM_OPEN);
  open->stream_id = 1;
  g_autoptr(GBytes) payload = ll_control_message_encode(open);
  g_autoptr(GBytes) frame = ll_frame_encode(LL_CHANNEL_CONTROL, g_bytes_get_data(payload, NULL),
                                            g_bytes_get_size(payload));
  RawHelper r = { .port = n.port, .pin = n.novice_id->fingerprint,
                  .identity = n.helper_id->certificate, .to_send = frame,
                  .invitation = n.invitation };
  run_raw_helper(&r);
  g_assert_true(r.got_eof);
  /* All it ever received was the "waiting" message: no goodbye, no
   * screen, just the connection cut for the violation. */
  g_autoptr(LlControlMessage) waiting = ll_control_message_new(LL_MSG_WAITING);
  g_autoptr(GBytes) waiting_payload = ll_control_message_encode(waiting);
  g_assert_cmpuint(r.bytes_before_eof, ==, LL_FRAME_HEADER_BYTES + g_bytes_get_size(waiting_payload));
  spin(100);
  g_assert_cmpint(n.asks, ==, 1);
  g_assert_cmpint(n.withdrawn, ==, 1);
  novice_stop(&n);
}

static void test_hello_timeout_is_not_needed_for_others(void)
{
  /* A peer that connects and says nothing does not block a real helper. */
  Novice n = { .answer = TRUE };
  novice_start_now(&n);
  g_autoptr(GSocketClient) client = g_socket_client_new();
  g_autoptr(GSocketConnection) idle =
      g_socket_client_connect_to_host(client, "127.0.0.1", n.port, NULL, NULL);
  g_assert_nonnull(idle);
  assert_listener_still_works(&n);
  novice_stop(&n);
}

/* ---- a flood of idle connections ---- */

#define IDLE_CONNECTIONS 200

/* A connection from 127.0.X.Y to the novice that never says a word. The
 * connect does not wait: the kernel completes it in the listener's
 * backlog (256) whether or not the novice has accepted yet. */
static GSocket *idle_connection(int i, guint16 port)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSocket) s = g_socket_new(G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM,
                                      G_SOCKET_PROTOCOL_TCP, &error);
  g_assert_no_error(error);
  g_autofree char *ip = g_strdup_printf("127.0.%d.%d", 1 + i / 250, 2 + i % 250);
  g_autoptr(GInetAddress) from = g_inet_address_new_from_string(ip);
  g_autoptr(GSocketAddress) here = g_inet_socket_address_new(from, 0);
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback(G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) there = g_inet_socket_address_new(loopback, port);
  g_assert_true(g_socket_bind(s, here, FALSE, &error));
  g_socket_set_blocking(s, FALSE);
  if (!g_socket_connect(s, there, NULL, &error))
    g_assert_error(error, G_IO_ERROR, G_IO_ERROR_PENDING);
  return g_steal_pointer(&s);
}

static void test_idle_flood_starves_nobody(void)
{
  /* 200 idle connections from 200 addresses, made before the helper's,
   * fill every pending place many times over; the helper still gets in
   * (without making room it was refused until idle ones timed out), and
   * the novice is asked once. */
  Novice n = { .answer = TRUE };
  novice_start_now(&n);
  g_autoptr(GPtrArray) idle = g_ptr_array_new_with_free_func(g_object_unref);
  for (int i = 0; i < IDLE_CONNECTIONS; i++)
    g_ptr_array_add(idle, idle_connection(i, n.port));
  gint64 start = g_get_monotonic_time();
  Helper h = { 0 };
  helper_start(&h, &n, NULL);
  run_until(&h.ready);
  g_assert_true(h.ready);
  g_assert_cmpint(n.asks, ==, 1);
  g_test_message("a helper behind %d idle connections was ready in %" G_GINT64_FORMAT " ms",
                 IDLE_CONNECTIONS, (g_get_monotonic_time() - start) / 1000);
  helper_stop(&h);
  novice_stop(&n);
}

/* ---- forged resumes ---- */

static GBytes *forged_resume_frame(const LlInvitation *inv)
{
  g_autoptr(LlControlMessage) resume = ll_control_message_new(LL_MSG_RESUME);
  resume->session_id = g_strdup(inv->session_id);
  randombytes_buf(resume->proof, sizeof resume->proof);
  g_autoptr(GBytes) payload = ll_control_message_encode(resume);
  return ll_frame_encode(LL_CHANNEL_CONTROL, g_bytes_get_data(payload, NULL),
                         g_bytes_get_size(payload));
}

static void forge_resume(Novice *n, GTlsCertificate *identity, const char *expected_refusal)
{
  int refusals = n->refusals;
  RawHelper r = { .port = n->port, .pin = n->novice_id->fingerprint, .identity = identity,
                  .to_send = forged_resume_frame(n->invitation) };
  run_raw_helper(&r);
  g_assert_true(r.got_eof);
  g_assert_cmpuint(r.bytes_before_eof, >, 0);   /* told no, not just cut */
  g_bytes_unref(r.to_send);
  g_assert_cmpint(n->refusals, ==, refusals + 1);
  g_assert_cmpstr(n->last_refusal, ==, expected_refusal);
}

static void test_forged_resume_refused(void)
{
  /* Someone who is not the accepted helper, or is but lacks the resume
   * token, cannot take the session over; the real one never notices. */
  Novice n = { .answer = TRUE };
  novice_start_now(&n);
  Helper good = { 0 };
  helper_start(&good, &n, NULL);
  run_until(&good.ready);
  forge_resume(&n, n.helper_id->certificate, "wrong resume proof");
  g_autofree char *other_dir = g_build_filename(n.dir, "mallory", NULL);
  g_autoptr(LlIdentity) mallory = ll_identity_load_or_create(other_dir, NULL);
  forge_resume(&n, mallory->certificate, "resume from another helper's key");
  g_autoptr(GError) error = NULL;
  g_assert_true(ll_helper_join_send_chat(good.join, "still here", &error));
  while (n.chats->len == 0)
    g_main_context_iteration(NULL, TRUE);
  g_assert_cmpstr(g_ptr_array_index(n.chats, 0), ==, "still here");
  g_assert_cmpint(n.interruptions, ==, 0);
  g_assert_false(good.finished);
  helper_stop(&good);
  novice_stop(&n);
}

static void test_resume_before_accept_refused(void)
{
  Novice n = { .answer = TRUE };
  novice_start_now(&n);
  forge_resume(&n, n.helper_id->certificate, "resume of a session not running");
  g_assert_cmpint(n.asks, ==, 0);
  assert_listener_still_works(&n);
  novice_stop(&n);
}

/* ---- a hostile novice ---- */

typedef struct {
  GSocketListener *listener;
  GTlsCertificate *identity;
  GBytes *to_send;
} RawNovice;

static gpointer raw_novice_thread(gpointer data)
{
  RawNovice *r = data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GSocketConnection) conn = g_socket_listener_accept(r->listener, NULL, NULL, &error);
  g_assert_no_error(error);
  g_autoptr(GTlsConnection) tls = ll_tls_server_new(G_IO_STREAM(conn), r->identity, &error);
  if (!g_tls_connection_handshake(tls, NULL, &error))
    return NULL;
  g_output_stream_write_all(g_io_stream_get_output_stream(G_IO_STREAM(tls)),
                            g_bytes_get_data(r->to_send, NULL), g_bytes_get_size(r->to_send),
                            NULL, NULL, NULL);
  guint8 buf[4096];
  while (g_input_stream_read(g_io_stream_get_input_stream(G_IO_STREAM(tls)), buf, sizeof buf, NULL,
                             NULL) > 0)
    ;
  return NULL;
}

static void test_oversized_frame_from_novice(void)
{
  Novice n = { 0 };
  novice_start_now(&n);
  /* A fake novice with the right key on another port. */
  RawNovice r = { .listener = g_socket_listener_new(), .identity = n.novice_id->certificate };
  const guint8 huge[] = { LL_CHANNEL_RFB, 0xff, 0xff, 0xff, 0xf0 };
  r.to_send = g_bytes_new_static(huge, sizeof huge);
  guint16 port = g_socket_listener_add_any_inet_port(r.listener, NULL, NULL);
  GThread *t = g_thread_new("raw-novice", raw_novice_thread, &r);
  g_autoptr(LlInvitation) inv = helper_copy(&n);
  g_ptr_array_set_size(inv->endpoints, 0);
  g_autofree char *endpoint = g_strdup_printf("127.0.0.1:%u", port);
  ll_invitation_add_endpoint(inv, endpoint);
  Helper h = { 0 };
  helper_start(&h, &n, inv);
  run_until(&h.finished);
  g_assert_error(h.result, LL_ERROR, LL_ERROR_PROTOCOL);
  g_assert_nonnull(strstr(h.result->message, "exceeds its limit"));
  helper_stop(&h);
  g_thread_join(t);
  g_socket_listener_close(r.listener);
  g_object_unref(r.listener);
  g_bytes_unref(r.to_send);
  novice_stop(&n);
}

int main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  /* Hostile peers make the code under test log warnings on purpose. */
  g_log_set_always_fatal(G_LOG_FATAL_MASK | G_LOG_LEVEL_CRITICAL);
  g_assert_cmpint(sodium_init(), >=, 0);
  g_test_add_func("/session/accepted-then-spent", test_accepted_then_spent);
  g_test_add_func("/session/round-trip-measured", test_round_trip_measured);
  g_test_add_func("/session/novice-says-no", test_novice_says_no);
  g_test_add_func("/session/novice-stops-helper-told", test_novice_stops_helper_told);
  g_test_add_func("/session/wrong-secret", test_wrong_secret_refused_before_asking);
  g_test_add_func("/session/wrong-key", test_wrong_key_refused_by_helper);
  g_test_add_func("/session/expired-refused-by-novice", test_expired_refused_by_novice);
  g_test_add_func("/session/expired-refused-by-helper", test_expired_refused_by_helper);
  g_test_add_func("/session/oversized-frame-from-helper", test_oversized_frame_from_helper);
  g_test_add_func("/session/malformed-control-from-helper", test_malformed_control_from_helper);
  g_test_add_func("/session/unknown-channel-from-helper", test_unknown_channel_from_helper);
  g_test_add_func("/session/active-survives-hostile-peer", test_active_session_survives_hostile_peer);
  g_test_add_func("/session/helper-without-key-refused", test_helper_without_key_refused);
  g_test_add_func("/session/stream-before-consent", test_stream_before_consent_closes_session);
  g_test_add_func("/session/oversized-frame-from-novice", test_oversized_frame_from_novice);
  g_test_add_func("/session/forged-resume-refused", test_forged_resume_refused);
  g_test_add_func("/session/resume-before-accept-refused", test_resume_before_accept_refused);
  g_test_add_func("/session/silent-peer-blocks-nobody", test_hello_timeout_is_not_needed_for_others);
  g_test_add_func("/session/idle-flood-starves-nobody", test_idle_flood_starves_nobody);
  return g_test_run();
}

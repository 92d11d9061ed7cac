/* The rendezvous server against well-behaved and hostile clients, in one
 * process on loopback: mailboxes, forwarding, and every limit. */
#include "common/signal_message.h"
#include <glib/gstdio.h>
#include "common/fingerprint.h"
#include "common/identity.h"
#include "common/error.h"
#include "common/pairing_code.h"
#include "net/rendezvous_client.h"
#include "rendezvous/rendezvous_server.h"
#include "rendezvous/turn_credentials.h"
#include <libsoup/soup.h>
#include <string.h>
#include <sys/resource.h>
#include "main_loop_wait.h"
#include "rendezvous_side.h"

#define WAIT_MS 5000

static void run_until(const gboolean *condition)
{
  wait_until(condition, WAIT_MS);
}

/* upgrade_s: how long a connection may take to become a WebSocket; on
 * *PORT (0: any). */
static LlRendezvousServer *start_server_upgrading_within(guint16 *port, guint upgrade_s)
{
  LlRendezvousConfig config;
  ll_rendezvous_config_defaults(&config);
  config.upgrade_timeout_s = upgrade_s;
  config.listen_address = "127.0.0.1";
  config.port = *port;
  config.max_connections_per_address = 8;
  config.messages_per_second = 20;
  config.message_burst = 40;
  config.turn_host = "127.0.0.1";
  config.turn_port = 3478;
  config.turn_secret = "secret";
  config.turn_secret_len = 6;
  config.turn_ttl = 600;
  /* A thread for each connection, at most four: everything passing
   * between two connections crosses threads, and the fifth shares. */
  config.connections_per_thread = 1;
  config.most_connection_threads = 4;
  g_autoptr(GError) error = NULL;
  LlRendezvousServer *s = ll_rendezvous_server_new(&config, &error);
  g_assert_no_error(error);
  *port = ll_rendezvous_server_port(s);
  return s;
}

static LlRendezvousServer *start_server(guint16 *port)
{
  *port = 0;
  return start_server_upgrading_within(port, 10);
}

/* Again on the PORT an earlier one had. */
static LlRendezvousServer *start_server_on(guint16 port)
{
  return start_server_upgrading_within(&port, 10);
}

static LlRendezvousServer *start_code_server(guint16 *port, double claims_per_minute,
                                             gint64 code_lifetime)
{
  LlRendezvousConfig config;
  ll_rendezvous_config_defaults(&config);
  config.listen_address = "127.0.0.1";
  config.claims_per_address_per_minute = claims_per_minute;
  config.max_code_lifetime = code_lifetime;
  config.connections_per_thread = 1;
  g_autoptr(GError) error = NULL;
  LlRendezvousServer *s = ll_rendezvous_server_new(&config, &error);
  g_assert_no_error(error);
  *port = ll_rendezvous_server_port(s);
  return s;
}

/* ---- well-behaved clients through the real client code ---- */

static void test_mailbox_and_forwarding(void)
{
  guint16 port;
  LlRendezvousServer *server = start_server(&port);
  g_autofree char *url = url_for(port);
  Side novice = { 0 }, helper = { 0 }, intruder = { 0 };
  LlRendezvousClient *n = ll_rendezvous_client_new(url, &side_events, &novice);
  ll_rendezvous_client_open(n, 3600);
  run_until((gboolean *)&novice.mailbox);
  g_assert_cmpuint(strlen(novice.mailbox), >=, 20);   /* 128 random bits */
  g_assert_cmpstr(novice.ice.stun_host, ==, "127.0.0.1");
  g_assert_cmpuint(novice.ice.stun_port, ==, port);
  g_assert_cmpstr(novice.ice.turn_host, ==, "127.0.0.1");
  /* The TURN password is coturn's REST scheme over the user name. */
  g_autofree char *user = NULL, *password = NULL;
  gint64 expiry = g_ascii_strtoll(novice.ice.turn_username, NULL, 10);
  ll_turn_credentials_make("secret", 6, expiry - 600, 600, "lifeline", &user, &password);
  g_assert_cmpstr(user, ==, novice.ice.turn_username);
  g_assert_cmpstr(password, ==, novice.ice.turn_password);
  g_assert_cmpint(expiry - g_get_real_time() / G_USEC_PER_SEC, <=, 600);

  LlRendezvousClient *h = ll_rendezvous_client_new(url, &side_events, &helper);
  ll_rendezvous_client_join(h, novice.mailbox);
  run_until((gboolean *)&helper.peer);
  run_until((gboolean *)&novice.last_peer_seen);
  g_assert_cmpuint(novice.last_peer_seen, ==, helper.peer);

  /* Both ways. */
  g_autoptr(LlSignalMessage) to_novice = candidate("candidate:1 1 UDP 1 10.0.0.1 5000 typ host");
  ll_rendezvous_client_send_signal(h, 0, to_novice);
  run_until((gboolean *)&novice.last_candidate);
  g_assert_cmpuint(novice.last_signal_peer, ==, helper.peer);
  g_autoptr(LlSignalMessage) to_helper = candidate("candidate:2 1 UDP 1 10.0.0.2 6000 typ host");
  ll_rendezvous_client_send_signal(n, helper.peer, to_helper);
  run_until((gboolean *)&helper.last_candidate);
  g_assert_cmpstr(helper.last_candidate, ==, "candidate:2 1 UDP 1 10.0.0.2 6000 typ host");

  /* A third party joining the mailbox gets its own peer id and hears
   * nothing meant for the first helper. */
  LlRendezvousClient *x = ll_rendezvous_client_new(url, &side_events, &intruder);
  ll_rendezvous_client_join(x, novice.mailbox);
  run_until((gboolean *)&intruder.peer);
  g_assert_cmpuint(intruder.peer, !=, helper.peer);
  g_assert_cmpuint(ll_rendezvous_server_connection_threads(server), ==, 3);
  g_autoptr(LlSignalMessage) again = candidate("candidate:3 1 UDP 1 10.0.0.3 7000 typ host");
  ll_rendezvous_client_send_signal(n, helper.peer, again);
  spin(200);
  g_assert_cmpint(intruder.signals, ==, 0);
  /* Nor can it pose as the first helper: what it sends carries its own id. */
  int before = novice.signals;
  g_autoptr(LlSignalMessage) forged = candidate("candidate:4 1 UDP 1 6.6.6.6 666 typ host");
  forged->has_peer = TRUE;
  forged->peer = helper.peer;
  ll_rendezvous_client_send_signal(x, helper.peer, forged);
  while (novice.signals == before)
    g_main_context_iteration(NULL, TRUE);
  g_assert_cmpuint(novice.last_signal_peer, ==, intruder.peer);
  g_assert_false(helper.closed);

  ll_rendezvous_client_free(x);
  ll_rendezvous_client_free(h);
  ll_rendezvous_client_free(n);
  side_clear(&novice); side_clear(&helper); side_clear(&intruder);
  ll_rendezvous_server_free(server);
}

/* A host keeps its id while it renews its relay credentials: the same
 * mailbox, fresh credentials, and a second host cannot take the id. */
static void test_host_registration_and_renewal(void)
{
  guint16 port;
  LlRendezvousServer *server = start_server(&port);
  g_autofree char *url = url_for(port);
  g_autofree char *dir = g_dir_make_tmp("lifeline-rdv-XXXXXX", NULL);
  g_autoptr(LlIdentity) key = identity_in(dir, "host");
  g_autoptr(LlIdentity) other_key = identity_in(dir, "squatter");
  g_autofree char *host_id = ll_host_id_of(key->fingerprint);
  g_autofree char *spaced = g_ascii_strup(host_id, -1);   /* typed another way */
  g_strdelimit(spaced, "-", ' ');
  Side host = { 0 }, squatter = { 0 }, helper = { 0 };
  LlRendezvousClient *hc = ll_rendezvous_client_new(url, &side_events, &host);
  ll_rendezvous_client_register(hc, spaced, key);
  run_until((gboolean *)&host.mailbox);
  g_assert_cmpstr(host.mailbox, ==, host_id);
  g_autofree char *first_user = g_strdup(host.ice.turn_username);
  spin(1100);   /* TURN user names carry an expiry in seconds */
  ll_rendezvous_client_renew(hc);
  while (host.opened < 2)
    spin(20);
  g_assert_cmpstr(host.mailbox, ==, host_id);
  g_assert_cmpstr(host.ice.turn_username, !=, first_user);
  /* Without the key: refused, and the host keeps its id. */
  LlRendezvousClient *sc = ll_rendezvous_client_new(url, &side_events, &squatter);
  ll_rendezvous_client_register(sc, host_id, other_key);
  run_until(&squatter.closed);
  g_assert_nonnull(strstr(squatter.closed_why, "this host id belongs to another key"));
  LlRendezvousClient *h = ll_rendezvous_client_new(url, &side_events, &helper);
  ll_rendezvous_client_join(h, host_id);
  run_until((gboolean *)&helper.peer);
  g_assert_false(host.closed);
  /* The same key from a new connection (a host restarted): it takes the
   * id over, and the stale registration ends. */
  Side again = { 0 };
  LlRendezvousClient *ac = ll_rendezvous_client_new(url, &side_events, &again);
  ll_rendezvous_client_register(ac, host_id, key);
  run_until((gboolean *)&again.mailbox);
  run_until(&host.closed);
  g_assert_nonnull(strstr(host.closed_why, "registered again"));
  ll_rendezvous_client_free(ac);
  side_clear(&again);
  ll_rendezvous_client_free(h);
  ll_rendezvous_client_free(sc);
  ll_rendezvous_client_free(hc);
  side_clear(&host);
  side_clear(&squatter);
  side_clear(&helper);
  ll_rendezvous_server_free(server);
  rm_rf(dir);
}

/* ---- codes ---- */

static LlRendezvousClient *waiting_code(const char *url, Side *novice)
{
  LlRendezvousClient *c = ll_rendezvous_client_new(url, &side_events, novice);
  ll_rendezvous_client_open_code(c, 600);
  int *opened = &novice->opened;
  while (*opened == 0)
    g_main_context_iteration(NULL, TRUE);
  g_assert_true(ll_nameplate_is_valid(ll_rendezvous_client_nameplate(c)));
  return c;
}

static void test_code_claimed_once(void)
{
  guint16 port;
  LlRendezvousServer *server = start_code_server(&port, 100, 600);
  g_autofree char *url = url_for(port);
  Side novice = { 0 }, helper = { 0 };
  LlRendezvousClient *n = waiting_code(url, &novice);
  g_autofree char *nameplate = g_strdup(ll_rendezvous_client_nameplate(n));
  g_assert_cmpuint(strlen(nameplate), ==, 3);
  /* The mailbox's own id does not lead there: only the nameplate does. */
  claim_fails(url, "000000", LL_ERROR_NOT_WAITING, "no such code");
  Side by_id = { 0 };
  LlRendezvousClient *j = ll_rendezvous_client_new(url, &side_events, &by_id);
  ll_rendezvous_client_join(j, novice.mailbox);
  run_until(&by_id.closed);
  g_assert_cmpint(by_id.closed_code, ==, LL_ERROR_NOT_WAITING);
  ll_rendezvous_client_free(j);
  side_clear(&by_id);
  LlRendezvousClient *h = ll_rendezvous_client_new(url, &side_events, &helper);
  ll_rendezvous_client_claim(h, nameplate);
  /* Each end hears on a thread of its own: either may hear first. */
  while (novice.last_peer_seen == 0 || helper.peer == 0)
    g_main_context_iteration(NULL, TRUE);
  /* The PAKE's messages pass both ways. */
  g_autoptr(LlSignalMessage) a = ll_signal_message_new(LL_SIGNAL_SIGNAL);
  a->data_kind = LL_ICE_PAKE;
  a->pake = g_strdup("AQE");
  ll_rendezvous_client_send_signal(n, novice.last_peer_seen, a);
  while (helper.signals == 0)
    g_main_context_iteration(NULL, TRUE);
  g_assert_cmpstr(helper.last_pake, ==, "AQE");
  /* Burnt: the same nameplate again finds nobody, even while the first
   * helper is still there. */
  claim_fails(url, nameplate, LL_ERROR_NOT_WAITING, "no such code");
  ll_rendezvous_client_free(h);
  ll_rendezvous_client_free(n);
  side_clear(&novice);
  side_clear(&helper);
  ll_rendezvous_server_free(server);
}

static void test_code_claims_limited(void)
{
  guint16 port;
  LlRendezvousServer *server = start_code_server(&port, 3, 600);
  g_autofree char *url = url_for(port);
  for (int i = 0; i < 3; i++)
    claim_fails(url, "999999", LL_ERROR_NOT_WAITING, "no such code");
  claim_fails(url, "999999", LL_ERROR_REFUSED, "too many codes were tried");
  /* A novice's real code is out of reach too, for now. */
  Side novice = { 0 };
  LlRendezvousClient *n = waiting_code(url, &novice);
  claim_fails(url, ll_rendezvous_client_nameplate(n), LL_ERROR_REFUSED, "too many codes");
  g_assert_false(novice.closed);
  g_assert_cmpuint(novice.last_peer_seen, ==, 0);
  ll_rendezvous_client_free(n);
  side_clear(&novice);
  ll_rendezvous_server_free(server);
}

static void test_code_expires(void)
{
  guint16 port;
  LlRendezvousServer *server = start_code_server(&port, 100, 1);
  g_autofree char *url = url_for(port);
  Side novice = { 0 };
  LlRendezvousClient *n = waiting_code(url, &novice);
  g_autofree char *nameplate = g_strdup(ll_rendezvous_client_nameplate(n));
  run_until(&novice.closed);
  g_assert_cmpint(novice.closed_code, ==, LL_ERROR_EXPIRED);
  g_assert_nonnull(strstr(novice.closed_why, "code's time is over"));
  claim_fails(url, nameplate, LL_ERROR_NOT_WAITING, "no such code");
  ll_rendezvous_client_free(n);
  side_clear(&novice);
  ll_rendezvous_server_free(server);
}

static void test_unknown_mailbox(void)
{
  guint16 port;
  LlRendezvousServer *server = start_server(&port);
  g_autofree char *url = url_for(port);
  Side guess = { 0 };
  LlRendezvousClient *c = ll_rendezvous_client_new(url, &side_events, &guess);
  ll_rendezvous_client_join(c, "AAAAAAAAAAAAAAAAAAAAAA");
  run_until(&guess.closed);
  g_assert_nonnull(strstr(guess.closed_why, "no such invitation"));
  ll_rendezvous_client_free(c);
  side_clear(&guess);
  ll_rendezvous_server_free(server);
}

/* ---- hostile clients: raw WebSockets ---- */

typedef struct {
  SoupWebsocketConnection *ws;
  gboolean closed;
  gushort code;
} Raw;

static void raw_closed(SoupWebsocketConnection *ws, gpointer data)
{
  Raw *r = data;
  r->closed = TRUE;
  r->code = soup_websocket_connection_get_close_code(ws);
}

static void raw_connected(GObject *source, GAsyncResult *result, gpointer data)
{
  Raw *r = data;
  r->ws = soup_session_websocket_connect_finish(SOUP_SESSION(source), result, NULL);
  g_assert_nonnull(r->ws);
  g_signal_connect(r->ws, "closed", G_CALLBACK(raw_closed), r);
}

static void raw_connect(SoupSession *session, guint16 port, Raw *r)
{
  g_autofree char *url = url_for(port);
  g_autoptr(SoupMessage) msg = soup_message_new(SOUP_METHOD_GET, url);
  soup_session_websocket_connect_async(session, msg, NULL, NULL, G_PRIORITY_DEFAULT, NULL,
                                       raw_connected, r);
  run_until((gboolean *)&r->ws);
}

static void raw_free(Raw *r)
{
  if (r->ws != NULL) {
    g_signal_handlers_disconnect_by_data(r->ws, r);
    if (soup_websocket_connection_get_state(r->ws) == SOUP_WEBSOCKET_STATE_OPEN)
      soup_websocket_connection_close(r->ws, SOUP_WEBSOCKET_CLOSE_NORMAL, NULL);
    g_object_unref(r->ws);
  }
}

static void check_bystander_unaffected(guint16 port)
{
  g_autofree char *url = url_for(port);
  Side s = { 0 };
  LlRendezvousClient *c = ll_rendezvous_client_new(url, &side_events, &s);
  ll_rendezvous_client_open(c, 60);
  run_until((gboolean *)&s.mailbox);
  ll_rendezvous_client_free(c);
  side_clear(&s);
}

static void expect_closed_for(const char *what, void (*attack)(Raw *r))
{
  guint16 port;
  LlRendezvousServer *server = start_server(&port);
  g_autoptr(SoupSession) session = soup_session_new();
  Side bystander = { 0 };
  g_autofree char *url = url_for(port);
  LlRendezvousClient *b = ll_rendezvous_client_new(url, &side_events, &bystander);
  ll_rendezvous_client_open(b, 60);
  run_until((gboolean *)&bystander.mailbox);
  Raw r = { 0 };
  raw_connect(session, port, &r);
  attack(&r);
  run_until(&r.closed);
  g_test_message("%s: closed with code %u", what, r.code);
  spin(100);
  g_assert_false(bystander.closed);   /* the rest is unaffected */
  check_bystander_unaffected(port);
  raw_free(&r);
  ll_rendezvous_client_free(b);
  side_clear(&bystander);
  ll_rendezvous_server_free(server);
}

static void attack_oversized(Raw *r)
{
  g_autofree char *big = g_strnfill(LL_SIGNAL_MAX_BYTES * 4, 'x');
  soup_websocket_connection_send_text(r->ws, big);
}

static void attack_malformed(Raw *r)
{
  soup_websocket_connection_send_text(r->ws, "{\"type\": \"join\", \"mailbox\": 42}");
}

static void attack_not_json(Raw *r)
{
  soup_websocket_connection_send_text(r->ws, "GET / HTTP/1.0");
}

static void attack_binary(Raw *r)
{
  soup_websocket_connection_send_binary(r->ws, "\x00\x01", 2);
}

static void attack_flood(Raw *r)
{
  for (int i = 0; i < 500 && !r->closed; i++)
    soup_websocket_connection_send_text(r->ws, "{\"type\":\"signal\",\"peer\":1,\"data\":{\"done\":true}}");
}

static void attack_server_message(Raw *r)
{
  soup_websocket_connection_send_text(r->ws, "{\"type\":\"peer\",\"peer\":1}");
}

static void test_oversized(void) { expect_closed_for("oversized", attack_oversized); }
static void test_malformed(void) { expect_closed_for("malformed", attack_malformed); }
static void test_not_json(void) { expect_closed_for("not JSON", attack_not_json); }
static void test_binary(void) { expect_closed_for("binary", attack_binary); }
static void test_flood(void) { expect_closed_for("flood", attack_flood); }
static void test_server_message(void) { expect_closed_for("server-only message", attack_server_message); }

/* ---- a flood of connections that never upgrade ---- */

#define IDLE_SOCKETS 5000

typedef struct {
  guint16 port;
  GPtrArray *sockets;
  gint done;
} Idle;

/* From 127.1.0.0 on, 250 addresses with 20 connections each: more than
 * any address may keep waiting, and more than the server keeps at all. */
static gpointer idle_thread(gpointer data)
{
  Idle *f = data;
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback(G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) there = g_inet_socket_address_new(loopback, f->port);
  for (int i = 0; i < IDLE_SOCKETS; i++) {
    g_autoptr(GSocket) s = g_socket_new(G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM,
                                        G_SOCKET_PROTOCOL_TCP, NULL);
    g_assert_nonnull(s);
    g_autofree char *ip = g_strdup_printf("127.1.0.%d", 1 + i % 250);
    g_autoptr(GInetAddress) from = g_inet_address_new_from_string(ip);
    g_autoptr(GSocketAddress) here = g_inet_socket_address_new(from, 0);
    g_assert_true(g_socket_bind(s, here, FALSE, NULL));
    g_socket_set_timeout(s, 10);
    if (g_socket_connect(s, there, NULL, NULL))
      g_ptr_array_add(f->sockets, g_steal_pointer(&s));
  }
  g_atomic_int_set(&f->done, 1);
  g_main_context_wakeup(NULL);
  return NULL;
}

static void raise_file_limit(void)
{
  struct rlimit limit;
  g_assert_cmpint(getrlimit(RLIMIT_NOFILE, &limit), ==, 0);
  limit.rlim_cur = limit.rlim_max;
  g_assert_cmpint(setrlimit(RLIMIT_NOFILE, &limit), ==, 0);
  if (limit.rlim_cur < 3 * IDLE_SOCKETS)
    g_test_skip("the file limit is too low for this test");
}

static void test_idle_flood_before_upgrade(void)
{
  raise_file_limit();
  if (g_test_failed() || g_test_get_path() == NULL)
    return;
  guint16 port = 0;
  /* Long enough that only the limits, not the deadline, close any. */
  LlRendezvousServer *server = start_server_upgrading_within(&port, 600);
  Idle f = { .port = port, .sockets = g_ptr_array_new_with_free_func(g_object_unref) };
  GThread *t = g_thread_new("idle", idle_thread, &f);
  while (!g_atomic_int_get(&f.done))
    g_main_context_iteration(NULL, TRUE);
  g_thread_join(t);
  g_test_message("%u of %d idle connections were made", f.sockets->len, IDLE_SOCKETS);
  /* The server keeps at most its limit of them waiting: the rest it has
   * closed (each address past its share, then the oldest). */
  guint closed = 0;
  gint64 deadline = g_get_monotonic_time() + WAIT_MS * 1000;
  do {
    spin(50);
    closed = 0;
    for (guint i = 0; i < f.sockets->len; i++) {
      char byte;
      if (g_socket_receive_with_blocking(f.sockets->pdata[i], &byte, 1, FALSE, NULL, NULL) == 0)
        closed++;
    }
  } while (closed < IDLE_SOCKETS - 1024 && g_get_monotonic_time() < deadline);
  g_test_message("the server closed %u of them at once", closed);
  g_assert_cmpuint(closed, >=, IDLE_SOCKETS - 1024);
  /* A real host still registers, and is offered help. */
  g_autofree char *url = url_for(port);
  g_autofree char *dir = g_dir_make_tmp("lifeline-rdv-XXXXXX", NULL);
  g_autoptr(LlIdentity) key = identity_in(dir, "host");
  g_autofree char *host_id = ll_host_id_of(key->fingerprint);
  Side host = { 0 }, helper = { 0 };
  LlRendezvousClient *hc = ll_rendezvous_client_new(url, &side_events, &host);
  ll_rendezvous_client_register(hc, host_id, key);
  run_until((gboolean *)&host.mailbox);
  g_assert_cmpstr(host.mailbox, ==, host_id);
  LlRendezvousClient *h = ll_rendezvous_client_new(url, &side_events, &helper);
  ll_rendezvous_client_join(h, host_id);
  run_until((gboolean *)&helper.peer);
  run_until((gboolean *)&host.last_peer_seen);   /* the host is told of its helper */
  g_assert_cmpuint(host.last_peer_seen, ==, helper.peer);
  ll_rendezvous_client_free(h);
  ll_rendezvous_client_free(hc);
  side_clear(&host);
  side_clear(&helper);
  g_ptr_array_unref(f.sockets);
  ll_rendezvous_server_free(server);
  rm_rf(dir);
}

/* A connection that does not become a WebSocket in time is closed: one
 * silent, one that starts a request and never ends it. */
static void test_upgrade_deadline(void)
{
  guint16 port = 0;
  LlRendezvousServer *server = start_server_upgrading_within(&port, 1);
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback(G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) there = g_inet_socket_address_new(loopback, port);
  GSocket *idle[2];
  for (int i = 0; i < 2; i++) {
    idle[i] = g_socket_new(G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP,
                           NULL);
    g_assert_true(g_socket_connect(idle[i], there, NULL, NULL));
    g_socket_set_blocking(idle[i], FALSE);
  }
  const char partial[] = "GET /lifeline HTTP/1.1\r\nHost: x\r\n";
  g_assert_cmpint(g_socket_send(idle[1], partial, strlen(partial), NULL, NULL), ==,
                  (gssize)strlen(partial));
  for (int i = 0; i < 2; i++) {
    char byte;
    gssize got = -1;
    gint64 deadline = g_get_monotonic_time() + 30 * G_USEC_PER_SEC;
    while ((got = g_socket_receive(idle[i], &byte, 1, NULL, NULL)) != 0 &&
           g_get_monotonic_time() < deadline)
      spin(50);
    g_assert_cmpint(got, ==, 0);
    g_object_unref(idle[i]);
  }
  ll_rendezvous_server_free(server);
}

static void test_connections_per_address(void)
{
  guint16 port;
  LlRendezvousServer *server = start_server(&port);
  g_autoptr(SoupSession) session = soup_session_new_with_options("max-conns", 100,
                                                                 "max-conns-per-host", 100, NULL);
  Raw conns[9] = { 0 };
  for (int i = 0; i < 9; i++)
    raw_connect(session, port, &conns[i]);
  run_until(&conns[8].closed);   /* the ninth is over the limit of eight */
  for (int i = 0; i < 8; i++)
    g_assert_false(conns[i].closed);
  g_assert_cmpuint(ll_rendezvous_server_connection_threads(server), ==, 4);
  for (int i = 0; i < 9; i++)
    raw_free(&conns[i]);
  ll_rendezvous_server_free(server);
}

/* Until a helper joining MAILBOX at URL hears that nobody is there. */
static void wait_mailbox_gone(const char *url, const char *mailbox)
{
  for (int tries = 0;; tries++) {
    g_assert_cmpint(tries, <, 100);
    Side probe = { 0 };
    LlRendezvousClient *p = ll_rendezvous_client_new(url, &side_events, &probe);
    ll_rendezvous_client_join(p, mailbox);
    while (!probe.closed && probe.peer == 0)
      g_main_context_iteration(NULL, TRUE);
    gboolean gone = probe.closed && probe.closed_code == LL_ERROR_NOT_WAITING;
    ll_rendezvous_client_free(p);
    side_clear(&probe);
    if (gone)
      return;
    spin(50);
  }
}

/* A novice who lost its rendezvous opens its mailbox again with the token
 * "opened" gave: over its stale connection, keeping the helper who had
 * joined, and at a rendezvous started again that never knew it. Without
 * the token, nobody can. */
static void test_invitation_opened_again(void)
{
  guint16 port;
  LlRendezvousServer *server = start_server(&port);
  g_autofree char *url = url_for(port);
  Side novice = { 0 }, again = { 0 }, helper = { 0 }, thief = { 0 }, restarted = { 0 };
  Side late = { 0 };
  LlRendezvousClient *n = ll_rendezvous_client_new(url, &side_events, &novice);
  ll_rendezvous_client_open(n, 3600);
  run_until((gboolean *)&novice.mailbox);
  g_autofree char *token = g_strdup(ll_rendezvous_client_token(n));
  g_assert_nonnull(token);
  LlRendezvousClient *h = ll_rendezvous_client_new(url, &side_events, &helper);
  ll_rendezvous_client_join(h, novice.mailbox);
  run_until((gboolean *)&helper.peer);
  /* Someone who knows the mailbox id (every helper does) but not the token. */
  LlRendezvousClient *t = ll_rendezvous_client_new(url, &side_events, &thief);
  ll_rendezvous_client_reopen(t, novice.mailbox, "not-the-token", 3600);
  run_until(&thief.closed);
  g_assert_nonnull(strstr(thief.closed_why, "not yours to open"));
  LlRendezvousClient *a = ll_rendezvous_client_new(url, &side_events, &again);
  ll_rendezvous_client_reopen(a, novice.mailbox, token, 3600);
  run_until((gboolean *)&again.mailbox);
  g_assert_cmpstr(again.mailbox, ==, novice.mailbox);
  run_until(&novice.closed);   /* the stale connection is let go */
  g_assert_nonnull(strstr(novice.closed_why, "opened again"));
  g_autoptr(LlSignalMessage) up = candidate("candidate:1 1 UDP 1 10.0.0.1 5000 typ host");
  ll_rendezvous_client_send_signal(h, 0, up);
  run_until((gboolean *)&again.last_candidate);   /* the helper's signals reach it now */
  g_assert_cmpuint(again.last_signal_peer, ==, helper.peer);
  /* The novice's connection is gone: in the moment before it comes back,
   * the mailbox is still its own alone, and then its again. */
  ll_rendezvous_client_free(a);
  ll_rendezvous_client_free(h);
  wait_mailbox_gone(url, novice.mailbox);
  Side squatter = { 0 }, back = { 0 };
  LlRendezvousClient *q = ll_rendezvous_client_new(url, &side_events, &squatter);
  ll_rendezvous_client_reopen(q, novice.mailbox, "mine-now", 3600);
  run_until(&squatter.closed);
  g_assert_nonnull(strstr(squatter.closed_why, "not yours to open"));
  LlRendezvousClient *b = ll_rendezvous_client_new(url, &side_events, &back);
  ll_rendezvous_client_reopen(b, novice.mailbox, token, 3600);
  run_until((gboolean *)&back.mailbox);
  ll_rendezvous_client_free(b);
  ll_rendezvous_client_free(q);
  side_clear(&squatter);
  side_clear(&back);
  /* The rendezvous restarts on the same port: it knows nothing, and the
   * mailbox is opened again under the same id, for helpers to find. */
  ll_rendezvous_server_free(server);
  server = start_server_on(port);
  LlRendezvousClient *r = ll_rendezvous_client_new(url, &side_events, &restarted);
  ll_rendezvous_client_reopen(r, novice.mailbox, token, 3600);
  run_until((gboolean *)&restarted.mailbox);
  g_assert_cmpstr(restarted.mailbox, ==, novice.mailbox);
  LlRendezvousClient *l = ll_rendezvous_client_new(url, &side_events, &late);
  ll_rendezvous_client_join(l, novice.mailbox);
  run_until((gboolean *)&late.peer);
  /* A name that is no invitation's mailbox id is not opened. */
  Side odd = { 0 };
  LlRendezvousClient *o = ll_rendezvous_client_new(url, &side_events, &odd);
  ll_rendezvous_client_reopen(o, "k7qm-3xrd-pa9t-we2f", token, 3600);
  run_until(&odd.closed);
  LlRendezvousClient *clients[] = { n, t, r, l, o };
  for (guint i = 0; i < G_N_ELEMENTS(clients); i++)
    ll_rendezvous_client_free(clients[i]);
  Side *sides[] = { &novice, &again, &helper, &thief, &restarted, &late, &odd };
  for (guint i = 0; i < G_N_ELEMENTS(sides); i++)
    side_clear(sides[i]);
  ll_rendezvous_server_free(server);
}

int main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_log_set_always_fatal(G_LOG_FATAL_MASK | G_LOG_LEVEL_CRITICAL);
  g_test_add_func("/rendezvous/mailbox-and-forwarding", test_mailbox_and_forwarding);
  g_test_add_func("/rendezvous/unknown-mailbox", test_unknown_mailbox);
  g_test_add_func("/rendezvous/invitation-opened-again", test_invitation_opened_again);
  g_test_add_func("/rendezvous/code-claimed-once", test_code_claimed_once);
  g_test_add_func("/rendezvous/code-claims-limited", test_code_claims_limited);
  g_test_add_func("/rendezvous/code-expires", test_code_expires);
  g_test_add_func("/rendezvous/host-registration-and-renewal", test_host_registration_and_renewal);
  g_test_add_func("/rendezvous/oversized", test_oversized);
  g_test_add_func("/rendezvous/malformed", test_malformed);
  g_test_add_func("/rendezvous/not-json", test_not_json);
  g_test_add_func("/rendezvous/binary", test_binary);
  g_test_add_func("/rendezvous/flood", test_flood);
  g_test_add_func("/rendezvous/server-only-message", test_server_message);
  g_test_add_func("/rendezvous/connections-per-address", test_connections_per_address);
  g_test_add_func("/rendezvous/idle-flood-before-upgrade", test_idle_flood_before_upgrade);
  g_test_add_func("/rendezvous/upgrade-deadline", test_upgrade_deadline);
  return g_test_run();
}

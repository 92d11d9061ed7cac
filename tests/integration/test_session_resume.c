/* A session outlives its connection: a real novice host and helper join
 * talk through a proxy the test cuts or kills, and the session must carry
 * on without asking the novice again, with every message delivered once
 * and in order; or end on both sides, saying why, once the grace period
 * is over. */
#include "common/error.h"
#include "cut_proxy.h"
#include "main_loop_wait.h"
#include "net/session.h"
#include "session_fixture.h"
#include <sodium.h>
#include <string.h>

#define MESSAGES 300

typedef struct {
  Novice n;
  Helper h;
  CutProxy *proxy;
  LlInvitation *helper_invitation;
} Pair;

/* A session through the proxy, accepted and ready. */
static void pair_start(Pair *p, guint grace_s)
{
  p->n = (Novice){ .answer = TRUE, .grace_s = grace_s };
  novice_start_now(&p->n);
  p->proxy = cut_proxy_new(p->n.port);
  p->helper_invitation = helper_copy(&p->n);
  g_ptr_array_set_size(p->helper_invitation->endpoints, 0);
  g_autofree char *endpoint = g_strdup_printf("127.0.0.1:%u", cut_proxy_port(p->proxy));
  ll_invitation_add_endpoint(p->helper_invitation, endpoint);
  p->h = (Helper){ 0 };
  helper_start(&p->h, &p->n, p->helper_invitation);
  run_until(&p->h.ready);
}

static void pair_stop(Pair *p)
{
  helper_stop(&p->h);
  novice_stop(&p->n);
  cut_proxy_free(p->proxy);
  ll_invitation_free(p->helper_invitation);
}

static void chat_both_ways(Pair *p, const char *text)
{
  g_autoptr(GError) error = NULL;
  g_assert_true(ll_helper_join_send_chat(p->h.join, text, &error));
  g_assert_true(ll_novice_host_send_chat(p->n.host, text, &error));
}

/* Spins until both sides have COUNT messages, or fails after TIMEOUT_MS. */
static void wait_for_chats(Pair *p, guint count, guint timeout_ms)
{
  gint64 deadline = g_get_monotonic_time() + timeout_ms * 1000;
  while (p->n.chats->len < count || p->h.chats->len < count) {
    g_assert_cmpint(g_get_monotonic_time(), <, deadline);
    g_assert_false(p->h.finished);
    g_main_context_iteration(NULL, TRUE);
  }
}

static void wait_for_interruption(Pair *p, guint timeout_ms)
{
  gint64 deadline = g_get_monotonic_time() + timeout_ms * 1000;
  while (p->h.reconnecting == 0 || p->n.interruptions == 0) {
    g_assert_cmpint(g_get_monotonic_time(), <, deadline);
    g_main_context_iteration(NULL, TRUE);
  }
}

static void wait_for_resumption(Pair *p, int times, guint timeout_ms)
{
  gint64 deadline = g_get_monotonic_time() + timeout_ms * 1000;
  while (p->h.reconnected < times || p->n.resumptions < times) {
    g_assert_cmpint(g_get_monotonic_time(), <, deadline);
    g_assert_false(p->h.finished);
    g_assert_false(p->n.host_finished);
    g_main_context_iteration(NULL, TRUE);
  }
}

static void test_cut_resumes_without_asking(void)
{
  Pair p;
  pair_start(&p, 0);
  chat_both_ways(&p, "before");
  wait_for_chats(&p, 1, WAIT_MS);
  cut_proxy_cut(p.proxy);
  /* Said while the connection is gone: it waits and arrives once. */
  chat_both_ways(&p, "during");
  wait_for_resumption(&p, 1, WAIT_MS);
  chat_both_ways(&p, "after");
  wait_for_chats(&p, 3, WAIT_MS);
  g_assert_cmpint(p.n.asks, ==, 1);             /* nobody was asked again */
  g_assert_cmpint(p.n.interruptions, ==, 1);
  g_assert_cmpint(p.h.reconnecting, ==, 1);
  g_assert_cmpstr(p.h.reconnect_path, ==, "direct");
  g_assert_cmpuint(cut_proxy_connections(p.proxy), ==, 2);
  const char *expected[] = { "before", "during", "after" };
  for (guint i = 0; i < 3; i++) {
    g_assert_cmpstr(g_ptr_array_index(p.n.chats, i), ==, expected[i]);
    g_assert_cmpstr(g_ptr_array_index(p.h.chats, i), ==, expected[i]);
  }
  pair_stop(&p);
}

typedef struct {
  Pair *pair;
  guint sent;
} Sender;

static gboolean send_next(gpointer data)
{
  Sender *s = data;
  g_autofree char *text = g_strdup_printf("message %u", s->sent);
  chat_both_ways(s->pair, text);
  s->sent++;
  if (s->sent == MESSAGES / 3 || s->sent == 2 * MESSAGES / 3)
    cut_proxy_cut(s->pair->proxy);
  return s->sent < MESSAGES ? G_SOURCE_CONTINUE : G_SOURCE_REMOVE;
}

static void test_every_message_once_in_order(void)
{
  /* Messages flow both ways while the connection is cut twice; what was
   * in flight is sent again, what had arrived is not. */
  Pair p;
  pair_start(&p, 0);
  Sender s = { .pair = &p };
  g_timeout_add(3, send_next, &s);
  wait_for_chats(&p, MESSAGES, 4 * WAIT_MS);
  spin(300);
  g_assert_cmpuint(p.n.chats->len, ==, MESSAGES);
  g_assert_cmpuint(p.h.chats->len, ==, MESSAGES);
  for (guint i = 0; i < MESSAGES; i++) {
    g_autofree char *text = g_strdup_printf("message %u", i);
    g_assert_cmpstr(g_ptr_array_index(p.n.chats, i), ==, text);
    g_assert_cmpstr(g_ptr_array_index(p.h.chats, i), ==, text);
  }
  g_assert_cmpint(p.h.reconnected, ==, 2);
  g_assert_cmpint(p.n.resumptions, ==, 2);
  g_assert_cmpint(p.n.asks, ==, 1);
  pair_stop(&p);
}

static void test_silence_detected_then_resumes(void)
{
  /* The network dies without a word: the heartbeat notices within
   * LL_SESSION_SILENCE_LIMIT_S, and the session resumes once it lives. */
  Pair p;
  pair_start(&p, 0);
  cut_proxy_set_dead(p.proxy, TRUE);
  gint64 died = g_get_monotonic_time();
  chat_both_ways(&p, "into the void");
  wait_for_interruption(&p, WAIT_MS);
  gint64 noticed_ms = (g_get_monotonic_time() - died) / 1000;
  /* The last heartbeat may have come up to a second before the death. */
  g_assert_cmpint(noticed_ms, >=, (LL_SESSION_SILENCE_LIMIT_S - 1) * 1000 - 100);
  g_assert_cmpint(noticed_ms, <=, (LL_SESSION_SILENCE_LIMIT_S + 2) * 1000);
  spin(1500);   /* attempts to come back fail while it is dead */
  g_assert_cmpint(p.h.reconnected, ==, 0);
  cut_proxy_set_dead(p.proxy, FALSE);
  wait_for_resumption(&p, 1, WAIT_MS);
  wait_for_chats(&p, 1, WAIT_MS);
  g_assert_cmpstr(g_ptr_array_index(p.n.chats, 0), ==, "into the void");
  g_assert_cmpstr(g_ptr_array_index(p.h.chats, 0), ==, "into the void");
  g_assert_cmpint(p.n.asks, ==, 1);
  pair_stop(&p);
}

static void test_grace_over_ends_both(void)
{
  Pair p;
  pair_start(&p, 2);
  cut_proxy_set_dead(p.proxy, TRUE);
  gint64 died = g_get_monotonic_time();
  run_until(&p.n.host_finished);
  run_until(&p.h.finished);
  gint64 ended_ms = (g_get_monotonic_time() - died) / 1000;
  g_assert_cmpint(ended_ms, >=, (LL_SESSION_SILENCE_LIMIT_S - 1 + 2) * 1000 - 100);
  g_assert_cmpint(ended_ms, <=, (LL_SESSION_SILENCE_LIMIT_S + 2) * 1000 + 2500);
  const char *said = "the connection was lost and did not come back within 2 seconds";
  g_assert_error(p.n.host_result, LL_ERROR, LL_ERROR_CONNECTION_LOST);
  g_assert_cmpstr(p.n.host_result->message, ==, said);
  g_assert_error(p.h.result, LL_ERROR, LL_ERROR_CONNECTION_LOST);
  g_assert_cmpstr(p.h.result->message, ==, said);
  g_assert_cmpint(p.h.reconnected, ==, 0);
  pair_stop(&p);
}

static void test_leaving_while_cut_ends_both(void)
{
  /* The helper gives up during the outage: it ends at once; the novice
   * still waits out its grace period, then ends. */
  Pair p;
  pair_start(&p, 1);
  cut_proxy_set_dead(p.proxy, TRUE);
  cut_proxy_cut(p.proxy);
  wait_for_interruption(&p, WAIT_MS);
  ll_helper_join_stop(p.h.join, "Bob left");
  run_until(&p.h.finished);
  g_assert_no_error(p.h.result);
  run_until(&p.n.host_finished);
  g_assert_error(p.n.host_result, LL_ERROR, LL_ERROR_CONNECTION_LOST);
  pair_stop(&p);
}

int main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_log_set_always_fatal(G_LOG_FATAL_MASK | G_LOG_LEVEL_CRITICAL);
  g_assert_cmpint(sodium_init(), >=, 0);
  g_test_add_func("/resume/cut-resumes-without-asking", test_cut_resumes_without_asking);
  g_test_add_func("/resume/every-message-once-in-order", test_every_message_once_in_order);
  g_test_add_func("/resume/silence-detected-then-resumes", test_silence_detected_then_resumes);
  g_test_add_func("/resume/grace-over-ends-both", test_grace_over_ends_both);
  g_test_add_func("/resume/leaving-while-cut-ends-both", test_leaving_while_cut_ends_both);
  return g_test_run();
}

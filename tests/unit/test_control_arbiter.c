/* The control arbiter: every transition, and the input and clipboard
 * decisions in each state. */
#include "novice/control_arbiter.h"
#include <string.h>

typedef struct {
  GString *log;
} Recorder;

static void rec(Recorder *r, const char *what)
{
  if (r->log->len)
    g_string_append_c(r->log, ',');
  g_string_append(r->log, what);
}

static void a_ask(gpointer d) { rec(d, "ask"); }
static void a_withdrawn(gpointer d) { rec(d, "withdrawn"); }
static void a_granted(gpointer d) { rec(d, "granted"); }
static void a_deny(const char *reason, gpointer d)
{
  g_autofree char *s = g_strdup_printf("deny:%s", reason);
  rec(d, s);
}
static void a_ended(LlControlEnd by, gpointer d)
{
  g_autofree char *s = g_strdup_printf("ended:%s", ll_control_end_name(by));
  rec(d, s);
}

static const LlControlActions actions = { a_ask, a_withdrawn, a_deny, a_granted, a_ended };

typedef struct {
  Recorder r;
  LlControlArbiter *a;
} F;

static void setup(F *f, gboolean view_only)
{
  f->r.log = g_string_new(NULL);
  f->a = ll_control_arbiter_new(view_only ? "this session is view-only" : NULL, "Alice", &actions,
                                &f->r);
}

static void teardown(F *f)
{
  ll_control_arbiter_free(f->a);
  g_string_free(f->r.log, TRUE);
}

static void test_starts_view_only(void)
{
  F f;
  setup(&f, FALSE);
  g_assert_cmpint(ll_control_arbiter_state(f.a), ==, LL_CONTROL_VIEWING);
  g_assert_false(ll_control_arbiter_input_allowed(f.a));
  g_assert_true(ll_control_arbiter_clipboard_to_helper_allowed(f.a));
  g_assert_false(ll_control_arbiter_clipboard_from_helper_allowed(f.a));
  /* Ending control that was never granted does nothing. */
  ll_control_arbiter_end(f.a, LL_CONTROL_END_ESC);
  ll_control_arbiter_answer(f.a, TRUE);   /* an answer to no question */
  g_assert_cmpstr(f.r.log->str, ==, "");
  g_assert_false(ll_control_arbiter_input_allowed(f.a));
  teardown(&f);
}

static void test_grant_then_each_end(void)
{
  const LlControlEnd ends[] = { LL_CONTROL_END_ESC, LL_CONTROL_END_STOP, LL_CONTROL_END_RELEASE,
                                LL_CONTROL_END_DROP };
  for (guint i = 0; i < G_N_ELEMENTS(ends); i++) {
    F f;
    setup(&f, FALSE);
    ll_control_arbiter_request(f.a);
    g_assert_false(ll_control_arbiter_input_allowed(f.a));   /* asking is not control */
    ll_control_arbiter_answer(f.a, TRUE);
    g_assert_true(ll_control_arbiter_input_allowed(f.a));
    g_assert_true(ll_control_arbiter_clipboard_from_helper_allowed(f.a));
    ll_control_arbiter_end(f.a, ends[i]);
    g_assert_false(ll_control_arbiter_input_allowed(f.a));
    g_assert_false(ll_control_arbiter_clipboard_from_helper_allowed(f.a));
    g_autofree char *expected = g_strdup_printf("ask,granted,ended:%s", ll_control_end_name(ends[i]));
    g_assert_cmpstr(f.r.log->str, ==, expected);
    /* A second end, as events race: reported once only. */
    ll_control_arbiter_end(f.a, LL_CONTROL_END_ESC);
    g_assert_cmpstr(f.r.log->str, ==, expected);
    teardown(&f);
  }
}

static void test_novice_says_no(void)
{
  F f;
  setup(&f, FALSE);
  ll_control_arbiter_request(f.a);
  ll_control_arbiter_answer(f.a, FALSE);
  g_assert_cmpstr(f.r.log->str, ==, "ask,deny:Alice said no");
  g_assert_false(ll_control_arbiter_input_allowed(f.a));
  /* The helper may ask again later. */
  ll_control_arbiter_request(f.a);
  g_assert_cmpstr(f.r.log->str, ==, "ask,deny:Alice said no,ask");
  teardown(&f);
}

static void test_view_only_never_asks(void)
{
  F f;
  setup(&f, TRUE);
  ll_control_arbiter_request(f.a);
  ll_control_arbiter_answer(f.a, TRUE);
  g_assert_cmpstr(f.r.log->str, ==, "deny:this session is view-only");
  g_assert_false(ll_control_arbiter_input_allowed(f.a));
  teardown(&f);
}

static void test_repeated_request_is_one_question(void)
{
  F f;
  setup(&f, FALSE);
  ll_control_arbiter_request(f.a);
  ll_control_arbiter_request(f.a);
  g_assert_cmpstr(f.r.log->str, ==, "ask");
  ll_control_arbiter_answer(f.a, TRUE);
  ll_control_arbiter_request(f.a);
  g_assert_cmpstr(f.r.log->str, ==, "ask,granted");
  teardown(&f);
}

static void test_request_withdrawn(void)
{
  F f;
  setup(&f, FALSE);
  ll_control_arbiter_request(f.a);
  ll_control_arbiter_end(f.a, LL_CONTROL_END_ESC);   /* Esc while asking: not control */
  g_assert_cmpint(ll_control_arbiter_state(f.a), ==, LL_CONTROL_ASKING);
  ll_control_arbiter_end(f.a, LL_CONTROL_END_DROP);
  g_assert_cmpstr(f.r.log->str, ==, "ask,withdrawn");
  ll_control_arbiter_answer(f.a, TRUE);   /* a late yes grants nothing */
  g_assert_false(ll_control_arbiter_input_allowed(f.a));
  teardown(&f);
}

int main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/arbiter/starts-view-only", test_starts_view_only);
  g_test_add_func("/arbiter/grant-then-each-end", test_grant_then_each_end);
  g_test_add_func("/arbiter/novice-says-no", test_novice_says_no);
  g_test_add_func("/arbiter/view-only-never-asks", test_view_only_never_asks);
  g_test_add_func("/arbiter/repeated-request", test_repeated_request_is_one_question);
  g_test_add_func("/arbiter/request-withdrawn", test_request_withdrawn);
  return g_test_run();
}

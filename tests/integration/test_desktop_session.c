/* Whole sessions on the fake desktop, without any display server: a real
 * novice host and helper join in this process, and a real RFB viewer
 * (tests/tools/rfb-probe, libvncclient) on the helper's local port. What
 * the desktop interface promises the session: the picture it feeds
 * reaches the viewer, input reaches it only while control is granted,
 * the novice's stop signal ends control, the clipboard follows the
 * novice's rules, and a desktop that cannot open or that closes ends the
 * session with its sentence on both sides.
 *   test_desktop_session RFB-PROBE */
#include "common/error.h"
#include "main_loop_wait.h"
#include "session_fixture.h"
#include <string.h>

static const char *probe_path;

/* ---- the viewer ---- */

typedef struct {
  GSubprocess *process;
  GOutputStream *in;
  GDataInputStream *out;
  GString *seen;                 /* everything it printed */
  GCancellable *cancellable;
} Probe;

static void read_next(Probe *p);

static void on_line(GObject *source, GAsyncResult *result, gpointer data)
{
  gsize len = 0;
  g_autoptr(GError) error = NULL;
  g_autofree char *line = g_data_input_stream_read_line_finish(G_DATA_INPUT_STREAM(source),
                                                               result, &len, &error);
  if (line == NULL)
    return;   /* ended or cancelled; P may be gone */
  Probe *p = data;
  g_string_append_printf(p->seen, "%s\n", line);
  read_next(p);
}

static void read_next(Probe *p)
{
  g_data_input_stream_read_line_async(p->out, G_PRIORITY_DEFAULT, p->cancellable, on_line, p);
}

static void probe_start(Probe *p, guint16 port)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *port_text = g_strdup_printf("%u", port);
  p->process = g_subprocess_new(G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                    G_SUBPROCESS_FLAGS_STDERR_SILENCE,
                                &error, probe_path, "127.0.0.1", port_text, NULL);
  g_assert_no_error(error);
  p->in = g_subprocess_get_stdin_pipe(p->process);
  p->out = g_data_input_stream_new(g_subprocess_get_stdout_pipe(p->process));
  p->seen = g_string_new(NULL);
  p->cancellable = g_cancellable_new();
  read_next(p);
}

static void probe_wait_for(Probe *p, const char *text)
{
  gint64 deadline = g_get_monotonic_time() + WAIT_MS * 1000;
  while (strstr(p->seen->str, text) == NULL) {
    g_assert_cmpint(g_get_monotonic_time(), <, deadline);
    spin(10);
  }
}

static void probe_send(Probe *p, const char *command)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *line = g_strdup_printf("%s\n", command);
  g_assert_true(g_output_stream_write_all(p->in, line, strlen(line), NULL, NULL, &error));
  g_assert_no_error(error);
}

static void probe_stop(Probe *p)
{
  g_cancellable_cancel(p->cancellable);
  g_subprocess_force_exit(p->process);   /* by its PID, which GSubprocess holds */
  g_subprocess_wait(p->process, NULL, NULL);
  g_clear_object(&p->out);
  g_clear_object(&p->process);
  g_clear_object(&p->cancellable);
  g_string_free(p->seen, TRUE);
}

/* ---- waiting for the desktop ---- */

static void wait_input(Novice *n, const char *line)
{
  gint64 deadline = g_get_monotonic_time() + WAIT_MS * 1000;
  while (strstr(ll_fake_desktop_input_log(n->desktop), line) == NULL) {
    g_assert_cmpint(g_get_monotonic_time(), <, deadline);
    spin(10);
  }
}

/* Everything the viewer sent before a chat line has been handled once the
 * novice has that chat: the server hands viewer messages on in order. */
static void viewer_barrier(Novice *n, Probe *p, const char *word)
{
  g_autofree char *command = g_strdup_printf("chat %s", word);
  probe_send(p, command);
  gint64 deadline = g_get_monotonic_time() + WAIT_MS * 1000;
  for (;;) {
    for (guint i = 0; i < n->chats->len; i++)
      if (g_strcmp0(n->chats->pdata[i], word) == 0)
        return;
    g_assert_cmpint(g_get_monotonic_time(), <, deadline);
    spin(10);
  }
}

static void start_shared(Novice *n, Helper *h, Probe *p)
{
  n->answer = TRUE;
  n->desktop = ll_fake_desktop_new(320, 240);
  ll_fake_desktop_fill(n->desktop, 0, 0, 320, 240, 0x3465a4);
  novice_start_now(n);
  helper_start(h, n, NULL);
  run_until(&h->ready);
  probe_start(p, h->port);
  probe_wait_for(p, "ready\n");
}

static void stop_all(Novice *n, Helper *h, Probe *p)
{
  probe_stop(p);
  helper_stop(h);
  novice_stop(n);
}

/* ---- tests ---- */

static void test_picture_follows_the_desktop(void)
{
  Novice n = { 0 };
  Helper h = { 0 };
  Probe p = { 0 };
  start_shared(&n, &h, &p);
  probe_send(&p, "pixel 10 10");
  probe_wait_for(&p, "pixel: 10 10 3465a4\n");
  ll_fake_desktop_fill(n.desktop, 0, 0, 40, 40, 0xcc0000);
  gint64 deadline = g_get_monotonic_time() + WAIT_MS * 1000;
  while (strstr(p.seen->str, "pixel: 10 10 cc0000") == NULL) {
    g_assert_cmpint(g_get_monotonic_time(), <, deadline);
    probe_send(&p, "pixel 10 10");
    spin(50);
  }
  probe_send(&p, "pixel 100 100");
  probe_wait_for(&p, "pixel: 100 100 3465a4\n");
  stop_all(&n, &h, &p);
}

static void test_input_only_while_in_control(void)
{
  Novice n = { .control_answer = TRUE };
  Helper h = { 0 };
  Probe p = { 0 };
  start_shared(&n, &h, &p);
  probe_send(&p, "key x");
  viewer_barrier(&n, &p, "before");
  g_assert_cmpstr(ll_fake_desktop_input_log(n.desktop), ==, "");
  g_assert_false(ll_fake_desktop_press_stop(n.desktop));   /* nothing to stop yet */

  ll_helper_join_request_control(h.join);
  run_until(&h.granted);
  g_assert_true(n.in_control);
  probe_send(&p, "key a");
  wait_input(&n, "key down 0x61\nkey up 0x61\n");
  probe_send(&p, "click 5 6");
  wait_input(&n, "pointer 1 5 6\npointer 0 5 6\n");

  /* The novice's stop signal ends control at once, and lets go of all. */
  g_assert_true(ll_fake_desktop_press_stop(n.desktop));
  g_assert_false(n.in_control);
  g_assert_cmpstr(n.control_ended_by, ==, "esc");
  g_assert_true(g_str_has_suffix(ll_fake_desktop_input_log(n.desktop), "release all\n"));
  gboolean told = FALSE;
  while (!told) {
    spin(10);
    told = h.ended_by != NULL;
  }
  g_assert_cmpstr(h.ended_by, ==, "esc");
  g_autofree char *log_at_stop = g_strdup(ll_fake_desktop_input_log(n.desktop));
  probe_send(&p, "key b");
  probe_send(&p, "click 7 8");
  viewer_barrier(&n, &p, "after");
  g_assert_cmpstr(ll_fake_desktop_input_log(n.desktop), ==, log_at_stop);
  g_assert_false(ll_fake_desktop_press_stop(n.desktop));   /* not watched any more */
  stop_all(&n, &h, &p);
}

static void test_clipboard_by_the_novices_rules(void)
{
  Novice n = { .control_answer = TRUE };
  Helper h = { 0 };
  Probe p = { 0 };
  start_shared(&n, &h, &p);
  ll_fake_desktop_copy(n.desktop, "copied by Alice");
  probe_wait_for(&p, "cut: copied by Alice\n");
  probe_send(&p, "cut from Bob, watching");
  viewer_barrier(&n, &p, "watching");
  g_assert_null(ll_fake_desktop_clipboard(n.desktop));
  ll_helper_join_request_control(h.join);
  run_until(&h.granted);
  probe_send(&p, "cut from Bob, in control");
  viewer_barrier(&n, &p, "controlling");
  g_assert_cmpstr(ll_fake_desktop_clipboard(n.desktop), ==, "from Bob, in control");
  stop_all(&n, &h, &p);
}

static void test_desktop_closing_ends_the_session(void)
{
  Novice n = { 0 };
  Helper h = { 0 };
  Probe p = { 0 };
  start_shared(&n, &h, &p);
  ll_fake_desktop_close(n.desktop, "Alice stopped sharing from the desktop's menu");
  run_until(&h.finished);
  g_assert_error(h.result, LL_ERROR, LL_ERROR_CLOSED);
  g_assert_cmpstr(h.result->message, ==, "Alice stopped sharing from the desktop's menu");
  run_until(&n.host_finished);
  g_assert_nonnull(n.host_result);
  g_assert_cmpstr(n.host_result->message, ==, "Alice stopped sharing from the desktop's menu");
  stop_all(&n, &h, &p);
}

static void test_desktop_that_cannot_open(void)
{
  Novice n = { .answer = TRUE };
  n.desktop = ll_fake_desktop_new(64, 64);
  ll_fake_desktop_fail_open(n.desktop, "the screen is locked");
  novice_start_now(&n);
  Helper h = { 0 };
  helper_start(&h, &n, NULL);
  run_until(&h.finished);
  g_assert_false(h.ready);
  g_assert_error(h.result, LL_ERROR, LL_ERROR_REFUSED);
  g_assert_cmpstr(h.result->message, ==, "the screen cannot be shared: the screen is locked");
  run_until(&n.host_finished);
  helper_stop(&h);
  novice_stop(&n);
}

static void test_desktop_without_input(void)
{
  Novice n = { .answer = TRUE, .control_answer = TRUE };
  n.desktop = ll_fake_desktop_new(64, 64);
  ll_fake_desktop_refuse_input(n.desktop);
  novice_start_now(&n);
  Helper h = { 0 };
  helper_start(&h, &n, NULL);
  run_until(&h.ready);
  ll_helper_join_request_control(h.join);
  gint64 deadline = g_get_monotonic_time() + WAIT_MS * 1000;
  while (h.denied == NULL) {
    g_assert_cmpint(g_get_monotonic_time(), <, deadline);
    spin(10);
  }
  g_assert_cmpstr(h.denied, ==, "this computer cannot take input from a helper; it can only "
                                "be watched");
  g_assert_cmpint(n.control_asks, ==, 0);   /* the novice was not bothered */
  helper_stop(&h);
  novice_stop(&n);
}

int main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  /* Refusals and failures are logged as warnings; criticals still fail. */
  g_log_set_always_fatal(G_LOG_FATAL_MASK | G_LOG_LEVEL_CRITICAL);
  g_assert_cmpint(argc, ==, 2);
  probe_path = argv[1];
  g_test_add_func("/desktop-session/picture-follows-the-desktop", test_picture_follows_the_desktop);
  g_test_add_func("/desktop-session/input-only-while-in-control", test_input_only_while_in_control);
  g_test_add_func("/desktop-session/clipboard", test_clipboard_by_the_novices_rules);
  g_test_add_func("/desktop-session/desktop-closing-ends-session",
                  test_desktop_closing_ends_the_session);
  g_test_add_func("/desktop-session/desktop-cannot-open", test_desktop_that_cannot_open);
  g_test_add_func("/desktop-session/desktop-without-input", test_desktop_without_input);
  return g_test_run();
}

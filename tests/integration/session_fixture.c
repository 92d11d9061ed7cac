#include "session_fixture.h"
#include "common/error.h"
#include "main_loop_wait.h"
#include <glib/gstdio.h>
#include <string.h>

/* ---- plumbing ---- */

void run_until(const gboolean *condition)
{
  wait_until(condition, WAIT_MS);
}

static void on_ask(LlNoviceHost *host, const char *name, const char *organisation,
                   const char *key, gpointer data)
{
  Novice *n = data;
  g_assert_null(organisation);   /* an invitation, not an offer */
  g_assert_cmpstr(name, ==, "Bob");
  g_assert_true(g_str_has_prefix(key, "sha256:"));
  n->asks++;
  if (!n->never_answer)
    ll_novice_host_answer(host, n->answer);
}

static void on_withdrawn(LlNoviceHost *host, const char *name, gpointer data)
{
  (void)host; (void)name;
  ((Novice *)data)->withdrawn++;
}

static void on_started(LlNoviceHost *host, const char *name, gpointer data)
{
  (void)host; (void)name; (void)data;
}

static void on_refused(LlNoviceHost *host, const char *peer, const char *why, gpointer data)
{
  Novice *n = data;
  (void)host; (void)peer;
  n->refusals++;
  g_free(n->last_refusal);
  g_free(n->control_ended_by);
  n->last_refusal = g_strdup(why);
}

static void on_host_finished(LlNoviceHost *host, const GError *why, gpointer data)
{
  Novice *n = data;
  (void)host;
  n->host_finished = TRUE;
  n->host_result = why != NULL ? g_error_copy(why) : NULL;
}

static void on_interrupted(LlNoviceHost *host, const char *name, const char *why, guint grace_s,
                           gpointer data)
{
  Novice *n = data;
  (void)host; (void)why;
  g_assert_cmpstr(name, ==, "Bob");
  g_assert_cmpuint(grace_s, ==, n->grace_s != 0 ? n->grace_s : LL_DEFAULT_GRACE_S);
  n->interruptions++;
}

static void on_resumed(LlNoviceHost *host, const char *name, gpointer data)
{
  (void)host;
  g_assert_cmpstr(name, ==, "Bob");
  ((Novice *)data)->resumptions++;
}

static void on_control_asked(LlNoviceHost *host, const char *name, gpointer data)
{
  Novice *n = data;
  (void)name;
  n->control_asks++;
  ll_novice_host_answer_control(host, n->control_answer);
}

static void on_control_withdrawn(LlNoviceHost *host, gpointer data)
{
  (void)host; (void)data;
}

static void on_control_changed(LlNoviceHost *host, gboolean granted, const char *by, gpointer data)
{
  Novice *n = data;
  (void)host;
  n->in_control = granted;
  if (!granted) {
    g_free(n->control_ended_by);
    n->control_ended_by = g_strdup(by);
  }
}

static void on_chat(LlNoviceHost *host, const char *from, const char *text, gpointer data)
{
  Novice *n = data;
  (void)host; (void)from;
  g_ptr_array_add(n->chats, g_strdup(text));
}

static const LlNoviceHostEvents novice_events = {
  .ask = on_ask, .ask_withdrawn = on_withdrawn, .started = on_started, .refused = on_refused,
  .control_asked = on_control_asked, .control_withdrawn = on_control_withdrawn,
  .control_changed = on_control_changed, .chat = on_chat, .interrupted = on_interrupted,
  .resumed = on_resumed, .finished = on_host_finished,
};

void novice_start(Novice *n, gint64 created, gint64 lifetime)
{
  g_autoptr(GError) error = NULL;
  n->dir = g_dir_make_tmp("lifeline-session-XXXXXX", NULL);
  g_autofree char *nd = g_build_filename(n->dir, "novice", NULL);
  g_autofree char *hd = g_build_filename(n->dir, "helper", NULL);
  n->novice_id = ll_identity_load_or_create(nd, &error);
  g_assert_no_error(error);
  n->helper_id = ll_identity_load_or_create(hd, &error);
  g_assert_no_error(error);
  n->invitation = ll_invitation_new("Alice", n->novice_id->fingerprint, created, lifetime);
  if (n->desktop == NULL)
    n->desktop = ll_fake_desktop_new(640, 480);
  n->chats = g_ptr_array_new_with_free_func(g_free);
  LlNoviceHostConfig config = { .identity = n->novice_id, .invitation = n->invitation,
                                .desktop = { .kind = LL_DESKTOP_FAKE, .fake = n->desktop },
                                .grace_s = n->grace_s };
  n->host = ll_novice_host_new(&config, &novice_events, n);
  g_assert_true(ll_novice_host_listen(n->host, 0, &n->port, &error));
  g_autofree char *endpoint = g_strdup_printf("127.0.0.1:%u", n->port);
  ll_invitation_add_endpoint(n->invitation, endpoint);
}

void novice_start_now(Novice *n)
{
  novice_start(n, g_get_real_time() / G_USEC_PER_SEC, 3600);
}

static void rm_rf(const char *path)
{
  if (g_file_test(path, G_FILE_TEST_IS_DIR)) {
    g_autoptr(GDir) dir = g_dir_open(path, 0, NULL);
    const char *name;
    while (dir != NULL && (name = g_dir_read_name(dir)) != NULL) {
      g_autofree char *child = g_build_filename(path, name, NULL);
      rm_rf(child);
    }
    g_rmdir(path);
  } else {
    g_unlink(path);
  }
}

void novice_stop(Novice *n)
{
  ll_novice_host_free(n->host);
  g_clear_pointer(&n->desktop, ll_fake_desktop_free);
  ll_invitation_free(n->invitation);
  ll_identity_free(n->novice_id);
  ll_identity_free(n->helper_id);
  g_free(n->last_refusal);
  g_free(n->control_ended_by);
  g_clear_pointer(&n->chats, g_ptr_array_unref);
  g_clear_error(&n->host_result);
  rm_rf(n->dir);
  g_free(n->dir);
}

LlInvitation *helper_copy(const Novice *n)
{
  gsize len = 0;
  g_autofree char *text = ll_invitation_to_text(n->invitation, &len);
  LlInvitation *copy = ll_invitation_from_text(text, len, NULL);
  g_assert_nonnull(copy);
  return copy;
}

static void h_connected(LlHelperJoin *j, const char *path, const char *ep, gint64 ms, gpointer d)
{
  (void)j; (void)ep; (void)ms; (void)d;
  g_assert_cmpstr(path, ==, "direct");
}

static void h_waiting(LlHelperJoin *j, const char *name, gpointer d)
{
  (void)j;
  g_assert_cmpstr(name, ==, "Alice");
  ((Helper *)d)->waiting = TRUE;
}

static void h_ready(LlHelperJoin *j, guint16 port, gpointer d)
{
  (void)j;
  g_assert_cmpuint(port, >, 0);
  ((Helper *)d)->port = port;
  ((Helper *)d)->ready = TRUE;
}

static void h_finished(LlHelperJoin *j, const GError *why, gpointer d)
{
  Helper *h = d;
  (void)j;
  h->finished = TRUE;
  h->result = why != NULL ? g_error_copy(why) : NULL;
}

static void h_granted(LlHelperJoin *j, gpointer d)
{
  (void)j;
  ((Helper *)d)->granted = TRUE;
}

static void h_denied(LlHelperJoin *j, const char *reason, gpointer d)
{
  Helper *h = d;
  (void)j;
  g_free(h->denied);
  h->denied = g_strdup(reason);
}

static void h_ended(LlHelperJoin *j, const char *by, gpointer d)
{
  Helper *h = d;
  (void)j;
  h->granted = FALSE;
  g_free(h->ended_by);
  h->ended_by = g_strdup(by);
}

static void h_chat(LlHelperJoin *j, const char *from, const char *text, gpointer d)
{
  Helper *h = d;
  (void)j; (void)from;
  g_ptr_array_add(h->chats, g_strdup(text));
}

static void h_reconnecting(LlHelperJoin *j, const char *why, guint grace_s, gpointer d)
{
  (void)j; (void)why; (void)grace_s;
  ((Helper *)d)->reconnecting++;
}

static void h_reconnected(LlHelperJoin *j, const char *path, gint64 ms, gpointer d)
{
  Helper *h = d;
  (void)j; (void)ms;
  h->reconnected++;
  g_free(h->reconnect_path);
  g_free(h->denied);
  g_free(h->ended_by);
  h->reconnect_path = g_strdup(path);
}

const LlHelperJoinEvents helper_events = {
  .connected = h_connected, .waiting = h_waiting, .ready = h_ready,
  .control_granted = h_granted, .control_denied = h_denied, .control_ended = h_ended,
  .chat = h_chat, .reconnecting = h_reconnecting, .reconnected = h_reconnected,
  .finished = h_finished,
};

void helper_start(Helper *h, Novice *n, LlInvitation *invitation)
{
  g_autoptr(GError) error = NULL;
  h->chats = g_ptr_array_new_with_free_func(g_free);
  if (invitation == NULL)
    invitation = h->own_invitation = helper_copy(n);
  h->join = ll_helper_join_new(n->helper_id, invitation, "Bob", &helper_events, h);
  g_assert_true(ll_helper_join_start(h->join, 0, &error));
  g_assert_no_error(error);
}

void helper_stop(Helper *h)
{
  ll_helper_join_free(h->join);
  g_clear_pointer(&h->own_invitation, ll_invitation_free);
  g_clear_error(&h->result);
  g_clear_pointer(&h->chats, g_ptr_array_unref);
  g_free(h->reconnect_path);
  g_free(h->denied);
  g_free(h->ended_by);
}


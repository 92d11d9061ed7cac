/* The novice's door: who is asked about, let in and resumed, for an
 * invitation and for a host taking offers. */
#include "novice/helper_door.h"
#include <string.h>

#define INVITATION "0f1e2d3c4b5a69788796a5b4c3d2e1f0"
#define GOOD 0x5a

typedef struct {
  gboolean in_time;
  gboolean listed;
  int proofs_checked;
} Facts;

static gboolean proof_ok(gpointer peer, const LlControlMessage *m, gpointer data)
{
  (void)peer;
  ((Facts *)data)->proofs_checked++;
  return m->proof[0] == GOOD;
}

static gboolean in_time(gpointer data, GError **error)
{
  if (!((Facts *)data)->in_time)
    g_set_error_literal(error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT,
                        "this invitation expired at 14:05; ask for a new one");
  return ((Facts *)data)->in_time;
}

static void admit(gpointer peer, LlAdmission *out, gboolean *view_only, gpointer data)
{
  (void)peer;
  if (((Facts *)data)->listed) {
    out->verdict = LL_ADMIT_YES;
    out->name = g_strdup("Carol Jones");
    out->organisation = g_strdup("Example Help Desk");
    *view_only = TRUE;
  } else {
    out->reason = g_strdup("not an authorized helper for this machine");
  }
}

static const LlDoorChecks checks = {
  .invitation_proof = proof_ok, .resume_proof = proof_ok, .in_time = in_time,
  .admit_offer = admit,
};

static LlControlMessage *message(LlMessageType type, const char *session, guint8 proof)
{
  LlControlMessage *m = ll_control_message_new(type);
  m->version = LL_PROTOCOL_VERSION;
  m->name = g_strdup("Bob");
  m->session_id = g_strdup(session);
  m->proof[0] = proof;
  return m;
}

/* What the door says to peer's message, and the refusal's log text. */
static LlDoorVerdict hear(LlHelperDoor *d, gpointer peer, const char *key, LlMessageType type,
                          const char *session, guint8 proof, char **log)
{
  g_autoptr(LlControlMessage) m = message(type, session, proof);
  LlDoorRuling r = ll_helper_door_hear(d, peer, key, m);
  if (log != NULL)
    *log = g_strdup(r.for_log);
  LlDoorVerdict verdict = r.verdict;
  ll_door_ruling_clear(&r);
  return verdict;
}

static int a, b, c;   /* peers: only their addresses matter */

static void test_invitation_once(void)
{
  Facts f = { .in_time = TRUE };
  LlHelperDoor *d = ll_helper_door_new(INVITATION, &checks, &f);
  g_autofree char *log = NULL;
  g_assert_cmpint(hear(d, &a, "ka", LL_MSG_HELLO, INVITATION, 0, &log), ==, LL_DOOR_REFUSE);
  g_assert_cmpstr(log, ==, "wrong invitation secret");
  g_clear_pointer(&log, g_free);
  g_assert_cmpint(hear(d, &a, "ka", LL_MSG_HELLO, "another", GOOD, NULL), ==, LL_DOOR_REFUSE);
  g_assert_cmpint(hear(d, &b, "kb", LL_MSG_HELLO, INVITATION, GOOD, NULL), ==, LL_DOOR_ASK);
  g_assert_true(ll_helper_door_asking(d) == &b);
  /* While b is asked about, c is told to wait, even with the proof. */
  g_assert_cmpint(hear(d, &c, "kc", LL_MSG_HELLO, INVITATION, GOOD, &log), ==, LL_DOOR_REFUSE);
  g_assert_cmpstr(log, ==, "another helper is being asked");
  g_clear_pointer(&log, g_free);
  g_assert_cmpint(ll_helper_door_answer(d, &c, TRUE, NULL), ==, LL_DOOR_NOT_ASKED);
  g_assert_cmpint(ll_helper_door_answer(d, &b, TRUE, NULL), ==, LL_DOOR_LET_IN);
  g_assert_true(ll_helper_door_letting_in(d) == &b);
  ll_helper_door_session_started(d, INVITATION, "kb");
  g_assert_cmpint(hear(d, &c, "kc", LL_MSG_HELLO, INVITATION, GOOD, &log), ==, LL_DOOR_REFUSE);
  g_assert_cmpstr(log, ==, "the invitation was already used");
  g_clear_pointer(&log, g_free);
  ll_helper_door_session_ended(d);
  g_assert_cmpint(hear(d, &c, "kc", LL_MSG_HELLO, INVITATION, GOOD, NULL), ==, LL_DOOR_REFUSE);
  ll_helper_door_free(d);
}

/* A helper who leaves between the yes and the picture frees the
 * invitation for the next. */
static void test_left_before_shown(void)
{
  Facts f = { .in_time = TRUE };
  LlHelperDoor *d = ll_helper_door_new(INVITATION, &checks, &f);
  g_assert_cmpint(hear(d, &a, "ka", LL_MSG_HELLO, INVITATION, GOOD, NULL), ==, LL_DOOR_ASK);
  g_assert_cmpint(ll_helper_door_answer(d, &a, TRUE, NULL), ==, LL_DOOR_LET_IN);
  g_assert_cmpint(hear(d, &b, "kb", LL_MSG_HELLO, INVITATION, GOOD, NULL), ==, LL_DOOR_REFUSE);
  g_assert_true(ll_helper_door_left(d, &a));
  g_assert_cmpint(hear(d, &b, "kb", LL_MSG_HELLO, INVITATION, GOOD, NULL), ==, LL_DOOR_ASK);
  ll_helper_door_free(d);
}

static void test_expiry(void)
{
  Facts f = { .in_time = TRUE };
  LlHelperDoor *d = ll_helper_door_new(INVITATION, &checks, &f);
  g_assert_cmpint(hear(d, &a, "ka", LL_MSG_HELLO, INVITATION, GOOD, NULL), ==, LL_DOOR_ASK);
  f.in_time = FALSE;   /* the novice took too long to answer */
  g_autofree char *why = NULL;
  g_assert_cmpint(ll_helper_door_answer(d, &a, TRUE, &why), ==, LL_DOOR_TOO_LATE);
  g_assert_cmpstr(why, ==, "this invitation expired at 14:05; ask for a new one");
  g_autofree char *log = NULL;
  g_assert_cmpint(hear(d, &b, "kb", LL_MSG_HELLO, INVITATION, GOOD, &log), ==, LL_DOOR_REFUSE);
  g_assert_cmpstr(log, ==, "this invitation expired at 14:05; ask for a new one");
  ll_helper_door_free(d);
}

/* A host for offers: one helper at a time, from the question until the
 * session ends; between the yes and the picture too. */
static void test_offers_one_at_a_time(void)
{
  Facts f = { .listed = TRUE };
  LlHelperDoor *d = ll_helper_door_new(NULL, &checks, &f);
  g_autoptr(LlControlMessage) offer = message(LL_MSG_OFFER, NULL, 0);
  LlDoorRuling r = ll_helper_door_hear(d, &a, "ka", offer);
  g_assert_cmpint(r.verdict, ==, LL_DOOR_ASK);
  g_assert_cmpstr(r.name, ==, "Carol Jones");   /* the CA's name, not the one claimed */
  g_assert_cmpstr(r.organisation, ==, "Example Help Desk");
  g_assert_true(r.view_only);
  ll_door_ruling_clear(&r);
  g_assert_cmpint(ll_helper_door_answer(d, &a, TRUE, NULL), ==, LL_DOOR_LET_IN);
  g_autofree char *log = NULL;
  g_assert_cmpint(hear(d, &b, "kb", LL_MSG_OFFER, NULL, 0, &log), ==, LL_DOOR_REFUSE);
  g_assert_cmpstr(log, ==, "busy with another helper");
  ll_helper_door_session_started(d, "s1", "ka");
  g_assert_cmpint(hear(d, &b, "kb", LL_MSG_OFFER, NULL, 0, NULL), ==, LL_DOOR_REFUSE);
  ll_helper_door_session_ended(d);
  g_assert_cmpint(hear(d, &b, "kb", LL_MSG_OFFER, NULL, 0, NULL), ==, LL_DOOR_ASK);
  g_assert_cmpint(ll_helper_door_answer(d, &b, FALSE, NULL), ==, LL_DOOR_SAID_NO);
  f.listed = FALSE;
  g_clear_pointer(&log, g_free);
  g_assert_cmpint(hear(d, &c, "kc", LL_MSG_OFFER, NULL, 0, &log), ==, LL_DOOR_REFUSE);
  g_assert_cmpstr(log, ==, "not an authorized helper for this machine");
  /* Each kind of door takes only its own kind of first message. */
  g_assert_cmpint(hear(d, &c, "kc", LL_MSG_HELLO, INVITATION, GOOD, NULL), ==, LL_DOOR_REFUSE);
  ll_helper_door_free(d);
}

static void test_resume(void)
{
  Facts f = { .in_time = TRUE };
  LlHelperDoor *d = ll_helper_door_new(INVITATION, &checks, &f);
  g_assert_cmpint(hear(d, &a, "ka", LL_MSG_RESUME, INVITATION, GOOD, NULL), ==, LL_DOOR_REFUSE);
  g_assert_cmpint(hear(d, &a, "ka", LL_MSG_HELLO, INVITATION, GOOD, NULL), ==, LL_DOOR_ASK);
  g_assert_cmpint(ll_helper_door_answer(d, &a, TRUE, NULL), ==, LL_DOOR_LET_IN);
  ll_helper_door_session_started(d, INVITATION, "ka");
  g_autofree char *log = NULL;
  g_assert_cmpint(hear(d, &b, "kb", LL_MSG_RESUME, INVITATION, GOOD, &log), ==, LL_DOOR_REFUSE);
  g_assert_cmpstr(log, ==, "resume from another helper's key");
  g_clear_pointer(&log, g_free);
  g_assert_cmpint(hear(d, &b, "ka", LL_MSG_RESUME, INVITATION, 0, &log), ==, LL_DOOR_REFUSE);
  g_assert_cmpstr(log, ==, "wrong resume proof");
  g_assert_cmpint(hear(d, &b, "ka", LL_MSG_RESUME, "other", GOOD, NULL), ==, LL_DOOR_REFUSE);
  g_assert_cmpint(hear(d, &b, "ka", LL_MSG_RESUME, INVITATION, GOOD, NULL), ==, LL_DOOR_RESUME);
  ll_helper_door_stop(d);
  g_assert_cmpint(hear(d, &c, "ka", LL_MSG_RESUME, INVITATION, GOOD, NULL), ==, LL_DOOR_REFUSE);
  ll_helper_door_free(d);
}

static void test_version_and_violation(void)
{
  Facts f = { .in_time = TRUE };
  LlHelperDoor *d = ll_helper_door_new(INVITATION, &checks, &f);
  g_autoptr(LlControlMessage) old = message(LL_MSG_HELLO, INVITATION, GOOD);
  old->version = LL_PROTOCOL_VERSION + 1;
  LlDoorRuling r = ll_helper_door_hear(d, &a, "ka", old);
  g_assert_cmpint(r.verdict, ==, LL_DOOR_REFUSE);
  g_assert_nonnull(strstr(r.for_helper, "both need the same version"));
  ll_door_ruling_clear(&r);
  g_autofree char *log = NULL;
  g_assert_cmpint(hear(d, &a, "ka", LL_MSG_STREAM_OPEN, NULL, 0, &log), ==, LL_DOOR_VIOLATION);
  g_assert_cmpstr(log, ==, "unexpected stream-open message");
  g_assert_null(ll_helper_door_asking(d));
  ll_helper_door_free(d);
}

int main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/helper-door/invitation-once", test_invitation_once);
  g_test_add_func("/helper-door/left-before-shown", test_left_before_shown);
  g_test_add_func("/helper-door/expiry", test_expiry);
  g_test_add_func("/helper-door/offers-one-at-a-time", test_offers_one_at_a_time);
  g_test_add_func("/helper-door/resume", test_resume);
  g_test_add_func("/helper-door/version-and-violation", test_version_and_violation);
  return g_test_run();
}

#include "novice/helper_door.h"
#include "common/error.h"

struct LlHelperDoor {
  char *invitation_session_id;   /* NULL: a host for offers */
  LlDoorChecks checks;
  gpointer check_data;
  gpointer asking;               /* the peer the novice is asked about */
  gpointer letting_in;           /* the peer said yes to, until its session runs */
  gboolean spent;                /* a helper was let in (an invitation: once) */
  gboolean running;
  gboolean stopping;
  char *session_id, *helper_key; /* of the running session */
};

void ll_door_ruling_clear(LlDoorRuling *r)
{
  g_clear_pointer(&r->for_helper, g_free);
  g_clear_pointer(&r->for_log, g_free);
  g_clear_pointer(&r->name, g_free);
  g_clear_pointer(&r->organisation, g_free);
}

LlHelperDoor *ll_helper_door_new(const char *invitation_session_id, const LlDoorChecks *checks,
                                 gpointer check_data)
{
  LlHelperDoor *d = g_new0(LlHelperDoor, 1);
  d->invitation_session_id = g_strdup(invitation_session_id);
  d->checks = *checks;
  d->check_data = check_data;
  return d;
}

void ll_helper_door_free(LlHelperDoor *d)
{
  if (d == NULL)
    return;
  g_free(d->invitation_session_id);
  g_free(d->session_id);
  g_free(d->helper_key);
  g_free(d);
}

static LlDoorRuling refusal(const char *for_helper, const char *for_log)
{
  return (LlDoorRuling){ .verdict = LL_DOOR_REFUSE, .for_helper = g_strdup(for_helper),
                         .for_log = g_strdup(for_log) };
}

static gboolean wrong_version(const LlControlMessage *m, LlDoorRuling *r)
{
  if (m->version == LL_PROTOCOL_VERSION)
    return FALSE;
  g_autofree char *why = g_strdup_printf(
      "this helper's Lifeline speaks protocol %u and this one %d; both need the same version",
      m->version, LL_PROTOCOL_VERSION);
  *r = refusal(why, why);
  return TRUE;
}

static LlDoorRuling ask(LlHelperDoor *d, gpointer peer, LlDoorRuling r)
{
  d->asking = peer;
  r.verdict = LL_DOOR_ASK;
  return r;
}

static LlDoorRuling hear_hello(LlHelperDoor *d, gpointer peer, const LlControlMessage *m)
{
  LlDoorRuling r = { 0 };
  g_autoptr(GError) expired = NULL;
  if (wrong_version(m, &r))
    return r;
  if (d->invitation_session_id == NULL)
    return refusal("this computer takes offers of help, not invitations; use \"lifeline offer\"",
                   "an invitation's hello sent to a host for offers");
  if (g_strcmp0(m->session_id, d->invitation_session_id) != 0 ||
      !d->checks.invitation_proof(peer, m, d->check_data))
    return refusal("the invitation does not match this computer's; ask for a new one",
                   "wrong invitation secret");
  if (d->spent)
    return refusal("this invitation was already used; ask for a new one",
                   "the invitation was already used");
  if (!d->checks.in_time(d->check_data, &expired))
    return refusal(expired->message, expired->message);
  if (d->asking != NULL || d->stopping)
    return refusal("someone else is being asked right now; try again in a minute",
                   "another helper is being asked");
  r.name = g_strdup(m->name != NULL && *m->name ? m->name : "Someone");
  return ask(d, peer, r);
}

/* The policy judges the helper's certificate before anything reaches the
 * novice; one helper at a time, from the question to the session's end. */
static LlDoorRuling hear_offer(LlHelperDoor *d, gpointer peer, const LlControlMessage *m)
{
  LlDoorRuling r = { 0 };
  if (wrong_version(m, &r))
    return r;
  if (d->invitation_session_id != NULL)
    return refusal("this is an invitation's connection, not one for offers of help",
                   "an offer sent to an invitation");
  LlAdmission admission = { .verdict = LL_ADMIT_NOT_LISTED };
  gboolean view_only = FALSE;
  d->checks.admit_offer(peer, &admission, &view_only, d->check_data);
  if (admission.verdict != LL_ADMIT_YES) {
    const char *why = admission.reason != NULL ? admission.reason
                                               : "not an authorized helper for this machine";
    r = refusal(why, why);
  } else if (d->asking != NULL || d->letting_in != NULL || d->running || d->stopping) {
    r = refusal("someone is already helping on this computer; try again later",
                "busy with another helper");
  } else {
    /* A CA vouches for its name; the offer only claims one. */
    gboolean vouched = admission.name != NULL && *admission.name != '\0';
    const char *said = m->name != NULL && *m->name ? m->name : "Someone";
    r.name = g_strdup(vouched ? admission.name : said);
    r.organisation = g_strdup(admission.organisation != NULL ? admission.organisation : "");
    r.view_only = view_only;
    r = ask(d, peer, r);
  }
  ll_admission_clear(&admission);
  return r;
}

/* Same session, same key, and a proof made with the resume token. */
static LlDoorRuling hear_resume(LlHelperDoor *d, gpointer peer, const char *peer_key,
                                const LlControlMessage *m)
{
  if (!d->running || d->stopping)
    return refusal("this session has ended; ask for a new invitation",
                   "resume of a session not running");
  if (g_strcmp0(m->session_id, d->session_id) != 0 || g_strcmp0(peer_key, d->helper_key) != 0)
    return refusal("this is not the helper of this session", "resume from another helper's key");
  if (!d->checks.resume_proof(peer, m, d->check_data))
    return refusal("the session could not be proved; ask for a new invitation",
                   "wrong resume proof");
  return (LlDoorRuling){ .verdict = LL_DOOR_RESUME };
}

LlDoorRuling ll_helper_door_hear(LlHelperDoor *d, gpointer peer, const char *peer_key,
                                 const LlControlMessage *m)
{
  switch (m->type) {
  case LL_MSG_HELLO:
    return hear_hello(d, peer, m);
  case LL_MSG_OFFER:
    return hear_offer(d, peer, m);
  case LL_MSG_RESUME:
    return hear_resume(d, peer, peer_key, m);
  default:
    /* Anything else before the novice's yes, a screen stream above all,
     * has no place: nothing of the desktop is sent before yes. */
    return (LlDoorRuling){ .verdict = LL_DOOR_VIOLATION,
                           .for_log = g_strdup_printf("unexpected %s message",
                                                      ll_message_type_name(m->type)) };
  }
}

LlDoorAnswer ll_helper_door_answer(LlHelperDoor *d, gpointer peer, gboolean allow, char **why)
{
  g_autoptr(GError) expired = NULL;
  if (peer == NULL || peer != d->asking)
    return LL_DOOR_NOT_ASKED;
  d->asking = NULL;
  if (!allow)
    return LL_DOOR_SAID_NO;
  if (d->stopping)
    return LL_DOOR_CANCELLED;
  if (d->invitation_session_id != NULL && !d->checks.in_time(d->check_data, &expired)) {
    *why = g_strdup(expired->message);
    return LL_DOOR_TOO_LATE;
  }
  d->spent = TRUE;
  d->letting_in = peer;
  return LL_DOOR_LET_IN;
}

void ll_helper_door_session_started(LlHelperDoor *d, const char *session_id,
                                    const char *helper_key)
{
  d->letting_in = NULL;
  d->running = TRUE;
  g_free(d->session_id);
  d->session_id = g_strdup(session_id);
  g_free(d->helper_key);
  d->helper_key = g_strdup(helper_key);
}

void ll_helper_door_not_shown(LlHelperDoor *d)
{
  d->letting_in = NULL;
  d->spent = FALSE;
}

gboolean ll_helper_door_left(LlHelperDoor *d, gpointer peer)
{
  if (d->asking == peer)
    d->asking = NULL;
  if (peer == NULL || d->letting_in != peer)
    return FALSE;
  ll_helper_door_not_shown(d);
  return TRUE;
}

void ll_helper_door_session_ended(LlHelperDoor *d)
{
  d->running = FALSE;
  g_clear_pointer(&d->session_id, g_free);
  g_clear_pointer(&d->helper_key, g_free);
  if (d->invitation_session_id == NULL)
    d->spent = FALSE;   /* a host for offers takes the next one */
}

void ll_helper_door_stop(LlHelperDoor *d) { d->stopping = TRUE; }

gpointer ll_helper_door_asking(LlHelperDoor *d) { return d->asking; }
gpointer ll_helper_door_letting_in(LlHelperDoor *d) { return d->letting_in; }
gboolean ll_helper_door_running(LlHelperDoor *d) { return d->running; }
gboolean ll_helper_door_spent(LlHelperDoor *d) { return d->spent; }

/* libFuzzer target, stateful: the novice's door (who is asked about, let
 * in, resumed) driven by sequences of up to four helpers connecting,
 * sending their first message, leaving, and the novice answering, the
 * desktop opening or failing, sessions ending, sharing stopping and the
 * invitation expiring, in any order.
 *
 * Input: byte 0 chooses an invitation or a host for offers and which
 * helpers its policy lists; then each step is one byte, its low 3 bits an
 * event and the rest its argument; a message step takes one more byte
 * saying what the message is and how it is made (type, version, session
 * id, proofs). The door's promises are checked after every step: one
 * helper asked about at a time; nobody asked about or let in without the
 * proof or the policy's yes; never two helpers let in or helped at once;
 * an invitation used by a session is never let in again; a resume only
 * from the running session's helper with its proof; every refusal says
 * why. */
#include "novice/helper_door.h"
#include <stdint.h>
#include <string.h>

#define PEERS 4
#define INVITATION_ID "0f1e2d3c4b5a69788796a5b4c3d2e1f0"
#define GOOD_PROOF 0x5a
#define GOOD_RESUME 0xa5

typedef enum { GONE, AWAITING, ASKED, LETTING_IN, REFUSED, HELPED } PeerState;

typedef struct {
  PeerState state;
  char key[8];
} Peer;

typedef struct {
  gboolean offers;
  guint listed;                  /* bit i: the policy admits peer i's key */
  gboolean in_time;
  gboolean stopping;
  gboolean used_by_session;      /* an invitation: a session ran */
  Peer peers[PEERS];
  Peer *running;                 /* the helper of the running session */
  char *session_id;
  guint sessions;
} World;

static gboolean invitation_proof(gpointer peer, const LlControlMessage *m, gpointer data)
{
  (void)peer; (void)data;
  return m->proof[0] == GOOD_PROOF;
}

static gboolean resume_proof(gpointer peer, const LlControlMessage *m, gpointer data)
{
  (void)peer; (void)data;
  return m->proof[0] == GOOD_RESUME;
}

static gboolean in_time(gpointer data, GError **error)
{
  World *w = data;
  if (!w->in_time)
    g_set_error_literal(error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT,
                        "this invitation expired at 14:05; ask for a new one");
  return w->in_time;
}

static void admit_offer(gpointer peer, LlAdmission *out, gboolean *view_only, gpointer data)
{
  World *w = data;
  guint i = (Peer *)peer - w->peers;
  if (w->listed & (1u << i)) {
    out->verdict = LL_ADMIT_YES;
    out->name = g_strdup(i == 0 ? "Carol (help desk)" : "");
    out->organisation = g_strdup(i == 0 ? "Example Org" : NULL);
    *view_only = i == 3;
  } else {
    out->verdict = LL_ADMIT_NOT_LISTED;
    out->reason = g_strdup("not an authorized helper for this machine");
  }
}

static const LlDoorChecks checks = {
  .invitation_proof = invitation_proof, .resume_proof = resume_proof,
  .in_time = in_time, .admit_offer = admit_offer,
};

/* The message a helper sends, from one byte: bits 0-1 the kind (hello,
 * offer, resume, another type chosen by bits 6-7), bit 2 a wrong version,
 * bit 3 a wrong session id, bit 4 the invitation proof, bit 5 the resume
 * proof. */
static LlControlMessage *message_from(World *w, guint8 how)
{
  static const LlMessageType others[] = { LL_MSG_STREAM_OPEN, LL_MSG_CONTROL_REQUEST,
                                          LL_MSG_BYE, LL_MSG_ACCEPTED };
  static const LlMessageType kinds[] = { LL_MSG_HELLO, LL_MSG_OFFER, LL_MSG_RESUME };
  LlMessageType type = (how & 3) < 3 ? kinds[how & 3] : others[how >> 6];
  LlControlMessage *m = ll_control_message_new(type);
  m->version = (how & 4) ? LL_PROTOCOL_VERSION + 1 : LL_PROTOCOL_VERSION;
  m->name = g_strdup((how & 0x40) ? "" : "Bob");
  const char *right = type == LL_MSG_RESUME ? w->session_id : INVITATION_ID;
  m->session_id = g_strdup((how & 8) || right == NULL ? "not-this-one" : right);
  m->proof[0] = (how & 0x20) ? GOOD_RESUME : (how & 0x10) ? GOOD_PROOF : 0;
  return m;
}

static gboolean anyone(World *w, PeerState state)
{
  for (int i = 0; i < PEERS; i++)
    if (w->peers[i].state == state)
      return TRUE;
  return FALSE;
}

static void check_ask(World *w, Peer *p, const LlControlMessage *m, const LlDoorRuling *r)
{
  g_assert_nonnull(r->name);
  g_assert_false(w->stopping);
  g_assert_cmpuint(m->version, ==, LL_PROTOCOL_VERSION);
  if (w->offers) {
    g_assert_cmpint(m->type, ==, LL_MSG_OFFER);
    g_assert_true(w->listed & (1u << (p - w->peers)));
    g_assert_false(anyone(w, ASKED) || anyone(w, LETTING_IN) || w->running != NULL);
  } else {
    g_assert_cmpint(m->type, ==, LL_MSG_HELLO);
    g_assert_cmpstr(m->session_id, ==, INVITATION_ID);
    g_assert_cmpint(m->proof[0], ==, GOOD_PROOF);
    g_assert_true(w->in_time);
    g_assert_false(anyone(w, ASKED) || anyone(w, LETTING_IN) || w->running != NULL);
    g_assert_false(w->used_by_session);
  }
  p->state = ASKED;
}

static void check_resume(World *w, Peer *p, const LlControlMessage *m)
{
  g_assert_cmpint(m->type, ==, LL_MSG_RESUME);
  g_assert_nonnull(w->running);
  g_assert_false(w->stopping);
  g_assert_cmpstr(p->key, ==, w->running->key);
  g_assert_cmpstr(m->session_id, ==, w->session_id);
  g_assert_cmpint(m->proof[0], ==, GOOD_RESUME);
  /* The new connection carries the session on; the old one is gone. */
  w->running->state = GONE;
  p->state = HELPED;
  w->running = p;
}

static void helper_sends(LlHelperDoor *d, World *w, Peer *p, guint8 how)
{
  if (p->state != AWAITING)
    return;   /* the host hears a first message only */
  g_autoptr(LlControlMessage) m = message_from(w, how);
  LlDoorRuling r = ll_helper_door_hear(d, p, p->key, m);
  switch (r.verdict) {
  case LL_DOOR_ASK:
    check_ask(w, p, m, &r);
    break;
  case LL_DOOR_RESUME:
    check_resume(w, p, m);
    break;
  case LL_DOOR_REFUSE:
    g_assert_true(r.for_helper != NULL && *r.for_helper != '\0');
    g_assert_true(r.for_log != NULL && *r.for_log != '\0');
    p->state = REFUSED;
    break;
  case LL_DOOR_VIOLATION:
    g_assert_true(m->type != LL_MSG_HELLO && m->type != LL_MSG_OFFER &&
                  m->type != LL_MSG_RESUME);
    g_assert_nonnull(r.for_log);
    ll_helper_door_left(d, p);
    p->state = GONE;
    break;
  }
  ll_door_ruling_clear(&r);
}

static Peer *asked_peer(World *w)
{
  for (int i = 0; i < PEERS; i++)
    if (w->peers[i].state == ASKED)
      return &w->peers[i];
  return NULL;
}

static void novice_answers(LlHelperDoor *d, World *w, gboolean allow)
{
  Peer *p = asked_peer(w);
  g_assert_true(ll_helper_door_asking(d) == p);
  g_autofree char *why = NULL;
  LlDoorAnswer answer = ll_helper_door_answer(d, p, allow, &why);
  if (p == NULL) {
    g_assert_cmpint(answer, ==, LL_DOOR_NOT_ASKED);
    return;
  }
  g_assert_cmpint(answer, !=, LL_DOOR_NOT_ASKED);
  if (answer == LL_DOOR_LET_IN) {
    g_assert_true(allow && !w->stopping && (w->offers || w->in_time));
    g_assert_false(anyone(w, LETTING_IN) || w->running != NULL || w->used_by_session);
    p->state = LETTING_IN;
    return;
  }
  g_assert_true(answer != LL_DOOR_TOO_LATE || (why != NULL && *why != '\0'));
  p->state = REFUSED;   /* told, and closing */
}

static Peer *letting_in(World *w)
{
  for (int i = 0; i < PEERS; i++)
    if (w->peers[i].state == LETTING_IN)
      return &w->peers[i];
  return NULL;
}

/* The desktop opened (or could not be) for the helper being let in. */
static void desktop_opens(LlHelperDoor *d, World *w, gboolean ok)
{
  Peer *p = letting_in(w);
  g_assert_true(ll_helper_door_letting_in(d) == p);
  if (p == NULL)
    return;
  if (!ok) {
    ll_helper_door_not_shown(d);
    p->state = REFUSED;
    return;
  }
  g_free(w->session_id);
  w->session_id = w->offers ? g_strdup_printf("offer-%u", ++w->sessions)
                            : g_strdup(INVITATION_ID);
  ll_helper_door_session_started(d, w->session_id, p->key);
  p->state = HELPED;
  w->running = p;
  w->used_by_session = !w->offers;
}

static void session_ends(LlHelperDoor *d, World *w)
{
  if (w->running == NULL)
    return;
  ll_helper_door_session_ended(d);
  w->running->state = GONE;
  w->running = NULL;
}

static void peer_leaves(LlHelperDoor *d, World *w, Peer *p)
{
  if (p->state == HELPED) {
    /* A lost connection: the session waits for a resume. */
    p->state = GONE;
    return;
  }
  gboolean was_letting_in = ll_helper_door_left(d, p);
  g_assert_cmpint(was_letting_in, ==, p->state == LETTING_IN);
  p->state = GONE;
  (void)w;
}

static void step(LlHelperDoor *d, World *w, guint8 s, const uint8_t **rest, const uint8_t *end)
{
  Peer *p = &w->peers[(s >> 3) % PEERS];
  switch (s & 7) {
  case 0: if (p->state == GONE) p->state = AWAITING; break;
  case 1:
    if (*rest < end)
      helper_sends(d, w, p, *(*rest)++);
    break;
  case 2: novice_answers(d, w, (s >> 3) & 1); break;
  case 3: peer_leaves(d, w, p); break;
  case 4: desktop_opens(d, w, (s >> 3) & 1); break;
  case 5: session_ends(d, w); break;
  case 6: if (((s >> 3) & 7) == 7) { w->stopping = TRUE; ll_helper_door_stop(d); } break;
  case 7: w->in_time = (s >> 3) & 1; break;
  }
  g_assert_true(ll_helper_door_asking(d) == asked_peer(w));
  g_assert_true(ll_helper_door_letting_in(d) == letting_in(w));
  g_assert_cmpint(ll_helper_door_running(d), ==, w->running != NULL);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  if (size == 0)
    return 0;
  World w = { .offers = data[0] & 1, .listed = data[0] >> 1, .in_time = TRUE };
  for (int i = 0; i < PEERS; i++)
    g_snprintf(w.peers[i].key, sizeof w.peers[i].key, "key-%d", i % 3);   /* 3 shares 0's */
  LlHelperDoor *d = ll_helper_door_new(w.offers ? NULL : INVITATION_ID, &checks, &w);
  const uint8_t *at = data + 1, *end = data + size;
  while (at < end) {
    guint8 s = *at++;
    step(d, &w, s, &at, end);
  }
  ll_helper_door_free(d);
  g_free(w.session_id);
  return 0;
}

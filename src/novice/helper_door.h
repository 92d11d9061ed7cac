/* Who gets through the door: the novice's admission rules as a state
 * machine without sockets, so that every sequence of helpers' first
 * messages, answers, departures and session ends can be tested and
 * fuzzed. It decides; the host does what it says (asks the novice, sends
 * the refusal, opens the desktop).
 *
 * Peers are opaque tokens of the caller. The rules: an invitation's
 * helper proves its secret, is asked while nobody else is, and is let in
 * once; a host for offers asks only about helpers its policy admits, and
 * only while nobody else is asked, being let in or helped; a resume comes
 * only from the running session's helper with that session's proof. */
#pragma once
#include "common/control_message.h"
#include "common/helper_admission.h"

/* What only the connection and the clock can check. */
typedef struct {
  /* HELLO: the session id and the proof, bound to peer's TLS channel. */
  gboolean (*invitation_proof)(gpointer peer, const LlControlMessage *m, gpointer data);
  /* RESUME: the proof made with the running session's resume token. */
  gboolean (*resume_proof)(gpointer peer, const LlControlMessage *m, gpointer data);
  /* The invitation is still valid now; else error says when it expired. */
  gboolean (*in_time)(gpointer data, GError **error);
  /* OFFER: the policy's verdict on peer's certificate; *view_only if the
   * policy admits it to watch only. */
  void (*admit_offer)(gpointer peer, LlAdmission *out, gboolean *view_only, gpointer data);
} LlDoorChecks;

typedef enum {
  LL_DOOR_ASK,          /* ask the novice about this helper */
  LL_DOOR_REFUSE,       /* tell the helper for_helper, log for_log */
  LL_DOOR_RESUME,       /* carry the running session over this connection */
  LL_DOOR_VIOLATION,    /* a message that has no place here: close the connection */
} LlDoorVerdict;

typedef struct {
  LlDoorVerdict verdict;
  char *for_helper;     /* REFUSE */
  char *for_log;        /* REFUSE, VIOLATION */
  char *name;           /* ASK: the name to show (a CA's, or the one claimed) */
  char *organisation;   /* ASK for an offer: "" unless a CA vouches for one */
  gboolean view_only;   /* ASK for an offer: the policy's control=view-only */
} LlDoorRuling;

void ll_door_ruling_clear(LlDoorRuling *ruling);

typedef enum {
  LL_DOOR_LET_IN,       /* yes: open the desktop for this helper */
  LL_DOOR_SAID_NO,
  LL_DOOR_TOO_LATE,     /* yes, but the invitation expired meanwhile (for_log says so) */
  LL_DOOR_CANCELLED,    /* yes, but sharing is being stopped */
  LL_DOOR_NOT_ASKED,    /* nobody, or another peer, is being asked */
} LlDoorAnswer;

typedef struct LlHelperDoor LlHelperDoor;

/* invitation_session_id: NULL for a host for offers. */
LlHelperDoor *ll_helper_door_new(const char *invitation_session_id, const LlDoorChecks *checks,
                                 gpointer check_data);
void ll_helper_door_free(LlHelperDoor *door);

/* peer, awaiting its first message, sent m; peer_key is its identity
 * key's fingerprint text. An ASK makes peer the one being asked. */
LlDoorRuling ll_helper_door_hear(LlHelperDoor *door, gpointer peer, const char *peer_key,
                                 const LlControlMessage *m);
/* The novice answered about peer; *why for TOO_LATE. */
LlDoorAnswer ll_helper_door_answer(LlHelperDoor *door, gpointer peer, gboolean allow,
                                   char **why);
/* The desktop opened for the let-in peer: its session runs now. */
void ll_helper_door_session_started(LlHelperDoor *door, const char *session_id,
                                    const char *helper_key);
/* The let-in peer left before the desktop was shown, or it could not be
 * shown: the invitation, or the host, is free again. */
void ll_helper_door_not_shown(LlHelperDoor *door);
/* A peer's connection closed; TRUE if it was the one being let in. */
gboolean ll_helper_door_left(LlHelperDoor *door, gpointer peer);
/* The running session ended (a host for offers takes the next one). */
void ll_helper_door_session_ended(LlHelperDoor *door);
/* Sharing is being stopped: nobody more is let in. */
void ll_helper_door_stop(LlHelperDoor *door);

gpointer ll_helper_door_asking(LlHelperDoor *door);
gpointer ll_helper_door_letting_in(LlHelperDoor *door);
gboolean ll_helper_door_running(LlHelperDoor *door);
/* A helper was let in (for an invitation: it is used). */
gboolean ll_helper_door_spent(LlHelperDoor *door);

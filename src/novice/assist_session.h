/* The novice's side of an accepted session: the desktop served to the
 * helper's viewers, chat, the control arbiter with XTest input and the
 * Esc watch, the clipboard in the directions the novice allows, and the
 * audit trail of all of it. Created once the novice has said yes. */
#pragma once
#include "common/audit_log.h"
#include "net/session.h"
#include "novice/desktop/desktop.h"

typedef struct LlAssistSession LlAssistSession;

typedef struct {
  /* The helper asks for control: ask the novice, then call
   * ll_assist_session_answer_control. */
  void (*control_asked)(LlAssistSession *assist, const char *helper_name, gpointer user_data);
  /* The helper took the request back (or left) before the answer. */
  void (*control_withdrawn)(LlAssistSession *assist, gpointer user_data);
  /* Control began (BY NULL) or ended (BY "esc", "pointer", "stop", "release", "drop"). */
  void (*control_changed)(LlAssistSession *assist, gboolean granted, const char *by,
                          gpointer user_data);
  void (*chat)(LlAssistSession *assist, const char *from, const char *text, gpointer user_data);
  /* The helper now sees only MONITOR (NUMBER of COUNT), or the whole
   * desktop again (NUMBER 0, MONITOR NULL). Optional. */
  void (*monitor_shown)(LlAssistSession *assist, guint number, const LlMonitor *monitor,
                        guint count, gpointer user_data);
  /* The connection was lost; the session waits GRACE_S seconds for the
   * helper to come back (once per loss). */
  void (*interrupted)(LlAssistSession *assist, const GError *why, guint grace_s,
                      gpointer user_data);
  /* The helper is back: everything carries on where it stopped. */
  void (*resumed)(LlAssistSession *assist, gpointer user_data);
  /* The session is over; WHY NULL when we ended it. */
  void (*finished)(LlAssistSession *assist, const GError *why, gpointer user_data);
} LlAssistEvents;

typedef struct {
  const char *novice_name;
  const char *helper_name;
  const char *helper_key;       /* fingerprint text */
  const char *session_id;       /* the invitation's id, for the audit log */
  gboolean view_only;
  const char *view_only_reason; /* what a control request is told (NULL: "this session
                                 * is view-only") */
  LlAuditLog *audit;            /* may be NULL */
  guint grace_s;                /* how long a lost connection may take to come back */
} LlAssistConfig;

/* Takes over SESSION (already accepted) and DESKTOP (opened after the
 * novice's yes; also on failure). Fails when the screen cannot be shared;
 * the caller then ends the session with the error's message. */
LlAssistSession *ll_assist_session_new(LlSession *session, LlDesktop *desktop,
                                       const LlAssistConfig *config,
                                       const LlAssistEvents *events, gpointer user_data,
                                       GError **error);
void ll_assist_session_free(LlAssistSession *assist);

/* The desktop shared. */
LlDesktop *ll_assist_session_desktop(LlAssistSession *assist);
/* The helper was told yes: tell it what the desktop offers (its monitors). */
void ll_assist_session_accepted(LlAssistSession *assist);
void ll_assist_session_answer_control(LlAssistSession *assist, gboolean allow);
/* The novice takes control back (/stop, the Stop button). */
void ll_assist_session_stop_control(LlAssistSession *assist);
gboolean ll_assist_session_send_chat(LlAssistSession *assist, const char *text, GError **error);
/* CARRIER's connection opened with a valid RESUME for this session: it
 * carries the session on (see ll_session_resume_from). */
gboolean ll_assist_session_resume_from(LlAssistSession *assist, LlSession *carrier,
                                       guint64 peer_received, GError **error);
/* Ends the session, telling the helper REASON. */
void ll_assist_session_end(LlAssistSession *assist, const char *reason);

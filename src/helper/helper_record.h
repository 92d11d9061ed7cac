/* The helper's own audit log: whom they helped, when, the key of the
 * computer they saw (pinned by the invitation or the offer), control
 * granted and how it ended, how the session ended. The same file and the
 * same `lifeline log` as the novice's; the events start with "helped-". */
#pragma once
#include "common/audit_log.h"
#include <gio/gio.h>

typedef struct {
  LlAuditLog *log;      /* not owned; NULL: nothing is recorded */
  char *novice_key;     /* the other computer's, once connected */
  char *path;
  char *session;        /* once the novice said yes */
  char *novice;
} LlHelperRecord;

/* The secure channel is up over PATH: remembers the other side's key. */
void ll_helper_record_connected(LlHelperRecord *r, GTlsConnection *tls, const char *path);
void ll_helper_record_started(LlHelperRecord *r, const char *session, const char *novice);
void ll_helper_record_refused(LlHelperRecord *r, const char *novice, const char *reason);
void ll_helper_record_control_granted(LlHelperRecord *r);
/* BY: "esc", "stop", "release", "drop". */
void ll_helper_record_control_ended(LlHelperRecord *r, const char *by);
/* WHY NULL: the helper left. Only a session that started is recorded. */
void ll_helper_record_ended(LlHelperRecord *r, const GError *why);
void ll_helper_record_clear(LlHelperRecord *r);

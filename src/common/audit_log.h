/* The audit log: one JSON object per line in
 * $XDG_STATE_HOME/lifeline/audit.log (mode 0600), appended as things
 * happen: who connected with which key, consent given or refused, control
 * granted and how it ended, how the session ended. Never a secret. */
#pragma once
#include <glib.h>

typedef struct LlAuditLog LlAuditLog;

/* The default place, under the XDG state directory. */
char *ll_audit_log_default_path(void);
/* PATH NULL means the default. */
LlAuditLog *ll_audit_log_open(const char *path, GError **error);
void ll_audit_log_close(LlAuditLog *log);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(LlAuditLog, ll_audit_log_close)

/* Appends {"time": ..., "event": EVENT, KEY: VALUE, ...}; the arguments
 * after EVENT are KEY, VALUE string pairs ending with NULL. A NULL-safe
 * no-op when LOG is NULL, so callers need not check. */
void ll_audit_log_write(LlAuditLog *log, const char *event, ...) G_GNUC_NULL_TERMINATED;

/* One readable line for a JSON line of the log; NULL if it is not one. */
char *ll_audit_log_describe_line(const char *json_line);

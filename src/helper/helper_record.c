#include "helper/helper_record.h"
#include "common/fingerprint.h"

void ll_helper_record_connected(LlHelperRecord *r, GTlsConnection *tls, const char *path)
{
  guint8 fingerprint[LL_FINGERPRINT_BYTES];
  GTlsCertificate *peer = g_tls_connection_get_peer_certificate(tls);
  g_free(r->novice_key);
  r->novice_key = peer != NULL && ll_fingerprint_of_certificate(peer, fingerprint)
                      ? ll_fingerprint_to_text(fingerprint) : NULL;
  g_free(r->path);
  r->path = g_strdup(path);
}

void ll_helper_record_started(LlHelperRecord *r, const char *session, const char *novice)
{
  g_free(r->session);
  r->session = g_strdup(session != NULL ? session : "");
  g_free(r->novice);
  r->novice = g_strdup(novice);
  ll_audit_log_write(r->log, "helped-session-start", "session", r->session, "novice", r->novice,
                     "novice-key", r->novice_key != NULL ? r->novice_key : "", "path",
                     r->path != NULL ? r->path : "", NULL);
}

void ll_helper_record_refused(LlHelperRecord *r, const char *novice, const char *reason)
{
  ll_audit_log_write(r->log, "helped-refused", "novice", novice, "novice-key",
                     r->novice_key != NULL ? r->novice_key : "", "reason", reason, NULL);
}

void ll_helper_record_control_granted(LlHelperRecord *r)
{
  ll_audit_log_write(r->log, "helped-control-granted", "session", r->session, "novice",
                     r->novice, NULL);
}

void ll_helper_record_control_ended(LlHelperRecord *r, const char *by)
{
  ll_audit_log_write(r->log, "helped-control-ended", "session", r->session, "novice", r->novice,
                     "by", by != NULL ? by : "", NULL);
}

void ll_helper_record_ended(LlHelperRecord *r, const GError *why)
{
  if (r->session == NULL)
    return;
  ll_audit_log_write(r->log, "helped-session-end", "session", r->session, "novice", r->novice,
                     "reason", why != NULL ? why->message : "the helper left", NULL);
  g_clear_pointer(&r->session, g_free);
}

void ll_helper_record_clear(LlHelperRecord *r)
{
  g_free(r->novice_key);
  g_free(r->path);
  g_free(r->session);
  g_free(r->novice);
  r->novice_key = r->path = r->session = r->novice = NULL;
}

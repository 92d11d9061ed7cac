#include "common/helper_admission.h"
#include "common/invitation.h"
#include "common/x509_util.h"
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <string.h>

#define NOT_AUTHORIZED "not an authorized helper for this machine"

static char *issuer_label(gnutls_x509_crt_t crt)
{
  g_autofree char *org = ll_certificate_dn_field(crt, GNUTLS_OID_X520_ORGANIZATION_NAME, TRUE);
  if (*org != '\0')
    return g_steal_pointer(&org);
  return ll_certificate_dn_field(crt, GNUTLS_OID_X520_COMMON_NAME, TRUE);
}

static gnutls_x509_crt_t import_der(const guint8 *der, gsize len)
{
  gnutls_x509_crt_t crt = NULL;
  gnutls_datum_t in = { (unsigned char *)der, (unsigned int)len };
  if (len > G_MAXUINT32 || gnutls_x509_crt_init(&crt) < 0)
    return NULL;
  if (gnutls_x509_crt_import(crt, &in, GNUTLS_X509_FMT_DER) < 0) {
    gnutls_x509_crt_deinit(crt);
    return NULL;
  }
  return crt;
}

static void refuse(LlAdmission *out, LlAdmitVerdict verdict, char *reason)
{
  out->verdict = verdict;
  g_free(out->reason);
  out->reason = reason;
}

static void judge_time(gnutls_x509_crt_t crt, gint64 now, LlAdmission *out)
{
  g_autofree char *org = issuer_label(crt);
  gint64 from = gnutls_x509_crt_get_activation_time(crt);
  gint64 until = gnutls_x509_crt_get_expiration_time(crt);
  if (now < from) {
    g_autofree char *when = ll_format_local_time(from);
    refuse(out, LL_ADMIT_NOT_YET_VALID,
           g_strdup_printf(NOT_AUTHORIZED ": your certificate from %s is valid only from %s; "
                           "check this computer's clock", org, when));
  } else if (now >= until) {
    g_autofree char *when = ll_format_local_time(until);
    refuse(out, LL_ADMIT_EXPIRED,
           g_strdup_printf(NOT_AUTHORIZED ": your certificate from %s expired at %s; "
                           "ask %s for a new one", org, when, org));
  } else {
    out->verdict = LL_ADMIT_YES;
    g_clear_pointer(&out->reason, g_free);
    out->name = ll_certificate_dn_field(crt, GNUTLS_OID_X520_COMMON_NAME, FALSE);
    out->organisation = g_steal_pointer(&org);
  }
}

/* A helper's certificate is an end entity for TLS clients: not a CA of its
 * own, and (when it says what it is for) meant for client authentication,
 * so a company CA's other certificates do not make helpers. */
static gboolean fit_for_helper(gnutls_x509_crt_t crt)
{
  unsigned int critical = 0;
  if (gnutls_x509_crt_get_basic_constraints(crt, &critical, NULL, NULL) > 0)
    return FALSE;
  gboolean any_purpose = FALSE;
  for (unsigned int i = 0;; i++) {
    char oid[128];
    size_t size = sizeof oid;
    int rc = gnutls_x509_crt_get_key_purpose_oid(crt, i, oid, &size, NULL);
    if (rc == GNUTLS_E_REQUESTED_DATA_NOT_AVAILABLE)
      return !any_purpose;
    if (rc < 0)
      return FALSE;
    any_purpose = TRUE;
    if (strcmp(oid, GNUTLS_KP_TLS_WWW_CLIENT) == 0 || strcmp(oid, GNUTLS_KP_ANY) == 0)
      return TRUE;
  }
}

/* Did one of CAS sign CRT? Sets OUT when it says something: admitted,
 * expired, or not valid yet. Returns TRUE when a trusted CA signed it. */
static gboolean signed_by_trusted(GPtrArray *cas, gnutls_x509_crt_t crt, gint64 now,
                                  LlAdmission *out)
{
  for (guint i = 0; i < cas->len; i++) {
    GBytes *der = g_ptr_array_index(cas, i);
    gsize len = 0;
    const guint8 *data = g_bytes_get_data(der, &len);
    gnutls_x509_crt_t ca = import_der(data, len);
    unsigned int status = 1;
    if (ca == NULL)
      continue;
    /* Times are judged below, against NOW, to say which one failed. */
    if (gnutls_x509_crt_check_issuer(crt, ca) &&
        gnutls_x509_crt_verify(crt, &ca, 1,
                               GNUTLS_VERIFY_DISABLE_TIME_CHECKS |
                                   GNUTLS_VERIFY_DISABLE_TRUSTED_TIME_CHECKS,
                               &status) >= 0 &&
        status == 0) {
      judge_time(crt, now, out);
      if (out->verdict == LL_ADMIT_YES && (now >= gnutls_x509_crt_get_expiration_time(ca) ||
                                           now < gnutls_x509_crt_get_activation_time(ca)))
        refuse(out, LL_ADMIT_EXPIRED,
               g_strdup_printf(NOT_AUTHORIZED ": the certificate of %s that signed yours is "
                               "not valid now", out->organisation));
      else if (out->verdict == LL_ADMIT_YES && !fit_for_helper(crt))
        refuse(out, LL_ADMIT_NOT_LISTED,
               g_strdup_printf(NOT_AUTHORIZED ": the certificate %s signed for you is not a "
                               "helper's (it is a CA's, or not for client authentication)",
                               out->organisation));
      gnutls_x509_crt_deinit(ca);
      return TRUE;
    }
    gnutls_x509_crt_deinit(ca);
  }
  return FALSE;
}

static void check_sources(const LlHelperSources *sources, gnutls_x509_crt_t crt,
                          const guint8 fingerprint[LL_FINGERPRINT_BYTES], gint64 now,
                          LlAdmission *out)
{
  LlAdmission by_ca = { .verdict = LL_ADMIT_NOT_LISTED };
  gboolean signed_ok = signed_by_trusted(sources->cas, crt, now, &by_ca);
  if (signed_ok && by_ca.verdict == LL_ADMIT_YES) {
    ll_admission_clear(out);
    *out = by_ca;
  } else if (ll_helper_sources_list(sources, fingerprint)) {
    ll_admission_clear(&by_ca);
    out->verdict = LL_ADMIT_YES;   /* listed by key: any certificate will do */
    g_clear_pointer(&out->reason, g_free);
  } else if (signed_ok) {
    ll_admission_clear(out);
    *out = by_ca;
  } else if (!gnutls_x509_crt_check_issuer(crt, crt)) {
    g_autofree char *org = issuer_label(crt);
    refuse(out, LL_ADMIT_OTHER_CA,
           g_strdup_printf(NOT_AUTHORIZED ": your certificate is from \"%s\", which this "
                           "machine does not trust", org));
  } else {
    refuse(out, LL_ADMIT_NOT_LISTED, g_strdup(NOT_AUTHORIZED));
  }
}

void ll_admission_check(const LlPolicy *policy, const guint8 *der, gsize der_len, gint64 now,
                        LlAdmission *out)
{
  guint8 fingerprint[LL_FINGERPRINT_BYTES];
  memset(out, 0, sizeof *out);
  if (!policy->offers_allowed) {
    refuse(out, LL_ADMIT_OFFERS_OFF, g_strdup("this machine does not accept offers of help"));
    return;
  }
  gnutls_x509_crt_t crt = import_der(der, der_len);
  if (crt == NULL || !ll_fingerprint_of_der(der, der_len, fingerprint)) {
    refuse(out, LL_ADMIT_NOT_LISTED, g_strdup(NOT_AUTHORIZED));
    if (crt != NULL)
      gnutls_x509_crt_deinit(crt);
    return;
  }
  check_sources(&policy->admit, crt, fingerprint, now, out);
  if (out->verdict == LL_ADMIT_YES && !ll_helper_sources_empty(&policy->user_admit)) {
    LlAdmission user = { 0 };
    check_sources(&policy->user_admit, crt, fingerprint, now, &user);
    if (user.verdict != LL_ADMIT_YES) {
      ll_admission_clear(out);
      *out = user;
    } else {
      ll_admission_clear(&user);
    }
  }
  gnutls_x509_crt_deinit(crt);
}

void ll_admission_clear(LlAdmission *a)
{
  g_clear_pointer(&a->reason, g_free);
  g_clear_pointer(&a->name, g_free);
  g_clear_pointer(&a->organisation, g_free);
}

const char *ll_admit_verdict_name(LlAdmitVerdict verdict)
{
  switch (verdict) {
  case LL_ADMIT_YES: return "admitted";
  case LL_ADMIT_OFFERS_OFF: return "offers-off";
  case LL_ADMIT_NOT_LISTED: return "not-listed";
  case LL_ADMIT_OTHER_CA: return "other-ca";
  case LL_ADMIT_EXPIRED: return "expired";
  case LL_ADMIT_NOT_YET_VALID: return "not-yet-valid";
  }
  return "unknown";
}

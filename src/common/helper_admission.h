/* Who may offer help to this machine: the policy decision on a helper's
 * certificate, made before the novice is disturbed. A helper is admitted
 * when offers are on and the policy lists the helper's key, or a CA of the
 * policy signed the helper's certificate and it is valid now. A user's own
 * list, when it has one, must admit the helper too. */
#pragma once
#include <glib.h>
#include "common/policy.h"

typedef enum {
  LL_ADMIT_YES,
  LL_ADMIT_OFFERS_OFF,      /* offers are turned off (or fail closed) */
  LL_ADMIT_NOT_LISTED,      /* neither listed nor signed by a trusted CA */
  LL_ADMIT_OTHER_CA,        /* signed, but not by a CA this machine trusts */
  LL_ADMIT_EXPIRED,         /* signed by a trusted CA, but expired */
  LL_ADMIT_NOT_YET_VALID,   /* signed by a trusted CA, but not valid yet */
} LlAdmitVerdict;

typedef struct {
  LlAdmitVerdict verdict;
  char *reason;          /* refused: a sentence for the helper and the audit log */
  char *name;            /* admitted by a CA: the certificate's common name */
  char *organisation;    /* admitted by a CA: the certificate's organisation */
} LlAdmission;

/* Decides on the helper certificate DER at NOW (Unix seconds). */
void ll_admission_check(const LlPolicy *policy, const guint8 *der, gsize der_len, gint64 now,
                        LlAdmission *out);
void ll_admission_clear(LlAdmission *admission);
const char *ll_admit_verdict_name(LlAdmitVerdict verdict);

/* The machine's help policy: /etc/lifeline/policy.conf (GKeyFile), the
 * modern form of the old tool's Group Policy settings.
 *
 *   [solicited]  allow (bool), control (allow | view-only), max-lifetime (duration)
 *   [offer]      allow (bool), control (allow | view-only),
 *                helpers (fingerprint list), helper-ca (PEM file)
 *
 * A missing file allows invitations and refuses offers. Anything doubtful
 * fails closed, part by part: a file that does not parse, or that someone
 * other than root or its owner may write, turns offers off and keeps
 * invitations only where [solicited] could be read; a malformed value or
 * an unreadable CA turns off the part it belongs to. Each problem is kept
 * as a sentence for the log. Unknown groups and keys are warned about and
 * ignored. A user's own file may only narrow what the machine allows. */
#pragma once
#include <glib.h>
#include "common/fingerprint.h"

#define LL_POLICY_DEFAULT_PATH "/etc/lifeline/policy.conf"
/* The longest invitation when policy sets no max-lifetime. */
#define LL_POLICY_MAX_LIFETIME_S (7 * 24 * 3600)

typedef struct {
  guint8 bytes[LL_FINGERPRINT_BYTES];
} LlFingerprint;

/* Who is admitted: helpers listed one by one, and CAs whose signature counts. */
typedef struct {
  GArray *fingerprints;      /* of LlFingerprint */
  GPtrArray *cas;            /* of GBytes: DER certificates */
} LlHelperSources;

typedef struct {
  /* [solicited] */
  gboolean solicited_allowed;
  gboolean solicited_view_only;
  gint64 max_lifetime_s;
  char *solicited_problem;   /* why invitations are off, when a problem turned them off */
  /* [offer] */
  gboolean offers_allowed;
  gboolean offer_view_only;
  LlHelperSources admit;        /* who may offer */
  LlHelperSources user_admit;   /* a user's own list: when not empty, a helper must be
                                 * in both */
  char *offer_problem;       /* why offers are off, when a problem turned them off */
  GPtrArray *warnings;       /* unknown keys and groups: sentences for the log */
} LlPolicy;

/* The defaults of a machine without a policy file. */
LlPolicy *ll_policy_new_default(void);
/* Who may write a policy file (and the CA it names), and where it starts:
 *  MACHINE: /etc/lifeline/policy.conf; root only; the defaults above.
 *  LOCAL: a per-user install's file (--policy with no machine file); root
 *    or the user; the defaults above.
 *  NARROWING: a user's own file (--policy beside a machine file, or
 *    $XDG_CONFIG_HOME/lifeline/policy.conf); root or the user; starts from
 *    "all the machine allows", since it can only take away. */
typedef enum { LL_POLICY_MACHINE, LL_POLICY_LOCAL, LL_POLICY_NARROWING } LlPolicyLevel;

/* ll_policy_load_file reads PATH. It never fails: problems fail closed
 * as described above and are recorded in the result. A missing file
 * gives the defaults. */
/* Parses policy text; a CA path inside it (absolute only) is read from
 * disk with LEVEL's rules. For tests and for ll_policy_load_file, which
 * checks the file itself first. */
LlPolicy *ll_policy_parse(const char *text, gsize length, const char *origin,
                          LlPolicyLevel level);
LlPolicy *ll_policy_load_file(const char *path, LlPolicyLevel level);
/* What a user's own policy leaves of MACHINE: each setting the narrower
 * of the two; when the user names helpers, a helper needs both. */
LlPolicy *ll_policy_narrow(const LlPolicy *machine, const LlPolicy *user);
/* The policy in force. The machine's file; a --policy PATH narrows it, or
 * stands in for it on a machine without one (a per-user install); then
 * the user's $XDG_CONFIG_HOME/lifeline/policy.conf narrows the result. */
LlPolicy *ll_policy_load_effective(const char *path);
void ll_policy_free(LlPolicy *policy);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(LlPolicy, ll_policy_free)

/* May this machine invite, and how? FALSE with a sentence (LL_ERROR_REFUSED)
 * when policy turned invitations off. Else cuts *LIFETIME to the policy's
 * longest (*CUT says so) and sets *VIEW_ONLY when policy demands it. */
gboolean ll_policy_check_invitation(const LlPolicy *policy, gint64 *lifetime, gboolean *cut,
                                    gboolean *view_only, GError **error);
/* Writes every problem and warning to the log (once, at start). */
void ll_policy_log_problems(const LlPolicy *policy, const char *origin);
gboolean ll_helper_sources_empty(const LlHelperSources *sources);
gboolean ll_helper_sources_list(const LlHelperSources *sources,
                                const guint8 fingerprint[LL_FINGERPRINT_BYTES]);

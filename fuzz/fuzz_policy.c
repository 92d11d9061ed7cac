/* libFuzzer target: the policy file (machine and user level), and every
 * decision made from a policy that parsed. */
#include "common/policy.h"
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  static const LlPolicyLevel levels[] = { LL_POLICY_MACHINE, LL_POLICY_LOCAL };
  for (gsize i = 0; i < G_N_ELEMENTS(levels); i++) {
    g_autoptr(LlPolicy) p = ll_policy_parse((const char *)data, size, "fuzz", levels[i]);
    if (p == NULL)
      continue;
    gint64 lifetime = 3600;
    gboolean cut = FALSE, view_only = FALSE;
    g_autoptr(GError) error = NULL;
    if (ll_policy_check_invitation(p, &lifetime, &cut, &view_only, &error))
      g_assert_cmpint(lifetime, <=, LL_POLICY_MAX_LIFETIME_S);
    g_autoptr(LlPolicy) machine = ll_policy_new_default();
    g_autoptr(LlPolicy) narrowed = ll_policy_narrow(machine, p);
    g_assert_nonnull(narrowed);
  }
  return 0;
}

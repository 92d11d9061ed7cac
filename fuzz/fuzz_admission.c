/* libFuzzer target: a helper's certificate (DER, from the TLS handshake)
 * judged by a policy with offers on and a listed key. */
#include "common/helper_admission.h"
#include <stdint.h>
#include <string.h>

static const char policy_text[] =
    "[offer]\n"
    "allow=true\n"
    "helpers=sha256:0000000000000000000000000000000000000000000000000000000000000000\n";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  static LlPolicy *policy;
  if (policy == NULL)
    policy = ll_policy_parse(policy_text, strlen(policy_text), "fuzz", LL_POLICY_MACHINE);
  LlAdmission admission = { 0 };
  ll_admission_check(policy, data, size, 1790000000, &admission);
  g_assert_true(admission.verdict == LL_ADMIT_YES || admission.reason != NULL);
  ll_admission_clear(&admission);
  return 0;
}

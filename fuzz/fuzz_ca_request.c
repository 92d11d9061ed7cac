/* libFuzzer target: `lifeline ca sign`: a helper's certificate request
 * (PEM), whose own signature must hold, signed by an organisation CA. */
#include "common/org_ca.h"
#include "fuzz_scratch.h"
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  static const char *dir;
  if (dir == NULL) {
    dir = fuzz_scratch();
    g_assert_true(ll_org_ca_init(dir, "Fuzz Help Desk", NULL));
  }
  g_autoptr(GError) error = NULL;
  LlSignedHelper signed_helper = { 0 };
  if (ll_org_ca_sign(dir, (const char *)data, size, 30, &signed_helper, &error))
    ll_signed_helper_clear(&signed_helper);
  else
    g_assert_nonnull(error);
  return 0;
}

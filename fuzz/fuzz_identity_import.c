/* libFuzzer target: `lifeline id --import`: a certificate (PEM) that must
 * be for this helper's key, perhaps followed by its CA. */
#include "common/identity.h"
#include "fuzz_scratch.h"
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  static LlIdentity *identity;
  if (identity == NULL) {
    identity = ll_identity_load_or_create(fuzz_scratch(), NULL);
    g_assert_nonnull(identity);
  }
  g_autoptr(GError) error = NULL;
  if (!ll_identity_import_certificate(identity, (const char *)data, size, &error))
    g_assert_nonnull(error);
  return 0;
}

/* libFuzzer target: rendezvous signalling messages (both directions). */
#include "common/signal_message.h"
#include <stdint.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  g_autoptr(LlSignalMessage) m = ll_signal_message_decode((const char *)data, size, NULL);
  if (m != NULL) {
    g_autofree char *text = ll_signal_message_encode(m);
    g_autoptr(LlSignalMessage) again = ll_signal_message_decode(text, strlen(text), NULL);
    g_assert_nonnull(again);
  }
  return 0;
}

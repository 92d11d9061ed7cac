/* libFuzzer target: a message from another rendezvous instance, as it
 * arrives from Redis. Whatever is accepted encodes to a message that
 * decodes to the same. */
#include "rendezvous/cluster_message.h"
#include <stdint.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LlClusterMessage) m = ll_cluster_message_decode((const char *)data, size, &error);
  g_assert_true((m == NULL) != (error == NULL));
  if (m == NULL)
    return 0;
  g_autofree char *text = ll_cluster_message_encode(m);
  g_autoptr(LlClusterMessage) again = ll_cluster_message_decode(text, strlen(text), NULL);
  g_assert_nonnull(again);
  g_autofree char *text2 = ll_cluster_message_encode(again);
  g_assert_cmpstr(text, ==, text2);
  return 0;
}

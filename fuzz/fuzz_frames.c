/* libFuzzer target: the frame decoder fed in arbitrary pieces, and every
 * control-channel payload it delivers decoded as a control message. */
#include "common/control_message.h"
#include "common/framing.h"
#include <stdint.h>

static gboolean on_frame(LlChannel channel, GBytes *payload, gpointer data)
{
  (void)data;
  g_assert_cmpuint(g_bytes_get_size(payload), <=, ll_channel_max_payload(channel));
  if (channel == LL_CHANNEL_CONTROL) {
    g_autoptr(LlControlMessage) m = ll_control_message_decode(payload, NULL);
    if (m != NULL) {
      g_autoptr(GBytes) again = ll_control_message_encode(m);
      g_assert_nonnull(again);
    }
  }
  return TRUE;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  g_autoptr(LlFrameDecoder) d = ll_frame_decoder_new();
  /* The first byte chooses how the stream is cut into reads. */
  size_t step = size > 0 ? (data[0] % 7) + 1 : 1;
  for (size_t i = size > 0 ? 1 : 0; i < size; i += step)
    if (!ll_frame_decoder_feed(d, data + i, MIN(step, size - i), on_frame, NULL, NULL))
      break;
  return 0;
}

#include "common/framing.h"
#include "common/error.h"
#include <string.h>

gsize ll_channel_max_payload(guint channel)
{
  switch (channel) {
  case LL_CHANNEL_CONTROL: return LL_MAX_CONTROL_PAYLOAD;
  case LL_CHANNEL_RFB: return LL_MAX_RFB_PAYLOAD;
  case LL_CHANNEL_CHAT: return LL_MAX_CHAT_PAYLOAD;
  case LL_CHANNEL_LINK: return LL_LINK_PAYLOAD;
  default: return 0;
  }
}

static void put_u32(guint8 *out, guint32 value)
{
  out[0] = value >> 24;
  out[1] = value >> 16;
  out[2] = value >> 8;
  out[3] = value;
}

static guint32 get_u32(const guint8 *in)
{
  return ((guint32)in[0] << 24) | ((guint32)in[1] << 16) | ((guint32)in[2] << 8) | in[3];
}

GBytes *ll_frame_encode(LlChannel channel, const void *payload, gsize payload_len)
{
  g_return_val_if_fail(payload_len <= ll_channel_max_payload(channel), NULL);
  guint8 *frame = g_malloc(LL_FRAME_HEADER_BYTES + payload_len);
  frame[0] = channel;
  put_u32(frame + 1, payload_len);
  if (payload_len > 0)
    memcpy(frame + LL_FRAME_HEADER_BYTES, payload, payload_len);
  return g_bytes_new_take(frame, LL_FRAME_HEADER_BYTES + payload_len);
}

GBytes *ll_frame_encode_stream(guint32 stream_id, const void *data, gsize len)
{
  g_return_val_if_fail(len <= LL_MAX_RFB_CHUNK, NULL);
  guint8 *frame = g_malloc(LL_FRAME_HEADER_BYTES + 4 + len);
  frame[0] = LL_CHANNEL_RFB;
  put_u32(frame + 1, 4 + len);
  put_u32(frame + LL_FRAME_HEADER_BYTES, stream_id);
  if (len > 0)
    memcpy(frame + LL_FRAME_HEADER_BYTES + 4, data, len);
  return g_bytes_new_take(frame, LL_FRAME_HEADER_BYTES + 4 + len);
}

struct LlFrameDecoder {
  guint8 header[LL_FRAME_HEADER_BYTES];
  gsize header_have;
  guint8 *payload;          /* NULL while reading a header */
  gsize payload_len;
  gsize payload_have;
  gboolean dead;
};

LlFrameDecoder *ll_frame_decoder_new(void)
{
  return g_new0(LlFrameDecoder, 1);
}

void ll_frame_decoder_free(LlFrameDecoder *decoder)
{
  if (decoder == NULL)
    return;
  g_free(decoder->payload);
  g_free(decoder);
}

static gboolean start_payload(LlFrameDecoder *d, GError **error)
{
  guint channel = d->header[0];
  gsize max = ll_channel_max_payload(channel);
  d->payload_len = get_u32(d->header + 1);
  if (max == 0) {
    g_set_error(error, LL_ERROR, LL_ERROR_PROTOCOL, "frame on unknown channel %u", channel);
    return FALSE;
  }
  if (d->payload_len > max) {
    g_set_error(error, LL_ERROR, LL_ERROR_PROTOCOL,
                "frame of %" G_GSIZE_FORMAT " bytes on channel %u exceeds its limit of %"
                G_GSIZE_FORMAT, d->payload_len, channel, max);
    return FALSE;
  }
  d->payload = g_malloc(d->payload_len > 0 ? d->payload_len : 1);
  d->payload_have = 0;
  return TRUE;
}

static gboolean deliver(LlFrameDecoder *d, LlFrameHandler handler, gpointer user_data)
{
  GBytes *payload = g_bytes_new_take(g_steal_pointer(&d->payload), d->payload_len);
  gboolean go_on = handler(d->header[0], payload, user_data);
  g_bytes_unref(payload);
  d->header_have = 0;
  return go_on;
}

gboolean ll_frame_decoder_feed(LlFrameDecoder *d, const guint8 *data, gsize len,
                               LlFrameHandler handler, gpointer user_data, GError **error)
{
  if (d->dead) {
    g_set_error_literal(error, LL_ERROR, LL_ERROR_PROTOCOL, "session already failed");
    return FALSE;
  }
  while (len > 0) {
    if (d->payload == NULL) {
      gsize take = MIN(len, LL_FRAME_HEADER_BYTES - d->header_have);
      memcpy(d->header + d->header_have, data, take);
      d->header_have += take;
      data += take;
      len -= take;
      if (d->header_have < LL_FRAME_HEADER_BYTES)
        break;
      if (!start_payload(d, error)) {
        d->dead = TRUE;
        return FALSE;
      }
    } else {
      gsize take = MIN(len, d->payload_len - d->payload_have);
      memcpy(d->payload + d->payload_have, data, take);
      d->payload_have += take;
      data += take;
      len -= take;
    }
    if (d->payload != NULL && d->payload_have == d->payload_len &&
        !deliver(d, handler, user_data))
      return FALSE;
  }
  return TRUE;
}

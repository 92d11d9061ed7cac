/* Session framing: every message inside the TLS connection is
 *   u8 channel | u32 big-endian length | payload
 * Each channel has its own maximum payload; a length above it, or an
 * unknown channel, is a protocol violation detected from the 5-byte header,
 * before anything is allocated. */
#pragma once
#include <glib.h>

typedef enum {
  LL_CHANNEL_CONTROL = 0,   /* typed control messages (control_message.h) */
  LL_CHANNEL_RFB = 1,       /* u32 stream id | RFB bytes */
  LL_CHANNEL_CHAT = 2,      /* one UTF-8 chat message per frame */
  LL_CHANNEL_LINK = 3,      /* u64 big-endian: bytes of frames received (an
                             * acknowledgement, also the heartbeat); about
                             * this connection only, never replayed */
  LL_CHANNEL_COUNT
} LlChannel;

#define LL_FRAME_HEADER_BYTES 5
#define LL_MAX_CONTROL_PAYLOAD (16 * 1024)
#define LL_MAX_RFB_CHUNK (64 * 1024)
#define LL_MAX_RFB_PAYLOAD (4 + LL_MAX_RFB_CHUNK)
/* One chat message: UTF-8, at most this many bytes. */
#define LL_MAX_CHAT_PAYLOAD 4096
#define LL_LINK_PAYLOAD 8

/* 0 for a channel that does not exist. */
gsize ll_channel_max_payload(guint channel);

/* A complete frame, header included. PAYLOAD_LEN must be within the
 * channel's maximum (a programming error otherwise). */
GBytes *ll_frame_encode(LlChannel channel, const void *payload, gsize payload_len);
/* An RFB-channel frame: stream id then data. */
GBytes *ll_frame_encode_stream(guint32 stream_id, const void *data, gsize len);

typedef struct LlFrameDecoder LlFrameDecoder;
/* Called for each complete frame; return FALSE to stop decoding (the
 * session was closed from inside the callback). */
typedef gboolean (*LlFrameHandler)(LlChannel channel, GBytes *payload, gpointer user_data);

LlFrameDecoder *ll_frame_decoder_new(void);
void ll_frame_decoder_free(LlFrameDecoder *decoder);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(LlFrameDecoder, ll_frame_decoder_free)
/* Consumes LEN bytes, calling HANDLER for each complete frame. Returns
 * FALSE with LL_ERROR_PROTOCOL on a violation (the decoder is then dead),
 * or FALSE without error when the handler asked to stop. */
gboolean ll_frame_decoder_feed(LlFrameDecoder *decoder, const guint8 *data, gsize len,
                               LlFrameHandler handler, gpointer user_data, GError **error);

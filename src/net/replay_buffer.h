/* The frames a session sent that the other side has not yet confirmed,
 * each at its offset in the session's stream of frames. When a connection
 * is lost, whatever the other side did not receive is sent again from
 * here over the next one, so nothing is lost or repeated across a resume.
 * Offsets count whole frames, header included; the other side only ever
 * reports offsets at frame boundaries, and anything else is refused. */
#pragma once
#include <glib.h>

typedef struct LlReplayBuffer LlReplayBuffer;

LlReplayBuffer *ll_replay_buffer_new(void);
void ll_replay_buffer_free(LlReplayBuffer *buffer);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(LlReplayBuffer, ll_replay_buffer_free)

/* Keeps a reference to FRAME, placed at the end. */
void ll_replay_buffer_push(LlReplayBuffer *buffer, GBytes *frame);
/* The offset of the oldest frame kept (everything before it is confirmed). */
guint64 ll_replay_buffer_start(const LlReplayBuffer *buffer);
/* The offset just after the newest frame: all bytes ever pushed. */
guint64 ll_replay_buffer_end(const LlReplayBuffer *buffer);
/* Bytes kept, waiting for confirmation. */
guint64 ll_replay_buffer_size(const LlReplayBuffer *buffer);

/* The other side has every byte before OFFSET: those frames are let go.
 * FALSE, and nothing let go, when OFFSET lies before the start, beyond
 * the end, or inside a frame. */
gboolean ll_replay_buffer_confirm(LlReplayBuffer *buffer, guint64 offset);
/* The frames from OFFSET to the end, oldest first, as new references;
 * NULL under the same conditions as a refused confirm. */
GPtrArray *ll_replay_buffer_since(LlReplayBuffer *buffer, guint64 offset);

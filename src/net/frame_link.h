/* One connection carrying frames: reads and decodes them, writes queued
 * frames in batches, and tells when the queue is congested and drained.
 * It knows nothing of what the frames mean; a session (session.h) runs on
 * one link at a time and moves to a new link when a connection is lost. */
#pragma once
#include <gio/gio.h>
#include "common/framing.h"

typedef struct LlFrameLink LlFrameLink;

typedef struct {
  /* One complete frame. Return FALSE when the link was closed or handed
   * over inside: reading then stops. */
  gboolean (*frame)(LlFrameLink *link, LlChannel channel, GBytes *payload, gpointer user_data);
  /* The write queue fell below its low mark after being congested. */
  void (*drained)(LlFrameLink *link, gpointer user_data);
  /* Exactly once, from the main loop: WHY is NULL when we closed the link
   * (after the flush), LL_ERROR_PROTOCOL for bytes that are not frames,
   * LL_ERROR_CONNECTION_LOST otherwise. */
  void (*closed)(LlFrameLink *link, const GError *why, gpointer user_data);
} LlFrameLinkHandlers;

#define LL_LINK_HIGH_WATER (1024 * 1024)
#define LL_LINK_LOW_WATER (256 * 1024)

LlFrameLink *ll_frame_link_new(GIOStream *stream, const LlFrameLinkHandlers *handlers,
                               gpointer user_data);
LlFrameLink *ll_frame_link_ref(LlFrameLink *link);
void ll_frame_link_unref(LlFrameLink *link);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(LlFrameLink, ll_frame_link_unref)

void ll_frame_link_set_handlers(LlFrameLink *link, const LlFrameLinkHandlers *handlers,
                                gpointer user_data);
/* Starts reading. */
void ll_frame_link_start(LlFrameLink *link);
gboolean ll_frame_link_is_open(LlFrameLink *link);
/* Queues a complete frame (a reference is taken). */
void ll_frame_link_send(LlFrameLink *link, GBytes *frame);
/* TRUE while more than the high mark waits to be written. */
gboolean ll_frame_link_is_congested(LlFrameLink *link);
/* When bytes last arrived, in g_get_monotonic_time() microseconds. */
gint64 ll_frame_link_last_heard(LlFrameLink *link);
/* Writes what is queued (for at most FLUSH_TIMEOUT_MS), then closes. */
void ll_frame_link_close(LlFrameLink *link, guint flush_timeout_ms);
/* Closes at once; WHY (may be NULL) goes to the closed handler. */
void ll_frame_link_abort(LlFrameLink *link, const GError *why);

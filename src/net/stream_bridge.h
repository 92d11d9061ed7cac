/* Joins one RFB stream of a session to a local socket: the socketpair
 * handed to libvncserver on the novice's side, or a VNC viewer's
 * connection on the helper's. Reading pauses while the session is
 * congested; a local side that stops reading is cut off, not buffered
 * without end. */
#pragma once
#include "net/session.h"

#define LL_BRIDGE_MAX_BACKLOG (32 * 1024 * 1024)

typedef struct LlStreamBridge LlStreamBridge;
/* The local side ended (EOF, error, or backlog overflow). The bridge has
 * already told the peer with STREAM_CLOSE. */
typedef void (*LlStreamBridgeEnded)(LlStreamBridge *bridge, guint32 stream_id, gpointer user_data);

LlStreamBridge *ll_stream_bridge_new(LlSession *session, guint32 stream_id, GIOStream *local,
                                     LlStreamBridgeEnded ended, gpointer user_data);
/* Stops all I/O and frees the bridge; closes the local side. */
void ll_stream_bridge_free(LlStreamBridge *bridge);
guint32 ll_stream_bridge_id(LlStreamBridge *bridge);
/* Data from the peer for the local side. */
void ll_stream_bridge_deliver(LlStreamBridge *bridge, const guint8 *data, gsize len);
/* The session drained: reading may go on. */
void ll_stream_bridge_resume(LlStreamBridge *bridge);

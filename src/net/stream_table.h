/* The open RFB streams of one session, by id: both sides keep one, feed
 * it the peer's stream data, and wake every stream when the session
 * drains. Freeing a stream (or the table) closes its local side. */
#pragma once
#include "net/stream_bridge.h"

typedef struct LlStreamTable LlStreamTable;

LlStreamTable *ll_stream_table_new(void);
void ll_stream_table_free(LlStreamTable *table);
void ll_stream_table_add(LlStreamTable *table, LlStreamBridge *bridge);
gboolean ll_stream_table_contains(LlStreamTable *table, guint32 id);
guint ll_stream_table_size(LlStreamTable *table);
/* Data for a stream closed a moment ago is dropped. */
void ll_stream_table_deliver(LlStreamTable *table, guint32 id, const guint8 *data, gsize len);
void ll_stream_table_remove(LlStreamTable *table, guint32 id);
void ll_stream_table_remove_all(LlStreamTable *table);
void ll_stream_table_resume_all(LlStreamTable *table);

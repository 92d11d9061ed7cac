/* Changed rectangles, collected from any thread and handed on in batches
 * by a thread of its own: a capture pass marks many small rectangles in a
 * burst, and each message to the RFB worker costs both processes more
 * than the rectangle itself. Whatever is pending when the sender wakes
 * goes as one batch, so a burst costs one message, and a lone change is
 * not held back waiting for others. */
#pragma once
#include <glib.h>

typedef struct {
  gint32 x, y, width, height;
} LlDamageRect;

/* At most this many rectangles wait at once; more become one rectangle
 * around them all. */
#define LL_DAMAGE_BATCH_MAX 1024

/* On the sender's thread. */
typedef void (*LlDamageFlush)(const LlDamageRect *rects, guint count, gpointer user_data);

typedef struct LlDamageBatch LlDamageBatch;

LlDamageBatch *ll_damage_batch_new(LlDamageFlush flush, gpointer user_data);
void ll_damage_batch_add(LlDamageBatch *batch, const LlDamageRect *rect);
/* Hands on what is pending, then stops the thread. */
void ll_damage_batch_free(LlDamageBatch *batch);

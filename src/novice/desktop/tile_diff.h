/* Copies a new frame into a framebuffer, tile by tile, and reports the
 * tiles that changed: for screen sources that deliver whole frames
 * without saying what changed in them (Mutter 43's PipeWire streams). */
#pragma once
#include <glib.h>

#define LL_TILE_SIZE 64

typedef void (*LlTileChanged)(int x, int y, int width, int height, gpointer user_data);

/* Both pictures are WIDTH x HEIGHT 32-bit pixels. Each run of changed
 * tiles in a row of tiles is reported once, as one rectangle, after it
 * was copied. Returns the number of pixels in changed tiles. */
guint64 ll_tile_diff_copy(guint8 *dst, int dst_stride, const guint8 *src, int src_stride,
                          int width, int height, LlTileChanged changed, gpointer user_data);

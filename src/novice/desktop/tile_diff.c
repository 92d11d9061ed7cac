#include "novice/desktop/tile_diff.h"
#include <string.h>

/* Copies the tile at (X, Y) of size W x H if it differs; TRUE if it did. */
static gboolean copy_if_changed(guint8 *dst, int dst_stride, const guint8 *src, int src_stride,
                                int x, int y, int w, int h)
{
  gsize offset = (gsize)x * 4, bytes = (gsize)w * 4;
  int row = 0;
  while (row < h && memcmp(dst + (gsize)(y + row) * dst_stride + offset,
                           src + (gsize)(y + row) * src_stride + offset, bytes) == 0)
    row++;
  if (row == h)
    return FALSE;
  for (; row < h; row++)
    memcpy(dst + (gsize)(y + row) * dst_stride + offset,
           src + (gsize)(y + row) * src_stride + offset, bytes);
  return TRUE;
}

guint64 ll_tile_diff_copy(guint8 *dst, int dst_stride, const guint8 *src, int src_stride,
                          int width, int height, LlTileChanged changed, gpointer user_data)
{
  guint64 pixels = 0;
  for (int y = 0; y < height; y += LL_TILE_SIZE) {
    int h = MIN(LL_TILE_SIZE, height - y);
    int run_start = -1;
    int columns = (width + LL_TILE_SIZE - 1) / LL_TILE_SIZE;
    for (int column = 0; column <= columns; column++) {
      int x = column * LL_TILE_SIZE;
      gboolean differs = column < columns &&
          copy_if_changed(dst, dst_stride, src, src_stride, x, y, MIN(LL_TILE_SIZE, width - x), h);
      if (differs && run_start < 0)
        run_start = x;
      if (!differs && run_start >= 0) {
        int run_end = MIN(x, width);
        pixels += (guint64)(run_end - run_start) * h;
        changed(run_start, y, run_end - run_start, h, user_data);
        run_start = -1;
      }
    }
  }
  return pixels;
}

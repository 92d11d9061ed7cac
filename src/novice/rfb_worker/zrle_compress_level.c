/* Why this file defines a zlib function.
 *
 * libvncserver (0.9.14 in Debian 12, and upstream to this day) creates a
 * viewer's ZRLE stream with deflateInit(Z_DEFAULT_COMPRESSION), i.e. zlib
 * level 6, whatever level the viewer asked for. For a 1920x1080 screen
 * that changes whole, deflate at level 6 is 75 % of the server's CPU
 * (perf) and holds ZRLE to 15-16 updates/s; at level 1, the level
 * bench/compare.py's viewer asks for, it keeps up with 30 changes/s at
 * 2.5 % more bytes per update. There is no hook for the level and the
 * stream's struct is private, so:
 *
 * the stream is created on the viewer's output thread, inside
 * rfbSendFramebufferUpdate, which first calls the screen's displayHook
 * with the viewer. That hook notes the viewer's level in a thread-local;
 * deflateInit_ below (defined in the executable, so libvncserver's call
 * resolves to it) uses that level for a default-level stream made while
 * it is set. Everywhere else it does exactly what zlib's deflateInit_
 * does: deflateInit2_ with zlib's defaults. */
#include "novice/rfb_worker/zrle_compress_level.h"
#include <zlib.h>

/* zlib's defaults for deflateInit: its DEF_MEM_LEVEL is internal. */
#define ZLIB_DEFAULT_MEM_LEVEL 8

static _Thread_local int viewer_level = -1;

static void on_update_start(rfbClientPtr cl)
{
  viewer_level = cl->zlibCompressLevel;
}

static void on_update_end(rfbClientPtr cl, int result)
{
  (void)cl; (void)result;
  viewer_level = -1;
}

void ll_zrle_compress_level_attach(rfbScreenInfoPtr screen)
{
  screen->displayHook = on_update_start;
  screen->displayFinishedHook = on_update_end;
}

int ll_zrle_compress_level_current(void)
{
  return viewer_level;
}

int deflateInit_(z_streamp strm, int level, const char *version, int stream_size)
{
  if (level == Z_DEFAULT_COMPRESSION && viewer_level >= Z_NO_COMPRESSION &&
      viewer_level <= Z_BEST_COMPRESSION)
    level = viewer_level;
  return deflateInit2_(strm, level, Z_DEFLATED, MAX_WBITS, ZLIB_DEFAULT_MEM_LEVEL,
                       Z_DEFAULT_STRATEGY, version, stream_size);
}

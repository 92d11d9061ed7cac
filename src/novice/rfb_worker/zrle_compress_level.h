#pragma once
#include <rfb/rfb.h>

/* Makes libvncserver's ZRLE encoder use the compression level each viewer
 * asked for (RFB's CompressLevel pseudo-encoding), as its Zlib and Tight
 * encoders already do. A viewer that names no level gets libvncserver's
 * default for it, 5. The level is taken when the viewer's ZRLE stream is
 * made, at its first ZRLE update: a later change of level is not followed
 * (the stream is libvncserver's, private). Takes the screen's displayHook
 * and displayFinishedHook; call before rfbInitServer. */
void ll_zrle_compress_level_attach(rfbScreenInfoPtr screen);

/* What this thread's next deflateInit(Z_DEFAULT_COMPRESSION) will use:
 * the viewer's level inside one of its updates, else -1 (zlib's own
 * default). For tests. */
int ll_zrle_compress_level_current(void);

#pragma once
#include <rfb/rfb.h>

/* Makes libvncserver's ZRLE encoder use the compression level each viewer
 * asked for (RFB's CompressLevel pseudo-encoding), as its Zlib and Tight
 * encoders already do. Takes the screen's displayHook and
 * displayFinishedHook; call before rfbInitServer. */
void ll_zrle_compress_level_attach(rfbScreenInfoPtr screen);

/* What this thread's next deflateInit(Z_DEFAULT_COMPRESSION) will use:
 * the viewer's level inside one of its updates, else -1 (zlib's own
 * default). For tests. */
int ll_zrle_compress_level_current(void);

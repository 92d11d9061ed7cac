/* Framebuffer memory that the RFB worker (a process of its own) can map
 * as it is, so no picture is copied between the two: zeroed pages of a
 * memfd sealed against growing, shrinking and any new writable mapping
 * (only this process writes; the worker cannot truncate it under us).
 * Where a memfd cannot be made it is plain memory, which the RFB server
 * then copies. */
#pragma once
#include <glib.h>

guint8 *ll_shared_picture_new(gsize size);
void ll_shared_picture_free(guint8 *picture);
/* If POINTER lies in a shared picture: a new descriptor for it (the
 * caller closes it), the picture's size, and POINTER's offset in it.
 * -1 otherwise. From any thread. */
int ll_shared_picture_fd(const guint8 *pointer, gsize *offset, gsize *size);

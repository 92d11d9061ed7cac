/* The whole desktop of several monitors as one picture, made of one
 * screen-cast stream per monitor (pw_screen.c each): Mutter 43 cannot
 * record an area with the pointer as metadata (it crashes), but it
 * records every monitor on its own, as gnome-remote-desktop does for a
 * desktop of several monitors.
 *
 * Each monitor's picture goes where the layout puts that monitor, scaled
 * by the monitor's own stream (a layout in logical pixels with a scale of
 * 2 is drawn at twice its size). Each stream runs on its own thread; the
 * mosaic's lock makes their changes reach the feed one at a time. */
#pragma once
#include <glib.h>
#include "common/monitor.h"
#include "novice/desktop/pipewire/pw_screen.h"

typedef struct LlPwMosaic LlPwMosaic;

typedef struct {
  guint32 node;                  /* the monitor's PipeWire stream */
  int remote_fd;                 /* taken: a remote a portal opened; -1: this session's */
  int x, y;                      /* where the layout has it, relative to the whole */
  int width, height;             /* its size there; 0: unknown (as large as its stream) */
} LlPwMosaicPart;

/* Streams PARTS (1 to LL_MAX_MONITORS of them) into one picture. Of EVENTS, replaced, resized and damaged run on
 * one of the streams' threads, the others on the caller's thread-default
 * context. Without resized, a stream that changes size ends (the owner
 * follows a new layout with a new mosaic, as on GNOME); with it, the
 * monitors are laid out again and resized hands over the new picture. */
LlPwMosaic *ll_pw_mosaic_new(const LlPwMosaicPart *parts, guint n_parts,
                             const LlPwScreenEvents *events, gpointer user_data, GError **error);
/* Valid once ready was called. */
const LlScreenFormat *ll_pw_mosaic_format(LlPwMosaic *mosaic);
guint8 *ll_pw_mosaic_framebuffer(LlPwMosaic *mosaic);
/* Runs FN with the picture now (once there is one), which cannot change
 * meanwhile. */
void ll_pw_mosaic_hold_picture(LlPwMosaic *mosaic, LlPwPictureFn fn, gpointer user_data);
/* Where part INDEX is in the picture; FALSE before ready. */
gboolean ll_pw_mosaic_place(LlPwMosaic *mosaic, guint index, LlMonitor *place);
/* Which part shows the picture's point X, Y (the nearest one's edge for
 * a point between monitors), and the point in that part's stream. */
gboolean ll_pw_mosaic_locate(LlPwMosaic *mosaic, int x, int y, guint *index, int *part_x,
                             int *part_y);
/* Runs FN(DATA) soon on a stream's thread, while no stream changes the
 * picture. One function at a time: a later call replaces one not yet run. */
void ll_pw_mosaic_invoke(LlPwMosaic *mosaic, void (*fn)(gpointer data), gpointer data);
/* Whether damaged is called (pictures are composed either way). */
void ll_pw_mosaic_set_feeding(LlPwMosaic *mosaic, gboolean feeding);
/* Stops every stream: no callback runs once this returns. */
void ll_pw_mosaic_free(LlPwMosaic *mosaic);
/* The same, but the picture is returned (the caller's, to free once
 * nothing shows it any more). */
guint8 *ll_pw_mosaic_free_keeping_picture(LlPwMosaic *mosaic);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(LlPwMosaic, ll_pw_mosaic_free)

/* For tests: places parts whose streams are SIZES (width, height pairs)
 * as the mosaic does, into PLACES; the whole picture's size in WIDTH,
 * HEIGHT; FALSE when it would be larger than a picture may be. */
gboolean ll_pw_mosaic_layout(const LlPwMosaicPart *parts, const int *sizes, guint n_parts,
                             LlMonitor *places, int *width, int *height);

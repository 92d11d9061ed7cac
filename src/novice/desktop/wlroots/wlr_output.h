/* One output of a wlroots compositor, for wlr_screen.c: where the
 * compositor puts it (xdg-output) and its pixels, copied again and again
 * with wlr-screencopy into a shared-memory buffer of ours. */
#pragma once
#include <glib.h>
#include <wayland-client.h>
#include "novice/desktop/wlroots/wl_globals.h"

/* The most pixels an output may have each way (a bound on what the
 * compositor says, before anything is allocated). */
#define LL_WLR_MAX_SIDE 16384
#define LL_WLR_MAX_RECTS 32
/* The farthest an output may lie from the layout's origin, each way. */
#define LL_WLR_MAX_POSITION (1 << 20)

typedef struct LlWlrOutput LlWlrOutput;

/* A copy that arrived: the changed rectangles of the output's pixels. */
typedef struct {
  const guint8 *pixels;          /* WIDTH x HEIGHT, STRIDE bytes a row */
  int width, height, stride;
  gboolean swap_red_blue;        /* xBGR rather than xRGB */
  gboolean y_invert;             /* row 0 is the bottom */
  int n_rects;                   /* 0: all of it */
  int rects[LL_WLR_MAX_RECTS][4];
} LlWlrCopy;

typedef struct {
  /* Its place, its size or its pixels' size changed. */
  void (*changed)(LlWlrOutput *output, gpointer user_data);
  void (*copied)(LlWlrOutput *output, const LlWlrCopy *copy, gpointer user_data);
  /* It cannot be copied (a sentence says why). */
  void (*failed)(LlWlrOutput *output, const GError *why, gpointer user_data);
} LlWlrOutputEvents;

/* What the compositor says about the output; read on its thread. */
typedef struct {
  char name[64];
  int x, y, width, height;       /* in the compositor's layout; width 0: not known yet */
  int pixel_width, pixel_height; /* of its copies (scaled: not the layout's); 0: none yet */
} LlWlrOutputPlace;

typedef struct {
  struct wl_shm *shm;
  struct zwlr_screencopy_manager_v1 *screencopy;
  guint32 screencopy_version;
  struct zxdg_output_manager_v1 *xdg_output;
} LlWlrCapture;

LlWlrOutput *ll_wlr_output_new(LlWlGlobals *globals, guint32 global, guint32 version,
                               const LlWlrCapture *capture, const LlWlrOutputEvents *events,
                               gpointer user_data);
void ll_wlr_output_free(LlWlrOutput *output);
guint32 ll_wlr_output_global(LlWlrOutput *output);
const LlWlrOutputPlace *ll_wlr_output_place(LlWlrOutput *output);
/* Starts copying (again: a copy in flight is dropped, the next one is
 * whole); then each copy follows the last as soon as the compositor has
 * something new. */
void ll_wlr_output_capture(LlWlrOutput *output);

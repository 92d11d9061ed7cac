/* Tells the novice's own mouse from the helper's, on desktops where
 * Lifeline cannot watch the keyboard (Wayland): the compositor reports
 * where it drew the pointer; while the helper is in control, the pointer
 * leaving the place the helper last put it means the novice moved the
 * real mouse, which ends control. A move of the helper's still on its
 * way is not mistaken for the novice's: until the pointer is seen where
 * the helper last sent it, it may also be seen where it was before or at
 * any of the helper's moves since; anywhere else is the novice's hand
 * (even when the compositor never showed the helper's last move, which
 * Mutter may leave out when moves come quickly). */
#pragma once
#include <glib.h>

/* How far (pixels, each axis) the reported pointer may be from where the
 * helper put it and still count as there (rounding, scaling). */
#define LL_POINTER_WATCH_SLACK 2

/* How many of the helper's moves may be on their way at once (a drag
 * sends more than the compositor shows). */
#define LL_POINTER_WATCH_RECENT 16

typedef struct {
  /* Where the pointer may be seen without the novice: where it was last
   * seen, then the helper's moves since, the newest last. 0: not seen
   * yet (the first position seen counts as where it is). */
  guint n;
  int x[LL_POINTER_WATCH_RECENT], y[LL_POINTER_WATCH_RECENT];
} LlPointerWatch;

/* Starts watching with the pointer last seen at X, Y (KNOWN FALSE: not
 * seen yet; the first position seen then counts as where it is). */
void ll_pointer_watch_reset(LlPointerWatch *watch, gboolean known, int x, int y);
/* The helper sent the pointer to X, Y. */
void ll_pointer_watch_helper_moved(LlPointerWatch *watch, int x, int y);
/* The compositor drew the pointer at X, Y: TRUE when the novice moved it. */
gboolean ll_pointer_watch_seen(LlPointerWatch *watch, int x, int y);

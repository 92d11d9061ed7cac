/* Tells the novice's own mouse from the helper's, on desktops where
 * Lifeline cannot watch the keyboard (Wayland): the compositor reports
 * where it drew the pointer; while the helper is in control, the pointer
 * leaving the place the helper last put it means the novice moved the
 * real mouse, which ends control. A move of the helper's still on its
 * way is not mistaken for the novice's: the watch waits until the
 * pointer has arrived where the helper sent it. */
#pragma once
#include <glib.h>

/* How far (pixels, each axis) the reported pointer may be from where the
 * helper put it and still count as there (rounding, scaling). */
#define LL_POINTER_WATCH_SLACK 2

typedef struct {
  gboolean known;                /* EXPECTED holds a position */
  gboolean arrived;              /* the pointer was seen at EXPECTED */
  int expected_x, expected_y;
} LlPointerWatch;

/* Starts watching with the pointer last seen at X, Y (KNOWN FALSE: not
 * seen yet; the first position seen then counts as where it is). */
void ll_pointer_watch_reset(LlPointerWatch *watch, gboolean known, int x, int y);
/* The helper sent the pointer to X, Y. */
void ll_pointer_watch_helper_moved(LlPointerWatch *watch, int x, int y);
/* The compositor drew the pointer at X, Y: TRUE when the novice moved it. */
gboolean ll_pointer_watch_seen(LlPointerWatch *watch, int x, int y);

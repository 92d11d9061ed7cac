/* What a desktop's screen source feeds to whoever shows the screen (the
 * RFB server): the picture's format, the framebuffer, and which parts of
 * it changed. As in neatvnc's nvnc_display_feed_buffer, the consumer is
 * fed; it never opens the display itself. */
#pragma once
#include <glib.h>

/* 32-bit pixels, 8 bits per channel. */
typedef struct {
  int width, height;
  int stride;                    /* bytes per framebuffer row */
  int red_shift, green_shift, blue_shift;
  gboolean big_endian;
} LlScreenFormat;

/* The callbacks run on the desktop's capture thread, never on the main
 * loop, and never two at once. */
typedef struct {
  /* Pixels in this rectangle of the framebuffer changed. */
  void (*damaged)(int x, int y, int width, int height, gpointer user_data);
  /* The picture changed size (a resolution change, a monitor added):
   * from now on FRAMEBUFFER, in FORMAT, holds all of it. The previous
   * framebuffer stays valid until this returns, and not after. */
  void (*resized)(const LlScreenFormat *format, guint8 *framebuffer, gpointer user_data);
} LlScreenFeed;

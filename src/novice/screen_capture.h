/* Damage-driven capture of an X11 screen into a framebuffer. XDamage
 * tells which areas changed; only those are read, through shared memory
 * (XShm) when the display is local. An idle screen produces no events and
 * costs no CPU: nothing here polls. */
#pragma once
#include <glib.h>

typedef struct LlScreenCapture LlScreenCapture;

typedef struct {
  int width, height;
  int stride;                    /* bytes per framebuffer row */
  int red_shift, green_shift, blue_shift;   /* 8 bits each in 32-bit pixels */
  gboolean big_endian;
} LlScreenFormat;

/* Called on the capture's own thread after a changed area was copied
 * into the framebuffer. */
typedef void (*LlScreenChanged)(int x, int y, int width, int height, gpointer user_data);

/* DISPLAY_NAME NULL means $DISPLAY. LL_ERROR_DISPLAY with a sentence when
 * the display cannot be opened or shared. */
LlScreenCapture *ll_screen_capture_open(const char *display_name, GError **error);
void ll_screen_capture_free(LlScreenCapture *capture);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(LlScreenCapture, ll_screen_capture_free)

const LlScreenFormat *ll_screen_capture_format(LlScreenCapture *capture);
/* The framebuffer, owned by the capture, valid until it is freed. */
guint8 *ll_screen_capture_framebuffer(LlScreenCapture *capture);
/* Reads the whole screen once, then follows damage on a thread of its
 * own until stopped or freed. */
gboolean ll_screen_capture_start(LlScreenCapture *capture, LlScreenChanged changed,
                                 gpointer user_data, GError **error);
/* Ends the capture thread and waits for it: CHANGED is not called after
 * this returns. Idempotent; free does it too. */
void ll_screen_capture_stop(LlScreenCapture *capture);
/* Damage events handled and pixels read so far: for tests and benchmarks. */
guint64 ll_screen_capture_pixels_read(LlScreenCapture *capture);

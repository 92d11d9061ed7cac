/* Damage-driven capture of an X11 screen into a framebuffer. XDamage
 * tells which areas changed; only those are read, through shared memory
 * (XShm) when the display is local. An idle screen produces no events and
 * costs no CPU: nothing here polls. */
#pragma once
#include <glib.h>
#include "novice/desktop/screen_feed.h"

typedef struct LlX11Capture LlX11Capture;


/* Called on the capture's own thread after a changed area was copied
 * into the framebuffer. */
typedef void (*LlX11CaptureChanged)(int x, int y, int width, int height, gpointer user_data);
/* Called on the capture's thread when the screen changed size (RANDR):
 * FRAMEBUFFER, in FORMAT, holds all of it now; the old one is freed once
 * this returns. */
typedef void (*LlX11CaptureResized)(const LlScreenFormat *format, guint8 *framebuffer,
                                    gpointer user_data);

/* DISPLAY_NAME NULL means $DISPLAY. LL_ERROR_DISPLAY with a sentence when
 * the display cannot be opened or shared. */
LlX11Capture *ll_x11_capture_open(const char *display_name, GError **error);
void ll_x11_capture_free(LlX11Capture *capture);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(LlX11Capture, ll_x11_capture_free)

const LlScreenFormat *ll_x11_capture_format(LlX11Capture *capture);
/* The framebuffer, owned by the capture, valid until it is freed. */
guint8 *ll_x11_capture_framebuffer(LlX11Capture *capture);
/* Reads the whole screen once, then follows damage and size changes on a
 * thread of its own until stopped or freed. RESIZED may be NULL. */
gboolean ll_x11_capture_start(LlX11Capture *capture, LlX11CaptureChanged changed,
                              LlX11CaptureResized resized, gpointer user_data, GError **error);
/* Ends the capture thread and waits for it: CHANGED is not called after
 * this returns. Idempotent; free does it too. */
void ll_x11_capture_stop(LlX11Capture *capture);
/* Runs FN(DATA) soon on the capture thread (at once when it is not
 * running): what changes the feed must happen there, in order with it. */
void ll_x11_capture_invoke(LlX11Capture *capture, GSourceFunc fn, gpointer data,
                           GDestroyNotify notify);
/* Damage events handled and pixels read so far: for tests and benchmarks. */
guint64 ll_x11_capture_pixels_read(LlX11Capture *capture);

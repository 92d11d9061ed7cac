/* The screen capture on a private Xvfb: it follows damage on a thread of
 * its own, so a main loop busy with the session (or not running at all)
 * never delays a picture, and stopping it really stops it. */
#include "novice/desktop/x11/x11_capture.h"
#include "xvfb_fixture.h"
#include <X11/Xlib.h>

typedef struct {
  GMutex lock;
  GCond changed;
  guint calls;
  GThread *thread;      /* where the last call came from */
} Seen;

static void seen_init(Seen *seen)
{
  *seen = (Seen){ 0 };
  g_mutex_init(&seen->lock);
  g_cond_init(&seen->changed);
}

static void seen_clear(Seen *seen)
{
  g_mutex_clear(&seen->lock);
  g_cond_clear(&seen->changed);
}

static void on_changed(int x, int y, int w, int h, gpointer data)
{
  (void)x; (void)y; (void)w; (void)h;
  Seen *seen = data;
  g_mutex_lock(&seen->lock);
  seen->calls++;
  seen->thread = g_thread_self();
  g_cond_signal(&seen->changed);
  g_mutex_unlock(&seen->lock);
}

/* Waits for a call after AFTER calls, without iterating any main loop;
 * *FROM: the thread that made the last call. */
static gboolean wait_for_call(Seen *seen, guint after, guint timeout_ms, GThread **from)
{
  gint64 deadline = g_get_monotonic_time() + timeout_ms * G_TIME_SPAN_MILLISECOND;
  g_mutex_lock(&seen->lock);
  while (seen->calls <= after)
    if (!g_cond_wait_until(&seen->changed, &seen->lock, deadline))
      break;
  gboolean called = seen->calls > after;
  *from = seen->thread;
  g_mutex_unlock(&seen->lock);
  return called;
}

static guint calls_now(Seen *seen)
{
  g_mutex_lock(&seen->lock);
  guint n = seen->calls;
  g_mutex_unlock(&seen->lock);
  return n;
}

static void fill(Display *dpy, unsigned long pixel)
{
  Window root = DefaultRootWindow(dpy);
  GC gc = XCreateGC(dpy, root, 0, NULL);
  XSetForeground(dpy, gc, pixel);
  XFillRectangle(dpy, root, gc, 10, 10, 100, 50);
  XFreeGC(dpy, gc);
  XSync(dpy, False);
}

static void test_follows_damage_off_the_main_loop(void)
{
  const char *display = xvfb_fixture_display();
  /* Kept open to the end: Xvfb resets its screen when its last client leaves. */
  Display *dpy = XOpenDisplay(display);
  g_assert_nonnull(dpy);
  g_autoptr(GError) error = NULL;
  g_autoptr(LlX11Capture) capture = ll_x11_capture_open(display, &error);
  g_assert_no_error(error);
  Seen seen;
  seen_init(&seen);
  g_assert_true(ll_x11_capture_start(capture, on_changed, NULL, &seen, &error));
  g_assert_no_error(error);
  const LlScreenFormat *f = ll_x11_capture_format(capture);
  guint64 first_read = ll_x11_capture_pixels_read(capture);
  g_assert_cmpuint(first_read, ==, (guint64)f->width * f->height);

  /* Nobody iterates a main loop here: the change arrives all the same. */
  fill(dpy, 0xff0000);
  GThread *from = NULL;
  g_assert_true(wait_for_call(&seen, 0, 5000, &from));
  g_assert_true(from != g_thread_self());
  g_assert_cmpuint(ll_x11_capture_pixels_read(capture), >, first_read);
  const guint8 *fb = ll_x11_capture_framebuffer(capture);
  /* The server may report the fill in more than one piece: the first
   * report need not hold this pixel yet, a later one does. */
  volatile const guint32 *at = (const guint32 *)(fb + (gsize)20 * f->stride + 20 * 4);
  for (int i = 0; i < 500 && ((*at >> f->red_shift) & 0xff) != 0xff; i++)
    g_usleep(10000);
  guint32 pixel = *at;
  g_assert_cmphex((pixel >> f->red_shift) & 0xff, ==, 0xff);
  g_assert_cmphex((pixel >> f->green_shift) & 0xff, ==, 0);

  /* Stopped: changes are no longer read, and none is reported. */
  ll_x11_capture_stop(capture);
  guint calls = calls_now(&seen);
  guint64 read = ll_x11_capture_pixels_read(capture);
  fill(dpy, 0x00ff00);
  g_usleep(300 * G_TIME_SPAN_MILLISECOND);
  g_assert_cmpuint(calls_now(&seen), ==, calls);
  g_assert_cmpuint(ll_x11_capture_pixels_read(capture), ==, read);
  ll_x11_capture_stop(capture);   /* twice: harmless */
  g_clear_pointer(&capture, ll_x11_capture_free);
  seen_clear(&seen);
  XCloseDisplay(dpy);
}

static void test_stop_right_after_start(void)
{
  /* A quit sent before the thread entered its loop must not be lost (the
   * stop would wait forever). */
  const char *display = xvfb_fixture_display();
  for (int i = 0; i < 20; i++) {
    g_autoptr(GError) error = NULL;
    LlX11Capture *capture = ll_x11_capture_open(display, &error);
    g_assert_no_error(error);
    Seen seen;
    seen_init(&seen);
    g_assert_true(ll_x11_capture_start(capture, on_changed, NULL, &seen, &error));
    ll_x11_capture_free(capture);
    seen_clear(&seen);
  }
}

int main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/screen-capture/follows-damage-off-the-main-loop",
                  test_follows_damage_off_the_main_loop);
  g_test_add_func("/screen-capture/stop-right-after-start", test_stop_right_after_start);
  return g_test_run();
}

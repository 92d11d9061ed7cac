#include "novice/desktop/x11/x11_capture.h"
#include "common/error.h"
#include "novice/desktop/shared_picture.h"
#include <X11/Xlib.h>
#include <X11/Xutil.h>
#include <X11/extensions/XShm.h>
#include <X11/extensions/Xrandr.h>
#include <X11/extensions/Xdamage.h>
#include <X11/extensions/Xfixes.h>
#include <glib-unix.h>
#include <stdatomic.h>
#include <stdint.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/shm.h>

/* Above this many damaged rectangles one bounding box is cheaper to read. */
#define MAX_RECTS_PER_ROUND 32
/* Never capture more often than this: damage within one interval merges.
 * bench/compare.py: 8 ms -> 4 ms took the median latency of a scrolling
 * xterm from about 18 to 15 ms, for about 2 % of a core more. */
#define MIN_CAPTURE_INTERVAL_US 4000

struct LlX11Capture {
  Display *display;
  Window root;
  Visual *visual;
  int depth;
  LlScreenFormat format;
  guint8 *framebuffer;
  gboolean use_shm;
  XShmSegmentInfo shm;
  XImage *shm_image;
  int damage_event_base;
  int randr_event_base;          /* -1: no RANDR, the size never changes */
  gboolean size_changed;
  Damage damage;
  XserverRegion region;
  /* Once started, the display is the capture thread's alone: reading the
   * screen waits on X server round trips (several ms while it is busy),
   * which must not hold up the main loop carrying the session. */
  GThread *thread;
  GMainContext *context;         /* the capture thread's */
  GMainLoop *loop;
  GSource *pacing;               /* owned by context; NULL when none waits */
  gint64 last_capture_us;
  gboolean dirty;
  LlX11CaptureChanged changed;
  LlX11CaptureResized resized;
  gpointer user_data;
  atomic_uint_fast64_t pixels_read;
};

static int log_x_error(Display *display, XErrorEvent *event)
{
  char text[256];
  XGetErrorText(display, event->error_code, text, sizeof text);
  g_warning("X error %s (request %d.%d)", text, event->request_code, event->minor_code);
  return 0;
}

static int shift_of(unsigned long mask)
{
  int shift = 0;
  while (mask != 0 && (mask & 1) == 0) {
    mask >>= 1;
    shift++;
  }
  return shift;
}

static gboolean display_error(GError **error, const char *message)
{
  g_set_error_literal(error, LL_ERROR, LL_ERROR_DISPLAY, message);
  return FALSE;
}

static gboolean check_extensions(LlX11Capture *c, const char *name, GError **error)
{
  int event_base, error_base, major = 0, minor = 0;
  Bool pixmaps;
  /* XWayland shows only the X programs of a Wayland session, not the
   * desktop (reading its root window fails with BadMatch). */
  if (XQueryExtension(c->display, "XWAYLAND", &major, &event_base, &error_base)) {
    g_set_error(error, LL_ERROR, LL_ERROR_DISPLAY,
                "the X display \"%s\" is XWayland, which holds only the X programs of a "
                "Wayland session, not the desktop; share the Wayland desktop instead "
                "(--desktop auto)", name);
    return FALSE;
  }
  if (!XDamageQueryExtension(c->display, &c->damage_event_base, &error_base))
    return display_error(error, "this X server cannot report screen changes "
                                "(it lacks the DAMAGE extension), so it cannot be shared");
  if (!XFixesQueryExtension(c->display, &event_base, &error_base))
    return display_error(error, "this X server lacks the XFIXES extension, "
                                "so it cannot be shared");
  XFixesQueryVersion(c->display, &major, &minor);
  if (!XRRQueryExtension(c->display, &c->randr_event_base, &error_base))
    c->randr_event_base = -1;
  c->use_shm = XShmQueryVersion(c->display, &major, &minor, &pixmaps) &&
               g_getenv("LIFELINE_NO_XSHM") == NULL;
  return TRUE;
}

static gboolean check_visual(LlX11Capture *c, GError **error)
{
  int screen = DefaultScreen(c->display);
  c->visual = DefaultVisual(c->display, screen);
  c->depth = DefaultDepth(c->display, screen);
  if (c->visual->class != TrueColor || (c->depth != 24 && c->depth != 32))
    return display_error(error, "only 24-bit colour displays can be shared; "
                                "this one uses another colour depth");
  XImage *probe = XGetImage(c->display, c->root, 0, 0, 1, 1, AllPlanes, ZPixmap);
  if (probe == NULL)
    return display_error(error, "the screen cannot be read");
  gboolean ok = probe->bits_per_pixel == 32;
  c->format.big_endian = probe->byte_order == MSBFirst;
  XDestroyImage(probe);
  if (!ok)
    return display_error(error, "only 32-bit pixel layouts can be shared");
  c->format.red_shift = shift_of(c->visual->red_mask);
  c->format.green_shift = shift_of(c->visual->green_mask);
  c->format.blue_shift = shift_of(c->visual->blue_mask);
  return TRUE;
}

LlX11Capture *ll_x11_capture_open(const char *display_name, GError **error)
{
  const char *name = display_name != NULL ? display_name : g_getenv("DISPLAY");
  if (name == NULL || *name == '\0') {
    display_error(error, "no desktop to share: DISPLAY is not set; run this from a terminal "
                         "inside your desktop session");
    return NULL;
  }
  g_autoptr(LlX11Capture) c = g_new0(LlX11Capture, 1);
  c->display = XOpenDisplay(name);
  if (c->display == NULL) {
    g_set_error(error, LL_ERROR, LL_ERROR_DISPLAY,
                "cannot open the display \"%s\"; is the desktop running?", name);
    return NULL;
  }
  XSetErrorHandler(log_x_error);
  c->root = DefaultRootWindow(c->display);
  c->format.width = DisplayWidth(c->display, DefaultScreen(c->display));
  c->format.height = DisplayHeight(c->display, DefaultScreen(c->display));
  c->format.stride = c->format.width * 4;
  if (!check_extensions(c, name, error) || !check_visual(c, error))
    return NULL;
  c->framebuffer = ll_shared_picture_new((gsize)c->format.stride * c->format.height);
  return g_steal_pointer(&c);
}

static void drop_shm_image(LlX11Capture *c)
{
  c->shm_image->data = NULL;
  XDestroyImage(c->shm_image);
  c->shm_image = NULL;
}

static gboolean attach_shm(LlX11Capture *c)
{
  c->shm_image = XShmCreateImage(c->display, c->visual, c->depth, ZPixmap, NULL, &c->shm,
                                 c->format.width, c->format.height);
  if (c->shm_image == NULL)
    return FALSE;
  c->shm.shmid = shmget(IPC_PRIVATE, (size_t)c->shm_image->bytes_per_line * c->format.height,
                        IPC_CREAT | 0600);
  if (c->shm.shmid < 0) {
    drop_shm_image(c);
    return FALSE;
  }
  c->shm.shmaddr = shmat(c->shm.shmid, NULL, 0);
  if (c->shm.shmaddr == (void *)-1) {
    shmctl(c->shm.shmid, IPC_RMID, NULL);
    drop_shm_image(c);
    return FALSE;
  }
  c->shm_image->data = c->shm.shmaddr;
  c->shm.readOnly = False;
  gboolean attached = XShmAttach(c->display, &c->shm);
  XSync(c->display, False);
  /* Marked for removal once the server holds it: the segment then goes
   * away with its last user, even after a crash. */
  shmctl(c->shm.shmid, IPC_RMID, NULL);
  if (!attached) {
    shmdt(c->shm.shmaddr);
    drop_shm_image(c);
    return FALSE;
  }
  return TRUE;
}

static void copy_rows(LlX11Capture *c, const guint8 *src, int src_stride, int x, int y, int w,
                      int h)
{
  for (int row = 0; row < h; row++)
    memcpy(c->framebuffer + (gsize)(y + row) * c->format.stride + (gsize)x * 4,
           src + (gsize)row * src_stride, (gsize)w * 4);
}

/* Reads one rectangle. With XShm the shared image is reshaped to the
 * rectangle, so the server writes exactly w*h pixels, tightly packed. */
static void read_rect(LlX11Capture *c, int x, int y, int w, int h)
{
  if (c->use_shm) {
    XImage *img = c->shm_image;
    int full_w = img->width, full_h = img->height, full_bpl = img->bytes_per_line;
    img->width = w;
    img->height = h;
    img->bytes_per_line = w * 4;
    if (XShmGetImage(c->display, c->root, img, x, y, AllPlanes))
      copy_rows(c, (const guint8 *)img->data, w * 4, x, y, w, h);
    img->width = full_w;
    img->height = full_h;
    img->bytes_per_line = full_bpl;
  } else {
    XImage *img = XGetImage(c->display, c->root, x, y, w, h, AllPlanes, ZPixmap);
    if (img == NULL)
      return;
    copy_rows(c, (const guint8 *)img->data, img->bytes_per_line, x, y, w, h);
    XDestroyImage(img);
  }
  atomic_fetch_add(&c->pixels_read, (uint_fast64_t)w * h);
}

static void clip_rect(const LlX11Capture *c, XRectangle *r, int *x, int *y, int *w, int *h)
{
  *x = MAX(0, r->x);
  *y = MAX(0, r->y);
  *w = MIN(c->format.width, r->x + r->width) - *x;
  *h = MIN(c->format.height, r->y + r->height) - *y;
}

static void drain_events(LlX11Capture *c);

static void drop_shm(LlX11Capture *c)
{
  if (c->shm_image == NULL)
    return;
  XShmDetach(c->display, &c->shm);
  XSync(c->display, False);
  shmdt(c->shm.shmaddr);
  drop_shm_image(c);
}

/* The screen has another size: a new framebuffer (and shared image) of
 * that size, read whole, handed over, and only then the old one freed. */
static void follow_size(LlX11Capture *c)
{
  c->size_changed = FALSE;
  int screen = DefaultScreen(c->display);
  int width = DisplayWidth(c->display, screen), height = DisplayHeight(c->display, screen);
  if (width == c->format.width && height == c->format.height)
    return;
  g_info("the X screen changed from %dx%d to %dx%d", c->format.width, c->format.height, width,
         height);
  drop_shm(c);
  guint8 *old = c->framebuffer;
  c->format.width = width;
  c->format.height = height;
  c->format.stride = width * 4;
  c->framebuffer = ll_shared_picture_new((gsize)c->format.stride * height);
  if (c->use_shm && !attach_shm(c)) {
    g_info("shared memory with the X server failed at the new size; reading without it");
    c->use_shm = FALSE;
  }
  XDamageSubtract(c->display, c->damage, None, None);   /* all of it is read now */
  read_rect(c, 0, 0, width, height);
  if (c->resized != NULL)
    c->resized(&c->format, c->framebuffer, c->user_data);
  ll_shared_picture_free(old);
  c->changed(0, 0, width, height, c->user_data);
}

static void capture_damage(LlX11Capture *c)
{
  int count = 0;
  c->dirty = FALSE;
  if (c->size_changed)
    follow_size(c);
  c->last_capture_us = g_get_monotonic_time();
  XDamageSubtract(c->display, c->damage, None, c->region);
  XRectangle bounds;
  XRectangle *rects = XFixesFetchRegionAndBounds(c->display, c->region, &count, &bounds);
  XRectangle *use = count > MAX_RECTS_PER_ROUND ? &bounds : rects;
  int n = count > MAX_RECTS_PER_ROUND ? 1 : count;
  for (int i = 0; i < n; i++) {
    int x, y, w, h;
    clip_rect(c, &use[i], &x, &y, &w, &h);
    if (w <= 0 || h <= 0)
      continue;
    read_rect(c, x, y, w, h);
    c->changed(x, y, w, h, c->user_data);
  }
  if (rects != NULL)
    XFree(rects);
  /* The round trips above may have queued new damage events inside Xlib,
   * where the socket watch cannot see them: handle them now, or a change
   * could wait for the next unrelated event. */
  drain_events(c);
}

static gboolean paced_capture(gpointer data)
{
  LlX11Capture *c = data;
  c->pacing = NULL;
  if (c->dirty)
    capture_damage(c);
  return G_SOURCE_REMOVE;
}

static void schedule_capture(LlX11Capture *c)
{
  gint64 since = g_get_monotonic_time() - c->last_capture_us;
  if (c->pacing != NULL)
    return;
  if (since >= MIN_CAPTURE_INTERVAL_US) {
    capture_damage(c);
    return;
  }
  guint wait_ms = (MIN_CAPTURE_INTERVAL_US - since + 999) / 1000;
  c->pacing = g_timeout_source_new(wait_ms);
  g_source_set_callback(c->pacing, paced_capture, c, NULL);
  g_source_attach(c->pacing, c->context);
  g_source_unref(c->pacing);   /* the context holds it until it fires */
}

static void drain_events(LlX11Capture *c)
{
  while (XPending(c->display) > 0) {
    XEvent event;
    XNextEvent(c->display, &event);
    if (event.type == c->damage_event_base + XDamageNotify) {
      c->dirty = TRUE;
    } else if (c->randr_event_base >= 0 &&
               event.type == c->randr_event_base + RRScreenChangeNotify) {
      XRRUpdateConfiguration(&event);   /* what DisplayWidth and DisplayHeight say */
      c->size_changed = c->dirty = TRUE;
    }
  }
  if (c->dirty)
    schedule_capture(c);
}

static gboolean on_x_events(int fd, GIOCondition condition, gpointer data)
{
  (void)fd; (void)condition;
  drain_events(data);
  return G_SOURCE_CONTINUE;
}

static gpointer run_capture(gpointer data)
{
  LlX11Capture *c = data;
  g_main_context_push_thread_default(c->context);
  drain_events(c);   /* damage that came during the first full read */
  g_main_loop_run(c->loop);
  g_main_context_pop_thread_default(c->context);
  return NULL;
}

gboolean ll_x11_capture_start(LlX11Capture *c, LlX11CaptureChanged changed,
                              LlX11CaptureResized resized, gpointer user_data, GError **error)
{
  g_return_val_if_fail(c->thread == NULL, FALSE);
  c->changed = changed;
  c->resized = resized;
  c->user_data = user_data;
  if (c->use_shm && !attach_shm(c)) {
    g_info("shared memory with the X server is not available; reading the screen without it");
    c->use_shm = FALSE;
  }
  /* Ask for damage before the first full read, so no change between the
   * two can be missed. */
  c->damage = XDamageCreate(c->display, c->root, XDamageReportNonEmpty);
  if (c->randr_event_base >= 0)
    XRRSelectInput(c->display, c->root, RRScreenChangeNotifyMask);
  c->region = XFixesCreateRegion(c->display, NULL, 0);
  read_rect(c, 0, 0, c->format.width, c->format.height);
  XSync(c->display, False);
  c->context = g_main_context_new();
  c->loop = g_main_loop_new(c->context, FALSE);
  GSource *x_watch = g_unix_fd_source_new(ConnectionNumber(c->display), G_IO_IN);
  g_source_set_callback(x_watch, G_SOURCE_FUNC(on_x_events), c, NULL);
  g_source_attach(x_watch, c->context);
  g_source_unref(x_watch);   /* the context holds it, and destroys it with itself */
  c->thread = g_thread_try_new("screen-capture", run_capture, c, error);
  return c->thread != NULL;
}

static gboolean quit_capture(gpointer data)
{
  g_main_loop_quit(((LlX11Capture *)data)->loop);
  return G_SOURCE_REMOVE;
}

void ll_x11_capture_stop(LlX11Capture *c)
{
  if (c->thread != NULL) {
    /* A source in the thread's own loop, not g_main_loop_quit from here: a
     * quit before the thread has entered its loop would be lost. */
    GSource *quit = g_idle_source_new();
    g_source_set_priority(quit, G_PRIORITY_HIGH);   /* before any capture still due */
    g_source_set_callback(quit, quit_capture, c, NULL);
    g_source_attach(quit, c->context);
    g_source_unref(quit);
    g_thread_join(g_steal_pointer(&c->thread));
  }
  c->pacing = NULL;   /* destroyed with the context, as is the X watch */
  g_clear_pointer(&c->loop, g_main_loop_unref);
  g_clear_pointer(&c->context, g_main_context_unref);
}

void ll_x11_capture_invoke(LlX11Capture *c, GSourceFunc fn, gpointer data, GDestroyNotify notify)
{
  if (c->thread != NULL) {
    g_main_context_invoke_full(c->context, G_PRIORITY_DEFAULT, fn, data, notify);
    return;
  }
  fn(data);
  notify(data);
}

const LlScreenFormat *ll_x11_capture_format(LlX11Capture *c) { return &c->format; }
guint8 *ll_x11_capture_framebuffer(LlX11Capture *c) { return c->framebuffer; }
guint64 ll_x11_capture_pixels_read(LlX11Capture *c) { return atomic_load(&c->pixels_read); }

void ll_x11_capture_free(LlX11Capture *c)
{
  if (c == NULL)
    return;
  ll_x11_capture_stop(c);
  if (c->display != NULL) {
    if (c->damage)
      XDamageDestroy(c->display, c->damage);
    if (c->region)
      XFixesDestroyRegion(c->display, c->region);
    drop_shm(c);
    XCloseDisplay(c->display);
  }
  ll_shared_picture_free(c->framebuffer);
  g_free(c);
}

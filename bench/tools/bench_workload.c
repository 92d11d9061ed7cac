/* bench-workload: a repeatable load on an X display, with a marker the
 * measuring viewer looks for. Each change of the workload is followed by
 * a new colour in a 64x64 marker square at the top left (one of 27 that
 * survive lossy encodings: every channel 0, 128 or 255; stamp N has colour
 * N mod 27), and a line "N T" on standard output, T being the
 * CLOCK_MONOTONIC nanoseconds at which the marker's request was sent.
 * The windows stay TAIL seconds (default 1) after the last stamp, so it
 * can be seen. With "hold" after TAIL, they then print "hold" and stay
 * until standard input has a line or ends (at most 60 s more): the
 * harness keeps the last stamp on screen until the viewer has seen it,
 * however slow the server is.
 *
 *   bench-workload WORKLOAD SECONDS [TAIL [hold]]
 *     idle        nothing at all
 *     typing      a key into the window under (300, 300) 20 times a second
 *     scrolling   stamps 20 times a second (the harness runs the scroller)
 *     move        a 400x300 window dragged across the screen, 30 steps a second
 *     fullscreen  the whole screen switches between two images 30 times a second
 *     still       the first of those images, full screen and unchanging; prints
 *                 "shown" once it is drawn (for bytes per picture, no stamps)
 */
#include <X11/Xlib.h>
#include <X11/Xutil.h>
#include <X11/extensions/XTest.h>
#include <X11/keysym.h>
#include <math.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MARKER 64

typedef struct {
  Display *dpy;
  int screen;
  int width, height;
  Window marker;
  unsigned long seq;
  double tail;          /* seconds the last stamp stays on screen */
  int hold;             /* then until told on standard input */
} Bench;

static long long now_ns(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void sleep_until(long long t_ns)
{
  struct timespec ts = { t_ns / 1000000000LL, t_ns % 1000000000LL };
  while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) != 0)
    ;
}

static unsigned long marker_pixel(unsigned long seq)
{
  static const unsigned long level[3] = { 0x00, 0x80, 0xff };
  unsigned idx = seq % 27;
  return (level[idx % 3] << 16) | (level[(idx / 3) % 3] << 8) | level[idx / 9];
}

static Window plain_window(Bench *b, int x, int y, int w, int h, unsigned long pixel)
{
  XSetWindowAttributes attrs = { .override_redirect = True, .background_pixel = pixel };
  Window win = XCreateWindow(b->dpy, RootWindow(b->dpy, b->screen), x, y, w, h, 0, CopyFromParent,
                             InputOutput, CopyFromParent, CWOverrideRedirect | CWBackPixel, &attrs);
  XMapRaised(b->dpy, win);
  return win;
}

/* The marker changes. The time is taken as the request leaves: a server
 * watching for damage may show the change before our XSync returns. */
static void stamp(Bench *b)
{
  b->seq++;
  XSetWindowBackground(b->dpy, b->marker, marker_pixel(b->seq));
  XClearWindow(b->dpy, b->marker);
  XRaiseWindow(b->dpy, b->marker);
  long long t = now_ns();
  XSync(b->dpy, False);
  printf("%lu %lld\n", b->seq, t);
}

/* Prints "hold" and waits for a line or the end of standard input, 60 s
 * at most, so that a bench run whose harness died still ends. */
static void hold_until_told(void)
{
  printf("hold\n");
  fflush(stdout);
  struct pollfd in = { .fd = 0, .events = POLLIN };
  poll(&in, 1, 60000);
}

/* Calls STEP then stamps, RATE times a second for SECONDS. */
static void paced(Bench *b, double seconds, int rate, void (*step)(Bench *, unsigned long, void *),
                  void *data)
{
  long long start = now_ns(), period = 1000000000LL / rate;
  long long end = start + (long long)(seconds * 1e9);
  for (unsigned long i = 0; start + (long long)i * period < end; i++) {
    sleep_until(start + (long long)i * period);
    if (step != NULL)
      step(b, i, data);
    stamp(b);
  }
  sleep_until(now_ns() + (long long)(b->tail * 1e9));   /* closing takes the last stamp away */
  if (b->hold)
    hold_until_told();
}

static void type_key(Bench *b, unsigned long i, void *data)
{
  (void)data;
  KeySym sym = (i % 60 == 59) ? XK_Return : (KeySym)(XK_a + i % 26);
  KeyCode code = XKeysymToKeycode(b->dpy, sym);
  XTestFakeKeyEvent(b->dpy, code, True, 0);
  XTestFakeKeyEvent(b->dpy, code, False, 0);
}

static void move_window(Bench *b, unsigned long i, void *data)
{
  Window *win = data;
  /* Back and forth between x = 100 and x = 1400, 26 px a step. */
  int span = 50, phase = i % (2 * span);
  int x = 100 + 26 * (phase < span ? phase : 2 * span - phase);
  XMoveWindow(b->dpy, *win, x, 200 + (int)(100 * sin(i / 10.0)));
}

/* Content with edges and gradients, like a desktop with a photo on it. */
static Pixmap make_picture(Bench *b, int variant)
{
  int w = b->width, h = b->height;
  Visual *visual = DefaultVisual(b->dpy, b->screen);
  char *data = malloc((size_t)w * h * 4);
  XImage *img = XCreateImage(b->dpy, visual, 24, ZPixmap, 0, data, w, h, 32, 0);
  for (int y = 0; y < h; y++)
    for (int x = 0; x < w; x++) {
      int r, g, bl;
      if (variant == 0) {
        r = x * 255 / w;
        g = y * 255 / h;
        bl = ((x / 40 + y / 40) % 2) ? 200 : 60;
      } else {
        int dx = x - w / 2, dy = y - h / 2;
        r = (int)(127 + 127 * sin(sqrt(dx * dx + dy * dy) / 30.0));
        g = 255 - y * 255 / h;
        bl = (x / 120) % 2 ? 90 : 180;
      }
      XPutPixel(img, x, y, ((unsigned long)r << 16) | ((unsigned long)g << 8) | bl);
    }
  Pixmap pm = XCreatePixmap(b->dpy, RootWindow(b->dpy, b->screen), w, h, 24);
  GC gc = XCreateGC(b->dpy, pm, 0, NULL);
  XPutImage(b->dpy, pm, gc, img, 0, 0, 0, 0, w, h);
  XFreeGC(b->dpy, gc);
  XDestroyImage(img);
  return pm;
}

typedef struct {
  Window window;
  Pixmap pictures[2];
  GC gc;
} FullScreen;

static void switch_picture(Bench *b, unsigned long i, void *data)
{
  FullScreen *fs = data;
  XCopyArea(b->dpy, fs->pictures[i % 2], fs->window, fs->gc, 0, 0, b->width, b->height, 0, 0);
}

int main(int argc, char **argv)
{
  if (argc < 3 || argc > 5 || (argc == 5 && strcmp(argv[4], "hold") != 0)) {
    fprintf(stderr, "usage: bench-workload idle|typing|scrolling|move|fullscreen|still SECONDS "
                    "[TAIL [hold]]\n");
    return 2;
  }
  const char *workload = argv[1];
  double seconds = atof(argv[2]);
  Bench b = { .tail = argc >= 4 ? atof(argv[3]) : 1.0, .hold = argc == 5 };
  b.dpy = XOpenDisplay(NULL);
  if (b.dpy == NULL) {
    fprintf(stderr, "bench-workload: cannot open the display\n");
    return 1;
  }
  setvbuf(stdout, NULL, _IOLBF, 0);
  b.screen = DefaultScreen(b.dpy);
  b.width = DisplayWidth(b.dpy, b.screen);
  b.height = DisplayHeight(b.dpy, b.screen);
  if (strcmp(workload, "fullscreen") == 0) {
    FullScreen fs = { .pictures = { make_picture(&b, 0), make_picture(&b, 1) } };
    fs.window = plain_window(&b, 0, 0, b.width, b.height, 0);
    fs.gc = XCreateGC(b.dpy, fs.window, 0, NULL);
    b.marker = plain_window(&b, 0, 0, MARKER, MARKER, marker_pixel(0));
    XSync(b.dpy, False);
    paced(&b, seconds, 30, switch_picture, &fs);
    XFreeGC(b.dpy, fs.gc);
    XFreePixmap(b.dpy, fs.pictures[0]);
    XFreePixmap(b.dpy, fs.pictures[1]);
  } else if (strcmp(workload, "still") == 0) {
    Pixmap picture = make_picture(&b, 0);
    Window win = plain_window(&b, 0, 0, b.width, b.height, 0);
    XSetWindowBackgroundPixmap(b.dpy, win, picture);   /* redrawn by the server itself */
    XClearWindow(b.dpy, win);
    XSync(b.dpy, False);
    printf("shown\n");
    sleep_until(now_ns() + (long long)(seconds * 1e9));
    XFreePixmap(b.dpy, picture);
  } else if (strcmp(workload, "move") == 0) {
    Window win = plain_window(&b, 100, 200, 400, 300, 0x4e9a06);
    Window inner = XCreateSimpleWindow(b.dpy, win, 20, 20, 360, 260, 4, 0xffffff, 0xcc0000);
    XMapWindow(b.dpy, inner);
    b.marker = plain_window(&b, 0, 0, MARKER, MARKER, marker_pixel(0));
    paced(&b, seconds, 30, move_window, &win);
  } else if (strcmp(workload, "typing") == 0 || strcmp(workload, "scrolling") == 0) {
    int typing = strcmp(workload, "typing") == 0;
    b.marker = plain_window(&b, 0, 0, MARKER, MARKER, marker_pixel(0));
    if (typing) {
      XTestFakeMotionEvent(b.dpy, b.screen, 300, 300, 0);   /* focus follows the pointer */
      XSync(b.dpy, False);
    }
    paced(&b, seconds, 20, typing ? type_key : NULL, NULL);
  } else if (strcmp(workload, "idle") == 0) {
    sleep_until(now_ns() + (long long)(seconds * 1e9));
    if (b.hold)
      hold_until_told();
  } else {
    fprintf(stderr, "bench-workload: no workload \"%s\"\n", workload);
    return 2;
  }
  XCloseDisplay(b.dpy);
  return 0;
}

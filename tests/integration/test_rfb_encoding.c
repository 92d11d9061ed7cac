/* The novice's RFB server with a real viewer (libvncclient) over loopback
 * TCP, on a private Xvfb showing text: ZRLE follows the compression level
 * the viewer asks for. libvncserver alone compresses ZRLE at zlib's
 * default whatever the viewer says, so without
 * novice/zrle_compress_level.c both viewers below receive the same bytes. */
#include "novice/rfb_server.h"
#include "desktop_wait.h"
#include "main_loop_wait.h"
#include "xvfb_fixture.h"
#include <X11/Xlib.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <linux/tcp.h>   /* tcp_info with tcpi_bytes_received; glibc's is older */
#include <rfb/rfbclient.h>
#include <sys/socket.h>
#include <unistd.h>

/* Fills the root window with lines of words, as a terminal would show:
 * content where zlib's levels give clearly different sizes. The caller
 * keeps the connection open: Xvfb resets its screen when its last client
 * leaves. */
static Display *draw_text_desktop(const char *display_name)
{
  static const char *const words[] = { "remote", "help", "desktop", "viewer", "screen",
                                       "update", "novice", "helper", "keyboard", "mouse" };
  Display *dpy = XOpenDisplay(display_name);
  g_assert_nonnull(dpy);
  Window root = DefaultRootWindow(dpy);
  int screen = DefaultScreen(dpy);
  GC gc = XCreateGC(dpy, root, 0, NULL);
  XSetForeground(dpy, gc, WhitePixel(dpy, screen));
  XFillRectangle(dpy, root, gc, 0, 0, DisplayWidth(dpy, screen), DisplayHeight(dpy, screen));
  XSetForeground(dpy, gc, BlackPixel(dpy, screen));
  GRand *rand = g_rand_new_with_seed(11);
  for (int y = 12; y < DisplayHeight(dpy, screen); y += 13) {
    GString *line = g_string_new(NULL);
    while (line->len < 120)
      g_string_append_printf(line, "%s ", words[g_rand_int_range(rand, 0, G_N_ELEMENTS(words))]);
    XDrawString(dpy, root, gc, 2, y, line->str, (int)line->len);
    g_string_free(line, TRUE);
  }
  g_rand_free(rand);
  XFreeGC(dpy, gc);
  XSync(dpy, False);
  return dpy;
}

typedef struct {
  int port;
  int compress_level;
  gboolean done;        /* set by the viewer thread, read by the main loop */
  gboolean ok;
  guint64 bytes;        /* received until the first full picture */
  long pixels;
} Viewer;

static int viewer_tag;   /* the key of the Viewer in libvncclient's client data */

static void on_update(rfbClient *c, int x, int y, int w, int h)
{
  (void)x; (void)y;
  Viewer *v = rfbClientGetClientData(c, &viewer_tag);
  v->pixels += (long)w * h;
}

static gpointer run_viewer(gpointer data)
{
  Viewer *v = data;
  rfbClient *c = rfbGetClient(8, 3, 4);
  rfbClientSetClientData(c, &viewer_tag, v);
  free(c->serverHost);
  c->serverHost = strdup("127.0.0.1");
  c->serverPort = v->port;
  /* libvncclient sends CompressLevel only when Tight or Zlib is listed;
   * ZRLE first is what every server here picks. */
  c->appData.encodingsString = "zrle zlib";
  c->appData.compressLevel = v->compress_level;
  c->GotFrameBufferUpdate = on_update;
  int argc = 1;
  char *argv[] = { "test-viewer", NULL };
  if (rfbInitClient(c, &argc, argv)) {   /* frees c when it fails */
    gint64 deadline = g_get_monotonic_time() + 20 * G_USEC_PER_SEC;
    while (v->pixels < (long)c->width * c->height && g_get_monotonic_time() < deadline) {
      int n = WaitForMessage(c, 100000);
      if (n < 0 || (n > 0 && !HandleRFBServerMessage(c)))
        break;
    }
    struct tcp_info info = { 0 };
    socklen_t len = sizeof info;
    if (getsockopt(c->sock, IPPROTO_TCP, TCP_INFO, &info, &len) == 0) {
      v->bytes = info.tcpi_bytes_received;
      v->ok = v->pixels >= (long)c->width * c->height;
    }
    free(c->frameBuffer);   /* libvncclient's default allocation; its cleanup leaves it */
    rfbClientCleanup(c);
  }
  g_atomic_int_set(&v->done, TRUE);
  g_main_context_wakeup(NULL);   /* the main thread waits in the main loop */
  return NULL;
}

static int listen_loopback(int *port)
{
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  g_assert_cmpint(fd, >=, 0);
  struct sockaddr_in addr = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
  g_assert_cmpint(bind(fd, (struct sockaddr *)&addr, sizeof addr), ==, 0);
  g_assert_cmpint(listen(fd, 1), ==, 0);
  socklen_t len = sizeof addr;
  g_assert_cmpint(getsockname(fd, (struct sockaddr *)&addr, &len), ==, 0);
  *port = ntohs(addr.sin_port);
  return fd;
}

/* Bytes a viewer asking for LEVEL receives for the first full picture. */
static guint64 first_picture_bytes(LlRfbServer *server, int level)
{
  Viewer v = { .compress_level = level };
  int listener = listen_loopback(&v.port);
  GThread *thread = g_thread_new("viewer", run_viewer, &v);
  int fd = accept4(listener, NULL, NULL, SOCK_CLOEXEC);
  g_assert_cmpint(fd, >=, 0);
  close(listener);
  g_autoptr(GError) error = NULL;
  g_assert_true(ll_rfb_server_add_client(server, fd, &error));
  g_assert_no_error(error);
  wait_until(&v.done, 30000);
  g_thread_join(thread);
  g_assert_true(v.ok);
  g_test_message("compression level %d: %" G_GUINT64_FORMAT " bytes", level, v.bytes);
  /* Let the server see the viewer go before the next one. */
  gint64 deadline = g_get_monotonic_time() + 5 * G_USEC_PER_SEC;
  while (ll_rfb_server_client_count(server) > 0 && g_get_monotonic_time() < deadline)
    spin(20);
  return v.bytes;
}

static void mark_changed(int x, int y, int width, int height, gpointer server)
{
  ll_rfb_server_mark_changed(server, x, y, width, height);
}

static void test_zrle_follows_viewer_level(void)
{
  const char *display = xvfb_fixture_display();
  Display *drawing = draw_text_desktop(display);
  g_autoptr(GError) error = NULL;
  LlDesktopChoice choice = { .kind = LL_DESKTOP_X11, .x11_display = display };
  g_autoptr(LlDesktop) desktop = desktop_open_wait(&choice, &error);
  g_assert_no_error(error);
  LlScreenFormat format;
  guint8 *framebuffer = ll_desktop_picture(desktop, &format);
  g_autoptr(LlRfbServer) server = ll_rfb_server_new(&format, framebuffer, "test", &error);
  g_assert_no_error(error);
  LlScreenFeed feed = { .damaged = mark_changed };
  g_assert_true(ll_desktop_start_screen(desktop, &feed, server, &error));
  spin(300);   /* the first capture */

  guint64 fast = first_picture_bytes(server, 1);
  guint64 best = first_picture_bytes(server, 9);
  guint64 fast_again = first_picture_bytes(server, 1);
  /* The same screen gives (nearly) the same bytes at the same level... */
  g_assert_cmpuint(fast_again * 100, <=, fast * 102);
  g_assert_cmpuint(fast_again * 102, >=, fast * 100);
  /* ...and clearly fewer at level 9 than at level 1. */
  g_assert_cmpuint(best * 100, <, fast * 95);
  ll_desktop_stop_screen(desktop);   /* before the server goes */
  XCloseDisplay(drawing);
}

int main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/rfb-encoding/zrle-follows-viewer-level", test_zrle_follows_viewer_level);
  return g_test_run();
}

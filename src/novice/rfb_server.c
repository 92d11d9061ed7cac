#include "novice/rfb_server.h"
#include "common/error.h"
#include <rfb/rfb.h>
#include <stdarg.h>
#include <unistd.h>

#define CLIENT_EXIT_WAIT_US (3 * G_USEC_PER_SEC)

struct LlRfbServer {
  LlScreenCapture *capture;
  rfbScreenInfoPtr screen;
  char *desktop_name;
  GMutex lock;                /* guards live_clients; client threads end under it */
  GCond all_gone;
  guint live_clients;
};

static void log_from_libvncserver(const char *format, ...)
{
  va_list args;
  va_start(args, format);
  g_autofree char *text = g_strdup_vprintf(format, args);
  va_end(args);
  g_debug("libvncserver: %s", g_strchomp(text));
}

/* Input stays with the novice until control is granted (a later feature):
 * viewers' keys and pointer moves are dropped here, before X sees them. */
static void drop_key(rfbBool down, rfbKeySym key, rfbClientPtr cl)
{
  (void)down; (void)key; (void)cl;
}

static void drop_pointer(int buttons, int x, int y, rfbClientPtr cl)
{
  (void)buttons; (void)x; (void)y; (void)cl;
}

static void drop_cut_text(char *text, int len, rfbClientPtr cl)
{
  (void)text; (void)len; (void)cl;
}

static void on_screen_changed(int x, int y, int w, int h, gpointer data)
{
  LlRfbServer *s = data;
  rfbMarkRectAsModified(s->screen, x, y, x + w, y + h);
}

static void set_pixel_format(rfbScreenInfoPtr screen, const LlScreenFormat *f)
{
  screen->serverFormat.bitsPerPixel = 32;
  screen->serverFormat.depth = 24;
  screen->serverFormat.trueColour = TRUE;
  screen->serverFormat.bigEndian = f->big_endian;
  screen->serverFormat.redMax = screen->serverFormat.greenMax = screen->serverFormat.blueMax = 255;
  screen->serverFormat.redShift = f->red_shift;
  screen->serverFormat.greenShift = f->green_shift;
  screen->serverFormat.blueShift = f->blue_shift;
}

static rfbScreenInfoPtr make_screen(LlRfbServer *s)
{
  const LlScreenFormat *f = ll_screen_capture_format(s->capture);
  int argc = 1;
  char *argv[] = { "lifeline", NULL };
  rfbScreenInfoPtr screen = rfbGetScreen(&argc, argv, f->width, f->height, 8, 3, 4);
  if (screen == NULL)
    return NULL;
  screen->frameBuffer = (char *)ll_screen_capture_framebuffer(s->capture);
  screen->paddedWidthInBytes = f->stride;
  set_pixel_format(screen, f);
  screen->desktopName = s->desktop_name;
  /* Never listen: the only way in is a socketpair we hand over. */
  screen->port = 0;
  screen->ipv6port = 0;
  screen->autoPort = FALSE;
  screen->httpDir = NULL;
  /* A second viewer (a snapshot while a viewer is open) must not push the
   * first one out. */
  screen->alwaysShared = TRUE;
  /* Each client gets its own input and output threads. */
  screen->backgroundLoop = TRUE;
  /* No painted-in arrow: the picture must be exactly the screen. The real
   * cursor shape comes from XFixes in a later version. */
  screen->cursor = NULL;
  screen->kbdAddEvent = drop_key;
  screen->ptrAddEvent = drop_pointer;
  screen->setXCutText = drop_cut_text;
  screen->screenData = s;
  rfbInitServer(screen);
  return screen;
}

LlRfbServer *ll_rfb_server_new(const char *display_name, const char *desktop_name,
                               GError **error)
{
  rfbLog = log_from_libvncserver;
  rfbErr = log_from_libvncserver;
  g_autoptr(LlScreenCapture) capture = ll_screen_capture_open(display_name, error);
  if (capture == NULL)
    return NULL;
  LlRfbServer *s = g_new0(LlRfbServer, 1);
  g_mutex_init(&s->lock);
  g_cond_init(&s->all_gone);
  s->capture = g_steal_pointer(&capture);
  s->desktop_name = g_strdup(desktop_name);
  s->screen = make_screen(s);
  if (s->screen == NULL ||
      !ll_screen_capture_start(s->capture, on_screen_changed, s, error)) {
    if (s->screen == NULL)
      g_set_error_literal(error, LL_ERROR, LL_ERROR_DISPLAY, "cannot start the screen server");
    ll_rfb_server_free(s);
    return NULL;
  }
  return s;
}

/* Runs on the client's own thread, as libvncserver lets it go. */
static void on_client_gone(rfbClientPtr cl)
{
  LlRfbServer *s = cl->screen->screenData;
  g_mutex_lock(&s->lock);
  s->live_clients--;
  g_cond_broadcast(&s->all_gone);
  g_mutex_unlock(&s->lock);
}

gboolean ll_rfb_server_add_client(LlRfbServer *s, int fd, GError **error)
{
  rfbClientPtr cl = rfbNewClient(s->screen, fd);
  if (cl == NULL) {
    g_set_error_literal(error, LL_ERROR, LL_ERROR_FAILED, "the screen server refused a viewer");
    return FALSE;
  }
  g_mutex_lock(&s->lock);
  s->live_clients++;
  g_mutex_unlock(&s->lock);
  cl->clientGoneHook = on_client_gone;
  rfbStartOnHoldClient(cl);
  return TRUE;
}

guint ll_rfb_server_client_count(LlRfbServer *s)
{
  g_mutex_lock(&s->lock);
  guint n = s->live_clients;
  g_mutex_unlock(&s->lock);
  return n;
}

static void wait_for_clients(LlRfbServer *s)
{
  gint64 deadline = g_get_monotonic_time() + CLIENT_EXIT_WAIT_US;
  g_mutex_lock(&s->lock);
  while (s->live_clients > 0)
    if (!g_cond_wait_until(&s->all_gone, &s->lock, deadline)) {
      g_warning("%u viewer threads did not end in time", s->live_clients);
      break;
    }
  g_mutex_unlock(&s->lock);
}

void ll_rfb_server_free(LlRfbServer *s)
{
  if (s == NULL)
    return;
  if (s->screen != NULL) {
    wait_for_clients(s);
    rfbScreenCleanup(s->screen);
  }
  ll_screen_capture_free(s->capture);
  g_mutex_clear(&s->lock);
  g_cond_clear(&s->all_gone);
  g_free(s->desktop_name);
  g_free(s);
}

#include "novice/desktop/x11/x11_escape_watch.h"
#include "common/error.h"
#include <X11/Xlib.h>
#include <X11/extensions/XInput2.h>
#include <X11/keysym.h>
#include <glib-unix.h>
#include <string.h>

struct LlX11EscapeWatch {
  Display *display;
  int xi_opcode;
  KeyCode escape;
  int xtest_keyboard;      /* device id of "Virtual core XTEST keyboard", or -1 */
  gboolean active;
  guint watch;
  LlX11EscapePressed pressed;
  gpointer user_data;
};

static void select_raw_keys(LlX11EscapeWatch *w, gboolean on)
{
  unsigned char bits[XIMaskLen(XI_LASTEVENT)] = { 0 };
  XIEventMask mask = { XIAllMasterDevices, sizeof bits, bits };
  if (on)
    XISetMask(bits, XI_RawKeyPress);
  XISelectEvents(w->display, DefaultRootWindow(w->display), &mask, 1);
  XFlush(w->display);
}

static int find_xtest_keyboard(Display *display)
{
  int n = 0, id = -1;
  XIDeviceInfo *devices = XIQueryDevice(display, XIAllDevices, &n);
  for (int i = 0; i < n; i++)
    if (devices[i].use == XISlaveKeyboard && strstr(devices[i].name, "XTEST") != NULL)
      id = devices[i].deviceid;
  XIFreeDeviceInfo(devices);
  return id;
}

/* TRUE for an Esc press; *FROM_XTEST tells where it came from. */
static gboolean is_escape_press(LlX11EscapeWatch *w, XEvent *event, gboolean *from_xtest)
{
  XGenericEventCookie *cookie = &event->xcookie;
  gboolean escape = FALSE;
  if (cookie->type == GenericEvent && cookie->extension == w->xi_opcode &&
      XGetEventData(w->display, cookie)) {
    if (cookie->evtype == XI_RawKeyPress) {
      XIRawEvent *raw = cookie->data;
      escape = raw->detail == w->escape;
      *from_xtest = raw->sourceid == w->xtest_keyboard;
    }
    XFreeEventData(w->display, cookie);
  }
  return escape;
}

static gboolean on_x_events(int fd, GIOCondition condition, gpointer data)
{
  LlX11EscapeWatch *w = data;
  (void)fd; (void)condition;
  while (XPending(w->display) > 0) {
    XEvent event;
    XNextEvent(w->display, &event);
    gboolean from_xtest = FALSE;
    if (is_escape_press(w, &event, &from_xtest) && w->active)
      w->pressed(from_xtest, w->user_data);
  }
  return G_SOURCE_CONTINUE;
}

LlX11EscapeWatch *ll_x11_escape_watch_new(const char *display_name, LlX11EscapePressed pressed,
                                   gpointer user_data, GError **error)
{
  /* 2.1 or later: for older clients the server withholds raw events while
   * any application grabs the keyboard, and Esc would go unseen. */
  int event_base, error_base, major = 2, minor = 2;
  Display *display = XOpenDisplay(display_name);
  if (display == NULL) {
    g_set_error(error, LL_ERROR, LL_ERROR_DISPLAY, "cannot open the display to watch for Esc");
    return NULL;
  }
  LlX11EscapeWatch *w = g_new0(LlX11EscapeWatch, 1);
  w->display = display;
  if (!XQueryExtension(display, "XInputExtension", &w->xi_opcode, &event_base, &error_base) ||
      XIQueryVersion(display, &major, &minor) != Success || major < 2 ||
      (major == 2 && minor < 1)) {
    XCloseDisplay(display);
    g_free(w);
    g_set_error(error, LL_ERROR, LL_ERROR_DISPLAY,
                "this X server cannot report the Esc key safely (it lacks XInput 2.1), so "
                "control cannot be offered");
    return NULL;
  }
  w->escape = XKeysymToKeycode(display, XK_Escape);
  w->xtest_keyboard = find_xtest_keyboard(display);
  w->pressed = pressed;
  w->user_data = user_data;
  w->watch = g_unix_fd_add(ConnectionNumber(display), G_IO_IN, on_x_events, w);
  return w;
}

void ll_x11_escape_watch_set_active(LlX11EscapeWatch *w, gboolean active)
{
  if (w->active == active)
    return;
  w->active = active;
  select_raw_keys(w, active);
}

void ll_x11_escape_watch_free(LlX11EscapeWatch *w)
{
  if (w == NULL)
    return;
  g_source_remove(w->watch);
  XCloseDisplay(w->display);
  g_free(w);
}

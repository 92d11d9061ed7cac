#include "novice/desktop/x11/x11_clipboard.h"
#include "common/error.h"
#include <X11/Xatom.h>
#include <X11/Xlib.h>
#include <X11/extensions/Xfixes.h>
#include <glib-unix.h>
#include <string.h>

struct LlX11Clipboard {
  Display *display;
  Window window;
  Atom clipboard, utf8, targets, text_atom, property;
  int fixes_event_base;
  guint watch;
  GBytes *offered;             /* what we serve while we own CLIPBOARD */
  LlX11ClipboardChanged changed;
  gpointer user_data;
};

static void answer_request(LlX11Clipboard *c, XSelectionRequestEvent *req)
{
  XSelectionEvent reply = { .type = SelectionNotify, .display = req->display,
                            .requestor = req->requestor, .selection = req->selection,
                            .target = req->target, .property = None, .time = req->time };
  Atom property = req->property != None ? req->property : req->target;
  if (c->offered != NULL && req->target == c->targets) {
    Atom offered[] = { c->targets, c->utf8, XA_STRING, c->text_atom };
    XChangeProperty(c->display, req->requestor, property, XA_ATOM, 32, PropModeReplace,
                    (unsigned char *)offered, G_N_ELEMENTS(offered));
    reply.property = property;
  } else if (c->offered != NULL &&
             (req->target == c->utf8 || req->target == XA_STRING || req->target == c->text_atom)) {
    gsize n = 0;
    const guint8 *data = g_bytes_get_data(c->offered, &n);
    XChangeProperty(c->display, req->requestor, property, req->target == XA_STRING ? XA_STRING
                                                                                   : c->utf8,
                    8, PropModeReplace, data, (int)n);
    reply.property = property;
  }
  XSendEvent(c->display, req->requestor, False, 0, (XEvent *)&reply);
}

/* The converted selection arrived on our window: read it, bounded. */
static void read_converted(LlX11Clipboard *c)
{
  Atom type;
  int format;
  unsigned long items, remaining;
  unsigned char *data = NULL;
  if (XGetWindowProperty(c->display, c->window, c->property, 0, LL_MAX_CLIPBOARD / 4, True,
                         AnyPropertyType, &type, &format, &items, &remaining, &data) != Success)
    return;
  if (remaining > 0 || format != 8 || (type != c->utf8 && type != XA_STRING))
    g_info("clipboard contents skipped: not text, or over %d bytes", LL_MAX_CLIPBOARD);
  else if (g_utf8_validate((const char *)data, items, NULL))
    c->changed((const char *)data, items, c->user_data);
  XFree(data);
}

static void handle_event(LlX11Clipboard *c, XEvent *event)
{
  if (event->type == c->fixes_event_base + XFixesSelectionNotify) {
    XFixesSelectionNotifyEvent *n = (XFixesSelectionNotifyEvent *)event;
    if (n->owner != None && n->owner != c->window)
      XConvertSelection(c->display, c->clipboard, c->utf8, c->property, c->window, n->timestamp);
  } else if (event->type == SelectionNotify && event->xselection.property != None) {
    read_converted(c);
  } else if (event->type == SelectionRequest) {
    answer_request(c, &event->xselectionrequest);
  } else if (event->type == SelectionClear) {
    g_clear_pointer(&c->offered, g_bytes_unref);
  }
}

static gboolean on_x_events(int fd, GIOCondition condition, gpointer data)
{
  LlX11Clipboard *c = data;
  (void)fd; (void)condition;
  while (XPending(c->display) > 0) {
    XEvent event;
    XNextEvent(c->display, &event);
    handle_event(c, &event);
  }
  XFlush(c->display);
  return G_SOURCE_CONTINUE;
}

LlX11Clipboard *ll_x11_clipboard_new(const char *display_name, LlX11ClipboardChanged changed,
                              gpointer user_data, GError **error)
{
  int error_base;
  Display *display = XOpenDisplay(display_name);
  if (display == NULL) {
    g_set_error(error, LL_ERROR, LL_ERROR_DISPLAY, "cannot open the display for the clipboard");
    return NULL;
  }
  LlX11Clipboard *c = g_new0(LlX11Clipboard, 1);
  c->display = display;
  if (!XFixesQueryExtension(display, &c->fixes_event_base, &error_base)) {
    XCloseDisplay(display);
    g_free(c);
    g_set_error(error, LL_ERROR, LL_ERROR_DISPLAY, "this X server cannot report copies (no XFIXES)");
    return NULL;
  }
  c->window = XCreateSimpleWindow(display, DefaultRootWindow(display), -10, -10, 1, 1, 0, 0, 0);
  c->clipboard = XInternAtom(display, "CLIPBOARD", False);
  c->utf8 = XInternAtom(display, "UTF8_STRING", False);
  c->targets = XInternAtom(display, "TARGETS", False);
  c->text_atom = XInternAtom(display, "TEXT", False);
  c->property = XInternAtom(display, "LIFELINE_CLIPBOARD", False);
  c->changed = changed;
  c->user_data = user_data;
  XFixesSelectSelectionInput(display, DefaultRootWindow(display), c->clipboard,
                             XFixesSetSelectionOwnerNotifyMask);
  XFlush(display);
  c->watch = g_unix_fd_add(ConnectionNumber(display), G_IO_IN, on_x_events, c);
  return c;
}

void ll_x11_clipboard_set(LlX11Clipboard *c, const char *text, gsize len)
{
  g_clear_pointer(&c->offered, g_bytes_unref);
  c->offered = g_bytes_new(text, MIN(len, LL_MAX_CLIPBOARD));
  XSetSelectionOwner(c->display, c->clipboard, c->window, CurrentTime);
  XFlush(c->display);
}

void ll_x11_clipboard_free(LlX11Clipboard *c)
{
  if (c == NULL)
    return;
  g_source_remove(c->watch);
  g_clear_pointer(&c->offered, g_bytes_unref);
  XDestroyWindow(c->display, c->window);
  XCloseDisplay(c->display);
  g_free(c);
}

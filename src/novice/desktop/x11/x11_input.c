#include "novice/desktop/x11/x11_input.h"
#include "common/error.h"
#include <X11/XKBlib.h>
#include <X11/Xlib.h>
#include <X11/extensions/XTest.h>
#include <X11/keysym.h>

#define MAX_BUTTONS 8
/* An injected Esc not seen on the display within this is forgotten. */
#define ESCAPE_CLAIM_US (250 * 1000)

struct LlX11Input {
  Display *display;
  GHashTable *held_keys;     /* keycodes the helper holds down */
  int buttons;               /* RFB mask the helper holds */
  gint64 escape_in_flight_us;   /* when our last Esc went out; 0: none pending */
  KeyCode escape;
  KeyCode shift;
};

LlX11Input *ll_x11_input_open(const char *display_name, GError **error)
{
  int event_base, error_base, major, minor;
  Display *display = XOpenDisplay(display_name);
  if (display == NULL) {
    g_set_error(error, LL_ERROR, LL_ERROR_DISPLAY, "cannot open the display for input");
    return NULL;
  }
  if (!XTestQueryExtension(display, &event_base, &error_base, &major, &minor)) {
    XCloseDisplay(display);
    g_set_error(error, LL_ERROR, LL_ERROR_DISPLAY,
                "this X server cannot take input from a helper (no XTEST extension)");
    return NULL;
  }
  LlX11Input *i = g_new0(LlX11Input, 1);
  i->display = display;
  i->held_keys = g_hash_table_new(NULL, NULL);
  i->escape = XKeysymToKeycode(display, XK_Escape);
  i->shift = XKeysymToKeycode(display, XK_Shift_L);
  return i;
}

void ll_x11_input_free(LlX11Input *i)
{
  if (i == NULL)
    return;
  ll_x11_input_release_all(i);
  g_hash_table_unref(i->held_keys);
  XCloseDisplay(i->display);
  g_free(i);
}

/* Is KEYSYM on the shifted level of KEYCODE (and not the plain one)? */
static gboolean needs_shift(Display *d, KeyCode code, KeySym keysym)
{
  return XkbKeycodeToKeysym(d, code, 0, 0) != keysym &&
         XkbKeycodeToKeysym(d, code, 0, 1) == keysym;
}

static gboolean shift_is_held(LlX11Input *i)
{
  return g_hash_table_contains(i->held_keys, GUINT_TO_POINTER(i->shift)) ||
         g_hash_table_contains(i->held_keys,
                               GUINT_TO_POINTER(XKeysymToKeycode(i->display, XK_Shift_R)));
}

void ll_x11_input_key(LlX11Input *i, gboolean down, guint32 keysym)
{
  KeyCode code = XKeysymToKeycode(i->display, keysym);
  if (code == 0) {
    g_debug("no key on this keyboard makes keysym 0x%x; dropped", keysym);
    return;
  }
  /* Viewers that send a shifted keysym without Shift get it shifted here. */
  gboolean add_shift = down && needs_shift(i->display, code, keysym) && !shift_is_held(i);
  if (add_shift)
    XTestFakeKeyEvent(i->display, i->shift, True, CurrentTime);
  if (down && code == i->escape) {
    /* One helper Esc in flight at a time: a helper pressing Esc without
     * pause could otherwise have the novice's own Esc taken for theirs. */
    gint64 now = g_get_monotonic_time();
    if (i->escape_in_flight_us != 0 && now - i->escape_in_flight_us < ESCAPE_CLAIM_US) {
      g_debug("the helper's Esc dropped: the previous one is not seen yet");
      return;
    }
    i->escape_in_flight_us = now;
  }
  XTestFakeKeyEvent(i->display, code, down, CurrentTime);
  if (add_shift)
    XTestFakeKeyEvent(i->display, i->shift, False, CurrentTime);
  if (down)
    g_hash_table_add(i->held_keys, GUINT_TO_POINTER(code));
  else
    g_hash_table_remove(i->held_keys, GUINT_TO_POINTER(code));
  XFlush(i->display);
}

void ll_x11_input_pointer(LlX11Input *i, int buttons, int x, int y)
{
  XTestFakeMotionEvent(i->display, -1, x, y, CurrentTime);
  for (int b = 0; b < MAX_BUTTONS; b++) {
    int bit = 1 << b;
    if ((buttons & bit) != (i->buttons & bit))
      XTestFakeButtonEvent(i->display, b + 1, (buttons & bit) != 0, CurrentTime);
  }
  i->buttons = buttons & ((1 << MAX_BUTTONS) - 1);
  XFlush(i->display);
}

void ll_x11_input_release_all(LlX11Input *i)
{
  GHashTableIter iter;
  gpointer code;
  g_hash_table_iter_init(&iter, i->held_keys);
  while (g_hash_table_iter_next(&iter, &code, NULL))
    XTestFakeKeyEvent(i->display, GPOINTER_TO_UINT(code), False, CurrentTime);
  g_hash_table_remove_all(i->held_keys);
  for (int b = 0; b < MAX_BUTTONS; b++)
    if (i->buttons & (1 << b))
      XTestFakeButtonEvent(i->display, b + 1, False, CurrentTime);
  i->buttons = 0;
  XFlush(i->display);
}

gboolean ll_x11_input_claim_escape(LlX11Input *i)
{
  gint64 sent = i->escape_in_flight_us;
  i->escape_in_flight_us = 0;
  return sent != 0 && g_get_monotonic_time() - sent < ESCAPE_CLAIM_US;
}

void ll_x11_input_forget_escapes(LlX11Input *i)
{
  i->escape_in_flight_us = 0;
}

/* x-event-recorder: a window that records the input it receives, for
 * tests. Prints "ready" once mapped and focused, then one line per event:
 *   key NAME          (a key press, NAME from XKeysymToString)
 *   button N X Y      (a button press at window coordinates)
 * Usage: x-event-recorder X Y WIDTH HEIGHT */
#include <X11/Xlib.h>
#include <X11/Xutil.h>
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv)
{
  if (argc != 5) {
    fprintf(stderr, "usage: x-event-recorder X Y WIDTH HEIGHT\n");
    return 2;
  }
  Display *d = XOpenDisplay(NULL);
  if (d == NULL) {
    fprintf(stderr, "x-event-recorder: cannot open the display\n");
    return 1;
  }
  Window w = XCreateSimpleWindow(d, DefaultRootWindow(d), atoi(argv[1]), atoi(argv[2]),
                                 atoi(argv[3]), atoi(argv[4]), 0, 0, 0xffffff);
  XStoreName(d, w, "lifeline-recorder");
  XSelectInput(d, w, KeyPressMask | ButtonPressMask | StructureNotifyMask);
  XMapWindow(d, w);
  for (;;) {
    XEvent e;
    XNextEvent(d, &e);
    if (e.type == MapNotify) {
      XSetInputFocus(d, w, RevertToParent, CurrentTime);
      XSync(d, False);
      printf("ready\n");
    } else if (e.type == KeyPress) {
      KeySym sym = XLookupKeysym(&e.xkey, (e.xkey.state & ShiftMask) ? 1 : 0);
      const char *name = XKeysymToString(sym);
      printf("key %s\n", name != NULL ? name : "unknown");
    } else if (e.type == ButtonPress) {
      printf("button %u %d %d\n", e.xbutton.button, e.xbutton.x, e.xbutton.y);
    }
    fflush(stdout);
  }
}

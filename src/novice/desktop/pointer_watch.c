#include "novice/desktop/pointer_watch.h"
#include <stdlib.h>
#include <string.h>

static void add_place(LlPointerWatch *w, int x, int y)
{
  if (w->n == LL_POINTER_WATCH_RECENT) {   /* the oldest goes */
    memmove(w->x, w->x + 1, (LL_POINTER_WATCH_RECENT - 1) * sizeof w->x[0]);
    memmove(w->y, w->y + 1, (LL_POINTER_WATCH_RECENT - 1) * sizeof w->y[0]);
    w->n--;
  }
  w->x[w->n] = x;
  w->y[w->n] = y;
  w->n++;
}

static gboolean near(const LlPointerWatch *w, guint i, int x, int y)
{
  return abs(x - w->x[i]) <= LL_POINTER_WATCH_SLACK && abs(y - w->y[i]) <= LL_POINTER_WATCH_SLACK;
}

void ll_pointer_watch_reset(LlPointerWatch *w, gboolean known, int x, int y)
{
  w->n = 0;
  if (known)
    add_place(w, x, y);
}

void ll_pointer_watch_helper_moved(LlPointerWatch *w, int x, int y)
{
  add_place(w, x, y);
}

gboolean ll_pointer_watch_seen(LlPointerWatch *w, int x, int y)
{
  if (w->n == 0) {
    add_place(w, x, y);
    return FALSE;
  }
  if (near(w, w->n - 1, x, y)) {   /* where the helper left it: all older moves are done */
    w->x[0] = w->x[w->n - 1];
    w->y[0] = w->y[w->n - 1];
    w->n = 1;
    return FALSE;
  }
  for (guint i = 0; i + 1 < w->n; i++)
    if (near(w, i, x, y))
      return FALSE;              /* the helper's pointer on its way */
  return TRUE;
}

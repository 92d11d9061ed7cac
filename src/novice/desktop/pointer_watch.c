#include "novice/desktop/pointer_watch.h"
#include <stdlib.h>

static void expect(LlPointerWatch *w, int x, int y, gboolean arrived)
{
  w->known = TRUE;
  w->arrived = arrived;
  w->expected_x = x;
  w->expected_y = y;
}

void ll_pointer_watch_reset(LlPointerWatch *w, gboolean known, int x, int y)
{
  w->known = FALSE;
  if (known)
    expect(w, x, y, TRUE);
}

void ll_pointer_watch_helper_moved(LlPointerWatch *w, int x, int y)
{
  expect(w, x, y, FALSE);
}

gboolean ll_pointer_watch_seen(LlPointerWatch *w, int x, int y)
{
  if (!w->known) {
    expect(w, x, y, TRUE);
    return FALSE;
  }
  if (abs(x - w->expected_x) <= LL_POINTER_WATCH_SLACK &&
      abs(y - w->expected_y) <= LL_POINTER_WATCH_SLACK) {
    w->arrived = TRUE;
    return FALSE;
  }
  /* Not there yet: this is the helper's pointer on its way. */
  return w->arrived;
}

#include "main_loop_wait.h"

static gboolean flag_timeout(gpointer data)
{
  *(gboolean *)data = TRUE;
  return G_SOURCE_REMOVE;
}

void wait_until(const gboolean *condition, guint timeout_ms)
{
  gboolean timed_out = FALSE;
  guint t = g_timeout_add(timeout_ms, flag_timeout, &timed_out);
  while (!*condition && !timed_out)
    g_main_context_iteration(NULL, TRUE);
  if (!timed_out)
    g_source_remove(t);
  g_assert_false(timed_out);
}

void spin(guint ms)
{
  gboolean done = FALSE;
  g_timeout_add(ms, flag_timeout, &done);
  while (!done)
    g_main_context_iteration(NULL, TRUE);
}

#include "desktop_wait.h"

typedef struct {
  gboolean done;
  LlDesktop *desktop;
  GError *error;
} Opening;

static void on_opened(GObject *source, GAsyncResult *result, gpointer data)
{
  Opening *o = data;
  (void)source;
  o->desktop = ll_desktop_open_finish(result, &o->error);
  o->done = TRUE;
}

LlDesktop *desktop_open_wait(const LlDesktopChoice *choice, GError **error)
{
  Opening o = { 0 };
  ll_desktop_open_async(choice, NULL, on_opened, &o);   /* which has a deadline */
  while (!o.done)
    g_main_context_iteration(NULL, TRUE);
  if (o.desktop == NULL)
    g_propagate_error(error, o.error);
  return o.desktop;
}

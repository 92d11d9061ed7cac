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

static gboolean give_up(gpointer data)
{
  g_cancellable_cancel(data);   /* the open then completes with an error */
  return G_SOURCE_REMOVE;
}

LlDesktop *desktop_open_wait(const LlDesktopChoice *choice, GError **error)
{
  Opening o = { 0 };
  g_autoptr(GCancellable) cancellable = g_cancellable_new();
  ll_desktop_open_async(choice, cancellable, on_opened, &o);
  guint deadline = g_timeout_add_seconds(30, give_up, cancellable);
  while (!o.done)
    g_main_context_iteration(NULL, TRUE);
  g_source_remove(deadline);
  if (o.desktop == NULL)
    g_propagate_error(error, o.error);
  return o.desktop;
}

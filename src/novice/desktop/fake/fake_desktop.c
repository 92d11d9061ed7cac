/* The fake backend: the picture is the LlFakeDesktop's framebuffer, fed
 * on the caller's thread as the test draws; input is written down. */
#include "novice/desktop/fake/fake_desktop.h"
#include "novice/desktop/shared_picture.h"
#include "novice/desktop/desktop_backend.h"
#include "common/error.h"
#include <string.h>

struct LlFakeDesktop {
  LlScreenFormat format;
  guint8 *framebuffer;
  LlDesktop *bound;              /* the desktop open on it, if any */
  gboolean watching_stop;
  GString *input_log;
  char *clipboard;
  char *open_error;
  gboolean no_input;
  gboolean hold_open;
  GTask *pending;                /* an open held by hold_open */
  LlDesktop *pending_desktop;
  LlMonitor monitors[LL_MAX_MONITORS];
  guint n_monitors;
};

void ll_fake_desktop_set_monitors(LlFakeDesktop *f, const LlMonitor *monitors, guint n)
{
  f->n_monitors = MIN(n, LL_MAX_MONITORS);
  memcpy(f->monitors, monitors, f->n_monitors * sizeof *monitors);
}

LlFakeDesktop *ll_fake_desktop_new(int width, int height)
{
  LlFakeDesktop *f = g_new0(LlFakeDesktop, 1);
  /* 0x00RRGGBB in host order, as X11 servers on x86 have it. */
  f->format = (LlScreenFormat){ .width = width, .height = height, .stride = width * 4,
                                .red_shift = 16, .green_shift = 8, .blue_shift = 0,
                                .big_endian = G_BYTE_ORDER == G_BIG_ENDIAN };
  f->framebuffer = ll_shared_picture_new((gsize)f->format.stride * height);
  f->input_log = g_string_new(NULL);
  return f;
}

void ll_fake_desktop_free(LlFakeDesktop *f)
{
  if (f == NULL)
    return;
  g_return_if_fail(f->bound == NULL);   /* the sessions on it are gone first */
  g_return_if_fail(f->pending == NULL);
  ll_shared_picture_free(f->framebuffer);
  g_string_free(f->input_log, TRUE);
  g_free(f->clipboard);
  g_free(f->open_error);
  g_free(f);
}

void ll_fake_desktop_fill(LlFakeDesktop *f, int x, int y, int width, int height, guint32 rgb)
{
  x = CLAMP(x, 0, f->format.width);
  y = CLAMP(y, 0, f->format.height);
  width = MIN(width, f->format.width - x);
  height = MIN(height, f->format.height - y);
  for (int row = y; row < y + height; row++) {
    guint32 *line = (guint32 *)(f->framebuffer + (gsize)row * f->format.stride);
    for (int col = x; col < x + width; col++)
      line[col] = rgb & 0xffffff;
  }
  if (f->bound != NULL && f->bound->screen_started && width > 0 && height > 0)
    ll_desktop_feed_damage(f->bound, x, y, width, height);
}

guint32 ll_fake_desktop_pixel(LlFakeDesktop *f, int x, int y)
{
  g_return_val_if_fail(x >= 0 && y >= 0 && x < f->format.width && y < f->format.height, 0);
  return ((guint32 *)(f->framebuffer + (gsize)y * f->format.stride))[x];
}

gboolean ll_fake_desktop_press_stop(LlFakeDesktop *f)
{
  if (f->bound == NULL || !f->watching_stop)
    return FALSE;
  ll_desktop_emit_stopped(f->bound, LL_DESKTOP_STOP_ESC);
  return TRUE;
}

void ll_fake_desktop_copy(LlFakeDesktop *f, const char *text)
{
  if (f->bound != NULL)
    ll_desktop_emit_copied(f->bound, text, strlen(text));
}

void ll_fake_desktop_close(LlFakeDesktop *f, const char *message)
{
  g_autoptr(GError) why = g_error_new_literal(LL_ERROR, LL_ERROR_DISPLAY, message);
  if (f->bound != NULL)
    ll_desktop_emit_closed(f->bound, why);
}

const char *ll_fake_desktop_input_log(LlFakeDesktop *f) { return f->input_log->str; }
const char *ll_fake_desktop_clipboard(LlFakeDesktop *f) { return f->clipboard; }
gboolean ll_fake_desktop_in_use(LlFakeDesktop *f) { return f->bound != NULL; }
void ll_fake_desktop_refuse_input(LlFakeDesktop *f) { f->no_input = TRUE; }

void ll_fake_desktop_hold_open(LlFakeDesktop *f) { f->hold_open = TRUE; }

static void bind(LlFakeDesktop *f, LlDesktop *d, GTask *task);

void ll_fake_desktop_finish_open(LlFakeDesktop *f)
{
  f->hold_open = FALSE;
  if (f->pending == NULL)
    return;
  g_autoptr(GTask) task = g_steal_pointer(&f->pending);
  bind(f, g_steal_pointer(&f->pending_desktop), task);
}

void ll_fake_desktop_fail_open(LlFakeDesktop *f, const char *message)
{
  g_free(f->open_error);
  f->open_error = g_strdup(message);
}

/* ---- the backend ---- */

static LlDesktopCaps caps_of(const LlFakeDesktop *f)
{
  return LL_DESKTOP_CAN_CLIPBOARD | (f->no_input ? 0 : LL_DESKTOP_CAN_INPUT);
}

static gboolean fake_probe(const LlDesktopChoice *choice, LlDesktopProbe *probe, GError **error)
{
  LlFakeDesktop *f = choice->fake;
  g_return_val_if_fail(f != NULL, FALSE);
  if (f->open_error != NULL) {
    g_set_error_literal(error, LL_ERROR, LL_ERROR_DISPLAY, f->open_error);
    return FALSE;
  }
  probe->caps = caps_of(f);
  probe->stop_ways = LL_STOP_ESC_ANYWHERE;
  probe->description = g_strdup("a test's desktop in memory");
  return TRUE;
}

static void fake_open(LlDesktop *d, const LlDesktopChoice *choice, GTask *task)
{
  LlFakeDesktop *f = choice->fake;
  if (f->open_error != NULL) {
    g_task_return_new_error(task, LL_ERROR, LL_ERROR_DISPLAY, "%s", f->open_error);
    return;
  }
  if (f->bound != NULL || f->pending != NULL) {
    g_task_return_new_error(task, LL_ERROR, LL_ERROR_DISPLAY, "the test desktop is in use");
    return;
  }
  if (f->hold_open) {   /* like a portal whose dialog is not answered yet */
    f->pending = g_object_ref(task);
    f->pending_desktop = d;
    return;
  }
  bind(f, d, task);
}

static void bind(LlFakeDesktop *f, LlDesktop *d, GTask *task)
{
  f->bound = d;
  d->impl = f;
  d->caps = caps_of(f);
  d->stop_ways = LL_STOP_ESC_ANYWHERE;
  d->format = f->format;
  d->framebuffer = f->framebuffer;
  g_task_return_boolean(task, TRUE);
}

static gboolean fake_start_screen(LlDesktop *d, GError **error)
{
  (void)d; (void)error;
  return TRUE;
}

static void fake_stop_screen(LlDesktop *d) { (void)d; }

static gboolean fake_start_input(LlDesktop *d, GError **error)
{
  (void)d; (void)error;
  return TRUE;
}

static void fake_key(LlDesktop *d, gboolean down, guint32 keysym)
{
  LlFakeDesktop *f = d->impl;
  g_string_append_printf(f->input_log, "key %s 0x%x\n", down ? "down" : "up", keysym);
}

static void fake_pointer(LlDesktop *d, int buttons, int x, int y)
{
  LlFakeDesktop *f = d->impl;
  g_string_append_printf(f->input_log, "pointer %d %d %d\n", buttons, x, y);
}

static void fake_release_all(LlDesktop *d)
{
  LlFakeDesktop *f = d->impl;
  g_string_append(f->input_log, "release all\n");
}

static void fake_watch_stop(LlDesktop *d, gboolean active)
{
  ((LlFakeDesktop *)d->impl)->watching_stop = active;
}

static void fake_clipboard_set(LlDesktop *d, const char *text, gsize len)
{
  LlFakeDesktop *f = d->impl;
  g_free(f->clipboard);
  f->clipboard = g_strndup(text, len);
}

static void fake_close(LlDesktop *d)
{
  LlFakeDesktop *f = d->impl;
  f->bound = NULL;
  f->watching_stop = FALSE;
  d->impl = NULL;
}

static guint fake_monitors(LlDesktop *d, LlMonitor *monitors)
{
  LlFakeDesktop *f = d->impl;
  memcpy(monitors, f->monitors, f->n_monitors * sizeof *monitors);
  return f->n_monitors;
}

const LlDesktopBackend ll_fake_desktop_backend = {
  .kind = LL_DESKTOP_FAKE,
  .probe = fake_probe,
  .open = fake_open,
  .start_screen = fake_start_screen,
  .stop_screen = fake_stop_screen,
  .start_input = fake_start_input,
  .key = fake_key,
  .pointer = fake_pointer,
  .release_all = fake_release_all,
  .watch_stop = fake_watch_stop,
  .clipboard_set = fake_clipboard_set,
  .monitors = fake_monitors,
  .close = fake_close,
};

#include "novice/desktop/wlroots/wlr_screen.h"
#include "novice/desktop/shared_picture.h"
#include "common/error.h"
#include "novice/desktop/thread_mailbox.h"
#include "novice/desktop/wlroots/wl_globals.h"
#include "novice/desktop/wlroots/wl_source.h"
#include "novice/desktop/wlroots/wlr_output.h"
#include "wlr-screencopy-unstable-v1-client-protocol.h"
#include "xdg-output-unstable-v1-client-protocol.h"
#include <string.h>

struct LlWlrScreen {
  LlWlrScreenEvents events;
  gpointer user_data;
  LlMailbox *mailbox;            /* to the main context */
  char *display_name;
  GMainContext *context;         /* the capture thread's */
  GMainLoop *loop;
  GThread *thread;
  gint feeding;                  /* atomic */
  GMutex lock;                   /* the monitors, read from the main context */
  LlMonitor monitors[LL_MAX_MONITORS];
  guint n_monitors;
  /* The capture thread's. */
  struct wl_display *display;
  LlWlSource *source;
  LlWlGlobals *globals;
  LlWlrCapture capture;
  GPtrArray *outputs;            /* LlWlrOutput, owned */
  LlScreenFormat format;
  guint8 *framebuffer;
  int origin_x, origin_y;        /* the layout's top left corner */
  GSource *relayout;
  GHashTable *copied;            /* outputs copied since the layout changed */
  gboolean have_picture, ended;
};

/* ---- to the main context ---- */

static void deliver_ready(gpointer owner, gpointer data)
{
  LlWlrScreen *s = owner;
  (void)data;
  s->events.ready(s->user_data);
}

static void deliver_ended(gpointer owner, gpointer data)
{
  LlWlrScreen *s = owner;
  s->events.ended(data, s->user_data);
}

/* On the capture thread: nothing more can be read; say so once. */
static void end(LlWlrScreen *s, GError *why)
{
  if (s->ended) {
    g_error_free(why);
    return;
  }
  s->ended = TRUE;
  g_info("the wlroots screen ended: %s", why->message);
  ll_mailbox_post(s->mailbox, deliver_ended, why, (GDestroyNotify)g_error_free);
}

/* ---- the layout ---- */

/* Where output O's pixels go: its layout place, its copies' size. */
static void output_area(const LlWlrOutputPlace *p, int *x, int *y, int *width, int *height)
{
  *x = p->x;
  *y = p->y;
  *width = p->pixel_width > 0 ? p->pixel_width : p->width;
  *height = p->pixel_height > 0 ? p->pixel_height : p->height;
}

static void note_monitors(LlWlrScreen *s)
{
  g_mutex_lock(&s->lock);
  s->n_monitors = 0;
  for (guint i = 0; i < s->outputs->len && s->n_monitors < LL_MAX_MONITORS; i++) {
    const LlWlrOutputPlace *p = ll_wlr_output_place(g_ptr_array_index(s->outputs, i));
    if (p->width == 0)
      continue;
    LlMonitor *m = &s->monitors[s->n_monitors++];
    memset(m, 0, sizeof *m);
    output_area(p, &m->x, &m->y, &m->width, &m->height);
    m->x -= s->origin_x;
    m->y -= s->origin_y;
    g_strlcpy(m->name, p->name, sizeof m->name);
  }
  g_mutex_unlock(&s->lock);
}

/* The box around every output placed so far; FALSE while there is none. */
static gboolean layout_box(LlWlrScreen *s, int *x0, int *y0, int *x1, int *y1)
{
  gboolean any = FALSE;
  for (guint i = 0; i < s->outputs->len; i++) {
    int x, y, w, h;
    output_area(ll_wlr_output_place(g_ptr_array_index(s->outputs, i)), &x, &y, &w, &h);
    if (w == 0 || h == 0)
      continue;
    *x0 = any ? MIN(*x0, x) : x;
    *y0 = any ? MIN(*y0, y) : y;
    *x1 = any ? MAX(*x1, x + w) : x + w;
    *y1 = any ? MAX(*y1, y + h) : y + h;
    any = TRUE;
  }
  return any;
}

/* A new framebuffer for the layout now; every output is copied whole
 * into it again. */
static void relayout(LlWlrScreen *s)
{
  int x0, y0, x1, y1;
  if (!layout_box(s, &x0, &y0, &x1, &y1))
    return;                      /* no output yet (or none left): keep the picture */
  int width = MIN(x1 - x0, LL_WLR_MAX_SIDE), height = MIN(y1 - y0, LL_WLR_MAX_SIDE);
  guint8 *old = s->framebuffer;
  s->origin_x = x0;
  s->origin_y = y0;
  s->format = (LlScreenFormat){ .width = width, .height = height, .stride = width * 4,
                                .red_shift = 16, .green_shift = 8, .blue_shift = 0 };
  s->framebuffer = ll_shared_picture_new((gsize)s->format.stride * height);
  note_monitors(s);
  s->events.resized(&s->format, s->framebuffer, s->user_data);
  ll_shared_picture_free(old);
  g_hash_table_remove_all(s->copied);
  for (guint i = 0; i < s->outputs->len; i++)
    ll_wlr_output_capture(g_ptr_array_index(s->outputs, i));
}

static gboolean on_relayout(gpointer data)
{
  LlWlrScreen *s = data;
  g_clear_pointer(&s->relayout, g_source_unref);
  relayout(s);
  return G_SOURCE_REMOVE;
}

/* Changes come in bursts (an output's place, then its copies' size): one
 * relayout after them. */
static void relayout_soon(LlWlrScreen *s)
{
  if (s->relayout != NULL || s->ended)
    return;
  s->relayout = g_idle_source_new();
  g_source_set_callback(s->relayout, on_relayout, s, NULL);
  g_source_attach(s->relayout, s->context);
}

/* ---- copies ---- */

static void copy_rows(LlWlrScreen *s, const LlWlrCopy *c, int ox, int oy, const int *r)
{
  /* Cut to the framebuffer (a layout wider than the bound). */
  int x0 = MAX(r[0], -ox), y0 = MAX(r[1], -oy);
  int x1 = MIN(r[0] + r[2], s->format.width - ox);
  int y1 = MIN(r[1] + r[3], s->format.height - oy);
  if (x1 <= x0 || y1 <= y0)
    return;
  for (int y = y0; y < y1; y++) {
    int from_row = c->y_invert ? c->height - 1 - y : y;
    const guint32 *src = (const guint32 *)(c->pixels + (gsize)from_row * c->stride) + x0;
    guint32 *dst = (guint32 *)(s->framebuffer + (gsize)(oy + y) * s->format.stride) + ox + x0;
    if (!c->swap_red_blue) {
      memcpy(dst, src, (gsize)(x1 - x0) * 4);
      continue;
    }
    for (int x = 0; x < x1 - x0; x++)
      dst[x] = (src[x] & 0xff00ff00u) | ((src[x] >> 16) & 0xff) | ((src[x] & 0xff) << 16);
  }
  if (g_atomic_int_get(&s->feeding) && s->events.damaged != NULL)
    s->events.damaged(ox + x0, oy + y0, x1 - x0, y1 - y0, s->user_data);
}

static void check_picture(LlWlrScreen *s);

static void on_copied(LlWlrOutput *o, const LlWlrCopy *c, gpointer data)
{
  LlWlrScreen *s = data;
  const LlWlrOutputPlace *p = ll_wlr_output_place(o);
  if (s->framebuffer == NULL || s->relayout != NULL)
    return;                      /* a new layout comes, and copies all again */
  int ox = p->x - s->origin_x, oy = p->y - s->origin_y;
  int whole[4] = { 0, 0, c->width, c->height };
  if (c->n_rects == 0)
    copy_rows(s, c, ox, oy, whole);
  for (int i = 0; i < c->n_rects; i++)
    copy_rows(s, c, ox, oy, c->rects[i]);
  g_hash_table_add(s->copied, o);
  check_picture(s);
}

/* The first picture is whole once every placed output was copied. */
static void check_picture(LlWlrScreen *s)
{
  if (s->have_picture)
    return;
  for (guint i = 0; i < s->outputs->len; i++) {
    LlWlrOutput *o = g_ptr_array_index(s->outputs, i);
    if (ll_wlr_output_place(o)->width > 0 && !g_hash_table_contains(s->copied, o))
      return;
  }
  s->have_picture = TRUE;
  ll_mailbox_post(s->mailbox, deliver_ready, NULL, NULL);
}

static void on_output_changed(LlWlrOutput *o, gpointer data)
{
  LlWlrScreen *s = data;
  (void)o;
  relayout_soon(s);
}

static void on_output_failed(LlWlrOutput *o, const GError *why, gpointer data)
{
  LlWlrScreen *s = data;
  (void)o;
  end(s, g_error_copy(why));
}

static const LlWlrOutputEvents output_events = {
  .changed = on_output_changed, .copied = on_copied, .failed = on_output_failed,
};

/* ---- outputs coming and going ---- */

static void on_output_added(LlWlGlobals *globals, guint32 name, guint32 version,
                            gpointer data)
{
  LlWlrScreen *s = data;
  if (s->capture.screencopy == NULL || s->outputs->len >= LL_MAX_MONITORS)
    return;                      /* before the managers are bound: added then */
  g_ptr_array_add(s->outputs, ll_wlr_output_new(globals, name, version, &s->capture,
                                                &output_events, s));
}

static void on_output_removed(guint32 name, gpointer data)
{
  LlWlrScreen *s = data;
  for (guint i = 0; i < s->outputs->len; i++) {
    LlWlrOutput *o = g_ptr_array_index(s->outputs, i);
    if (ll_wlr_output_global(o) != name)
      continue;
    g_hash_table_remove(s->copied, o);
    g_ptr_array_remove_index(s->outputs, i);   /* frees it */
    relayout_soon(s);
    return;
  }
}

/* ---- the thread ---- */

static void on_connection_lost(gpointer data)
{
  LlWlrScreen *s = data;
  end(s, g_error_new_literal(LL_ERROR, LL_ERROR_DISPLAY,
                             "the Wayland compositor went away (its session ended or it "
                             "stopped)"));
  g_clear_pointer(&s->source, ll_wl_source_free);
}

static gboolean connect_screen(LlWlrScreen *s, GError **error)
{
  s->display = ll_wl_connect(s->display_name, error);
  if (s->display == NULL)
    return FALSE;
  LlWlGlobals callbacks = { .output_added = on_output_added,
                            .output_removed = on_output_removed, .user_data = s };
  s->globals = ll_wl_globals_new(s->display, &callbacks, error);
  if (s->globals == NULL)
    return FALSE;
  LlWlGlobals *g = s->globals;
  if (g->screencopy.name == 0 || g->xdg_output.name == 0 || g->shm.name == 0) {
    g_set_error_literal(error, LL_ERROR, LL_ERROR_DISPLAY,
                        "this Wayland compositor does not let programs copy its screen "
                        "(it offers no wlr-screencopy)");
    return FALSE;
  }
  s->capture.shm = ll_wl_globals_bind(g, &g->shm, &wl_shm_interface, 1);
  s->capture.xdg_output = ll_wl_globals_bind(g, &g->xdg_output,
                                             &zxdg_output_manager_v1_interface, 2);
  s->capture.screencopy_version = MIN(g->screencopy.version, 3u);
  s->capture.screencopy = ll_wl_globals_bind(g, &g->screencopy,
                                             &zwlr_screencopy_manager_v1_interface, 3);
  /* The outputs announced in the first round trip, now the managers are
   * bound: a second registry listing them again. */
  ll_wl_globals_free(s->globals);
  s->globals = ll_wl_globals_new(s->display, &callbacks, error);
  if (s->globals == NULL)
    return FALSE;
  return ll_wl_roundtrip(s->display, error);   /* their places */
}

static void disconnect_screen(LlWlrScreen *s)
{
  g_clear_pointer(&s->relayout, g_source_unref);
  g_ptr_array_set_size(s->outputs, 0);
  if (s->capture.screencopy != NULL)
    zwlr_screencopy_manager_v1_destroy(s->capture.screencopy);
  if (s->capture.xdg_output != NULL)
    zxdg_output_manager_v1_destroy(s->capture.xdg_output);
  if (s->capture.shm != NULL)
    wl_shm_destroy(s->capture.shm);
  memset(&s->capture, 0, sizeof s->capture);
  g_clear_pointer(&s->globals, ll_wl_globals_free);
  g_clear_pointer(&s->source, ll_wl_source_free);
  g_clear_pointer(&s->display, wl_display_disconnect);
}

static gpointer run_thread(gpointer data)
{
  LlWlrScreen *s = data;
  GError *error = NULL;
  g_main_context_push_thread_default(s->context);
  if (connect_screen(s, &error)) {
    s->source = ll_wl_source_new(s->display, s->context, on_connection_lost, s);
    relayout(s);
  } else {
    end(s, error);
  }
  g_main_loop_run(s->loop);
  if (s->relayout != NULL)
    g_source_destroy(s->relayout);
  disconnect_screen(s);
  g_main_context_pop_thread_default(s->context);
  return NULL;
}

LlWlrScreen *ll_wlr_screen_new(const char *display_name, const LlWlrScreenEvents *events,
                               gpointer user_data)
{
  LlWlrScreen *s = g_new0(LlWlrScreen, 1);
  s->events = *events;
  s->user_data = user_data;
  s->mailbox = ll_mailbox_new(NULL, s);
  s->display_name = g_strdup(display_name);
  s->outputs = g_ptr_array_new_with_free_func((GDestroyNotify)ll_wlr_output_free);
  s->copied = g_hash_table_new(NULL, NULL);
  g_mutex_init(&s->lock);
  s->context = g_main_context_new();
  s->loop = g_main_loop_new(s->context, FALSE);
  s->thread = g_thread_new("lifeline-wlr-screen", run_thread, s);
  return s;
}

guint ll_wlr_screen_monitors(LlWlrScreen *s, LlMonitor *monitors)
{
  g_mutex_lock(&s->lock);
  guint n = s->n_monitors;
  memcpy(monitors, s->monitors, n * sizeof *monitors);
  g_mutex_unlock(&s->lock);
  return n;
}

/* Not g_main_context_invoke: before the thread runs its loop, that would
 * run FN here, at once. */
static void run_on_thread(LlWlrScreen *s, GSourceFunc fn, gpointer data, GDestroyNotify done)
{
  GSource *source = g_idle_source_new();
  g_source_set_callback(source, fn, data, done);
  g_source_attach(source, s->context);
  g_source_unref(source);
}

typedef struct {
  void (*fn)(gpointer data);
  gpointer data;
} Invocation;

static gboolean run_invocation(gpointer data)
{
  Invocation *i = data;
  i->fn(i->data);
  return G_SOURCE_REMOVE;
}

void ll_wlr_screen_invoke(LlWlrScreen *s, void (*fn)(gpointer data), gpointer data)
{
  Invocation *i = g_new0(Invocation, 1);
  i->fn = fn;
  i->data = data;
  run_on_thread(s, run_invocation, i, g_free);
}

void ll_wlr_screen_set_feeding(LlWlrScreen *s, gboolean feeding)
{
  g_atomic_int_set(&s->feeding, feeding);
}

static gboolean quit_loop(gpointer data)
{
  g_main_loop_quit(data);
  return G_SOURCE_REMOVE;
}

void ll_wlr_screen_free(LlWlrScreen *s)
{
  if (s == NULL)
    return;
  run_on_thread(s, quit_loop, s->loop, NULL);
  g_thread_join(s->thread);
  ll_mailbox_close(s->mailbox);
  g_main_loop_unref(s->loop);
  g_main_context_unref(s->context);
  g_ptr_array_unref(s->outputs);
  g_hash_table_unref(s->copied);
  g_mutex_clear(&s->lock);
  ll_shared_picture_free(s->framebuffer);
  g_free(s->display_name);
  g_free(s);
}

#include "novice/desktop/pipewire/pw_mosaic.h"
#include "novice/desktop/shared_picture.h"
#include "common/error.h"
#include "novice/desktop/thread_mailbox.h"
#include <math.h>
#include <string.h>
#include <unistd.h>

typedef struct {
  LlPwMosaic *mosaic;
  LlPwMosaicPart part;           /* where the layout has it */
  LlPwScreen *screen;
  /* Under the mosaic's lock, from the stream's first picture on. */
  LlScreenFormat format;
  const guint8 *framebuffer;     /* the stream's own, valid on its thread */
  LlMonitor place;               /* in the mosaic, once complete */
} Part;

struct LlPwMosaic {
  LlPwScreenEvents events;
  gpointer user_data;
  LlMailbox *mailbox;            /* to the owner's context */
  GMutex lock;                   /* the picture, the parts' pictures, the invocation */
  Part parts[LL_MAX_MONITORS];
  guint n_parts, n_pictures;
  gboolean complete;             /* every part drawn into the picture */
  LlScreenFormat format;
  guint8 *framebuffer;
  gint feeding;                  /* atomic */
  gboolean ended;                /* owner's context */
  void (*invoke_fn)(gpointer data);
  gpointer invoke_data;
};

/* ---- placing ---- */

static gboolean place_part(const LlPwMosaicPart *part, int width, int height, LlMonitor *place)
{
  /* The stream is the monitor in device pixels; the layout may count
   * logical ones: its place grows by the same factor. A monitor whose
   * size the layout does not know is placed as it is. */
  double sx = part->width > 0 ? (double)width / part->width : 1.0;
  double sy = part->height > 0 ? (double)height / part->height : 1.0;
  long x = lround(part->x * sx), y = lround(part->y * sy);
  if (x < 0 || y < 0 || x + width > LL_PW_MAX_SIDE || y + height > LL_PW_MAX_SIDE)
    return FALSE;
  memset(place, 0, sizeof *place);
  place->x = (int)x;
  place->y = (int)y;
  place->width = width;
  place->height = height;
  return TRUE;
}

gboolean ll_pw_mosaic_layout(const LlPwMosaicPart *parts, const int *sizes, guint n_parts,
                             LlMonitor *places, int *width, int *height)
{
  *width = *height = 0;
  for (guint i = 0; i < n_parts; i++) {
    if (sizes[2 * i] <= 0 || sizes[2 * i + 1] <= 0 || !place_part(&parts[i], sizes[2 * i], sizes[2 * i + 1],
                                             &places[i]))
      return FALSE;
    *width = MAX(*width, places[i].x + places[i].width);
    *height = MAX(*height, places[i].y + places[i].height);
  }
  return n_parts > 0;
}

/* ---- composing (a stream's thread, under the lock) ---- */

static void copy_rect(LlPwMosaic *m, const Part *p, int x, int y, int width, int height)
{
  int x1 = MIN(x + width, p->format.width), y1 = MIN(y + height, p->format.height);
  x = MAX(x, 0);
  y = MAX(y, 0);
  for (int row = y; row < y1 && x < x1; row++)
    memcpy(m->framebuffer + (gsize)(p->place.y + row) * m->format.stride +
               (gsize)(p->place.x + x) * 4,
           p->framebuffer + (gsize)row * p->format.stride + (gsize)x * 4, (gsize)(x1 - x) * 4);
}

/* The owner's context: the first stream or composition to fail ends it. */
static void end_once(LlPwMosaic *m, const GError *why)
{
  if (!m->ended && m->events.ended != NULL) {
    m->ended = TRUE;
    m->events.ended(why, m->user_data);
  }
}

static void on_failed(gpointer owner, gpointer data)
{
  end_once(owner, data);
}

static void on_ready(gpointer owner, gpointer data)
{
  LlPwMosaic *m = owner;
  (void)data;
  if (m->events.ready != NULL)
    m->events.ready(m->user_data);
}

static gboolean same_pixels(const LlScreenFormat *a, const LlScreenFormat *b)
{
  return a->red_shift == b->red_shift && a->green_shift == b->green_shift &&
         a->blue_shift == b->blue_shift && a->big_endian == b->big_endian;
}

/* Every stream has a picture: they are laid out and drawn into a new
 * picture (the old one is the caller's to free). Another stream's thread
 * may be writing its picture meanwhile: whatever it writes, it reports
 * as damaged next, and that waits for this lock. FALSE (and nothing
 * composed any more) when they cannot be. */
static gboolean compose(LlPwMosaic *m)
{
  m->complete = FALSE;
  int sizes[2 * LL_MAX_MONITORS];
  LlPwMosaicPart layout[LL_MAX_MONITORS];
  LlMonitor places[LL_MAX_MONITORS];
  for (guint i = 0; i < m->n_parts; i++) {
    layout[i] = m->parts[i].part;
    sizes[2 * i] = m->parts[i].format.width;
    sizes[2 * i + 1] = m->parts[i].format.height;
    if (!same_pixels(&m->parts[i].format, &m->parts[0].format))
      return FALSE;
  }
  int width, height;
  if (!ll_pw_mosaic_layout(layout, sizes, m->n_parts, places, &width, &height))
    return FALSE;
  m->format = (LlScreenFormat){ width, height, width * 4, m->parts[0].format.red_shift,
                                m->parts[0].format.green_shift, m->parts[0].format.blue_shift,
                                FALSE };
  m->framebuffer = ll_shared_picture_new((gsize)m->format.stride * m->format.height);
  for (guint i = 0; i < m->n_parts; i++) {
    m->parts[i].place = places[i];
    copy_rect(m, &m->parts[i], 0, 0, m->parts[i].format.width, m->parts[i].format.height);
  }
  m->complete = TRUE;
  return TRUE;
}

static const char *cannot_compose =
    "the monitors together are larger than Lifeline can share, or their pictures do not match";

static void post_failure(LlPwMosaic *m)
{
  ll_mailbox_post(m->mailbox, on_failed,
                  g_error_new_literal(LL_ERROR, LL_ERROR_DISPLAY, cannot_compose),
                  (GDestroyNotify)g_error_free);
}

static void hand_over(LlPwMosaic *m)
{
  if (!g_atomic_int_get(&m->feeding))
    return;
  if (m->events.replaced != NULL)  /* a mosaic replacing another */
    m->events.replaced(&m->format, m->framebuffer, m->user_data);
  else if (m->events.damaged != NULL)
    m->events.damaged(0, 0, m->format.width, m->format.height, m->user_data);
}

/* The stream's thread: its first picture (the stream feeds from the start). */
static void on_part_picture(const LlScreenFormat *format, guint8 *framebuffer, gpointer data)
{
  Part *p = data;
  LlPwMosaic *m = p->mosaic;
  g_mutex_lock(&m->lock);
  p->format = *format;
  p->framebuffer = framebuffer;
  if (++m->n_pictures == m->n_parts) {
    if (compose(m)) {
      hand_over(m);
      ll_mailbox_post(m->mailbox, on_ready, NULL, NULL);
    } else {
      post_failure(m);
    }
  }
  g_mutex_unlock(&m->lock);
}

/* The stream's thread: its monitor changed size (FRAMEBUFFER, in FORMAT,
 * is its picture now; the old one stays valid until this returns). The
 * monitors are laid out again, in a new picture for the feed. */
static void on_part_resized(const LlScreenFormat *format, guint8 *framebuffer, gpointer data)
{
  Part *p = data;
  LlPwMosaic *m = p->mosaic;
  g_mutex_lock(&m->lock);
  p->format = *format;
  p->framebuffer = framebuffer;
  if (m->n_pictures == m->n_parts) {
    guint8 *old = m->framebuffer;  /* the feed's until resized returned */
    if (compose(m))
      m->events.resized(&m->format, m->framebuffer, m->user_data);
    else
      post_failure(m);             /* the old picture stays the desktop's, still */
    if (m->complete)
      ll_shared_picture_free(old);
  }
  g_mutex_unlock(&m->lock);
}

static void on_part_damaged(int x, int y, int width, int height, gpointer data)
{
  Part *p = data;
  LlPwMosaic *m = p->mosaic;
  g_mutex_lock(&m->lock);
  if (m->complete) {
    copy_rect(m, p, x, y, width, height);
    if (g_atomic_int_get(&m->feeding) && m->events.damaged != NULL)
      m->events.damaged(p->place.x + x, p->place.y + y, width, height, m->user_data);
  }
  g_mutex_unlock(&m->lock);
}

/* ---- the owner's context ---- */

static void on_part_cursor(int x, int y, gpointer data)
{
  Part *p = data;
  LlPwMosaic *m = p->mosaic;
  g_mutex_lock(&m->lock);
  /* Mutter tells each stream where the pointer is on its own monitor. */
  gboolean inside = m->complete && x >= 0 && y >= 0 && x < p->place.width &&
                    y < p->place.height;
  int mx = p->place.x + x, my = p->place.y + y;
  g_mutex_unlock(&m->lock);
  if (inside && m->events.cursor_moved != NULL)
    m->events.cursor_moved(mx, my, m->user_data);
}

static void on_part_ended(const GError *why, gpointer data)
{
  end_once(((Part *)data)->mosaic, why);
}

/* Without a resized event the owner follows no size change: a stream
 * whose size changes ends instead. */
static const LlPwScreenEvents fixed_part_events = {
  .damaged = on_part_damaged, .replaced = on_part_picture, .cursor_moved = on_part_cursor,
  .ended = on_part_ended,
};
static const LlPwScreenEvents resizing_part_events = {
  .damaged = on_part_damaged, .replaced = on_part_picture, .resized = on_part_resized,
  .cursor_moved = on_part_cursor, .ended = on_part_ended,
};

static LlPwMosaic *mosaic_new(const LlPwMosaicPart *parts, guint n_parts,
                              const LlPwScreenEvents *events, gpointer user_data)
{
  LlPwMosaic *m = g_new0(LlPwMosaic, 1);
  m->events = *events;
  m->user_data = user_data;
  m->mailbox = ll_mailbox_new(g_main_context_get_thread_default(), m);
  g_mutex_init(&m->lock);
  m->n_parts = n_parts;
  for (guint i = 0; i < n_parts; i++) {
    m->parts[i].mosaic = m;
    m->parts[i].part = parts[i];
  }
  return m;
}

LlPwMosaic *ll_pw_mosaic_new(const LlPwMosaicPart *parts, guint n_parts,
                             const LlPwScreenEvents *events, gpointer user_data, GError **error)
{
  g_return_val_if_fail(n_parts > 0 && n_parts <= LL_MAX_MONITORS, NULL);
  LlPwMosaic *m = mosaic_new(parts, n_parts, events, user_data);
  gboolean ok = TRUE;
  for (guint i = 0; i < n_parts; i++) {
    if (!ok) {                   /* the remotes not used are still ours */
      if (parts[i].remote_fd >= 0)
        close(parts[i].remote_fd);
      continue;
    }
    m->parts[i].screen = ll_pw_screen_new(parts[i].remote_fd, parts[i].node,
                                          events->resized != NULL ? &resizing_part_events
                                                                  : &fixed_part_events,
                                          &m->parts[i], error);
    ok = m->parts[i].screen != NULL;   /* every picture of it is composed */
  }
  if (!ok) {
    ll_pw_mosaic_free(m);
    return NULL;
  }
  return m;
}

const LlScreenFormat *ll_pw_mosaic_format(LlPwMosaic *m) { return &m->format; }

void ll_pw_mosaic_hold_picture(LlPwMosaic *m, LlPwPictureFn fn, gpointer data)
{
  g_mutex_lock(&m->lock);
  if (m->complete)
    fn(&m->format, m->framebuffer, data);
  g_mutex_unlock(&m->lock);
}
guint8 *ll_pw_mosaic_framebuffer(LlPwMosaic *m) { return m->framebuffer; }

gboolean ll_pw_mosaic_place(LlPwMosaic *m, guint index, LlMonitor *place)
{
  g_mutex_lock(&m->lock);
  gboolean known = m->complete && index < m->n_parts;
  if (known)
    *place = m->parts[index].place;
  g_mutex_unlock(&m->lock);
  return known;
}

/* How far the point X, Y is from PLACE (0 inside). */
static gint64 distance(const LlMonitor *place, int x, int y)
{
  gint64 dx = x < place->x ? place->x - x : MAX(0, x - (place->x + place->width - 1));
  gint64 dy = y < place->y ? place->y - y : MAX(0, y - (place->y + place->height - 1));
  return dx * dx + dy * dy;
}

gboolean ll_pw_mosaic_locate(LlPwMosaic *m, int x, int y, guint *index, int *part_x,
                             int *part_y)
{
  g_mutex_lock(&m->lock);
  gboolean known = m->complete;
  guint best = 0;
  for (guint i = 1; known && i < m->n_parts; i++)
    if (distance(&m->parts[i].place, x, y) < distance(&m->parts[best].place, x, y))
      best = i;
  LlMonitor place = m->parts[best].place;
  g_mutex_unlock(&m->lock);
  if (!known)
    return FALSE;
  *index = best;
  *part_x = CLAMP(x - place.x, 0, place.width - 1);
  *part_y = CLAMP(y - place.y, 0, place.height - 1);
  return TRUE;
}

static void run_invocation(gpointer data)
{
  LlPwMosaic *m = data;
  g_mutex_lock(&m->lock);
  void (*fn)(gpointer) = m->invoke_fn;
  gpointer fn_data = m->invoke_data;
  m->invoke_fn = NULL;
  if (fn != NULL)
    fn(fn_data);
  g_mutex_unlock(&m->lock);
}

void ll_pw_mosaic_invoke(LlPwMosaic *m, void (*fn)(gpointer data), gpointer data)
{
  g_mutex_lock(&m->lock);
  m->invoke_fn = fn;
  m->invoke_data = data;
  g_mutex_unlock(&m->lock);
  ll_pw_screen_invoke(m->parts[0].screen, run_invocation, m);
}

void ll_pw_mosaic_set_feeding(LlPwMosaic *m, gboolean feeding)
{
  g_atomic_int_set(&m->feeding, feeding);
}

void ll_pw_mosaic_free(LlPwMosaic *m)
{
  ll_shared_picture_free(ll_pw_mosaic_free_keeping_picture(m));
}

guint8 *ll_pw_mosaic_free_keeping_picture(LlPwMosaic *m)
{
  if (m == NULL)
    return NULL;
  for (guint i = 0; i < m->n_parts; i++)
    ll_pw_screen_free(m->parts[i].screen);   /* no stream's callback runs after */
  ll_mailbox_close(m->mailbox);
  g_mutex_clear(&m->lock);
  guint8 *framebuffer = m->framebuffer;
  g_free(m);
  return framebuffer;
}

#include "novice/rfb_worker/rfb_engine.h"
#include "common/error.h"
#include "novice/rfb_worker/zrle_compress_level.h"
#include <rfb/rfb.h>
#include <rfb/rfbregion.h>
#include <pthread.h>
#include <stdarg.h>
#include <string.h>
#include <unistd.h>


typedef enum { INPUT_KEY, INPUT_POINTER, INPUT_CUT_TEXT, INPUT_TEXT_CHAT, INPUT_VIEWERS } InputKind;

typedef struct {
  InputKind kind;
  gboolean down;
  guint32 keysym;
  int buttons, x, y;
  char *text;
  gsize len;
} InputEvent;

/* Viewer threads push events here; the main loop drains them in order.
 * It outlives the server if events are still on their way. */
typedef struct {
  GAsyncQueue *queue;
  LlRfbEngine *server;     /* NULL once the server is gone; main loop only */
} InputRelay;

struct LlRfbEngine {
  InputRelay *relay;
  LlRfbEngineInput input;
  gpointer input_data;
  rfbScreenInfoPtr screen;
  char *desktop_name;
  GMutex lock;                /* guards the counts and lists below */
  guint live_clients;
  GArray *threads;            /* pthread_t of every viewer not yet joined */
  GArray *finished;           /* pthread_t of viewers that have gone */
  GThreadPool *sender;        /* clipboard and TextChat to viewers, off the main loop */
};

typedef enum { SEND_CUT_TEXT, SEND_TEXT_CHAT } SendKind;

typedef struct {
  SendKind kind;
  char *text;
  gsize len;
} SendTask;

static void log_from_libvncserver(const char *format, ...)
{
  va_list args;
  va_start(args, format);
  g_autofree char *text = g_strdup_vprintf(format, args);
  va_end(args);
  g_debug("libvncserver: %s", g_strchomp(text));
}

static void input_event_free(gpointer data)
{
  InputEvent *e = data;
  g_free(e->text);
  g_free(e);
}

static void relay_clear(gpointer data)
{
  InputRelay *r = data;
  g_async_queue_unref(r->queue);
}

static void deliver(LlRfbEngine *s, InputEvent *e)
{
  switch (e->kind) {
  case INPUT_KEY:
    if (s->input.key != NULL)
      s->input.key(e->down, e->keysym, s->input_data);
    break;
  case INPUT_POINTER:
    if (s->input.pointer != NULL)
      s->input.pointer(e->buttons, e->x, e->y, s->input_data);
    break;
  case INPUT_CUT_TEXT:
    if (s->input.cut_text != NULL)
      s->input.cut_text(e->text, e->len, s->input_data);
    break;
  case INPUT_TEXT_CHAT:
    if (s->input.text_chat != NULL)
      s->input.text_chat(e->text, e->len, s->input_data);
    break;
  case INPUT_VIEWERS:
    if (s->input.viewers != NULL)
      s->input.viewers(ll_rfb_engine_client_count(s), s->input_data);
    break;
  }
}

static gboolean drain_input(gpointer data)
{
  InputRelay *r = data;
  InputEvent *e;
  while ((e = g_async_queue_try_pop(r->queue)) != NULL) {
    if (r->server != NULL)
      deliver(r->server, e);
    input_event_free(e);
  }
  return G_SOURCE_REMOVE;
}

static void relay_push_to(LlRfbEngine *s, InputEvent *e)
{
  g_async_queue_push(s->relay->queue, e);
  g_main_context_invoke_full(NULL, G_PRIORITY_HIGH, drain_input,
                             g_atomic_rc_box_acquire(s->relay),
                             (GDestroyNotify)g_atomic_rc_box_release);
}

/* On a viewer's thread. */
static void relay_push(rfbClientPtr cl, InputEvent *e)
{
  relay_push_to(cl->screen->screenData, e);
}

/* The number of viewers changed: told on the main loop. */
static void relay_viewers(LlRfbEngine *s)
{
  InputEvent *e = g_new0(InputEvent, 1);
  e->kind = INPUT_VIEWERS;
  relay_push_to(s, e);
}

static void on_key(rfbBool down, rfbKeySym key, rfbClientPtr cl)
{
  InputEvent *e = g_new0(InputEvent, 1);
  e->kind = INPUT_KEY;
  e->down = down;
  e->keysym = key;
  relay_push(cl, e);
}

static void on_pointer(int buttons, int x, int y, rfbClientPtr cl)
{
  InputEvent *e = g_new0(InputEvent, 1);
  e->kind = INPUT_POINTER;
  e->buttons = buttons;
  e->x = x;
  e->y = y;
  relay_push(cl, e);
}

static void push_text(rfbClientPtr cl, InputKind kind, char *utf8, gsize len)
{
  if (utf8 == NULL || !g_utf8_validate(utf8, len, NULL)) {
    g_free(utf8);
    return;
  }
  InputEvent *e = g_new0(InputEvent, 1);
  e->kind = kind;
  e->text = utf8;
  e->len = len;
  relay_push(cl, e);
}

/* Classic RFB cut text is Latin-1. */
static void on_cut_text(char *text, int len, rfbClientPtr cl)
{
  gsize written = 0;
  char *utf8 = g_convert(text, len, "UTF-8", "ISO-8859-1", NULL, &written, NULL);
  push_text(cl, INPUT_CUT_TEXT, utf8, written);
}

static void on_cut_text_utf8(char *text, int len, rfbClientPtr cl)
{
  push_text(cl, INPUT_CUT_TEXT, g_strndup(text, len), len);
}

/* UltraVNC TextChat: LENGTH may instead be an open/close/finished command. */
static void on_text_chat(rfbClientPtr cl, int length, char *text)
{
  /* Only a viewer that spoke TextChat gets TextChat: others (TigerVNC)
   * would take the unknown message type as a protocol error. */
  cl->clientData = GINT_TO_POINTER(1);
  if (text == NULL || length <= 0)
    return;
  char *utf8 = g_utf8_make_valid(text, length);
  push_text(cl, INPUT_TEXT_CHAT, utf8, strlen(utf8));
}

/* On the desktop's capture thread: libvncserver takes each viewer's
 * update mutex. */
void ll_rfb_engine_mark_changed(LlRfbEngine *s, int x, int y, int w, int h)
{
  rfbMarkRectAsModified(s->screen, x, y, x + w, y + h);
}

static void set_pixel_format(rfbScreenInfoPtr screen, const LlScreenFormat *f)
{
  screen->serverFormat.bitsPerPixel = 32;
  screen->serverFormat.depth = 24;
  screen->serverFormat.trueColour = TRUE;
  screen->serverFormat.bigEndian = f->big_endian;
  screen->serverFormat.redMax = screen->serverFormat.greenMax = screen->serverFormat.blueMax = 255;
  screen->serverFormat.redShift = f->red_shift;
  screen->serverFormat.greenShift = f->green_shift;
  screen->serverFormat.blueShift = f->blue_shift;
}

/* What rfbNewFramebuffer does, but keeping our pixel format: it resets
 * the server's format to libvncserver's default and re-translates for
 * every viewer, which would show wrong colours until set back. */
void ll_rfb_engine_resize(LlRfbEngine *s, const LlScreenFormat *f, guint8 *framebuffer)
{
  rfbScreenInfoPtr screen = s->screen;
  rfbClientIteratorPtr it = rfbGetClientIterator(screen);
  rfbClientPtr cl;
  while ((cl = rfbClientIteratorNext(it)) != NULL)
    pthread_mutex_lock(&cl->sendMutex);     /* no update is being written */
  rfbReleaseClientIterator(it);
  screen->width = f->width;
  screen->height = f->height;
  screen->paddedWidthInBytes = f->stride;
  screen->frameBuffer = (char *)framebuffer;
  set_pixel_format(screen, f);
  it = rfbGetClientIterator(screen);
  while ((cl = rfbClientIteratorNext(it)) != NULL) {
    screen->setTranslateFunction(cl);
    pthread_mutex_lock(&cl->updateMutex);
    sraRgnDestroy(cl->modifiedRegion);
    cl->modifiedRegion = sraRgnCreateRect(0, 0, f->width, f->height);
    sraRgnMakeEmpty(cl->copyRegion);
    cl->copyDX = cl->copyDY = 0;
    if (cl->useNewFBSize)
      cl->newFBSizePending = TRUE;
    pthread_cond_signal(&cl->updateCond);
    pthread_mutex_unlock(&cl->updateMutex);
    pthread_mutex_unlock(&cl->sendMutex);
  }
  rfbReleaseClientIterator(it);
}

static rfbScreenInfoPtr make_screen(LlRfbEngine *s, const LlScreenFormat *f, guint8 *framebuffer)
{
  int argc = 1;
  char *argv[] = { "lifeline", NULL };
  rfbScreenInfoPtr screen = rfbGetScreen(&argc, argv, f->width, f->height, 8, 3, 4);
  if (screen == NULL)
    return NULL;
  screen->frameBuffer = (char *)framebuffer;
  screen->paddedWidthInBytes = f->stride;
  set_pixel_format(screen, f);
  screen->desktopName = s->desktop_name;
  /* Never listen: the only way in is a socketpair we hand over. */
  screen->port = 0;
  screen->ipv6port = 0;
  screen->autoPort = FALSE;
  screen->httpDir = NULL;
  /* A second viewer (a snapshot while a viewer is open) must not push the
   * first one out. */
  screen->alwaysShared = TRUE;
  /* Each client gets its own input and output threads. */
  screen->backgroundLoop = TRUE;
  /* A viewer's output thread sleeps this long before every update, "to
   * let more changes come along" (default 5 ms). Our capture already
   * merges damage (MIN_CAPTURE_INTERVAL_US), so the sleep is pure latency.
   * Not 0: the same value paces the thread's polling while a viewer is
   * still in its handshake, where 0 would spin a core. */
  screen->deferUpdateTime = 1;
  /* No painted-in arrow: the picture must be exactly the screen. The real
   * cursor shape comes from XFixes in a later version. */
  screen->cursor = NULL;
  screen->kbdAddEvent = on_key;
  screen->ptrAddEvent = on_pointer;
  screen->setXCutText = on_cut_text;
  screen->setXCutTextUTF8 = on_cut_text_utf8;
  screen->setTextChat = on_text_chat;
  screen->screenData = s;
  ll_zrle_compress_level_attach(screen);
  rfbInitServer(screen);
  return screen;
}

static void run_send_task(gpointer data, gpointer user_data);

LlRfbEngine *ll_rfb_engine_new(const LlScreenFormat *format, guint8 *framebuffer,
                               const char *desktop_name, GError **error)
{
  rfbLog = log_from_libvncserver;
  rfbErr = log_from_libvncserver;
  LlRfbEngine *s = g_new0(LlRfbEngine, 1);
  g_mutex_init(&s->lock);
  s->threads = g_array_new(FALSE, FALSE, sizeof(pthread_t));
  s->finished = g_array_new(FALSE, FALSE, sizeof(pthread_t));
  s->sender = g_thread_pool_new(run_send_task, s, 1, TRUE, NULL);
  s->relay = g_atomic_rc_box_new0(InputRelay);
  s->relay->queue = g_async_queue_new_full(input_event_free);
  s->relay->server = s;
  s->desktop_name = g_strdup(desktop_name);
  s->screen = make_screen(s, format, framebuffer);
  if (s->screen == NULL) {
    g_set_error_literal(error, LL_ERROR, LL_ERROR_DISPLAY, "cannot start the screen server");
    ll_rfb_engine_free(s);
    return NULL;
  }
  return s;
}

/* Runs on the client's own thread, as libvncserver lets it go: the
 * thread is joined later, from the main loop. */
static void on_client_gone(rfbClientPtr cl)
{
  LlRfbEngine *s = cl->screen->screenData;
  pthread_t self = pthread_self();
  g_mutex_lock(&s->lock);
  s->live_clients--;
  g_array_append_val(s->finished, self);
  g_mutex_unlock(&s->lock);
  relay_viewers(s);
}

static void forget_thread(LlRfbEngine *s, pthread_t thread)
{
  for (guint i = 0; i < s->threads->len; i++)
    if (pthread_equal(g_array_index(s->threads, pthread_t, i), thread)) {
      g_array_remove_index_fast(s->threads, i);
      return;
    }
}

/* Joins the viewer threads that have ended, so none lingers. */
static void join_finished(LlRfbEngine *s)
{
  g_mutex_lock(&s->lock);
  GArray *done = s->finished;
  s->finished = g_array_new(FALSE, FALSE, sizeof(pthread_t));
  for (guint i = 0; i < done->len; i++)
    forget_thread(s, g_array_index(done, pthread_t, i));
  g_mutex_unlock(&s->lock);
  for (guint i = 0; i < done->len; i++)
    pthread_join(g_array_index(done, pthread_t, i), NULL);
  g_array_unref(done);
}

gboolean ll_rfb_engine_add_client(LlRfbEngine *s, int fd, GError **error)
{
  join_finished(s);
  rfbClientPtr cl = rfbNewClient(s->screen, fd);
  if (cl == NULL) {
    g_set_error_literal(error, LL_ERROR, LL_ERROR_FAILED, "the screen server refused a viewer");
    return FALSE;
  }
  g_mutex_lock(&s->lock);
  s->live_clients++;
  g_mutex_unlock(&s->lock);
  cl->clientGoneHook = on_client_gone;
  rfbStartOnHoldClient(cl);
  g_mutex_lock(&s->lock);
  g_array_append_val(s->threads, cl->client_thread);
  g_mutex_unlock(&s->lock);
  relay_viewers(s);
  return TRUE;
}

void ll_rfb_engine_set_input(LlRfbEngine *s, const LlRfbEngineInput *input, gpointer user_data)
{
  s->input = *input;
  s->input_data = user_data;
}

static void send_cut_text(LlRfbEngine *s, char *utf8, gsize len)
{
  gsize latin1_len = 0;
  g_autofree char *latin1 = g_convert_with_fallback(utf8, len, "ISO-8859-1", "UTF-8", "?", NULL,
                                                    &latin1_len, NULL);
  if (latin1 != NULL)
    rfbSendServerCutTextUTF8(s->screen, utf8, len, latin1, latin1_len);
}

static void send_text_chat(LlRfbEngine *s, char *copy, gsize len)
{
  rfbClientIteratorPtr it = rfbGetClientIterator(s->screen);
  rfbClientPtr cl;
  while ((cl = rfbClientIteratorNext(it)) != NULL) {
    if (cl->clientData == NULL)
      continue;
    /* libvncserver writes TextChat through the buffer the viewer's output
     * thread also uses, without taking its lock: take it here. */
    pthread_mutex_lock(&cl->sendMutex);
    rfbSendTextChatMessage(cl, len, copy);
    pthread_mutex_unlock(&cl->sendMutex);
  }
  rfbReleaseClientIterator(it);
}

/* On the sender thread: these writes may wait for a slow viewer, which
 * must never stall the main loop that drains the viewers' sockets. */
static void run_send_task(gpointer data, gpointer user_data)
{
  SendTask *t = data;
  LlRfbEngine *s = user_data;
  if (t->kind == SEND_CUT_TEXT)
    send_cut_text(s, t->text, t->len);
  else
    send_text_chat(s, t->text, t->len);
  g_free(t->text);
  g_free(t);
}

static void queue_send(LlRfbEngine *s, SendKind kind, const char *utf8, gsize len)
{
  SendTask *t = g_new0(SendTask, 1);
  t->kind = kind;
  t->text = g_strndup(utf8, len);
  t->len = len;
  g_thread_pool_push(s->sender, t, NULL);
}

void ll_rfb_engine_send_cut_text(LlRfbEngine *s, const char *utf8, gsize len)
{
  queue_send(s, SEND_CUT_TEXT, utf8, len);
}

void ll_rfb_engine_send_text_chat(LlRfbEngine *s, const char *utf8, gsize len)
{
  queue_send(s, SEND_TEXT_CHAT, utf8, len);
}

guint ll_rfb_engine_client_count(LlRfbEngine *s)
{
  g_mutex_lock(&s->lock);
  guint n = s->live_clients;
  g_mutex_unlock(&s->lock);
  return n;
}

/* Every viewer thread ends once its socket closes (the caller closed our
 * ends); wait for all of them before the screen goes. */
static void join_all(LlRfbEngine *s)
{
  join_finished(s);
  g_mutex_lock(&s->lock);
  GArray *left = s->threads;
  s->threads = g_array_new(FALSE, FALSE, sizeof(pthread_t));
  g_mutex_unlock(&s->lock);
  for (guint i = 0; i < left->len; i++)
    pthread_join(g_array_index(left, pthread_t, i), NULL);
  g_array_unref(left);
}

void ll_rfb_engine_free(LlRfbEngine *s)
{
  if (s == NULL)
    return;
  if (s->sender != NULL)
    g_thread_pool_free(s->sender, FALSE, TRUE);   /* the viewers are closed: quick */
  if (s->screen != NULL) {
    join_all(s);
    rfbScreenCleanup(s->screen);
  }
  g_array_unref(s->threads);
  g_array_unref(s->finished);
  s->relay->server = NULL;
  g_atomic_rc_box_release_full(s->relay, relay_clear);
  g_mutex_clear(&s->lock);
  g_free(s->desktop_name);
  g_free(s);
}

#include "rendezvous/connection_threads.h"
#include "common/thread_queue.h"
#include "rendezvous/upgrade_gate.h"
#include <libsoup/soup.h>
#include <string.h>

#define LINGER_US (2 * G_USEC_PER_SEC)   /* for closing handshakes at the end */
#define MAX_CLOSE_REASON 123

/* What the core orders a thread to do. */
typedef enum { ORDER_ACCEPT, ORDER_DROP, ORDER_SEND, ORDER_CLOSE, ORDER_QUIT } OrderKind;

typedef struct {
  OrderKind kind;
  guint32 number;            /* SEND, CLOSE: the connection */
  char *key;                 /* ACCEPT, DROP */
  guint64 serial;            /* ACCEPT, DROP: which connection of that key */
  GIOStream *stream;         /* ACCEPT */
  GSocketAddress *local, *remote;
  char *text;                /* SEND: the message (wiped); CLOSE: the reason */
  gushort code;              /* CLOSE */
} Order;

/* What a thread tells the core. */
typedef enum { EVENT_OPENED, EVENT_MESSAGE, EVENT_CLOSED } EventKind;

typedef struct {
  EventKind kind;
  LlConnectionId id;
  char *key, *address, *host_seen;   /* OPENED */
  guint64 serial;                    /* OPENED: the take it came from */
  gboolean text;                     /* MESSAGE */
  GBytes *payload;
} Event;

typedef struct Worker Worker;

/* An open WebSocket, known only to its thread. */
typedef struct {
  Worker *worker;
  guint32 number;
  SoupWebsocketConnection *ws;
  GIOStream *stream;         /* what it runs over, to shut at the very end */
} Conn;

/* A stream taken, until its upgrade. */
typedef struct {
  GIOStream *stream;
  guint64 serial;
} PendingStream;

/* How many streams given to the HTTP server are not freed yet. A stream
 * may be freed in another thread (glib-networking finishes TLS closes and
 * handshakes in a thread pool, whose last ref may be the last one), even
 * after its worker is gone: so an atomic count of its own, with a ref per
 * stream. */
typedef struct {
  gint refs;
  gint alive;
  GMainContext *context;     /* woken when one goes */
} StreamCount;

struct Worker {
  LlConnectionThreads *owner;
  guint index;
  GThread *thread;
  GMainContext *context;
  GMainLoop *loop;
  LlThreadQueue *orders;
  gint held;                 /* atomic: taken and not yet gone */
  StreamCount *streams;
  /* Touched only by the thread itself: */
  SoupServer *soup;
  GHashTable *pending;       /* key -> PendingStream, until its upgrade */
  GHashTable *open;          /* number -> Conn */
  guint32 next_number;
  gboolean quitting;
};

struct LlConnectionThreads {
  LlConnectionThreadsConfig config;
  LlConnectionEvents events;
  gpointer data;
  GMainContext *core;
  LlThreadQueue *happened;   /* events, to the core */
  GPtrArray *workers;
  GHashTable *pending;       /* key -> Taken, in the core */
  guint64 next_serial;
};

/* In the core: which worker has the connection of a key, and which one. */
typedef struct {
  Worker *worker;
  guint64 serial;
} Taken;

static LlConnectionId id_of(Worker *w, guint32 number)
{
  return ((LlConnectionId)(w->index + 1) << 32) | number;
}

/* ---- queue items ---- */

static void order_free(gpointer data)
{
  Order *o = data;
  g_free(o->key);
  g_clear_object(&o->stream);
  g_clear_object(&o->local);
  g_clear_object(&o->remote);
  if (o->text != NULL)
    memset(o->text, 0, strlen(o->text));
  g_free(o->text);
  g_free(o);
}

static void event_free(gpointer data)
{
  Event *e = data;
  g_free(e->key);
  g_free(e->address);
  g_free(e->host_seen);
  g_clear_pointer(&e->payload, g_bytes_unref);
  g_free(e);
}

static void order(Worker *w, OrderKind kind, guint32 number, char *key, char *text)
{
  Order *o = g_new0(Order, 1);
  o->kind = kind;
  o->number = number;
  o->key = key;
  o->text = text;
  ll_thread_queue_push(w->orders, o);
}

static void tell(Worker *w, Event *e)
{
  ll_thread_queue_push(w->owner->happened, e);
}

/* ---- in a connection's thread ---- */

/* A connection no longer held by this thread. */
static void let_go(Worker *w)
{
  g_atomic_int_add(&w->held, -1);
}

static void conn_free(gpointer data)
{
  Conn *c = data;
  g_signal_handlers_disconnect_by_data(c->ws, c);
  g_object_unref(c->ws);
  g_object_unref(c->stream);
  g_free(c);
}

static void pending_free(gpointer data)
{
  PendingStream *p = data;
  g_object_unref(p->stream);
  g_free(p);
}

static void on_ws_message(SoupWebsocketConnection *ws, gint type, GBytes *payload, gpointer data)
{
  Conn *c = data;
  (void)ws;
  Event *e = g_new0(Event, 1);
  e->kind = EVENT_MESSAGE;
  e->id = id_of(c->worker, c->number);
  e->text = type == SOUP_WEBSOCKET_DATA_TEXT;
  e->payload = g_bytes_ref(payload);
  tell(c->worker, e);
}

static void on_ws_closed(SoupWebsocketConnection *ws, gpointer data)
{
  Conn *c = data;
  Worker *w = c->worker;
  (void)ws;
  Event *e = g_new0(Event, 1);
  e->kind = EVENT_CLOSED;
  e->id = id_of(w, c->number);
  tell(w, e);
  let_go(w);
  g_hash_table_remove(w->open, GUINT_TO_POINTER(c->number));
}

static guint32 new_number(Worker *w)
{
  do
    w->next_number++;
  while (w->next_number == 0 || g_hash_table_contains(w->open, GUINT_TO_POINTER(w->next_number)));
  return w->next_number;
}

static void on_websocket(SoupServer *soup, SoupServerMessage *msg, const char *path,
                         SoupWebsocketConnection *ws, gpointer data)
{
  Worker *w = data;
  (void)soup; (void)path;
  g_autofree char *key = ll_upgrade_gate_key(soup_server_message_get_remote_address(msg));
  gpointer stolen_key = NULL, value = NULL;
  if (key == NULL || w->quitting ||
      !g_hash_table_steal_extended(w->pending, key, &stolen_key, &value)) {
    /* Dropped meanwhile: the core has let it go already. */
    soup_websocket_connection_close(ws, SOUP_WEBSOCKET_CLOSE_GOING_AWAY, NULL);
    return;
  }
  g_free(stolen_key);
  PendingStream *p = value;
  Conn *c = g_new0(Conn, 1);
  c->worker = w;
  c->number = new_number(w);
  c->ws = g_object_ref(ws);
  c->stream = g_steal_pointer(&p->stream);
  soup_websocket_connection_set_max_incoming_payload_size(ws, w->owner->config.max_payload);
  /* No WebSocket pings: the kernel's TCP keepalive does that work
   * (upgrade_gate.c). */
  g_signal_connect(ws, "message", G_CALLBACK(on_ws_message), c);
  g_signal_connect(ws, "closed", G_CALLBACK(on_ws_closed), c);
  g_hash_table_insert(w->open, GUINT_TO_POINTER(c->number), c);
  Event *e = g_new0(Event, 1);
  e->kind = EVENT_OPENED;
  e->id = id_of(w, c->number);
  e->key = g_steal_pointer(&key);
  e->serial = p->serial;
  e->address = g_strdup(soup_server_message_get_remote_host(msg));
  e->host_seen = g_strdup(g_uri_get_host(soup_server_message_get_uri(msg)));
  g_free(p);
  tell(w, e);
}

static StreamCount *stream_count_ref(StreamCount *n)
{
  g_atomic_int_inc(&n->refs);
  return n;
}

static void stream_count_unref(StreamCount *n)
{
  if (!g_atomic_int_dec_and_test(&n->refs))
    return;
  g_main_context_unref(n->context);
  g_free(n);
}

/* Whichever thread frees the stream. */
static void on_stream_gone(gpointer data)
{
  StreamCount *n = data;
  g_atomic_int_add(&n->alive, -1);
  g_main_context_wakeup(n->context);
  stream_count_unref(n);
}

static void count_stream(Worker *w, GIOStream *stream)
{
  GQuark quark = g_quark_from_static_string("lifeline-stream-count");
  g_atomic_int_inc(&w->streams->alive);
  g_object_set_qdata_full(G_OBJECT(stream), quark, stream_count_ref(w->streams),
                          on_stream_gone);
}

/* A stream in its handshake cannot be closed from outside it (the TLS
 * handshake holds it): its socket is shut, and its reads fail. */
static void shut_down(GIOStream *stream)
{
  g_autoptr(GIOStream) base = NULL;
  if (G_IS_TLS_CONNECTION(stream))
    g_object_get(stream, "base-io-stream", &base, NULL);
  GIOStream *plain = base != NULL ? base : stream;
  if (G_IS_SOCKET_CONNECTION(plain))
    g_socket_shutdown(g_socket_connection_get_socket(G_SOCKET_CONNECTION(plain)), TRUE, TRUE,
                      NULL);
}

/* The stream of KEY taken earlier, if it is still waiting here (SERIAL:
 * only that one; 0: whichever), is shut and let go. */
static void drop_pending(Worker *w, const char *key, guint64 serial)
{
  PendingStream *p = g_hash_table_lookup(w->pending, key);
  if (p == NULL || (serial != 0 && p->serial != serial))
    return;   /* it opened a moment ago: the core hears that next */
  shut_down(p->stream);
  g_hash_table_remove(w->pending, key);
  let_go(w);
}

static void do_accept(Worker *w, Order *o)
{
  g_autoptr(GError) error = NULL;
  if (w->quitting) {
    shut_down(o->stream);
    let_go(w);
    return;
  }
  drop_pending(w, o->key, 0);   /* the same address and port again: that one is over */
  /* Pending first: with the request already there, the HTTP server may
   * finish the upgrade before it returns. */
  PendingStream *p = g_new0(PendingStream, 1);
  p->stream = g_object_ref(o->stream);
  p->serial = o->serial;
  g_hash_table_insert(w->pending, g_strdup(o->key), p);
  count_stream(w, o->stream);
  if (!soup_server_accept_iostream(w->soup, o->stream, o->local, o->remote, &error)) {
    g_debug("a connection not taken: %s", error->message);
    drop_pending(w, o->key, o->serial);
  }
}

static void do_send(Worker *w, Order *o)
{
  Conn *c = g_hash_table_lookup(w->open, GUINT_TO_POINTER(o->number));
  if (c != NULL && soup_websocket_connection_get_state(c->ws) == SOUP_WEBSOCKET_STATE_OPEN)
    soup_websocket_connection_send_text(c->ws, o->text);
}

static void do_close(Worker *w, Order *o)
{
  Conn *c = g_hash_table_lookup(w->open, GUINT_TO_POINTER(o->number));
  if (c != NULL && soup_websocket_connection_get_state(c->ws) == SOUP_WEBSOCKET_STATE_OPEN)
    soup_websocket_connection_close(c->ws, o->code, o->text);
}

/* Every connection is closed; the thread lingers for their handshakes. */
static void do_quit(Worker *w)
{
  w->quitting = TRUE;
  GHashTableIter iter;
  gpointer value;
  g_hash_table_iter_init(&iter, w->pending);
  while (g_hash_table_iter_next(&iter, NULL, &value))
    shut_down(((PendingStream *)value)->stream);
  g_hash_table_remove_all(w->pending);
  g_autoptr(GList) open = g_hash_table_get_values(w->open);
  for (GList *l = open; l != NULL; l = l->next) {
    Conn *c = l->data;
    if (soup_websocket_connection_get_state(c->ws) == SOUP_WEBSOCKET_STATE_OPEN)
      soup_websocket_connection_close(c->ws, SOUP_WEBSOCKET_CLOSE_GOING_AWAY,
                                      "the rendezvous is stopping");
  }
  g_main_loop_quit(w->loop);
}

static void handle_order(gpointer item, gpointer data)
{
  Order *o = item;
  Worker *w = data;
  switch (o->kind) {
  case ORDER_ACCEPT: do_accept(w, o); break;
  case ORDER_DROP: drop_pending(w, o->key, o->serial); break;
  case ORDER_SEND: do_send(w, o); break;
  case ORDER_CLOSE: do_close(w, o); break;
  case ORDER_QUIT: do_quit(w); break;
  }
}

static gboolean on_tick(gpointer data)
{
  (void)data;
  return G_SOURCE_CONTINUE;
}

/* Until every stream the HTTP server had is freed (its closing
 * handshakes done), or DEADLINE (monotonic us). */
static void linger(Worker *w, gint64 deadline)
{
  GSource *tick = g_timeout_source_new(100);
  g_source_set_callback(tick, on_tick, NULL, NULL);
  g_source_attach(tick, w->context);
  while (g_atomic_int_get(&w->streams->alive) > 0 && g_get_monotonic_time() < deadline)
    g_main_context_iteration(w->context, TRUE);
  g_source_destroy(tick);
  g_source_unref(tick);
}

/* A peer that never finished closing: its stream is shut, so that its
 * close fails at once instead of waiting on it. */
static void shut_what_is_left(Worker *w)
{
  GHashTableIter iter;
  gpointer value;
  g_hash_table_iter_init(&iter, w->open);
  while (g_hash_table_iter_next(&iter, NULL, &value))
    shut_down(((Conn *)value)->stream);
  g_hash_table_remove_all(w->open);
}

static gpointer worker_run(gpointer data)
{
  Worker *w = data;
  const LlConnectionThreadsConfig *cfg = &w->owner->config;
  g_main_context_push_thread_default(w->context);
  w->soup = cfg->tls != NULL ? soup_server_new("tls-certificate", cfg->tls, NULL)
                             : soup_server_new(NULL, NULL);
  soup_server_add_websocket_handler(w->soup, cfg->path, NULL, NULL, on_websocket, w, NULL);
  g_main_loop_run(w->loop);
  linger(w, g_get_monotonic_time() + LINGER_US);
  shut_what_is_left(w);
  soup_server_disconnect(w->soup);
  g_clear_object(&w->soup);
  linger(w, g_get_monotonic_time() + G_USEC_PER_SEC);
  while (g_main_context_iteration(w->context, FALSE))
    ;
  g_main_context_pop_thread_default(w->context);
  return NULL;
}

/* ---- in the core ---- */

static Worker *start_worker(LlConnectionThreads *t)
{
  Worker *w = g_new0(Worker, 1);
  w->owner = t;
  w->index = t->workers->len;
  w->context = g_main_context_new();
  w->loop = g_main_loop_new(w->context, FALSE);
  w->orders = ll_thread_queue_new(w->context, handle_order, order_free, w);
  w->pending = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, pending_free);
  w->open = g_hash_table_new_full(NULL, NULL, NULL, conn_free);
  w->streams = g_new0(StreamCount, 1);
  w->streams->refs = 1;
  w->streams->context = g_main_context_ref(w->context);
  g_ptr_array_add(t->workers, w);
  g_autofree char *name = g_strdup_printf("connections %u", w->index + 1);
  w->thread = g_thread_new(name, worker_run, w);
  if (w->index > 0)
    g_message("connections: %u threads now", t->workers->len);
  return w;
}

static void worker_free(gpointer data)
{
  Worker *w = data;
  ll_thread_queue_free(w->orders);
  g_hash_table_unref(w->pending);
  g_hash_table_unref(w->open);
  stream_count_unref(w->streams);
  g_main_loop_unref(w->loop);
  g_main_context_unref(w->context);
  g_free(w);
}

/* The first thread with room, else a new one, else the least loaded:
 * idle hosts fill the first threads and leave the rest to the busy. */
static Worker *choose_worker(LlConnectionThreads *t)
{
  Worker *least = NULL;
  gint least_held = G_MAXINT;
  for (guint i = 0; i < t->workers->len; i++) {
    Worker *w = t->workers->pdata[i];
    gint held = g_atomic_int_get(&w->held);
    if (held < (gint)t->config.per_thread)
      return w;
    if (held < least_held) {
      least = w;
      least_held = held;
    }
  }
  return t->workers->len < t->config.most_threads ? start_worker(t) : least;
}

static Worker *worker_of(LlConnectionThreads *t, LlConnectionId id)
{
  guint index = (guint)(id >> 32);
  return index >= 1 && index <= t->workers->len ? t->workers->pdata[index - 1] : NULL;
}

static void handle_event(gpointer item, gpointer data)
{
  Event *e = item;
  LlConnectionThreads *t = data;
  switch (e->kind) {
  case EVENT_OPENED: {
    /* The key names this connection at the gate only while it is the one
     * taken last under it (a port used again names a newer one). */
    Taken *taken = g_hash_table_lookup(t->pending, e->key);
    gboolean current = taken != NULL && taken->serial == e->serial;
    if (current)
      g_hash_table_remove(t->pending, e->key);
    t->events.opened(e->id, current ? e->key : NULL, e->address, e->host_seen, t->data);
    break;
  }
  case EVENT_MESSAGE: t->events.message(e->id, e->text, e->payload, t->data); break;
  case EVENT_CLOSED: t->events.closed(e->id, t->data); break;
  }
}

LlConnectionThreads *ll_connection_threads_new(const LlConnectionThreadsConfig *config,
                                               const LlConnectionEvents *events, gpointer data)
{
  LlConnectionThreads *t = g_new0(LlConnectionThreads, 1);
  t->config = *config;
  t->config.tls = config->tls != NULL ? g_object_ref(config->tls) : NULL;
  t->config.path = g_strdup(config->path);
  t->config.most_threads = MAX(config->most_threads, 1);
  t->config.per_thread = MAX(config->per_thread, 1);
  t->events = *events;
  t->data = data;
  t->core = g_main_context_ref_thread_default();
  t->happened = ll_thread_queue_new(t->core, handle_event, event_free, t);
  t->workers = g_ptr_array_new_with_free_func(worker_free);
  t->pending = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
  start_worker(t);
  return t;
}

void ll_connection_threads_take(LlConnectionThreads *t, GIOStream *stream, GSocketAddress *local,
                                GSocketAddress *remote, const char *key)
{
  ll_connection_threads_drop(t, key);   /* the same port again: that one is over */
  Taken *taken = g_new0(Taken, 1);
  taken->worker = choose_worker(t);
  taken->serial = ++t->next_serial;
  g_atomic_int_inc(&taken->worker->held);
  g_hash_table_insert(t->pending, g_strdup(key), taken);
  Order *o = g_new0(Order, 1);
  o->kind = ORDER_ACCEPT;
  o->key = g_strdup(key);
  o->serial = taken->serial;
  o->stream = stream;
  o->local = g_object_ref(local);
  o->remote = g_object_ref(remote);
  ll_thread_queue_push(taken->worker->orders, o);
}

void ll_connection_threads_drop(LlConnectionThreads *t, const char *key)
{
  Taken *taken = g_hash_table_lookup(t->pending, key);
  if (taken == NULL)
    return;
  Order *o = g_new0(Order, 1);
  o->kind = ORDER_DROP;
  o->key = g_strdup(key);
  o->serial = taken->serial;
  ll_thread_queue_push(taken->worker->orders, o);
  g_hash_table_remove(t->pending, key);
}

void ll_connection_threads_send(LlConnectionThreads *t, LlConnectionId id, char *text)
{
  Worker *w = worker_of(t, id);
  if (w == NULL) {
    memset(text, 0, strlen(text));
    g_free(text);
    return;
  }
  order(w, ORDER_SEND, (guint32)id, NULL, text);
}

/* A close frame carries at most 123 bytes of reason (libsoup turns a
 * longer one into a protocol error that jumps the queue): cut on a
 * character's boundary. */
static char *close_reason(const char *reason)
{
  if (reason == NULL || strlen(reason) <= MAX_CLOSE_REASON)
    return g_strdup(reason);
  const char *end = reason + MAX_CLOSE_REASON;
  while (end > reason && (*end & 0xc0) == 0x80)
    end--;
  return g_strndup(reason, end - reason);
}

void ll_connection_threads_close(LlConnectionThreads *t, LlConnectionId id, gushort code,
                                 const char *reason)
{
  Worker *w = worker_of(t, id);
  if (w == NULL)
    return;
  Order *o = g_new0(Order, 1);
  o->kind = ORDER_CLOSE;
  o->number = (guint32)id;
  o->code = code;
  o->text = close_reason(reason);
  ll_thread_queue_push(w->orders, o);
}

guint ll_connection_threads_started(LlConnectionThreads *t) { return t->workers->len; }

void ll_connection_threads_free(LlConnectionThreads *t)
{
  if (t == NULL)
    return;
  for (guint i = 0; i < t->workers->len; i++)
    order(t->workers->pdata[i], ORDER_QUIT, 0, NULL, NULL);
  for (guint i = 0; i < t->workers->len; i++)
    g_thread_join(((Worker *)t->workers->pdata[i])->thread);
  /* Only now: a thread may tell something until it ends. */
  ll_thread_queue_free(t->happened);
  g_ptr_array_unref(t->workers);
  g_hash_table_unref(t->pending);
  g_main_context_unref(t->core);
  g_clear_object(&t->config.tls);
  g_free((char *)t->config.path);
  g_free(t);
}

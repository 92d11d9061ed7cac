/* The rendezvous' WebSockets, on threads of their own. One GMainContext
 * walks all its sources on every iteration (GLib 2.74), so with thousands
 * of connections a single loop spends its time walking, not answering:
 * each thread here has its own context and HTTP server and holds a few
 * hundred connections. One thread starts with the server, another
 * whenever each holds PER_THREAD, up to MOST_THREADS.
 *
 * The threads only carry bytes. The caller's thread (the core) keeps
 * every table and makes every decision: the threads tell it what happened
 * (opened, a message, closed) and it orders them (send, close), each way
 * through a queue that keeps the order (common/thread_queue.h). */
#pragma once
#include <gio/gio.h>

/* A connection: which thread, and its number there. Never 0. */
typedef guint64 LlConnectionId;

typedef struct {
  /* The connection the gate named KEY finished its WebSocket upgrade,
   * from ADDRESS (an IP) which reached us as HOST_SEEN. KEY is NULL when
   * it no longer names this connection at the gate (dropped meanwhile, or
   * its address and port came again with a newer one). */
  void (*opened)(LlConnectionId id, const char *key, const char *address,
                 const char *host_seen, gpointer data);
  /* TEXT: a text message (else binary). */
  void (*message)(LlConnectionId id, gboolean text, GBytes *payload, gpointer data);
  /* Nothing more comes from or goes to ID. */
  void (*closed)(LlConnectionId id, gpointer data);
} LlConnectionEvents;

typedef struct {
  GTlsCertificate *tls;      /* NULL: plain */
  const char *path;          /* of the WebSocket, "/lifeline" */
  gsize max_payload;         /* of a message coming in */
  guint most_threads;
  guint per_thread;
} LlConnectionThreadsConfig;

typedef struct LlConnectionThreads LlConnectionThreads;

/* EVENTS come in the thread-default main context of the caller, which
 * makes every call below. */
LlConnectionThreads *ll_connection_threads_new(const LlConnectionThreadsConfig *config,
                                               const LlConnectionEvents *events, gpointer data);
/* A new connection (the stream is taken), named KEY until it opens. */
void ll_connection_threads_take(LlConnectionThreads *threads, GIOStream *stream,
                                GSocketAddress *local, GSocketAddress *remote, const char *key);
/* KEY, taken but not opened, is closed (the one taken last under it). */
void ll_connection_threads_drop(LlConnectionThreads *threads, const char *key);
/* TEXT is taken, and wiped once sent (it may carry relay passwords). */
void ll_connection_threads_send(LlConnectionThreads *threads, LlConnectionId id, char *text);
void ll_connection_threads_close(LlConnectionThreads *threads, LlConnectionId id, gushort code,
                                 const char *reason);
guint ll_connection_threads_started(LlConnectionThreads *threads);
/* Closes every connection (waiting up to 2 s for their closing
 * handshakes) and joins the threads. No events come after it. */
void ll_connection_threads_free(LlConnectionThreads *threads);

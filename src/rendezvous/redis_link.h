/* A connection to Redis on the GLib main loop (hiredis, async), shared by
 * the instances of a rendezvous: one connection for commands, one
 * subscribed to this instance's channel. It says when Redis comes and
 * goes; while it is away, commands are refused at once (the caller serves
 * alone), and every 1 s it tries again. Every command has a deadline: a
 * Redis that stops answering for 2 s counts as gone. */
#pragma once
#include <gio/gio.h>
#include <hiredis/hiredis.h>

typedef struct LlRedisLink LlRedisLink;

typedef struct {
  /* Redis answers (UP) or is gone (!UP): WHY says why, in words. */
  void (*state)(gboolean up, const char *why, gpointer user_data);
  /* A message published on the subscribed channel (LENGTH bytes). */
  void (*message)(const char *payload, gsize length, gpointer user_data);
} LlRedisEvents;

/* ADDRESS: "HOST:PORT" (an IP address, or a name resolved once per
 * connection attempt), "redis://HOST:PORT", or the path of a Unix
 * socket. PASSWORD (may be NULL) is sent with AUTH and wiped on free. */
LlRedisLink *ll_redis_link_new(const char *address, const char *password, const char *channel,
                               const LlRedisEvents *events, gpointer user_data,
                               GError **error);
void ll_redis_link_free(LlRedisLink *link);
gboolean ll_redis_link_up(LlRedisLink *link);
/* The channel to subscribe to from the next connection on (its
 * connections are named "lifeline-rendezvous-PID" in Redis). */
void ll_redis_link_set_channel(LlRedisLink *link, const char *channel);
/* How long a command may wait for its answer; 2 s unless tests say. */
void ll_redis_link_set_deadline_ms(LlRedisLink *link, guint ms);

/* REPLY is NULL when Redis went away first (or the command missed its
 * deadline); it is valid during the call only. */
typedef void (*LlRedisReplyFn)(const redisReply *reply, gpointer user_data);

/* Sends the command of ARGC arguments; FALSE (and FN never called) while
 * Redis is away. FN may be NULL. */
gboolean ll_redis_link_command(LlRedisLink *link, LlRedisReplyFn fn, gpointer user_data,
                               int argc, const char *const *argv);

#include "rendezvous/redis_link.h"
#include "common/error.h"
#include <hiredis/async.h>
#include <poll.h>
#include <string.h>
#include <unistd.h>

#define RETRY_MS 1000
#define TICK_MS 250
#define DEFAULT_DEADLINE_MS 2000

/* One hiredis connection. hiredis frees its context itself after a
 * failed connect or a drop; DEAD says it did, so nobody touches AC. */
typedef struct {
  LlRedisLink *link;
  redisAsyncContext *ac;
  GSource *source;
  gboolean ready;            /* connected (and authenticated, subscribed) */
} Conn;

typedef struct {
  LlRedisLink *link;
  LlRedisReplyFn fn;
  gpointer data;
  gint64 sent_us;
} Pending;

struct LlRedisLink {
  char *host;                /* NULL for a Unix socket */
  guint16 port;
  char *path;
  char *password;
  char *channel;
  LlRedisEvents events;
  gpointer user_data;
  Conn *commands, *subscriber;
  GQueue pending;            /* Pending, oldest first: replies come in order */
  gboolean up;
  guint deadline_ms;
  guint retry, tick, teardown;
  GCancellable *resolving;
  gint64 attempt_us;         /* when the current attempt began */
  char *last_why;            /* what was last said, so it is said once */
};

static void attempt(LlRedisLink *l);

/* ---- hiredis on the GLib loop ----
 * hiredis asks for reading and writing to be watched; this source
 * watches them. Unlike hiredis' own GLib adapter, it stops when a write
 * that failed made hiredis free the context, instead of going on to read
 * with it. */

typedef struct {
  GSource source;
  redisAsyncContext *ac;     /* NULL once hiredis let it go */
  GPollFD poll;
} RedisSource;

static void watch(void *data, gushort add, gushort remove)
{
  RedisSource *r = data;
  r->poll.events = (r->poll.events | add) & ~remove;
}
static void add_read(void *data) { watch(data, G_IO_IN, 0); }
static void del_read(void *data) { watch(data, 0, G_IO_IN); }
static void add_write(void *data) { watch(data, G_IO_OUT, 0); }
static void del_write(void *data) { watch(data, 0, G_IO_OUT); }

static void released(void *data)
{
  RedisSource *r = data;
  r->ac = NULL;
  if (r->poll.fd >= 0) {
    g_source_remove_poll(&r->source, &r->poll);
    r->poll.fd = -1;
  }
}

/* What poll reported that hiredis wants to hear of (a hang-up or an
 * error always: hiredis finds out which by reading). */
static gushort ready_of(RedisSource *r)
{
  return r->poll.revents & (r->poll.events | G_IO_HUP | G_IO_ERR);
}

static gboolean rs_prepare(GSource *source, gint *timeout)
{
  *timeout = -1;
  return ready_of((RedisSource *)source) != 0;
}

static gboolean rs_check(GSource *source)
{
  return ready_of((RedisSource *)source) != 0;
}

static gboolean rs_dispatch(GSource *source, GSourceFunc callback, gpointer data)
{
  RedisSource *r = (RedisSource *)source;
  gushort ready = ready_of(r);
  (void)callback; (void)data;
  r->poll.revents = 0;
  if ((ready & G_IO_OUT) && r->ac != NULL)
    redisAsyncHandleWrite(r->ac);
  if ((ready & (G_IO_IN | G_IO_HUP | G_IO_ERR)) && r->ac != NULL)
    redisAsyncHandleRead(r->ac);
  return G_SOURCE_CONTINUE;
}

static GSourceFuncs redis_source_funcs = { rs_prepare, rs_check, rs_dispatch, NULL, NULL, NULL };

static GSource *redis_source_for(redisAsyncContext *ac)
{
  RedisSource *r = (RedisSource *)g_source_new(&redis_source_funcs, sizeof *r);
  r->ac = ac;
  r->poll.fd = ac->c.fd;
  g_source_add_poll(&r->source, &r->poll);
  ac->ev.data = r;
  ac->ev.addRead = add_read;
  ac->ev.delRead = del_read;
  ac->ev.addWrite = add_write;
  ac->ev.delWrite = del_write;
  ac->ev.cleanup = released;
  return &r->source;
}

/* ---- going down and coming up ---- */

static void say_state(LlRedisLink *l, gboolean up, const char *why)
{
  if (l->up == up && g_strcmp0(l->last_why, why) == 0)
    return;
  l->up = up;
  g_free(l->last_why);
  l->last_why = g_strdup(why);
  if (l->events.state != NULL)
    l->events.state(up, why, l->user_data);
}

static void conn_drop(Conn *c)
{
  if (c == NULL)
    return;
  if (c->ac != NULL) {
    redisAsyncContext *ac = c->ac;
    c->ac = NULL;
    ac->data = NULL;
    redisAsyncFree(ac);   /* pending callbacks run with NULL replies */
  }
  if (c->source != NULL) {
    g_source_destroy(c->source);
    g_source_unref(c->source);
  }
  g_free(c);
}

static gboolean on_retry(gpointer data)
{
  LlRedisLink *l = data;
  l->retry = 0;
  attempt(l);
  return G_SOURCE_REMOVE;
}

/* Outside every hiredis callback: both connections closed, every
 * waiting command told, and a new attempt in a second. */
static gboolean on_teardown(gpointer data)
{
  LlRedisLink *l = data;
  l->teardown = 0;
  l->attempt_us = 0;
  Conn *a = l->commands, *b = l->subscriber;
  l->commands = l->subscriber = NULL;
  conn_drop(a);
  conn_drop(b);
  g_cancellable_cancel(l->resolving);
  g_clear_object(&l->resolving);
  if (l->retry == 0)
    l->retry = g_timeout_add(RETRY_MS, on_retry, l);
  return G_SOURCE_REMOVE;
}

static void go_down(LlRedisLink *l, const char *why)
{
  say_state(l, FALSE, why);
  if (l->teardown == 0)
    l->teardown = g_idle_add(on_teardown, l);
}

static void maybe_up(LlRedisLink *l)
{
  if (l->commands != NULL && l->commands->ready && l->subscriber != NULL &&
      l->subscriber->ready) {
    l->attempt_us = 0;
    say_state(l, TRUE, NULL);
  }
}

/* ---- replies ---- */

static void on_reply(redisAsyncContext *ac, void *reply, void *privdata)
{
  Pending *p = privdata;
  LlRedisLink *l = p->link;
  (void)ac;
  g_queue_remove(&l->pending, p);
  if (p->fn != NULL)
    p->fn(reply, p->data);
  g_free(p);
}

/* A Redis that does not answer, or a connection that does not come up,
 * is as good as gone. */
static gboolean on_tick(gpointer data)
{
  LlRedisLink *l = data;
  gint64 now = g_get_monotonic_time(), most = (gint64)l->deadline_ms * 1000;
  Pending *oldest = g_queue_peek_head(&l->pending);
  if (oldest != NULL && l->up && now - oldest->sent_us > most)
    go_down(l, "it did not answer in time");
  else if (!l->up && l->attempt_us != 0 && l->teardown == 0 && now - l->attempt_us > most)
    go_down(l, "it did not answer in time");
  return G_SOURCE_CONTINUE;
}

gboolean ll_redis_link_command(LlRedisLink *l, LlRedisReplyFn fn, gpointer user_data, int argc,
                               const char *const *argv)
{
  if (!l->up || l->commands == NULL || l->commands->ac == NULL || l->teardown != 0)
    return FALSE;
  Pending *p = g_new0(Pending, 1);
  p->link = l;
  p->fn = fn;
  p->data = user_data;
  p->sent_us = g_get_monotonic_time();
  g_queue_push_tail(&l->pending, p);
  if (redisAsyncCommandArgv(l->commands->ac, on_reply, p, argc, (const char **)argv, NULL) !=
      REDIS_OK) {
    g_queue_remove(&l->pending, p);
    g_free(p);
    go_down(l, "it closed the connection");
    return FALSE;
  }
  return TRUE;
}

/* ---- the subscription ---- */

static void on_subscribed(redisAsyncContext *ac, void *reply, void *privdata)
{
  Conn *c = privdata;
  const redisReply *r = reply;
  if (ac->data == NULL)
    return;   /* being torn down */
  if (r == NULL || r->type != REDIS_REPLY_ARRAY || r->elements < 3 ||
      r->element[0]->type != REDIS_REPLY_STRING) {
    go_down(c->link, "it refused the subscription");
    return;
  }
  const char *kind = r->element[0]->str;
  if (strcmp(kind, "subscribe") == 0) {
    c->ready = TRUE;
    maybe_up(c->link);
  } else if (strcmp(kind, "message") == 0 && r->element[2]->type == REDIS_REPLY_STRING &&
             c->link->events.message != NULL) {
    c->link->events.message(r->element[2]->str, r->element[2]->len, c->link->user_data);
  }
}

/* ---- connecting ---- */

static void on_auth(redisAsyncContext *ac, void *reply, void *privdata)
{
  Conn *c = privdata;
  const redisReply *r = reply;
  if (ac->data == NULL)
    return;
  if (r == NULL || r->type == REDIS_REPLY_ERROR) {
    go_down(c->link, "it did not accept the password");
    return;
  }
  /* Named, so that an operator (or a test) can tell whose connections
   * these are in CLIENT LIST. */
  redisAsyncCommand(ac, NULL, NULL, "CLIENT SETNAME lifeline-rendezvous-%d", (int)getpid());
  if (c == c->link->subscriber) {
    redisAsyncCommand(ac, on_subscribed, c, "SUBSCRIBE %s", c->link->channel);
  } else {
    c->ready = TRUE;
    maybe_up(c->link);
  }
}

static void on_connected(const redisAsyncContext *ac, int status)
{
  Conn *c = ac->data;
  if (c == NULL)
    return;
  if (status != REDIS_OK) {
    c->ac = NULL;   /* hiredis frees it */
    go_down(c->link, ac->errstr[0] != '\0' ? ac->errstr : "it cannot be reached");
    return;
  }
  redisAsyncContext *w = (redisAsyncContext *)ac;
  if (c->link->password != NULL)
    redisAsyncCommand(w, on_auth, c, "AUTH %s", c->link->password);
  else
    on_auth(w, &(redisReply){ .type = REDIS_REPLY_STATUS }, c);
}

static void on_disconnected(const redisAsyncContext *ac, int status)
{
  Conn *c = ac->data;
  (void)status;
  if (c == NULL)
    return;
  c->ac = NULL;   /* hiredis frees it */
  go_down(c->link, "it closed the connection");
}

static Conn *conn_open(LlRedisLink *l, const char *ip)
{
  redisAsyncContext *ac = l->path != NULL ? redisAsyncConnectUnix(l->path)
                                          : redisAsyncConnect(ip, l->port);
  if (ac == NULL || ac->err) {
    if (ac != NULL)
      redisAsyncFree(ac);
    return NULL;
  }
  Conn *c = g_new0(Conn, 1);
  c->link = l;
  c->ac = ac;
  ac->data = c;
  /* A Redis host that vanishes is found by the kernel's keepalive, also
   * on the subscriber connection, which otherwise only ever listens (TCP
   * only: on a Unix socket hiredis would count the attempt an error). */
  if (l->path == NULL)
    redisEnableKeepAlive(&ac->c);
  c->source = redis_source_for(ac);
  g_source_attach(c->source, NULL);
  redisAsyncSetConnectCallback(ac, on_connected);
  redisAsyncSetDisconnectCallback(ac, on_disconnected);
  return c;
}

static void connect_to(LlRedisLink *l, const char *ip)
{
  l->commands = conn_open(l, ip);
  l->subscriber = l->commands != NULL ? conn_open(l, ip) : NULL;
  if (l->subscriber == NULL)
    go_down(l, "it cannot be reached");
}

static void on_resolved(GObject *source, GAsyncResult *result, gpointer data)
{
  g_autoptr(GError) error = NULL;
  GList *addresses = g_resolver_lookup_by_name_finish(G_RESOLVER(source), result, &error);
  if (g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  LlRedisLink *l = data;
  g_clear_object(&l->resolving);
  if (addresses == NULL) {
    go_down(l, "its name could not be resolved");
    return;
  }
  g_autofree char *ip = g_inet_address_to_string(addresses->data);
  g_resolver_free_addresses(addresses);
  connect_to(l, ip);
}

static void attempt(LlRedisLink *l)
{
  l->attempt_us = g_get_monotonic_time();
  if (l->path != NULL || g_hostname_is_ip_address(l->host)) {
    connect_to(l, l->host);
    return;
  }
  l->resolving = g_cancellable_new();
  g_autoptr(GResolver) resolver = g_resolver_get_default();
  g_resolver_lookup_by_name_async(resolver, l->host, l->resolving, on_resolved, l);
}

/* ---- the address ---- */

static gboolean parse_address(LlRedisLink *l, const char *address, GError **error)
{
  const char *rest = g_str_has_prefix(address, "redis://") ? address + 8 : address;
  if (rest[0] == '/') {
    l->path = g_strdup(rest);
    return TRUE;
  }
  g_autofree char *host = NULL;
  guint16 port = 0;
  g_autoptr(GError) local = NULL;
  if (!g_hostname_is_ip_address(rest) && strchr(rest, ':') != NULL) {
    g_autoptr(GNetworkAddress) parsed =
        G_NETWORK_ADDRESS(g_network_address_parse(rest, 6379, &local));
    if (parsed != NULL) {
      host = g_strdup(g_network_address_get_hostname(parsed));
      port = g_network_address_get_port(parsed);
    }
  } else if (rest[0] != '\0') {
    host = g_strdup(rest);
    port = 6379;
  }
  if (host == NULL || port == 0) {
    g_set_error(error, LL_ERROR, LL_ERROR_USAGE,
                "\"%s\" is not a Redis address: give HOST:PORT (like 10.0.0.5:6379) or the "
                "path of its socket", address);
    return FALSE;
  }
  l->host = g_steal_pointer(&host);
  l->port = port;
  return TRUE;
}

LlRedisLink *ll_redis_link_new(const char *address, const char *password, const char *channel,
                               const LlRedisEvents *events, gpointer user_data, GError **error)
{
  LlRedisLink *l = g_new0(LlRedisLink, 1);
  if (!parse_address(l, address, error)) {
    ll_redis_link_free(l);
    return NULL;
  }
  l->password = g_strdup(password);
  l->channel = g_strdup(channel);
  l->events = *events;
  l->user_data = user_data;
  l->deadline_ms = DEFAULT_DEADLINE_MS;
  g_queue_init(&l->pending);
  l->tick = g_timeout_add(TICK_MS, on_tick, l);
  l->retry = g_idle_add(on_retry, l);   /* the caller hears of it once we are made */
  return l;
}

void ll_redis_link_set_deadline_ms(LlRedisLink *l, guint ms) { l->deadline_ms = ms; }

gboolean ll_redis_link_up(LlRedisLink *l) { return l->up && l->teardown == 0; }

void ll_redis_link_set_channel(LlRedisLink *l, const char *channel)
{
  g_free(l->channel);
  l->channel = g_strdup(channel);
}

/* What was sent last (a shutdown's messages) leaves before the socket
 * closes: at most FLUSH_MS spent writing. */
#define FLUSH_MS 500
static void flush_commands(LlRedisLink *l)
{
  if (!ll_redis_link_up(l) || l->commands->ac == NULL)
    return;
  redisContext *rc = &l->commands->ac->c;
  gint64 until = g_get_monotonic_time() + FLUSH_MS * 1000;
  int done = 0;
  while (redisBufferWrite(rc, &done) == REDIS_OK && !done) {
    gint64 left = (until - g_get_monotonic_time()) / 1000;
    struct pollfd p = { .fd = rc->fd, .events = POLLOUT };
    if (left <= 0 || poll(&p, 1, (int)left) <= 0)
      break;
  }
}

void ll_redis_link_free(LlRedisLink *l)
{
  if (l == NULL)
    return;
  flush_commands(l);
  l->events.state = NULL;
  l->events.message = NULL;
  g_clear_handle_id(&l->teardown, g_source_remove);
  g_clear_handle_id(&l->tick, g_source_remove);
  Conn *a = l->commands, *b = l->subscriber;
  l->commands = l->subscriber = NULL;
  conn_drop(a);   /* the callers' callbacks run now, with NULL */
  conn_drop(b);
  g_clear_handle_id(&l->retry, g_source_remove);
  g_cancellable_cancel(l->resolving);
  g_clear_object(&l->resolving);
  if (l->password != NULL)
    memset(l->password, 0, strlen(l->password));
  g_free(l->password);
  g_free(l->host);
  g_free(l->path);
  g_free(l->channel);
  g_free(l->last_why);
  g_free(l);
}

#include "rendezvous/cluster.h"
#include "common/pairing_code.h"
#include "rendezvous/redis_link.h"
#include <sodium.h>
#include <string.h>

#define HEARTBEAT_S 1
#define ALIVE_S "5"
#define NAMEPLATE_TRIES 8

/* The scripts run atomically in Redis: each decision (who holds a
 * mailbox, whether a nameplate is free, whether a claim is allowed and
 * what it finds) is taken once for all instances. */
static const char FIND[] =
    "local owner = redis.call('GET', KEYS[1]) "
    "if owner and redis.call('EXISTS', 'lifeline:instance:' .. owner) == 1 then return owner end "
    "return false";
/* This instance holds a mailbox. KEYS: the mailbox, its binding. ARGV:
 * instance, lifetime, the hash (hex) of an invitation's token or "" for a
 * host, and "1" to take it over from another live instance (a host that
 * registered again here, an invitation opened again here) or "0" to leave
 * it there (published again: this registration is the stale one). An
 * invitation's mailbox is held only with its token: bound to another (or
 * to none while another live instance holds it), 0. Else the live
 * instance that held it, or 1. */
static const char PUBLISH[] =
    "local bound = ARGV[3] ~= '' "
    "local b = bound and redis.call('GET', KEYS[2]) "
    "if b and b ~= ARGV[3] then return 0 end "
    "local old = redis.call('GET', KEYS[1]) "
    "local alive = old and old ~= ARGV[1] and "
    "              redis.call('EXISTS', 'lifeline:instance:' .. old) == 1 "
    /* Bound to nothing, but held by a live instance: nothing proves the
     * token, so it stays there. */
    "if bound and not b and alive then return 0 end "
    "if alive and ARGV[4] == '0' then return old end "
    "redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[2]) "
    "if bound then redis.call('SET', KEYS[2], ARGV[3], 'EX', ARGV[2]) end "
    "if alive then return old end "
    "return 1";
static const char FORGET[] =
    "if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('DEL', KEYS[1]) end return 0";
/* ARGV: value, lifetime, cooldown, now, then a candidate of each length. */
static const char ADD_NAMEPLATE[] =
    "for i = 0, 3 do "
    "  local digits = 3 + i "
    "  local z = 'lifeline:nameplates:' .. digits "
    "  redis.call('ZREMRANGEBYSCORE', z, '-inf', ARGV[4]) "
    "  if redis.call('ZCARD', z) < (10 ^ digits) / 10 then "
    "    local n = ARGV[5 + i] "
    "    if redis.call('ZSCORE', z, n) then return 0 end "
    "    if not redis.call('SET', 'lifeline:nameplate:' .. n, ARGV[1], 'EX', ARGV[2], 'NX') "
    "    then return 0 end "
    "    redis.call('ZADD', z, ARGV[4] + ARGV[2] + ARGV[3], n) "
    "    return n "
    "  end "
    "end "
    "return 1";
/* KEYS: the nameplate. ARGV: value, now, cooldown, nameplate. */
static const char RELEASE_NAMEPLATE[] =
    "if redis.call('GET', KEYS[1]) == ARGV[1] then "
    "  redis.call('DEL', KEYS[1]) "
    "  redis.call('ZADD', 'lifeline:nameplates:' .. string.len(ARGV[4]), ARGV[2] + ARGV[3], ARGV[4]) "
    "end return 0";
/* A nameplate this instance holds, entered again under its current id
 * (after Redis was lost, or given out alone meanwhile): if it is free and
 * not cooling down, or already this mailbox's. KEYS: the nameplate.
 * ARGV: value, " MAILBOX", lifetime, now, cooldown, nameplate. */
static const char REENTER_NAMEPLATE[] =
    "local v = redis.call('GET', KEYS[1]) "
    "local z = 'lifeline:nameplates:' .. string.len(ARGV[6]) "
    "if v then "
    "  if string.sub(v, -string.len(ARGV[2])) ~= ARGV[2] then return 0 end "
    "else "
    "  local cool = redis.call('ZSCORE', z, ARGV[6]) "
    "  if cool and tonumber(cool) > tonumber(ARGV[4]) then return 0 end "
    "end "
    "redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[3]) "
    "redis.call('ZADD', z, ARGV[4] + ARGV[3] + ARGV[5], ARGV[6]) "
    "return 1";
/* KEYS: the nameplate, the address' bucket, everyone's bucket.
 * ARGV: per address, total (tries a minute; as many at once), now (ms),
 * cooldown, nameplate. A token bucket each, as ll_claim_limiter does
 * alone; a full bucket is forgotten after 2 minutes. */
static const char CLAIM[] =
    "local function take(key, burst, now) "
    "  local v = redis.call('HMGET', key, 'tokens', 'at') "
    "  local tokens = tonumber(v[1]) or burst "
    "  local at = tonumber(v[2]) or now "
    "  if at > now then now = at end "   /* instances' clocks differ a little */
    "  tokens = math.min(burst, tokens + (now - at) * burst / 60000) "
    "  local ok = tokens >= 1 "
    "  if ok then tokens = tokens - 1 end "
    "  redis.call('HSET', key, 'tokens', tokens, 'at', now) "
    "  redis.call('PEXPIRE', key, 120000) "
    "  return ok "
    "end "
    "local now = tonumber(ARGV[3]) "
    "if not take(KEYS[2], tonumber(ARGV[1]), now) or not take(KEYS[3], tonumber(ARGV[2]), now) "
    "then return 0 end "
    "local v = redis.call('GET', KEYS[1]) "
    "if not v then return 1 end "
    "redis.call('DEL', KEYS[1]) "
    "redis.call('ZADD', 'lifeline:nameplates:' .. string.len(ARGV[5]), "
    "           math.floor(now / 1000) + ARGV[4], ARGV[5]) "
    "return v";

struct LlCluster {
  LlRedisLink *link;
  char *instance;
  char *alive_key;
  char *former;              /* the id it had before Redis was lost, until it is removed */
  gboolean was_up;
  LlClusterEvents events;
  gpointer user_data;
  guint heartbeat;
};

static gint64 now_s(void) { return g_get_real_time() / G_USEC_PER_SEC; }

/* A string from Redis used as a name (an instance, a nameplate, "INSTANCE
 * MAILBOX"): whatever wrote it, at most MOST bytes, printable, and with
 * SPACES spaces at most; else NULL. */
static const char *bounded_reply(const redisReply *r, gsize most, guint spaces)
{
  if (r == NULL || r->type != REDIS_REPLY_STRING || r->len == 0 || r->len > most)
    return NULL;
  for (gsize i = 0; i < r->len; i++) {
    if (r->str[i] == ' ' && spaces > 0)
      spaces--;
    else if (!g_ascii_isgraph(r->str[i]))
      return NULL;
  }
  return r->str;
}

static gboolean eval(LlCluster *c, LlRedisReplyFn fn, gpointer data, const char *script,
                     int keys, int argc, const char *const *args)
{
  g_autofree char *numkeys = g_strdup_printf("%d", keys);
  const char *argv[16] = { "EVAL", script, numkeys };
  g_assert(argc + 3 <= (int)G_N_ELEMENTS(argv));
  memcpy(argv + 3, args, sizeof *args * argc);
  return ll_redis_link_command(c->link, fn, data, argc + 3, argv);
}

/* ---- liveness and messages ---- */

static gboolean on_heartbeat(gpointer data)
{
  LlCluster *c = data;
  const char *argv[] = { "SET", c->alive_key, "1", "EX", ALIVE_S };
  ll_redis_link_command(c->link, NULL, NULL, G_N_ELEMENTS(argv), argv);
  return G_SOURCE_CONTINUE;
}

/* A fresh random id (and with it the alive key and the channel). */
static void take_name(LlCluster *c)
{
  guint8 raw[8];
  randombytes_buf(raw, sizeof raw);
  g_free(c->instance);
  c->instance = g_malloc(2 * sizeof raw + 1);
  sodium_bin2hex(c->instance, 2 * sizeof raw + 1, raw, sizeof raw);
  g_free(c->alive_key);
  c->alive_key = g_strconcat("lifeline:instance:", c->instance, NULL);
  g_autofree char *channel = g_strconcat("lifeline:to:", c->instance, NULL);
  if (c->link != NULL)
    ll_redis_link_set_channel(c->link, channel);
}

/* Lost Redis after having had it: the others let go of this instance's
 * links within seconds, and messages for it went nowhere meanwhile, so it
 * comes back as a new instance, not as the old one the others may have
 * given up on (or not yet). The old id is removed once Redis is back. */
static void come_back_anew(LlCluster *c)
{
  if (c->former == NULL)
    c->former = g_strdup(c->instance);
  take_name(c);
}

static void on_state(gboolean up, const char *why, gpointer data)
{
  LlCluster *c = data;
  if (up) {
    if (c->former != NULL) {
      g_autofree char *old_key = g_strconcat("lifeline:instance:", c->former, NULL);
      const char *argv[] = { "DEL", old_key };   /* before anything under the new id */
      ll_redis_link_command(c->link, NULL, NULL, G_N_ELEMENTS(argv), argv);
      g_message("this instance comes back as %s (it was %s before Redis was lost)",
                c->instance, c->former);
      g_clear_pointer(&c->former, g_free);
    }
    g_message("sharing state through Redis with the other instances (this one is %s)",
              c->instance);
    c->was_up = TRUE;
    on_heartbeat(c);
  } else {
    g_warning("Redis is out of reach (%s): serving alone, and trying again every second", why);
    if (c->was_up)
      come_back_anew(c);
    c->was_up = FALSE;
  }
  if (c->events.shared != NULL)
    c->events.shared(up, c->user_data);
}

static void on_redis_message(const char *payload, gsize length, gpointer data)
{
  LlCluster *c = data;
  g_autoptr(GError) error = NULL;
  LlClusterMessage *m = ll_cluster_message_decode(payload, length, &error);
  if (m == NULL) {
    g_warning("%s", error->message);
    return;
  }
  if (c->events.message != NULL)
    c->events.message(m, c->user_data);
  else
    ll_cluster_message_free(m);
}

void ll_cluster_send(LlCluster *c, const char *instance, const LlClusterMessage *m)
{
  g_autofree char *channel = g_strconcat("lifeline:to:", instance, NULL);
  g_autofree char *text = ll_cluster_message_encode(m);
  const char *argv[] = { "PUBLISH", channel, text };
  ll_redis_link_command(c->link, NULL, NULL, G_N_ELEMENTS(argv), argv);
  memset(text, 0, strlen(text));
}

/* ---- mailboxes ---- */

typedef struct {
  LlCluster *cluster;
  char *mailbox;
  LlClusterFoundFn found;
  LlClusterNameplateFn nameplate;
  LlClusterClaimFn claim;
  LlClusterReenteredFn reentered;
  gpointer data;
  char *value;               /* a nameplate's "INSTANCE MAILBOX" */
  gint64 lifetime, cooldown;
  int tries;
  gboolean again;            /* a mailbox published again, not taken over */
  guint8 token_hash[32];     /* an invitation's mailbox published, bound to this */
} Ask;

static void ask_free(Ask *a)
{
  g_free(a->mailbox);
  g_free(a->value);
  g_free(a);
}

/* SCRIPT sent, A waiting for its answer; A freed and FALSE when it cannot
 * be sent (Redis away). */
static gboolean ask_eval(LlCluster *c, Ask *a, LlRedisReplyFn fn, const char *script, int keys,
                         int argc, const char *const *args)
{
  if (eval(c, fn, a, script, keys, argc, args))
    return TRUE;
  ask_free(a);
  return FALSE;
}

/* A registration taken over: its old instance is told. One taken over
 * while this instance's own was away: this one is told, by itself. */
static void on_taken_over(const redisReply *r, gpointer data)
{
  Ask *a = data;
  const char *old = bounded_reply(r, LL_CLUSTER_MAX_INSTANCE, 0);
  if (old != NULL && a->mailbox != NULL) {
    LlClusterMessage *m = ll_cluster_message_new(LL_CLUSTER_TAKEOVER);
    m->mailbox = g_strdup(a->mailbox);
    if (!a->again)
      ll_cluster_send(a->cluster, old, m);
    if (!a->again || a->cluster->events.message == NULL)
      ll_cluster_message_free(m);
    else
      a->cluster->events.message(m, a->cluster->user_data);
  }
  ask_free(a);
}

static void on_published(const redisReply *r, gpointer data)
{
  Ask *a = data;
  if (r != NULL && r->type == REDIS_REPLY_INTEGER && r->integer == 0) {
    if (a->cluster->events.not_ours != NULL)
      a->cluster->events.not_ours(a->mailbox, a->token_hash, a->cluster->user_data);
    ask_free(a);
    return;
  }
  on_taken_over(r, a);
}

void ll_cluster_publish_mailbox(LlCluster *c, const char *mailbox, gint64 lifetime,
                                const guint8 *token_hash, gboolean take_over)
{
  g_autofree char *key = g_strconcat("lifeline:mailbox:", mailbox, NULL);
  g_autofree char *binding = g_strconcat("lifeline:binding:", mailbox, NULL);
  g_autofree char *ttl = g_strdup_printf("%" G_GINT64_FORMAT, MAX(lifetime, 1));
  char hex[65] = "";
  if (token_hash != NULL)
    sodium_bin2hex(hex, sizeof hex, token_hash, 32);
  const char *args[] = { key, binding, c->instance, ttl, hex, take_over ? "1" : "0" };
  Ask *a = g_new0(Ask, 1);
  if (token_hash != NULL)
    memcpy(a->token_hash, token_hash, sizeof a->token_hash);
  a->cluster = c;
  a->mailbox = g_strdup(mailbox);
  a->again = !take_over;
  ask_eval(c, a, on_published, PUBLISH, 2, G_N_ELEMENTS(args), args);
}

void ll_cluster_forget_mailbox(LlCluster *c, const char *mailbox)
{
  g_autofree char *key = g_strconcat("lifeline:mailbox:", mailbox, NULL);
  const char *args[] = { key, c->instance };
  eval(c, NULL, NULL, FORGET, 1, G_N_ELEMENTS(args), args);
}

static void on_found(const redisReply *r, gpointer data)
{
  Ask *a = data;
  a->found(bounded_reply(r, LL_CLUSTER_MAX_INSTANCE, 0), r == NULL, a->data);
  ask_free(a);
}

gboolean ll_cluster_find_mailbox(LlCluster *c, const char *mailbox, LlClusterFoundFn fn,
                                 gpointer data)
{
  g_autofree char *key = g_strconcat("lifeline:mailbox:", mailbox, NULL);
  const char *args[] = { key };
  Ask *a = g_new0(Ask, 1);
  a->found = fn;
  a->data = data;
  return ask_eval(c, a, on_found, FIND, 1, G_N_ELEMENTS(args), args);
}

static void on_exists(const redisReply *r, gpointer data)
{
  Ask *a = data;
  gboolean alive = r != NULL && r->type == REDIS_REPLY_INTEGER && r->integer == 1;
  a->found(alive ? a->mailbox : NULL, r == NULL, a->data);
  ask_free(a);
}

gboolean ll_cluster_instance_alive(LlCluster *c, const char *instance, LlClusterFoundFn fn,
                                   gpointer data)
{
  g_autofree char *key = g_strconcat("lifeline:instance:", instance, NULL);
  const char *argv[] = { "EXISTS", key };
  Ask *a = g_new0(Ask, 1);
  a->mailbox = g_strdup(instance);
  a->found = fn;
  a->data = data;
  if (ll_redis_link_command(c->link, on_exists, a, G_N_ELEMENTS(argv), argv))
    return TRUE;
  ask_free(a);
  return FALSE;
}

/* ---- nameplates ---- */

static gboolean try_nameplate(Ask *a);

static void on_nameplate(const redisReply *r, gpointer data)
{
  Ask *a = data;
  if (r != NULL && r->type == REDIS_REPLY_INTEGER && r->integer == 0 &&
      ++a->tries < NAMEPLATE_TRIES && try_nameplate(a))
    return;   /* that one was taken: another */
  a->nameplate(bounded_reply(r, LL_NAMEPLATE_MAX_DIGITS, 0), r == NULL, a->data);
  ask_free(a);
}

static gboolean try_nameplate(Ask *a)
{
  char candidates[4][LL_NAMEPLATE_MAX_DIGITS + 1];
  guint cap = 100;
  for (int i = 0; i < 4; i++) {
    cap *= 10;
    g_snprintf(candidates[i], sizeof candidates[i], "%0*u", LL_NAMEPLATE_MIN_DIGITS + i,
               randombytes_uniform(cap));
  }
  g_autofree char *lifetime = g_strdup_printf("%" G_GINT64_FORMAT, MAX(a->lifetime, 1));
  g_autofree char *cooldown = g_strdup_printf("%" G_GINT64_FORMAT, a->cooldown);
  g_autofree char *now = g_strdup_printf("%" G_GINT64_FORMAT, now_s());
  const char *args[] = { a->value, lifetime, cooldown, now, candidates[0], candidates[1],
                         candidates[2], candidates[3] };
  return eval(a->cluster, on_nameplate, a, ADD_NAMEPLATE, 0, G_N_ELEMENTS(args), args);
}

gboolean ll_cluster_add_nameplate(LlCluster *c, const char *mailbox, gint64 lifetime,
                                  gint64 cooldown, LlClusterNameplateFn fn, gpointer data)
{
  G_STATIC_ASSERT(LL_NAMEPLATE_MAX_DIGITS - LL_NAMEPLATE_MIN_DIGITS == 3);
  Ask *a = g_new0(Ask, 1);
  a->cluster = c;
  a->nameplate = fn;
  a->data = data;
  a->value = g_strconcat(c->instance, " ", mailbox, NULL);
  a->lifetime = lifetime;
  a->cooldown = cooldown;
  if (try_nameplate(a))
    return TRUE;
  ask_free(a);
  return FALSE;
}

void ll_cluster_release_nameplate(LlCluster *c, const char *nameplate, const char *mailbox,
                                  gint64 cooldown)
{
  g_autofree char *key = g_strconcat("lifeline:nameplate:", nameplate, NULL);
  g_autofree char *value = g_strconcat(c->instance, " ", mailbox, NULL);
  g_autofree char *now = g_strdup_printf("%" G_GINT64_FORMAT, now_s());
  g_autofree char *cool = g_strdup_printf("%" G_GINT64_FORMAT, cooldown);
  const char *args[] = { key, value, now, cool, nameplate };
  eval(c, NULL, NULL, RELEASE_NAMEPLATE, 1, G_N_ELEMENTS(args), args);
}

static void on_reentered(const redisReply *r, gpointer data)
{
  Ask *a = data;
  gboolean kept = r != NULL && r->type == REDIS_REPLY_INTEGER && r->integer == 1;
  a->reentered(kept, r == NULL, a->data);
  ask_free(a);
}

gboolean ll_cluster_reenter_nameplate(LlCluster *c, const char *nameplate, const char *mailbox,
                                      gint64 lifetime, gint64 cooldown,
                                      LlClusterReenteredFn fn, gpointer data)
{
  g_autofree char *key = g_strconcat("lifeline:nameplate:", nameplate, NULL);
  g_autofree char *value = g_strconcat(c->instance, " ", mailbox, NULL);
  g_autofree char *suffix = g_strconcat(" ", mailbox, NULL);
  g_autofree char *ttl = g_strdup_printf("%" G_GINT64_FORMAT, MAX(lifetime, 1));
  g_autofree char *now = g_strdup_printf("%" G_GINT64_FORMAT, now_s());
  g_autofree char *cool = g_strdup_printf("%" G_GINT64_FORMAT, cooldown);
  const char *args[] = { key, value, suffix, ttl, now, cool, nameplate };
  Ask *a = g_new0(Ask, 1);
  a->reentered = fn;
  a->data = data;
  return ask_eval(c, a, on_reentered, REENTER_NAMEPLATE, 1, G_N_ELEMENTS(args), args);
}

static void on_claimed(const redisReply *r, gpointer data)
{
  Ask *a = data;
  char **parts = NULL;
  if (r == NULL)
    a->claim(LL_CLUSTER_CLAIM_FAILED, NULL, NULL, a->data);
  else if (r->type == REDIS_REPLY_INTEGER)
    a->claim(r->integer == 0 ? LL_CLUSTER_CLAIM_LIMITED : LL_CLUSTER_CLAIM_NONE, NULL, NULL,
             a->data);
  else if (bounded_reply(r, LL_CLUSTER_MAX_INSTANCE + 1 + LL_SIGNAL_MAX_FIELD, 1) != NULL &&
           g_strv_length(parts = g_strsplit(r->str, " ", 2)) == 2 && *parts[0] && *parts[1])
    a->claim(LL_CLUSTER_CLAIM_FOUND, parts[0], parts[1], a->data);
  else
    a->claim(LL_CLUSTER_CLAIM_FAILED, NULL, NULL, a->data);
  g_strfreev(parts);
  ask_free(a);
}

gboolean ll_cluster_claim(LlCluster *c, const char *address, const char *nameplate,
                          guint per_address, guint total, gint64 cooldown, LlClusterClaimFn fn,
                          gpointer data)
{
  g_autofree char *key = g_strconcat("lifeline:nameplate:", nameplate, NULL);
  g_autofree char *mine = g_strconcat("lifeline:claims:", address, NULL);
  const char *all = "lifeline:claims";
  g_autofree char *per = g_strdup_printf("%u", MAX(per_address, 1));
  g_autofree char *most = g_strdup_printf("%u", MAX(total, 1));
  g_autofree char *at = g_strdup_printf("%" G_GINT64_FORMAT, g_get_real_time() / 1000);
  g_autofree char *cool = g_strdup_printf("%" G_GINT64_FORMAT, cooldown);
  const char *args[] = { key, mine, all, per, most, at, cool, nameplate };
  Ask *a = g_new0(Ask, 1);
  a->claim = fn;
  a->data = data;
  return ask_eval(c, a, on_claimed, CLAIM, 3, G_N_ELEMENTS(args), args);
}

/* ---- the cluster ---- */

LlCluster *ll_cluster_new(const char *redis_address, const char *password,
                          const LlClusterEvents *events, gpointer user_data, GError **error)
{
  LlCluster *c = g_new0(LlCluster, 1);
  take_name(c);
  c->events = *events;
  c->user_data = user_data;
  g_autofree char *channel = g_strconcat("lifeline:to:", c->instance, NULL);
  LlRedisEvents link_events = { on_state, on_redis_message };
  c->link = ll_redis_link_new(redis_address, password, channel, &link_events, c, error);
  if (c->link == NULL) {
    ll_cluster_free(c);
    return NULL;
  }
  c->heartbeat = g_timeout_add_seconds(HEARTBEAT_S, on_heartbeat, c);
  return c;
}

void ll_cluster_free(LlCluster *c)
{
  if (c == NULL)
    return;
  g_clear_handle_id(&c->heartbeat, g_source_remove);
  if (c->link != NULL && ll_redis_link_up(c->link)) {
    const char *argv[] = { "DEL", c->alive_key };   /* gone at once, not in 5 s */
    ll_redis_link_command(c->link, NULL, NULL, G_N_ELEMENTS(argv), argv);
  }
  ll_redis_link_free(c->link);   /* what waits is answered with NULL now */
  g_free(c->instance);
  g_free(c->alive_key);
  g_free(c->former);
  g_free(c);
}

const char *ll_cluster_instance(LlCluster *c) { return c->instance; }

gboolean ll_cluster_shared(LlCluster *c) { return ll_redis_link_up(c->link); }

/* Three rendezvous instances (the real lifeline-rendezvous program) and a
 * real redis-server on loopback: what a client of one reaches at another
 * (invitations, hosts, codes, the limits on codes), what each does when
 * Redis goes away and comes back, and when one instance dies.
 *
 * usage: test_cluster LIFELINE-RENDEZVOUS [GTest options] */
#include "common/error.h"
#include "common/fingerprint.h"
#include "common/pairing_code.h"
#include "main_loop_wait.h"
#include "rendezvous_side.h"
#include <gio/gio.h>
#include <glib/gstdio.h>
#include <hiredis/hiredis.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>

#define WAIT_MS 5000
#define INSTANCES 3
/* An instance that dies is known dead 5 s after its last heartbeat,
 * noticed within 2 s more: generous deadlines, not timings. */
#define DEATH_MS 20000

static const char *program;

typedef struct {
  GSubprocess *process;
  char *log;                 /* its standard error */
  char *url;
} Instance;

typedef struct {
  char *dir;
  char *socket;
  GSubprocess *redis;
  Instance at[INSTANCES];
} Cluster;

static void run_until(const gboolean *condition) { wait_until(condition, WAIT_MS); }

/* ---- Redis ---- */

static redisContext *redis_connect(const Cluster *k)
{
  redisContext *r = redisConnectUnix(k->socket);
  if (r != NULL && r->err) {
    redisFree(r);
    return NULL;
  }
  return r;
}

/* How many keys match PATTERN, or -1 while Redis does not answer. */
static long long redis_count(const Cluster *k, const char *pattern)
{
  redisContext *r = redis_connect(k);
  if (r == NULL)
    return -1;
  redisReply *reply = redisCommand(r, "KEYS %s", pattern);
  long long n = reply != NULL && reply->type == REDIS_REPLY_ARRAY ? (long long)reply->elements
                                                                   : -1;
  freeReplyObject(reply);
  redisFree(r);
  return n;
}

static void wait_for_count(const Cluster *k, const char *pattern, long long want, guint ms)
{
  gint64 until = g_get_monotonic_time() + ms * 1000;
  while (redis_count(k, pattern) != want) {
    if (g_get_monotonic_time() > until)
      g_error("%lld keys like %s, not %lld", redis_count(k, pattern), pattern, want);
    spin(50);
  }
}

/* Redis closes every connection of the instance whose process is PID
 * (they are named lifeline-rendezvous-PID); the others keep theirs.
 * Returns how many Redis closed. */
static int redis_cut_off(const Cluster *k, const char *pid)
{
  redisContext *r = redis_connect(k);
  g_assert_nonnull(r);
  redisReply *list = redisCommand(r, "CLIENT LIST");
  g_assert_true(list != NULL && list->type == REDIS_REPLY_STRING);
  g_autofree char *name = g_strdup_printf(" name=lifeline-rendezvous-%s ", pid);
  g_auto(GStrv) lines = g_strsplit(list->str, "\n", -1);
  int cut = 0;
  for (char **line = lines; *line != NULL; line++) {
    guint64 id = 0;
    if (strstr(*line, name) == NULL || sscanf(*line, "id=%" G_GUINT64_FORMAT, &id) != 1)
      continue;
    redisReply *killed = redisCommand(r, "CLIENT KILL ID %" G_GUINT64_FORMAT, id);
    cut += killed != NULL && killed->type == REDIS_REPLY_INTEGER ? (int)killed->integer : 0;
    freeReplyObject(killed);
  }
  freeReplyObject(list);
  redisFree(r);
  return cut;
}

/* What this test starts dies with it, also when an assertion aborts it. */
static void die_with_the_test(gpointer data)
{
  (void)data;
  prctl(PR_SET_PDEATHSIG, SIGKILL);
}

static GSubprocessLauncher *launcher(GSubprocessFlags flags)
{
  GSubprocessLauncher *l = g_subprocess_launcher_new(flags);
  g_subprocess_launcher_set_child_setup(l, die_with_the_test, NULL, NULL);
  return l;
}

static void redis_start(Cluster *k)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocessLauncher) l = launcher(G_SUBPROCESS_FLAGS_STDOUT_SILENCE);
  k->redis = g_subprocess_launcher_spawn(l, &error, "redis-server", "--port", "0",
                                         "--unixsocket", k->socket, "--unixsocketperm", "700",
                                         "--save", "", "--appendonly", "no", "--dir", k->dir,
                                         NULL);
  g_assert_no_error(error);
  gint64 until = g_get_monotonic_time() + WAIT_MS * 1000;
  while (redis_count(k, "*") < 0) {
    g_assert_cmpint(g_get_monotonic_time(), <, until);
    spin(20);
  }
}

static void stop_process(GSubprocess **p)
{
  if (*p == NULL)
    return;
  g_subprocess_send_signal(*p, SIGKILL);
  g_subprocess_wait(*p, NULL, NULL);
  g_clear_object(p);
}

/* ---- instances ---- */

static void on_line(GObject *source, GAsyncResult *result, gpointer data)
{
  char **line = data;
  *line = g_data_input_stream_read_line_finish(G_DATA_INPUT_STREAM(source), result, NULL, NULL);
  if (*line == NULL)
    *line = g_strdup("");
}

static void instance_start(Cluster *k, int i, const char *code_tries)
{
  Instance *in = &k->at[i];
  g_autoptr(GSubprocessLauncher) l = launcher(G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_free(in->log);
  in->log = g_strdup_printf("%s/instance-%d.log", k->dir, i);
  g_subprocess_launcher_set_stderr_file_path(l, in->log);
  g_autoptr(GError) error = NULL;
  in->process = g_subprocess_launcher_spawn(l, &error, program, "--listen", "127.0.0.1:0",
                                            "--redis", k->socket, "--code-tries", code_tries,
                                            NULL);
  g_assert_no_error(error);
  g_autoptr(GDataInputStream) out =
      g_data_input_stream_new(g_subprocess_get_stdout_pipe(in->process));
  char *line = NULL;
  g_data_input_stream_read_line_async(out, G_PRIORITY_DEFAULT, NULL, on_line, &line);
  run_until((gboolean *)&line);
  g_assert_true(g_str_has_prefix(line, "listening: ws://127.0.0.1:"));
  g_free(in->url);
  in->url = g_strdup(line + strlen("listening: "));
  g_free(line);
}

static gboolean log_says(const Instance *in, const char *text)
{
  g_autofree char *log = NULL;
  return g_file_get_contents(in->log, &log, NULL, NULL) && strstr(log, text) != NULL;
}

static void wait_for_log(const Instance *in, const char *text, guint ms)
{
  gint64 until = g_get_monotonic_time() + ms * 1000;
  while (!log_says(in, text)) {
    if (g_get_monotonic_time() > until) {
      g_autofree char *log = NULL;
      g_file_get_contents(in->log, &log, NULL, NULL);
      g_error("no \"%s\" in the log:\n%s", text, log);
    }
    spin(50);
  }
}

static void cluster_start(Cluster *k, const char *code_tries)
{
  memset(k, 0, sizeof *k);
  k->dir = g_dir_make_tmp("lifeline-cluster-XXXXXX", NULL);
  k->socket = g_build_filename(k->dir, "redis.sock", NULL);
  redis_start(k);
  for (int i = 0; i < INSTANCES; i++)
    instance_start(k, i, code_tries);
  wait_for_count(k, "lifeline:instance:*", INSTANCES, WAIT_MS);
}

static void on_exited(GObject *source, GAsyncResult *result, gpointer data)
{
  g_subprocess_wait_finish(G_SUBPROCESS(source), result, NULL);
  *(gboolean *)data = TRUE;
}

/* As systemd stops it: SIGTERM, and it must end well (under the
 * sanitizers, without leaks) within WAIT_MS. */
static void instance_stop(Instance *in)
{
  if (in->process == NULL)
    return;
  gboolean exited = FALSE;
  g_subprocess_wait_async(in->process, NULL, on_exited, &exited);
  g_subprocess_send_signal(in->process, SIGTERM);
  wait_until(&exited, WAIT_MS);
  g_autofree char *log = NULL;
  g_file_get_contents(in->log, &log, NULL, NULL);
  if (!g_subprocess_get_if_exited(in->process) || g_subprocess_get_exit_status(in->process) != 0)
    g_error("the instance did not end well:\n%s", log);
  g_clear_object(&in->process);
}

static void cluster_stop(Cluster *k)
{
  for (int i = 0; i < INSTANCES; i++) {
    instance_stop(&k->at[i]);
    g_free(k->at[i].log);
    g_free(k->at[i].url);
  }
  stop_process(&k->redis);
  rm_rf(k->dir);
  g_free(k->dir);
  g_free(k->socket);
}

/* ---- the parties ---- */

static LlRendezvousClient *open_invitation(const Instance *in, Side *novice)
{
  LlRendezvousClient *c = ll_rendezvous_client_new(in->url, &side_events, novice);
  ll_rendezvous_client_open(c, 3600);
  run_until((gboolean *)&novice->mailbox);
  return c;
}

static LlRendezvousClient *join(const Instance *in, const char *mailbox, Side *helper)
{
  LlRendezvousClient *c = ll_rendezvous_client_new(in->url, &side_events, helper);
  ll_rendezvous_client_join(c, mailbox);
  return c;
}

static void talk_both_ways(LlRendezvousClient *n, Side *novice, LlRendezvousClient *h,
                           Side *helper)
{
  g_clear_pointer(&novice->last_candidate, g_free);
  g_clear_pointer(&helper->last_candidate, g_free);
  g_autoptr(LlSignalMessage) up = candidate("candidate:1 1 UDP 1 10.0.0.1 5000 typ host");
  ll_rendezvous_client_send_signal(h, 0, up);
  run_until((gboolean *)&novice->last_candidate);
  g_assert_cmpstr(novice->last_candidate, ==, "candidate:1 1 UDP 1 10.0.0.1 5000 typ host");
  g_assert_cmpuint(novice->last_signal_peer, ==, helper->peer);
  g_autoptr(LlSignalMessage) down = candidate("candidate:2 1 UDP 1 10.0.0.2 6000 typ host");
  ll_rendezvous_client_send_signal(n, helper->peer, down);
  run_until((gboolean *)&helper->last_candidate);
  g_assert_cmpstr(helper->last_candidate, ==, "candidate:2 1 UDP 1 10.0.0.2 6000 typ host");
}

/* ---- tests ---- */

/* An invitation's mailbox opened at A is joined through B and C; each
 * helper is a peer of its own; leaving and closing are heard across. */
static void test_invitation_across_instances(void)
{
  Cluster k;
  cluster_start(&k, "10");
  Side novice = { 0 }, b = { 0 }, c = { 0 };
  LlRendezvousClient *n = open_invitation(&k.at[0], &novice);
  LlRendezvousClient *hb = join(&k.at[1], novice.mailbox, &b);
  run_until((gboolean *)&b.peer);
  run_until((gboolean *)&novice.last_peer_seen);
  g_assert_cmpuint(novice.last_peer_seen, ==, b.peer);
  g_assert_cmpstr(b.ice.stun_host, ==, "127.0.0.1");   /* B's own STUN and relay */
  talk_both_ways(n, &novice, hb, &b);
  LlRendezvousClient *hc = join(&k.at[2], novice.mailbox, &c);
  run_until((gboolean *)&c.peer);
  g_assert_cmpuint(c.peer, !=, b.peer);
  talk_both_ways(n, &novice, hc, &c);
  g_assert_cmpint(b.signals, ==, 1);   /* nothing meant for C reached B */
  ll_rendezvous_client_free(hb);
  run_until((gboolean *)&novice.last_peer_left);
  g_assert_cmpuint(novice.last_peer_left, ==, b.peer);
  ll_rendezvous_client_free(n);
  run_until(&c.closed);
  g_assert_cmpint(c.closed_code, ==, LL_ERROR_NOT_WAITING);
  /* Its mailbox is gone for everyone. */
  Side late = { 0 };
  LlRendezvousClient *hl = join(&k.at[1], novice.mailbox, &late);
  run_until(&late.closed);
  g_assert_cmpint(late.closed_code, ==, LL_ERROR_NOT_WAITING);
  ll_rendezvous_client_free(hl);
  ll_rendezvous_client_free(hc);
  side_clear(&novice); side_clear(&b); side_clear(&c); side_clear(&late);
  cluster_stop(&k);
}

/* A host registered at A is offered help through B; registering again
 * at C ends the registration at A, and B's helpers reach C. */
static void test_host_across_instances(void)
{
  Cluster k;
  cluster_start(&k, "10");
  g_autoptr(LlIdentity) key = identity_in(k.dir, "host");
  g_autofree char *host_id = ll_host_id_of(key->fingerprint);
  Side host = { 0 }, again = { 0 }, h1 = { 0 }, h2 = { 0 };
  LlRendezvousClient *hc = ll_rendezvous_client_new(k.at[0].url, &side_events, &host);
  ll_rendezvous_client_register(hc, host_id, key);
  run_until((gboolean *)&host.mailbox);
  LlRendezvousClient *j1 = join(&k.at[1], host_id, &h1);
  run_until((gboolean *)&h1.peer);
  talk_both_ways(hc, &host, j1, &h1);
  LlRendezvousClient *ac = ll_rendezvous_client_new(k.at[2].url, &side_events, &again);
  ll_rendezvous_client_register(ac, host_id, key);
  run_until((gboolean *)&again.mailbox);
  run_until(&host.closed);
  g_assert_nonnull(strstr(host.closed_why, "registered again"));
  run_until(&h1.closed);   /* its host's old registration is gone */
  LlRendezvousClient *j2 = join(&k.at[1], host_id, &h2);
  run_until((gboolean *)&h2.peer);
  talk_both_ways(ac, &again, j2, &h2);
  ll_rendezvous_client_free(j2);
  ll_rendezvous_client_free(j1);
  ll_rendezvous_client_free(ac);
  ll_rendezvous_client_free(hc);
  side_clear(&host); side_clear(&again); side_clear(&h1); side_clear(&h2);
  cluster_stop(&k);
}

/* A code waiting at A is claimed through B, once: the same nameplate at
 * C (or at A) finds nothing; the nameplate is in Redis, cooling down. */
static void test_code_claimed_once_anywhere(void)
{
  Cluster k;
  cluster_start(&k, "10");
  Side novice = { 0 }, helper = { 0 };
  LlRendezvousClient *n = ll_rendezvous_client_new(k.at[0].url, &side_events, &novice);
  ll_rendezvous_client_open_code(n, 600);
  run_until((gboolean *)&novice.opened);
  g_autofree char *nameplate = g_strdup(ll_rendezvous_client_nameplate(n));
  g_assert_true(ll_nameplate_is_valid(nameplate));
  g_assert_cmpint(redis_count(&k, "lifeline:nameplate:*"), ==, 1);
  /* Never by its mailbox id, from anywhere. */
  claim_fails(k.at[1].url, "000000", LL_ERROR_NOT_WAITING, "no such code");
  LlRendezvousClient *h = ll_rendezvous_client_new(k.at[1].url, &side_events, &helper);
  ll_rendezvous_client_claim(h, nameplate);
  run_until((gboolean *)&helper.peer);
  run_until((gboolean *)&novice.last_peer_seen);
  talk_both_ways(n, &novice, h, &helper);
  g_assert_cmpint(redis_count(&k, "lifeline:nameplate:*"), ==, 0);
  claim_fails(k.at[2].url, nameplate, LL_ERROR_NOT_WAITING, "no such code");
  claim_fails(k.at[0].url, nameplate, LL_ERROR_NOT_WAITING, "no such code");
  ll_rendezvous_client_free(h);
  ll_rendezvous_client_free(n);
  side_clear(&novice); side_clear(&helper);
  cluster_stop(&k);
}

/* Four tries a minute from one address, whichever instances it uses. */
static void test_claim_limit_shared(void)
{
  Cluster k;
  cluster_start(&k, "4");
  for (int i = 0; i < 4; i++)
    claim_fails(k.at[i % INSTANCES].url, "123456", LL_ERROR_NOT_WAITING, "no such code");
  for (int i = 0; i < INSTANCES; i++)
    claim_fails(k.at[i].url, "123456", LL_ERROR_REFUSED, "too many codes were tried");
  cluster_stop(&k);
}

/* Redis goes: each instance says so and serves alone what it holds;
 * Redis comes back: what was opened meanwhile is shared. */
static void test_redis_lost_and_back(void)
{
  Cluster k;
  cluster_start(&k, "10");
  Side across = { 0 }, far = { 0 };
  LlRendezvousClient *an = open_invitation(&k.at[0], &across);
  LlRendezvousClient *af = join(&k.at[1], across.mailbox, &far);
  run_until((gboolean *)&far.peer);
  stop_process(&k.redis);
  for (int i = 0; i < INSTANCES; i++)
    wait_for_log(&k.at[i], "Redis is out of reach", WAIT_MS);
  run_until(&far.closed);   /* its novice's instance is out of reach */
  g_assert_false(across.closed);
  Side novice = { 0 }, near = { 0 }, away = { 0 };
  LlRendezvousClient *n = open_invitation(&k.at[1], &novice);
  LlRendezvousClient *hn = join(&k.at[1], novice.mailbox, &near);
  run_until((gboolean *)&near.peer);
  talk_both_ways(n, &novice, hn, &near);
  LlRendezvousClient *ha = join(&k.at[0], novice.mailbox, &away);
  run_until(&away.closed);
  g_assert_cmpint(away.closed_code, ==, LL_ERROR_NOT_WAITING);
  redis_start(&k);
  wait_for_count(&k, "lifeline:instance:*", INSTANCES, WAIT_MS);
  for (int i = 0; i < INSTANCES; i++)
    wait_for_log(&k.at[i], "sharing state through Redis", WAIT_MS);
  wait_for_count(&k, "lifeline:mailbox:*", 2, WAIT_MS);
  Side back = { 0 };
  LlRendezvousClient *hb = join(&k.at[2], novice.mailbox, &back);
  run_until((gboolean *)&back.peer);
  talk_both_ways(n, &novice, hb, &back);
  LlRendezvousClient *clients[] = { an, af, n, hn, ha, hb };
  for (guint i = 0; i < G_N_ELEMENTS(clients); i++)
    ll_rendezvous_client_free(clients[i]);
  Side *sides[] = { &across, &far, &novice, &near, &away, &back };
  for (guint i = 0; i < G_N_ELEMENTS(sides); i++)
    side_clear(sides[i]);
  cluster_stop(&k);
}

/* A dies: its novices' helpers at B are let go, what it held is not
 * found any more, and its host registers again at B and is reached. */
static void test_instance_killed(void)
{
  Cluster k;
  cluster_start(&k, "10");
  g_autoptr(LlIdentity) key = identity_in(k.dir, "host");
  g_autofree char *host_id = ll_host_id_of(key->fingerprint);
  Side novice = { 0 }, helper = { 0 }, host = { 0 }, again = { 0 }, offer = { 0 }, late = { 0 };
  LlRendezvousClient *n = open_invitation(&k.at[0], &novice);
  LlRendezvousClient *h = join(&k.at[1], novice.mailbox, &helper);
  run_until((gboolean *)&helper.peer);
  LlRendezvousClient *hc = ll_rendezvous_client_new(k.at[0].url, &side_events, &host);
  ll_rendezvous_client_register(hc, host_id, key);
  run_until((gboolean *)&host.mailbox);
  stop_process(&k.at[0].process);
  wait_until(&helper.closed, DEATH_MS);
  g_assert_cmpint(helper.closed_code, ==, LL_ERROR_NOT_WAITING);
  run_until(&host.closed);
  LlRendezvousClient *l = join(&k.at[2], novice.mailbox, &late);
  run_until(&late.closed);
  g_assert_cmpint(late.closed_code, ==, LL_ERROR_NOT_WAITING);
  LlRendezvousClient *ac = ll_rendezvous_client_new(k.at[1].url, &side_events, &again);
  ll_rendezvous_client_register(ac, host_id, key);
  run_until((gboolean *)&again.mailbox);
  LlRendezvousClient *o = join(&k.at[2], host_id, &offer);
  run_until((gboolean *)&offer.peer);
  talk_both_ways(ac, &again, o, &offer);
  LlRendezvousClient *clients[] = { n, h, hc, l, ac, o };
  for (guint i = 0; i < G_N_ELEMENTS(clients); i++)
    ll_rendezvous_client_free(clients[i]);
  Side *sides[] = { &novice, &helper, &host, &again, &offer, &late };
  for (guint i = 0; i < G_N_ELEMENTS(sides); i++)
    side_clear(sides[i]);
  cluster_stop(&k);
}
/* Redis cuts A off alone (A's connections closed, the others keep
 * theirs): A comes back under a new id, so B lets go of its helper of A's
 * novice (A let go of it when it lost Redis), and A's invitation and code
 * are reached through the others again. */
static void test_one_instance_cut_off(void)
{
  Cluster k;
  cluster_start(&k, "10");
  Side novice = { 0 }, coder = { 0 }, helper = { 0 }, again = { 0 }, claimer = { 0 };
  LlRendezvousClient *n = open_invitation(&k.at[0], &novice);
  LlRendezvousClient *h = join(&k.at[1], novice.mailbox, &helper);
  run_until((gboolean *)&helper.peer);
  LlRendezvousClient *cn = ll_rendezvous_client_new(k.at[0].url, &side_events, &coder);
  ll_rendezvous_client_open_code(cn, 600);
  run_until((gboolean *)&coder.opened);
  g_autofree char *nameplate = g_strdup(ll_rendezvous_client_nameplate(cn));
  /* Its first connection cut, A may close the second itself first. */
  g_assert_cmpint(redis_cut_off(&k, g_subprocess_get_identifier(k.at[0].process)), >=, 1);
  wait_for_log(&k.at[0], "comes back as", WAIT_MS);
  wait_until(&helper.closed, DEATH_MS);   /* B let go of it too */
  g_assert_cmpint(helper.closed_code, ==, LL_ERROR_NOT_WAITING);
  g_assert_false(novice.closed);
  wait_for_count(&k, "lifeline:instance:*", INSTANCES, WAIT_MS);   /* the old id is gone */
  LlRendezvousClient *j = join(&k.at[2], novice.mailbox, &again);
  run_until((gboolean *)&again.peer);
  talk_both_ways(n, &novice, j, &again);
  LlRendezvousClient *c = ll_rendezvous_client_new(k.at[1].url, &side_events, &claimer);
  ll_rendezvous_client_claim(c, nameplate);
  run_until((gboolean *)&claimer.peer);
  talk_both_ways(cn, &coder, c, &claimer);
  LlRendezvousClient *clients[] = { n, h, cn, j, c };
  for (guint i = 0; i < G_N_ELEMENTS(clients); i++)
    ll_rendezvous_client_free(clients[i]);
  Side *sides[] = { &novice, &coder, &helper, &again, &claimer };
  for (guint i = 0; i < G_N_ELEMENTS(sides); i++)
    side_clear(sides[i]);
  cluster_stop(&k);
}
/* A's novice opens its invitation's mailbox again at B when A dies, with
 * its token: a helper finds it through C. Nobody else can take it, at
 * the instance that holds it or at one that does not. */
static void test_invitation_outlives_its_instance(void)
{
  Cluster k;
  cluster_start(&k, "10");
  Side novice = { 0 }, again = { 0 }, helper = { 0 }, here = { 0 }, there = { 0 };
  LlRendezvousClient *n = open_invitation(&k.at[0], &novice);
  g_autofree char *token = g_strdup(ll_rendezvous_client_token(n));
  stop_process(&k.at[0].process);
  run_until(&novice.closed);
  LlRendezvousClient *a = ll_rendezvous_client_new(k.at[1].url, &side_events, &again);
  ll_rendezvous_client_reopen(a, novice.mailbox, token, 3600);
  run_until((gboolean *)&again.mailbox);
  g_assert_cmpstr(again.mailbox, ==, novice.mailbox);
  LlRendezvousClient *h = join(&k.at[2], novice.mailbox, &helper);
  run_until((gboolean *)&helper.peer);
  talk_both_ways(a, &again, h, &helper);
  LlRendezvousClient *t1 = ll_rendezvous_client_new(k.at[1].url, &side_events, &here);
  ll_rendezvous_client_reopen(t1, novice.mailbox, "a-guess", 3600);
  run_until(&here.closed);
  g_assert_nonnull(strstr(here.closed_why, "not yours to open"));
  LlRendezvousClient *t2 = ll_rendezvous_client_new(k.at[2].url, &side_events, &there);
  ll_rendezvous_client_reopen(t2, novice.mailbox, "a-guess", 3600);
  run_until(&there.closed);   /* C held none: Redis' binding says no */
  g_assert_nonnull(strstr(there.closed_why, "not yours to open"));
  g_assert_false(again.closed);
  g_assert_false(helper.closed);
  LlRendezvousClient *clients[] = { n, a, h, t1, t2 };
  for (guint i = 0; i < G_N_ELEMENTS(clients); i++)
    ll_rendezvous_client_free(clients[i]);
  Side *sides[] = { &novice, &again, &helper, &here, &there };
  for (guint i = 0; i < G_N_ELEMENTS(sides); i++)
    side_clear(sides[i]);
  cluster_stop(&k);
}

int main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_assert_cmpint(argc, >=, 2);
  program = argv[1];
  g_test_add_func("/cluster/invitation-across-instances", test_invitation_across_instances);
  g_test_add_func("/cluster/host-across-instances", test_host_across_instances);
  g_test_add_func("/cluster/code-claimed-once-anywhere", test_code_claimed_once_anywhere);
  g_test_add_func("/cluster/claim-limit-shared", test_claim_limit_shared);
  g_test_add_func("/cluster/redis-lost-and-back", test_redis_lost_and_back);
  g_test_add_func("/cluster/instance-killed", test_instance_killed);
  g_test_add_func("/cluster/one-instance-cut-off", test_one_instance_cut_off);
  g_test_add_func("/cluster/invitation-outlives-its-instance",
                  test_invitation_outlives_its_instance);
  return g_test_run();
}

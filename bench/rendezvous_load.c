/* Load on one rendezvous instance (issue 15, item 4): HOSTS registered
 * hosts (each its own key, proven), PAIRS invitation exchanges in flight
 * (a novice's mailbox with its helper, both sending ICE candidates all the
 * time), and meanwhile helpers that reach a random host: the time from a
 * helper's first byte until the host's answer to its ICE credentials is
 * back, p50 and p99. The server is the real lifeline-rendezvous in a
 * process of its own, whose RSS and CPU time are read from /proc.
 *
 * The load comes from WORKERS processes of this program, each from a
 * loopback address of its own (GLib's main loop costs each process time
 * in proportion to its connections, so one process holding them all would
 * measure itself); the helpers that measure come from this one, which
 * holds only them.
 *
 * usage: rendezvous-load LIFELINE-RENDEZVOUS [--hosts N] [--pairs N]
 *        [--probes N] [--seconds S] [--interval-ms MS] [--workers N]
 *        [--threads N] */
#include "common/file_limit.h"
#include "common/fingerprint.h"
#include "common/identity.h"
#include "net/rendezvous_client.h"
#include <gio/gio.h>
#include <signal.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The server lets one address have so many connections waiting for their
 * upgrade; each worker keeps to that. */
#define IN_FLIGHT 8

typedef struct {
  int hosts, pairs, probes, seconds, interval_ms, workers;
  int threads;               /* the server's --threads; 0: its default */
  char *url, *bind;
  int worker;                /* >= 0 in a worker process */
} Options;

/* ---- a worker: hosts that answer, pairs that talk ---- */

typedef struct Worker Worker;

typedef struct {
  Worker *worker;
  LlRendezvousClient *client;
  LlIdentity *identity;
  char *id;
  gboolean ready;
} Host;

typedef struct {
  Worker *worker;
  LlRendezvousClient *novice, *helper;
  char *mailbox;
  guint32 peer;
  gboolean joined;
} Pair;

struct Worker {
  const Options *o;
  GPtrArray *hosts, *pairs;
  int connecting, ready;
  guint64 sent, received;
  gboolean talking;
};

static LlIdentity *fresh_identity(void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *pem = ll_identity_generate_pem(&error);
  g_assert_no_error(error);
  LlIdentity *id = g_new0(LlIdentity, 1);
  id->certificate = g_tls_certificate_new_from_pem(pem, -1, &error);
  g_assert_no_error(error);
  g_assert_true(ll_fingerprint_of_certificate(id->certificate, id->fingerprint));
  return id;
}

static void next_connections(Worker *w);

static void h_opened(LlRendezvousClient *c, const char *mailbox, const LlIceServers *ice,
                     gpointer data)
{
  Host *h = data;
  (void)c; (void)mailbox; (void)ice;
  if (h->ready)
    return;
  h->ready = TRUE;
  h->worker->connecting--;
  h->worker->ready++;
  printf("host %s\n", h->id);
  next_connections(h->worker);
}

/* As a host does: a helper's ICE credentials are answered with its own. */
static void h_signal(LlRendezvousClient *c, guint32 peer, const LlSignalMessage *m, gpointer data)
{
  (void)data;
  if (m->data_kind != LL_ICE_CREDENTIALS)
    return;
  g_autoptr(LlSignalMessage) answer = ll_signal_message_new(LL_SIGNAL_SIGNAL);
  answer->data_kind = LL_ICE_CREDENTIALS;
  answer->ufrag = g_strdup("host");
  answer->pwd = g_strdup("host-password-22-chars");
  ll_rendezvous_client_send_signal(c, peer, answer);
}

static void any_closed(LlRendezvousClient *c, const GError *why, gpointer data)
{
  (void)c; (void)data;
  g_printerr("rendezvous-load: a connection was closed: %s\n", why != NULL ? why->message : "");
}

static const LlRendezvousEvents host_events = {
  .opened = h_opened, .signal = h_signal, .closed = any_closed,
};

static const LlRendezvousEvents helper_events;

static void p_opened(LlRendezvousClient *c, const char *mailbox, const LlIceServers *ice,
                     gpointer data)
{
  Pair *p = data;
  (void)c; (void)ice;
  if (p->mailbox != NULL)
    return;
  p->mailbox = g_strdup(mailbox);
  p->helper = ll_rendezvous_client_new(p->worker->o->url, &helper_events, p);
  ll_rendezvous_client_join(p->helper, p->mailbox);
}

static void p_joined(LlRendezvousClient *c, guint32 peer, const LlIceServers *ice, gpointer data)
{
  Pair *p = data;
  (void)c; (void)ice;
  p->peer = peer;
  p->joined = TRUE;
  p->worker->connecting -= 2;
  p->worker->ready++;
  next_connections(p->worker);
}

static void p_signal(LlRendezvousClient *c, guint32 peer, const LlSignalMessage *m, gpointer data)
{
  (void)c; (void)m; (void)peer;
  ((Pair *)data)->worker->received++;
}

static const LlRendezvousEvents novice_events = {
  .opened = p_opened, .signal = p_signal, .closed = any_closed,
};
static const LlRendezvousEvents helper_events = {
  .joined = p_joined, .signal = p_signal, .closed = any_closed,
};

/* Hosts first, then pairs, IN_FLIGHT connections at a time. */
static void next_connections(Worker *w)
{
  while (w->connecting < IN_FLIGHT && (int)w->hosts->len < w->o->hosts) {
    Host *h = g_new0(Host, 1);
    h->worker = w;
    h->identity = fresh_identity();
    h->id = ll_host_id_of(h->identity->fingerprint);
    h->client = ll_rendezvous_client_new(w->o->url, &host_events, h);
    ll_rendezvous_client_register(h->client, h->id, h->identity);
    g_ptr_array_add(w->hosts, h);
    w->connecting++;
  }
  while ((int)w->hosts->len == w->o->hosts && w->connecting + 2 <= IN_FLIGHT &&
         (int)w->pairs->len < w->o->pairs) {
    Pair *p = g_new0(Pair, 1);
    p->worker = w;
    p->novice = ll_rendezvous_client_new(w->o->url, &novice_events, p);
    ll_rendezvous_client_open(p->novice, 3600);
    g_ptr_array_add(w->pairs, p);
    w->connecting += 2;
  }
  if (w->ready == w->o->hosts + w->o->pairs) {
    printf("ready\n");
    fflush(stdout);
  }
}

static LlSignalMessage *some_candidate(guint64 n)
{
  LlSignalMessage *m = ll_signal_message_new(LL_SIGNAL_SIGNAL);
  m->data_kind = LL_ICE_CANDIDATE;
  m->candidate = g_strdup_printf("candidate:%" G_GUINT64_FORMAT " 1 UDP 2122252543 "
                                 "192.0.2.%u 5%04u typ host", n, (guint)(n % 250) + 1,
                                 (guint)(n % 10000));
  return m;
}

/* Every pair, while talking: a candidate each way. */
static gboolean on_talk(gpointer data)
{
  Worker *w = data;
  for (guint i = 0; w->talking && i < w->pairs->len; i++) {
    Pair *p = g_ptr_array_index(w->pairs, i);
    g_autoptr(LlSignalMessage) up = some_candidate(w->sent++);
    ll_rendezvous_client_send_signal(p->helper, 0, up);
    g_autoptr(LlSignalMessage) down = some_candidate(w->sent++);
    ll_rendezvous_client_send_signal(p->novice, p->peer, down);
  }
  return G_SOURCE_CONTINUE;
}

/* "talk" and "quiet" from the coordinator; at "quiet" the counts. */
static gboolean on_command(GIOChannel *in, GIOCondition condition, gpointer data)
{
  Worker *w = data;
  g_autofree char *line = NULL;
  (void)condition;
  if (g_io_channel_read_line(in, &line, NULL, NULL, NULL) != G_IO_STATUS_NORMAL)
    exit(0);   /* the coordinator is gone */
  if (g_str_has_prefix(line, "talk")) {
    w->talking = TRUE;
  } else if (g_str_has_prefix(line, "quiet")) {
    w->talking = FALSE;
    printf("counts %" G_GUINT64_FORMAT " %" G_GUINT64_FORMAT "\n", w->sent, w->received);
    fflush(stdout);
  }
  return G_SOURCE_CONTINUE;
}

static int run_worker(const Options *o)
{
  ll_rendezvous_clients_bind(o->bind);
  Worker w = { .o = o, .hosts = g_ptr_array_new(), .pairs = g_ptr_array_new() };
  GIOChannel *in = g_io_channel_unix_new(0);
  g_io_add_watch(in, G_IO_IN | G_IO_HUP, on_command, &w);
  g_timeout_add(o->interval_ms, on_talk, &w);
  next_connections(&w);
  g_autoptr(GMainLoop) loop = g_main_loop_new(NULL, FALSE);
  g_main_loop_run(loop);
  return 0;
}

/* ---- the coordinator: the server, the workers, the helpers that measure ---- */

typedef struct {
  GSubprocess *process;
  GDataInputStream *out;
  GOutputStream *in;
} Child;

typedef struct {
  GPtrArray *host_ids;
  GArray *latencies_ms;
  int started, failed, pending;
} Probes;

typedef struct {
  Probes *probes;
  LlRendezvousClient *client;
  gint64 began;
  gboolean done;
} Probe;

static double cpu_seconds(GPid pid)
{
  g_autofree char *path = g_strdup_printf("/proc/%d/stat", pid);
  g_autofree char *text = NULL;
  unsigned long utime = 0, stime = 0;
  const char *after = g_file_get_contents(path, &text, NULL, NULL) ? strrchr(text, ')') : NULL;
  /* state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime */
  if (after == NULL ||
      sscanf(after + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &utime,
             &stime) != 2)
    return -1;
  return (double)(utime + stime) / (double)sysconf(_SC_CLK_TCK);
}

/* A number from /proc/PID/status: "VmRSS:" (kB), "Threads:". */
static double status_field(GPid pid, const char *field)
{
  g_autofree char *path = g_strdup_printf("/proc/%d/status", pid);
  g_autofree char *text = NULL;
  const char *line = g_file_get_contents(path, &text, NULL, NULL) ? strstr(text, field) : NULL;
  return line != NULL ? g_ascii_strtod(line + strlen(field), NULL) : -1;
}

static GPid pid_of(GSubprocess *p) { return atoi(g_subprocess_get_identifier(p)); }

static void probe_free(Probe *p)
{
  ll_rendezvous_client_forget_events(p->client);
  ll_rendezvous_client_free(p->client);
  g_free(p);
}

static gboolean probe_end(gpointer data)
{
  probe_free(data);
  return G_SOURCE_REMOVE;
}

static void pr_joined(LlRendezvousClient *c, guint32 peer, const LlIceServers *ice, gpointer data)
{
  (void)peer; (void)ice; (void)data;
  g_autoptr(LlSignalMessage) m = ll_signal_message_new(LL_SIGNAL_SIGNAL);
  m->data_kind = LL_ICE_CREDENTIALS;
  m->ufrag = g_strdup("probe");
  m->pwd = g_strdup("probe-password-22-chars");
  ll_rendezvous_client_send_signal(c, 0, m);
}

static void pr_signal(LlRendezvousClient *c, guint32 peer, const LlSignalMessage *m, gpointer data)
{
  Probe *p = data;
  (void)c; (void)peer; (void)m;
  if (p->done)
    return;
  p->done = TRUE;
  double ms = (double)(g_get_monotonic_time() - p->began) / 1000.0;
  g_array_append_val(p->probes->latencies_ms, ms);
  p->probes->pending--;
  g_idle_add(probe_end, p);
}

static void pr_closed(LlRendezvousClient *c, const GError *why, gpointer data)
{
  Probe *p = data;
  (void)c;
  g_printerr("rendezvous-load: a helper did not reach its host: %s\n",
             why != NULL ? why->message : "closed");
  p->probes->failed++;
  p->probes->pending--;
  p->done = TRUE;
  g_idle_add(probe_end, p);
}

static const LlRendezvousEvents probe_events = {
  .joined = pr_joined, .signal = pr_signal, .closed = pr_closed,
};

static void probe_once(Probes *probes, const char *url)
{
  Probe *p = g_new0(Probe, 1);
  p->probes = probes;
  p->began = g_get_monotonic_time();
  p->client = ll_rendezvous_client_new(url, &probe_events, p);
  ll_rendezvous_client_join(p->client, g_ptr_array_index(probes->host_ids,
                                                         randombytes_uniform(probes->host_ids->len)));
  probes->started++;
  probes->pending++;
}

static char *read_line(Child *c)
{
  g_autoptr(GError) error = NULL;
  char *line = g_data_input_stream_read_line(c->out, NULL, NULL, &error);
  if (line == NULL)
    g_error("a worker stopped: %s", error != NULL ? error->message : "end of output");
  return line;
}

static void tell(Child *c, const char *command)
{
  g_output_stream_write_all(c->in, command, strlen(command), NULL, NULL, NULL);
  g_output_stream_flush(c->in, NULL, NULL);
}

static Child spawn(GSubprocessFlags flags, const char *const *argv)
{
  g_autoptr(GError) error = NULL;
  Child c = { 0 };
  c.process = g_subprocess_newv(argv, flags | G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error);
  g_assert_no_error(error);
  c.out = g_data_input_stream_new(g_subprocess_get_stdout_pipe(c.process));
  if (flags & G_SUBPROCESS_FLAGS_STDIN_PIPE)
    c.in = g_subprocess_get_stdin_pipe(c.process);
  return c;
}

static Child start_worker(const Options *o, int i, int hosts, int pairs)
{
  g_autofree char *self = g_file_read_link("/proc/self/exe", NULL);
  g_autofree char *index = g_strdup_printf("%d", i);
  g_autofree char *bind = g_strdup_printf("127.0.1.%d", i + 1);
  g_autofree char *h = g_strdup_printf("%d", hosts);
  g_autofree char *p = g_strdup_printf("%d", pairs);
  g_autofree char *ms = g_strdup_printf("%d", o->interval_ms);
  const char *argv[] = { self, "--worker", index, "--url", o->url, "--bind", bind,
                         "--hosts", h, "--pairs", p, "--interval-ms", ms, "x", NULL };
  return spawn(G_SUBPROCESS_FLAGS_STDIN_PIPE, argv);
}

static void wait_ms(guint ms)
{
  gint64 until = g_get_monotonic_time() + (gint64)ms * 1000;
  while (g_get_monotonic_time() < until)
    if (!g_main_context_iteration(NULL, FALSE))
      g_usleep(500);
}

static int compare_doubles(gconstpointer a, gconstpointer b)
{
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

static double percentile(GArray *sorted, double p)
{
  if (sorted->len == 0)
    return -1;
  return g_array_index(sorted, double, (guint)(p * (sorted->len - 1) + 0.5));
}

/* Every worker's hosts, until each says it is ready. */
static void collect_ready(Child *workers, int n, GPtrArray *host_ids)
{
  for (int i = 0; i < n; i++) {
    char *line;
    while (strcmp(line = read_line(&workers[i]), "ready") != 0) {
      if (g_str_has_prefix(line, "host "))
        g_ptr_array_add(host_ids, g_strdup(line + 5));
      g_free(line);
    }
    g_free(line);
  }
}

static void counts(Child *workers, int n, guint64 *sent, guint64 *received)
{
  for (int i = 0; i < n; i++) {
    tell(&workers[i], "quiet\n");
    g_autofree char *line = read_line(&workers[i]);
    guint64 s = 0, r = 0;
    if (sscanf(line, "counts %" G_GUINT64_FORMAT " %" G_GUINT64_FORMAT, &s, &r) == 2) {
      *sent += s;
      *received += r;
    }
  }
}

/* What was read off the server. */
typedef struct {
  double setup_s, setup_cpu, rss_mb, threads, steady_cpu, idle_cpu;
} Reading;

static void report(const Options *o, Probes *pr, const Reading *r, guint64 sent,
                   guint64 received)
{
  g_array_sort(pr->latencies_ms, compare_doubles);
  printf("rendezvous load: one lifeline-rendezvous on %ld cores, load from %d workers\n",
         sysconf(_SC_NPROCESSORS_ONLN), o->workers);
  printf("  registered hosts           %d\n", o->hosts);
  printf("  invitation exchanges       %d, a candidate each way every %d ms\n", o->pairs,
         o->interval_ms);
  printf("  setup                      %.1f s, server CPU %.1f s\n", r->setup_s,
         r->setup_cpu);
  printf("  server, all connected      RSS %.1f MB, %.0f threads in the process\n", r->rss_mb,
         r->threads);
  printf("  steady %d s                server CPU %.0f %% of one core; %" G_GUINT64_FORMAT
         " candidates sent, %" G_GUINT64_FORMAT " delivered\n", o->seconds,
         100.0 * r->steady_cpu / o->seconds, sent, received);
  printf("  idle 10 s                  server CPU %.2f s\n", r->idle_cpu);
  printf("  helper reaches a host      p50 %.1f ms, p99 %.1f ms, max %.1f ms (%u helpers, "
         "%d failed)\n", percentile(pr->latencies_ms, 0.5), percentile(pr->latencies_ms, 0.99),
         percentile(pr->latencies_ms, 1.0), pr->latencies_ms->len, pr->failed);
  fflush(stdout);
}

static int run_coordinator(Options *o, const char *program)
{
  g_autofree char *threads = g_strdup_printf("%d", o->threads);
  const char *server_argv[] = { program, "--listen", "127.0.0.1:0",
                                "--connections-per-address", "1000000",
                                o->threads > 0 ? "--threads" : NULL, threads, NULL };
  Child server = spawn(G_SUBPROCESS_FLAGS_STDERR_SILENCE, server_argv);
  g_autofree char *listening = read_line(&server);
  g_assert_true(g_str_has_prefix(listening, "listening: "));
  o->url = g_strdup(listening + strlen("listening: "));
  GPid pid = pid_of(server.process);
  Probes pr = { .host_ids = g_ptr_array_new_with_free_func(g_free),
                .latencies_ms = g_array_new(FALSE, FALSE, sizeof(double)) };
  gint64 t0 = g_get_monotonic_time();
  double cpu0 = cpu_seconds(pid);
  Child *workers = g_new0(Child, o->workers);
  for (int i = 0; i < o->workers; i++)
    workers[i] = start_worker(o, i, o->hosts / o->workers + (i < o->hosts % o->workers),
                              o->pairs / o->workers + (i < o->pairs % o->workers));
  collect_ready(workers, o->workers, pr.host_ids);
  Reading r = { .setup_s = (double)(g_get_monotonic_time() - t0) / G_USEC_PER_SEC };
  double cpu1 = cpu_seconds(pid);
  r.setup_cpu = cpu1 - cpu0;
  r.rss_mb = status_field(pid, "VmRSS:") / 1024.0;
  r.threads = status_field(pid, "Threads:");
  for (int i = 0; i < o->workers; i++)
    tell(&workers[i], "talk\n");
  guint every_ms = MAX(1, o->seconds * 1000 / MAX(o->probes, 1));
  for (int i = 0; i < o->probes; i++) {
    probe_once(&pr, o->url);
    wait_ms(every_ms);
  }
  double cpu2 = cpu_seconds(pid);
  guint64 sent = 0, received = 0;
  counts(workers, o->workers, &sent, &received);
  for (gint64 until = g_get_monotonic_time() + 10 * G_USEC_PER_SEC;
       pr.pending > 0 && g_get_monotonic_time() < until;)
    wait_ms(10);
  double cpu3 = cpu_seconds(pid);
  wait_ms(10000);
  r.steady_cpu = cpu2 - cpu1;
  r.idle_cpu = cpu_seconds(pid) - cpu3;
  report(o, &pr, &r, sent, received);
  for (int i = 0; i < o->workers; i++) {
    g_subprocess_send_signal(workers[i].process, SIGTERM);
    g_subprocess_wait(workers[i].process, NULL, NULL);
  }
  g_subprocess_send_signal(server.process, SIGTERM);
  g_subprocess_wait(server.process, NULL, NULL);
  return pr.failed == 0 && pr.pending == 0 && pr.latencies_ms->len > 0 ? 0 : 1;
}

int main(int argc, char **argv)
{
  Options o = { .hosts = 10000, .pairs = 1000, .probes = 300, .seconds = 30,
                .interval_ms = 1000, .workers = 8, .worker = -1 };
  GOptionEntry entries[] = {
    { "hosts", 0, 0, G_OPTION_ARG_INT, &o.hosts, "registered hosts", "N" },
    { "pairs", 0, 0, G_OPTION_ARG_INT, &o.pairs, "invitation exchanges", "N" },
    { "probes", 0, 0, G_OPTION_ARG_INT, &o.probes, "helpers reaching a host", "N" },
    { "seconds", 0, 0, G_OPTION_ARG_INT, &o.seconds, "how long the load lasts", "S" },
    { "interval-ms", 0, 0, G_OPTION_ARG_INT, &o.interval_ms, "between candidates", "MS" },
    { "workers", 0, 0, G_OPTION_ARG_INT, &o.workers, "processes making the load (1-200)", "N" },
    { "threads", 0, 0, G_OPTION_ARG_INT, &o.threads, "the server's --threads", "N" },
    { "worker", 0, G_OPTION_FLAG_HIDDEN, G_OPTION_ARG_INT, &o.worker, NULL, NULL },
    { "url", 0, G_OPTION_FLAG_HIDDEN, G_OPTION_ARG_STRING, &o.url, NULL, NULL },
    { "bind", 0, G_OPTION_FLAG_HIDDEN, G_OPTION_ARG_STRING, &o.bind, NULL, NULL },
    { NULL, 0, 0, 0, NULL, NULL, NULL },
  };
  g_autoptr(GOptionContext) ctx = g_option_context_new("LIFELINE-RENDEZVOUS - load a rendezvous");
  g_option_context_add_main_entries(ctx, entries, NULL);
  if (!g_option_context_parse(ctx, &argc, &argv, NULL) || argc != 2 || o.workers < 1 ||
      o.workers > 200 || o.interval_ms < 1 || sodium_init() < 0) {
    fputs("usage: rendezvous-load LIFELINE-RENDEZVOUS [--hosts N] [--pairs N] [--probes N] "
          "[--seconds S] [--interval-ms MS] [--workers N] [--threads N]\n", stderr);
    return 2;
  }
  signal(SIGPIPE, SIG_IGN);
  ll_raise_file_limit();
  return o.worker >= 0 ? run_worker(&o) : run_coordinator(&o, argv[1]);
}

/* `lifeline host`: lets the helpers this machine's policy names offer
 * help without an invitation. Runs in the novice's graphical session
 * (data/lifeline-host.service); the novice is asked before anyone sees
 * the screen, and an offer from anyone else never reaches them. */
#include "common/audit_log.h"
#include "common/identity.h"
#include "common/policy.h"
#include "novice/novice_host.h"
#include "common/rendezvous_url.h"
#include "common/settings.h"
#include "ui/desktop_option.h"
#include "ui/commands.h"
#include "ui/novice_terminal.h"
#include "ui/terminal.h"
#include <string.h>

#define DEFAULT_PORT 4555

typedef struct {
  int port;
  char *policy;
  char *name;
  char *display;
  char *desktop;
  char *rendezvous;
  gboolean verbose;
  gboolean gui;                /* handled by lifeline.c; listed here for --help */
} HostOptions;

typedef struct {
  LlNoviceTerminal terminal;   /* first: the shared events get this as user_data */
  GMainLoop *loop;
  LlLineReader *stdin_lines;
  char *novice_name;
  char *asking_name;
  gboolean in_session;
  gboolean stopping;
  gboolean registering;        /* waiting for the rendezvous's first answer */
} Host;

static void on_ask(LlNoviceHost *host, const char *helper_name, const char *organisation,
                   const char *helper_key, gpointer data)
{
  Host *h = data;
  (void)host;
  guint8 fingerprint[LL_FINGERPRINT_BYTES];
  g_info("helper key: %s", helper_key);
  g_free(h->asking_name);
  h->asking_name = g_strdup(helper_name);
  /* A helper listed by key chose the name themselves: show the key too. */
  g_autofree char *key = ll_fingerprint_from_text(helper_key, fingerprint)
                             ? ll_fingerprint_short(fingerprint) : g_strdup("unknown");
  g_autofree char *from = organisation != NULL && *organisation != '\0'
                              ? g_strdup(organisation)
                              : g_strdup_printf("key %s, listed by this computer's policy", key);
  g_autofree char *what = ll_novice_terminal_what_is_shared(&h->terminal);
  ll_prompt("%s (%s) offers to help you. Let them see your screen%s? [y/N]", helper_name, from,
            what);
}

static void answer(Host *h, const char *line)
{
  gboolean yes = ll_answer_is_yes(line);
  if (!yes)
    ll_say("Not allowed. %s cannot see your screen.", h->asking_name);
  g_clear_pointer(&h->asking_name, g_free);
  ll_novice_host_answer(h->terminal.host, yes);
}

static void on_ask_withdrawn(LlNoviceHost *host, const char *helper_name, gpointer data)
{
  Host *h = data;
  (void)host;
  ll_say("\n%s stopped waiting for your answer.", helper_name);
  g_clear_pointer(&h->asking_name, g_free);
}

static void on_started(LlNoviceHost *host, const char *helper_name, gpointer data)
{
  Host *h = data;
  (void)host;
  h->in_session = TRUE;
  ll_novice_terminal_started(&h->terminal, helper_name);
}

static void on_session_ended(LlNoviceHost *host, const char *helper_name, const GError *why,
                             gpointer data)
{
  Host *h = data;
  (void)host;
  h->in_session = FALSE;
  h->terminal.control_question = FALSE;
  if (why != NULL)
    ll_say("The session with %s ended: %s.", helper_name, why->message);
  else
    ll_say("The session with %s ended.", helper_name);
  ll_say("Nobody sees your screen now. Waiting for offers of help; press Ctrl-C to stop.");
}

static void on_rendezvous_ready(LlNoviceHost *host, const char *mailbox, const GError *error,
                                gpointer data)
{
  Host *h = data;
  (void)host; (void)mailbox;
  if (error != NULL)
    g_printerr("lifeline host: warning: %s; helpers can reach this computer only directly "
               "until the rendezvous answers (retrying)\n", error->message);
  if (h->registering) {
    h->registering = FALSE;
    g_main_loop_quit(h->loop);
  }
}

static void on_finished(LlNoviceHost *host, const GError *why, gpointer data)
{
  Host *h = data;
  (void)host;
  if (why != NULL && !h->stopping)
    ll_say("Stopped: %s.", why->message);
  else
    ll_say("Stopped.");
  g_main_loop_quit(h->loop);
}

static void stop_host(LlNoviceTerminal *terminal)
{
  Host *h = (Host *)terminal;
  if (h->stopping)
    return;
  h->stopping = TRUE;
  g_autofree char *reason = g_strdup_printf("%s stopped sharing the screen", h->novice_name);
  ll_novice_host_stop(h->terminal.host, reason);
}

/* Every line is read as it comes; what it means depends on the moment, and
 * a line typed while nothing is asked and nobody is connected is dropped,
 * so nothing typed early can answer a question not yet asked. */
static void on_line(const char *line, gpointer data)
{
  Host *h = data;
  if (line == NULL)
    return;
  if (h->asking_name != NULL)
    answer(h, line);
  else if (h->in_session)
    ll_novice_terminal_line(&h->terminal, line);
  else if (strcmp(line, "/quit") == 0)
    stop_host(&h->terminal);
}

static gboolean on_signal(gpointer data)
{
  Host *h = data;
  if (h->stopping) {
    g_main_loop_quit(h->loop);
    return G_SOURCE_CONTINUE;
  }
  stop_host(&h->terminal);
  return G_SOURCE_CONTINUE;
}

static LlNoviceHostEvents host_events(void)
{
  LlNoviceHostEvents events = {
    .ask = on_ask,
    .ask_withdrawn = on_ask_withdrawn,
    .started = on_started,
    .session_ended = on_session_ended,
    .rendezvous_ready = on_rendezvous_ready,
    .finished = on_finished,
  };
  ll_novice_terminal_fill_events(&events);
  return events;
}

static void announce(const LlIdentity *identity, const LlPolicy *policy, guint16 port)
{
  g_autofree char *host_id = ll_host_id_of(identity->fingerprint);
  g_autofree char *key = ll_fingerprint_to_text(identity->fingerprint);
  ll_say("host id: %s", host_id);
  ll_say("host key: %s", key);
  ll_say("Listening on port %u. Helpers this computer's policy allows can offer help; "
         "you will always be asked first. Press Ctrl-C to stop.", port);
  if (!policy->offers_allowed)
    g_warning("offers of help are turned off on this computer%s%s; every offer is refused",
              policy->offer_problem != NULL ? ": " : "",
              policy->offer_problem != NULL ? policy->offer_problem : " by policy");
}

static int run(const HostOptions *o, GError **error)
{
  g_autoptr(LlPolicy) policy = ll_policy_load_effective(o->policy);
  ll_policy_log_problems(policy, o->policy != NULL ? o->policy : LL_POLICY_DEFAULT_PATH);
  /* --rendezvous, else those lifeline.conf names (settings.h): the first,
   * and the others in turn when it is lost. */
  g_auto(GStrv) all_rendezvous = ll_settings_choose_rendezvous_all(o->rendezvous, error);
  if (all_rendezvous == NULL)
    return 2;
  const char *rendezvous = all_rendezvous[0];
  const char *const *more_rendezvous =
      (const char *const *)all_rendezvous + (rendezvous != NULL ? 1 : 0);
  LlDesktopChoice desktop;
  if (!ll_desktop_option_parse(o->desktop, o->display, &desktop, error))
    return 2;
  g_autoptr(LlDesktopProbe) probe = ll_desktop_probe(&desktop, error);
  if (probe == NULL)
    return 1;
  g_info("the desktop to share: %s", probe->description);
  g_autoptr(LlIdentity) identity = ll_identity_load_or_create(NULL, error);
  if (identity == NULL)
    return 1;
  g_autoptr(GError) audit_error = NULL;
  g_autoptr(LlAuditLog) audit = ll_audit_log_open(NULL, &audit_error);
  if (audit == NULL)
    g_warning("%s; sessions will not be recorded", audit_error->message);
  Host h = { .loop = g_main_loop_new(NULL, FALSE), .terminal.quit = stop_host,
             .terminal.stop_ways = probe->stop_ways, .terminal.monitors = probe->monitors,
             .novice_name = ll_default_person_name(o->name, identity) };
  LlNoviceHostConfig config = { .identity = identity, .policy_path = o->policy,
                                .novice_name = h.novice_name, .desktop = desktop,
                                .audit = audit, .rendezvous_url = rendezvous,
                                .rendezvous_more = more_rendezvous };
  LlNoviceHostEvents events = host_events();
  h.terminal.host = ll_novice_host_new(&config, &events, &h);
  h.stdin_lines = ll_line_reader_new(0);
  guint16 port = 0;
  int code = 1;
  if (ll_novice_host_listen(h.terminal.host, o->port, &port, error)) {
    h.registering = rendezvous != NULL;
    if (h.registering)
      g_main_loop_run(h.loop);   /* "host id:" once helpers can use it */
    announce(identity, policy, port);
    ll_line_reader_follow(h.stdin_lines, on_line, &h);
    ll_run_until_quit(h.loop, on_signal, &h);
    code = 0;
  }
  ll_novice_host_free(h.terminal.host);
  ll_line_reader_free(h.stdin_lines);
  ll_novice_terminal_clear(&h.terminal);
  g_free(h.asking_name);
  g_free(h.novice_name);
  g_main_loop_unref(h.loop);
  return code;
}

static gboolean parse_options(int argc, char **argv, HostOptions *o, GError **error)
{
  const GOptionEntry entries[] = {
    { "port", 'p', 0, G_OPTION_ARG_INT, &o->port, "Listen on TCP port N (default: 4555)", "N" },
    { "policy", 0, 0, G_OPTION_ARG_FILENAME, &o->policy, "Use the policy in FILE: it narrows /etc/lifeline/policy.conf, or stands in for it where there is none (a per-user install)", "FILE" },
    { "name", 'n', 0, G_OPTION_ARG_STRING, &o->name, "Your name as helpers will see it", "NAME" },
    { "desktop", 0, 0, G_OPTION_ARG_STRING, &o->desktop, ll_desktop_option_help(), "KIND" },
    { "display", 0, 0, G_OPTION_ARG_STRING, &o->display, "With --desktop x11: the X display to share (default: $DISPLAY)", "DISPLAY" },
    { "rendezvous", 'r', 0, G_OPTION_ARG_STRING, &o->rendezvous, "Also register at this rendezvous server under the host id, so helpers behind other NAT routers can reach this computer (like rdv.example.org, rdv.example.org:3478 or wss://rdv.example.org)", "URL" },
    { "verbose", 'v', 0, G_OPTION_ARG_NONE, &o->verbose, "Log what happens in detail", NULL },
    { "gui", 0, 0, G_OPTION_ARG_NONE, &o->gui, "Ask with the desktop app's dialogs instead of this terminal (what the systemd user unit does)", NULL },
    { NULL, 0, 0, 0, NULL, NULL, NULL },
  };
  g_autoptr(GOptionContext) ctx = g_option_context_new("- let your help desk offer help");
  g_option_context_set_summary(ctx,
      "Waits for offers of help from the helpers this computer's policy allows\n"
      "(/etc/lifeline/policy.conf, [offer]). You are asked before anyone sees your\n"
      "screen; offers from anyone else are refused without disturbing you and\n"
      "written to the audit log. Prints \"host id: ...\" when ready.");
  g_option_context_set_description(ctx,
      "Exit status: 0 when stopped, 1 on failure, 2 on wrong usage.");
  g_option_context_add_main_entries(ctx, entries, NULL);
  o->port = DEFAULT_PORT;
  if (!g_option_context_parse(ctx, &argc, &argv, error))
    return FALSE;
  if (argc > 1) {
    g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_FAILED, "unexpected argument \"%s\"", argv[1]);
    return FALSE;
  }
  if (o->port < 0 || o->port > 65535) {
    g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE, "--port must be 0 to 65535");
    return FALSE;
  }
  return TRUE;
}

int ll_host_command(int argc, char **argv)
{
  HostOptions o = { 0 };
  g_autoptr(GError) error = NULL;
  int code = 2;
  if (parse_options(argc, argv, &o, &error)) {
    ll_logging_init(o.verbose);
    code = run(&o, &error);
  }
  if (error != NULL)
    g_printerr("lifeline host: %s\n", error->message);
  g_free(o.policy);
  g_free(o.name);
  g_free(o.display);
  g_free(o.desktop);
  g_free(o.rendezvous);
  return error != NULL && code == 0 ? 1 : code;
}

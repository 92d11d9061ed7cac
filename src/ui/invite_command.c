/* `lifeline invite`: share this desktop with one helper. */
#include "common/audit_log.h"
#include "common/control_message.h"
#include "common/duration.h"
#include "common/error.h"
#include "common/file_claim.h"
#include "common/identity.h"
#include "common/policy.h"
#include "common/invitation_file.h"
#include "common/password_policy.h"
#include "novice/novice_host.h"
#include "common/rendezvous_url.h"
#include "common/settings.h"
#include "ui/code_terminal.h"
#include "ui/desktop_option.h"
#include "ui/commands.h"
#include "ui/novice_terminal.h"
#include "ui/password_prompt.h"
#include "ui/terminal.h"
#include <sodium.h>
#include <string.h>

#define DEFAULT_LIFETIME (60 * 60)
#define MAX_LIFETIME (7 * 24 * 60 * 60)

typedef struct {
  int port;
  char *out;
  char *expires;
  char *grace;
  char *password_file;
  char *password_choice;        /* --password: only "generate" */
  char *password;               /* what seals the invitation (wiped in options_clear) */
  gsize password_len;
  char *name;
  char *display;
  char *desktop;
  gboolean link;
  gboolean code;
  gboolean view_only;
  char *rendezvous;
  char *policy;
  gboolean no_upnp;
  gboolean verbose;
} InviteOptions;

typedef struct {
  LlNoviceTerminal terminal;   /* first: the shared events get this as user_data */
  GMainLoop *loop;
  LlLineReader *stdin_lines;
  LlInvitation *invitation;
  char *asking_name;
  gboolean reachable;          /* the invitation says every way to reach us */
  gboolean code;               /* --code: no file; the rendezvous is a must */
  GError *rendezvous_error;    /* why the invitation's mailbox could not be opened */
  const char *rendezvous_url;
  LlCodeWaiter *waiter;        /* --code: the code on show */
  gboolean shared;             /* someone saw the screen */
  gboolean stopping;
  int exit_code;
} Invite;

static void on_line(const char *line, gpointer data);

static void on_answer(const char *line, gpointer data)
{
  Invite *inv = data;
  gboolean yes = ll_answer_is_yes(line);
  if (line == NULL)
    ll_say("(no answer: the input was closed) Not allowed.");
  else if (!yes)
    ll_say("Not allowed. %s cannot see your screen.", inv->asking_name);
  if (!yes && inv->code) {
    /* The code was used by someone the novice does not want: a fresh
     * secret nobody knows, and a fresh code. */
    ll_code_waiter_free(inv->waiter);
    randombytes_buf(inv->invitation->secret, sizeof inv->invitation->secret);
    ll_novice_host_pin_helper(inv->terminal.host, NULL);
    inv->waiter = ll_code_terminal_start(inv->terminal.host, inv->rendezvous_url,
                                         inv->invitation);
  } else if (!yes) {
    g_autofree char *until = ll_format_local_time(ll_invitation_expires(inv->invitation));
    ll_say("Your invitation still waits for your helper, until %s. Press Ctrl-C to cancel it.",
           until);
  }
  g_clear_pointer(&inv->asking_name, g_free);
  ll_novice_host_answer(inv->terminal.host, yes);
}

static void on_ask(LlNoviceHost *host, const char *helper_name, const char *organisation,
                   const char *helper_key, gpointer data)
{
  Invite *inv = data;
  (void)host; (void)organisation;
  g_info("helper key: %s", helper_key);
  g_free(inv->asking_name);
  inv->asking_name = g_strdup(helper_name);
  g_autofree char *what = ll_novice_terminal_what_is_shared(&inv->terminal);
  ll_say("(\u201c%s\u201d is the name they gave themselves; Lifeline cannot check it. Allow "
         "this only if you asked them for help.)", helper_name);
  ll_prompt("%s wants to see your screen%s. Allow? [y/N]", helper_name, what);
  ll_line_reader_ask(inv->stdin_lines, on_answer, inv);
}

static void on_ask_withdrawn(LlNoviceHost *host, const char *helper_name, gpointer data)
{
  Invite *inv = data;
  (void)host;
  ll_line_reader_withdraw(inv->stdin_lines);
  ll_say("\n%s stopped waiting for your answer.", helper_name);
  g_clear_pointer(&inv->asking_name, g_free);
}

static void on_started(LlNoviceHost *host, const char *helper_name, gpointer data)
{
  Invite *inv = data;
  (void)host;
  inv->shared = TRUE;
  ll_novice_terminal_started(&inv->terminal, helper_name);
  ll_line_reader_follow(inv->stdin_lines, on_line, inv);
}

static void stop_sharing(LlNoviceTerminal *terminal)
{
  Invite *inv = (Invite *)terminal;
  if (inv->stopping)
    return;
  inv->stopping = TRUE;
  g_autofree char *reason =
      g_strdup_printf("%s stopped sharing the screen", inv->invitation->novice_name);
  ll_novice_host_stop(inv->terminal.host, reason);
}

static void on_line(const char *line, gpointer data)
{
  Invite *inv = data;
  if (line == NULL)
    return;   /* no more input: sharing goes on until Ctrl-C */
  ll_novice_terminal_line(&inv->terminal, line);
}

static void on_finished(LlNoviceHost *host, const GError *why, gpointer data)
{
  Invite *inv = data;
  (void)host;
  if (inv->stopping && !inv->shared) {
    ll_say("The invitation was cancelled. Nobody saw your screen.");
  } else if (inv->stopping || why == NULL) {
    ll_say("Sharing stopped.");
  } else if (g_error_matches(why, LL_ERROR, LL_ERROR_EXPIRED)) {
    g_autofree char *sentence = ll_sentence(why->message);
    ll_say("%s Run \"lifeline invite\" again for a new one.", sentence);
    inv->exit_code = 1;
  } else if (g_error_matches(why, LL_ERROR, LL_ERROR_CLOSED)) {
    ll_say("Sharing stopped: %s.", why->message);
  } else {
    ll_say("Sharing stopped: %s.", why->message);
    inv->exit_code = 1;
  }
  g_main_loop_quit(inv->loop);
}

static void on_invitation_ready(LlNoviceHost *host, const LlInvitation *invitation,
                                const GError *rendezvous_error, gpointer data)
{
  Invite *inv = data;
  (void)host; (void)invitation;
  if (rendezvous_error != NULL && inv->code)
    inv->rendezvous_error = g_error_copy(rendezvous_error);
  else if (rendezvous_error != NULL)
    g_printerr("lifeline invite: warning: %s; the invitation will work only where this "
               "computer can be reached directly\n", rendezvous_error->message);
  inv->reachable = TRUE;
  g_main_loop_quit(inv->loop);
}

static LlNoviceHostEvents invite_events(void)
{
  LlNoviceHostEvents events = {
    .invitation_ready = on_invitation_ready,
    .ask = on_ask,
    .ask_withdrawn = on_ask_withdrawn,
    .started = on_started,
    .finished = on_finished,
  };
  ll_novice_terminal_fill_events(&events);
  return events;
}

static gboolean on_signal(gpointer data)
{
  Invite *inv = data;
  if (inv->stopping) {
    ll_say("Stopping now.");
    g_main_loop_quit(inv->loop);
    return G_SOURCE_CONTINUE;
  }
  stop_sharing(&inv->terminal);
  return G_SOURCE_CONTINUE;
}

static gboolean parse_options(int argc, char **argv, InviteOptions *o, GError **error)
{
  const GOptionEntry entries[] = {
    { "port", 'p', 0, G_OPTION_ARG_INT, &o->port, "Listen on TCP port N (default: any free port)", "N" },
    { "out", 'o', 0, G_OPTION_ARG_FILENAME, &o->out, "Write the invitation to FILE (default: ~/lifeline-invitation.lifeline)", "FILE" },
    { "expires", 'e', 0, G_OPTION_ARG_STRING, &o->expires, "How long the invitation stays valid, like 30m or 2h (default: 1h)", "TIME" },
    { "password-file", 0, 0, G_OPTION_ARG_FILENAME, &o->password_file, "Protect the invitation with the password on the first line of FILE (at least 12 characters, not easy to guess)", "FILE" },
    { "password", 0, 0, G_OPTION_ARG_STRING, &o->password_choice, "Protect the invitation with a password: \"generate\" makes four random words to read out, \"ask\" asks for yours on the terminal (not shown)", "generate|ask" },
    { "name", 'n', 0, G_OPTION_ARG_STRING, &o->name, "Your name as the helper will see it", "NAME" },
    { "desktop", 0, 0, G_OPTION_ARG_STRING, &o->desktop, ll_desktop_option_help(), "KIND" },
    { "display", 0, 0, G_OPTION_ARG_STRING, &o->display, "With --desktop x11: the X display to share (default: $DISPLAY)", "DISPLAY" },
    { "link", 0, 0, G_OPTION_ARG_NONE, &o->link, "Also print the invitation as a lifeline: link", NULL },
    { "code", 'c', 0, G_OPTION_ARG_NONE, &o->code, "No file: show a code to read out to your helper over the phone (needs a rendezvous server)", NULL },
    { "grace", 0, 0, G_OPTION_ARG_STRING, &o->grace, "How long a lost connection may take to come back before the session ends, like 30s or 2m (default: 30s)", "TIME" },
    { "view-only", 0, 0, G_OPTION_ARG_NONE, &o->view_only, "Never let the helper control keyboard and mouse", NULL },
    { "no-upnp", 0, 0, G_OPTION_ARG_NONE, &o->no_upnp, "Do not ask the router to forward a port (UPnP)", NULL },
    { "rendezvous", 'r', 0, G_OPTION_ARG_STRING, &o->rendezvous, "Also be reachable through this rendezvous server, across NAT routers (like rdv.example.org, rdv.example.org:3478 or wss://rdv.example.org)", "URL" },
    { "policy", 0, 0, G_OPTION_ARG_FILENAME, &o->policy, "Use the policy in FILE: it narrows /etc/lifeline/policy.conf, or stands in for it where there is none (a per-user install)", "FILE" },
    { "verbose", 'v', 0, G_OPTION_ARG_NONE, &o->verbose, "Log what happens in detail", NULL },
    { NULL, 0, 0, 0, NULL, NULL, NULL },
  };
  g_autoptr(GOptionContext) ctx = g_option_context_new("- ask someone to help you");
  g_option_context_set_summary(ctx,
      "Shares this desktop with one helper. Writes an invitation to send to them;\n"
      "when they open it you are asked whether they may see your screen.");
  g_option_context_set_description(ctx,
      "The invitation works once and expires. Press Ctrl-C to cancel it or to stop sharing.\n"
      "Exit status: 0 when sharing ended normally, 1 on failure or expiry, 2 on wrong usage.");
  g_option_context_add_main_entries(ctx, entries, NULL);
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
  if (o->code && (o->out != NULL || o->link || o->password_file != NULL ||
                  o->password_choice != NULL)) {
    g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_FAILED,
                "a code takes the place of the invitation file, so --code does not go with "
                "--out, --link or a password (the code is its own protection)");
    return FALSE;
  }
  return TRUE;
}

static void options_clear(InviteOptions *o)
{
  g_free(o->out);
  g_free(o->expires);
  g_free(o->grace);
  g_free(o->password_file);
  g_free(o->password_choice);
  if (o->password != NULL)
    sodium_memzero(o->password, o->password_len);
  g_free(o->password);
  g_free(o->name);
  g_free(o->display);
  g_free(o->desktop);
  g_free(o->rendezvous);
  g_free(o->policy);
}

/* Saves the invitation; with --link, *link is the same as a link. */
/* A second invite must not replace the file a first one still waits with. */
static gboolean check_not_waiting(const char *path, GError **error)
{
  if (!ll_file_is_claimed(path))
    return TRUE;
  g_set_error(error, LL_ERROR, LL_ERROR_FAILED,
              "another invitation is still waiting in %s; cancel that one first (Ctrl-C where "
              "it runs), or write this one elsewhere with --out FILE", path);
  return FALSE;
}

static gboolean write_invitation(const InviteOptions *o, const LlInvitation *invitation,
                                 const char *path, char **link, GError **error)
{
  if (!ll_invitation_save(invitation, path, o->password, o->password_len,
                          ll_seal_cost_default(), error))
    return FALSE;
  if (o->link)
    *link = ll_invitation_to_link(invitation, o->password, o->password_len,
                                  ll_seal_cost_default(), error);
  return !o->link || *link != NULL;
}

/* --password ask: typed twice on the terminal, shown neither time. */
static char *ask_new_password(gsize *len, GError **error)
{
  char *first = ll_password_ask("Choose a password for the invitation (not shown): ", len, error);
  if (first == NULL)
    return NULL;
  gsize again_len = 0;
  char *again = ll_password_ask("Type it again: ", &again_len, error);
  gboolean same = again != NULL && again_len == *len && sodium_memcmp(first, again, *len) == 0;
  if (again != NULL) {
    sodium_memzero(again, again_len);
    g_free(again);
    if (!same)
      g_set_error_literal(error, LL_ERROR, LL_ERROR_USAGE,
                          "the two passwords were not the same; run the command again");
  }
  if (!same) {
    sodium_memzero(first, *len);
    g_clear_pointer(&first, g_free);
  }
  return first;
}

static gboolean password_choice_is_known(const InviteOptions *o, GError **error)
{
  if (o->password_choice != NULL && o->password_file != NULL) {
    g_set_error_literal(error, LL_ERROR, LL_ERROR_USAGE,
                        "give either --password or --password-file, not both");
    return FALSE;
  }
  if (o->password_choice != NULL && strcmp(o->password_choice, "generate") != 0 &&
      strcmp(o->password_choice, "ask") != 0) {
    g_set_error_literal(error, LL_ERROR, LL_ERROR_USAGE,
                        "--password takes \"generate\" or \"ask\" (a password on the command "
                        "line would show to every program); or put yours in a file for "
                        "--password-file");
    return FALSE;
  }
  return TRUE;
}

/* The password that will seal the invitation, checked before anything
 * starts: FALSE with a sentence (a usage error) when it will not do. */
static gboolean choose_password(InviteOptions *o, GError **error)
{
  if (!password_choice_is_known(o, error))
    return FALSE;
  if (g_strcmp0(o->password_choice, "generate") == 0) {
    o->password = ll_password_generate(error);
    o->password_len = o->password != NULL ? strlen(o->password) : 0;
    return o->password != NULL;
  }
  if (o->password_choice != NULL)
    o->password = ask_new_password(&o->password_len, error);
  else if (o->password_file != NULL)
    o->password = ll_password_read_file(o->password_file, &o->password_len, error);
  else
    return TRUE;
  if (o->password == NULL)
    return FALSE;
  if (!ll_password_check(o->password, o->password_len, error)) {
    char *with_hint = g_strdup_printf("%s (lifeline invite --password generate makes some)",
                                      (*error)->message);
    g_free((*error)->message);
    (*error)->message = with_hint;
    return FALSE;
  }
  return TRUE;
}

static void explain(const InviteOptions *o, const LlInvitation *invitation, const char *path,
                    const char *link)
{
  g_autofree char *until = ll_format_local_time(ll_invitation_expires(invitation));
  ll_say("Your invitation is ready: %s", path);
  ll_say("Send this file to the person who will help you, by e-mail or chat.");
  if (link != NULL)
    ll_say("Or send this link instead of the file:\n%s", link);
  ll_say("It can be used once, until %s.", until);
  if (g_strcmp0(o->password_choice, "generate") == 0)
    ll_say("It is protected by the password: %s\nTell it to them another way, by phone for "
           "example, not in the same message as the invitation.", o->password);
  else if (o->password != NULL)
    ll_say("It is protected by your password: tell them the password another way, "
           "by phone for example.");
  ll_say("Waiting for your helper to connect. Press Ctrl-C to cancel the invitation.");
}

/* Invitations as the machine's policy allows them: FALSE when it turned
 * them off; the lifetime cut to its longest, with a warning. */
static gboolean apply_policy(const InviteOptions *o, gint64 *lifetime, gboolean *view_only,
                             GError **error)
{
  g_autoptr(LlPolicy) policy = ll_policy_load_effective(o->policy);
  gboolean cut = FALSE;
  ll_policy_log_problems(policy, o->policy != NULL ? o->policy : LL_POLICY_DEFAULT_PATH);
  *view_only = o->view_only;
  if (!ll_policy_check_invitation(policy, lifetime, &cut, view_only, error))
    return FALSE;
  if (cut) {
    g_autofree char *longest = ll_duration_describe(policy->max_lifetime_s);
    g_printerr("lifeline invite: warning: this computer's policy allows invitations of at most "
               "%s; this one lasts %s\n", longest, longest);
  }
  if (policy->solicited_view_only && !o->view_only)
    ll_say("This computer's policy makes sessions view-only: your helper can watch but "
           "never control your keyboard and mouse.");
  return TRUE;
}

/* Once every way in is known: the file (and link) to send, or a code.
 * *CLAIM holds the file while the invitation waits. */
static gboolean hand_out(Invite *inv, const InviteOptions *o, const char *path, int *claim,
                         GError **error)
{
  if (inv->code) {
    if (inv->rendezvous_error != NULL) {
      g_set_error(error, LL_ERROR, LL_ERROR_UNREACHABLE,
                  "the rendezvous server cannot be reached (%s), and a code needs it",
                  inv->rendezvous_error->message);
      return FALSE;
    }
    inv->waiter = ll_code_terminal_start(inv->terminal.host, inv->rendezvous_url,
                                         inv->invitation);
    return TRUE;
  }
  g_autofree char *link = NULL;
  if (!check_not_waiting(path, error) ||
      !write_invitation(o, inv->invitation, path, &link, error) ||
      (*claim = ll_file_claim(path, error)) < 0)
    return FALSE;
  explain(o, inv->invitation, path, link);
  return TRUE;
}

/* The invitation's settings from the options, policy and lifeline.conf;
 * the exit status on failure (0: all well). */
static int settings(const InviteOptions *o, gint64 *lifetime, gint64 *grace,
                    gboolean *view_only, char ***rendezvous, GError **error)
{
  if (o->expires != NULL && !ll_duration_parse(o->expires, MAX_LIFETIME, lifetime, error))
    return 2;
  if (!apply_policy(o, lifetime, view_only, error))
    return 1;
  if (o->grace != NULL && !ll_duration_parse(o->grace, LL_MAX_GRACE_S, grace, error))
    return 2;
  /* --rendezvous, else those lifeline.conf names (settings.h): the first,
   * and the others for the invitation to name too. */
  *rendezvous = ll_settings_choose_rendezvous_all(o->rendezvous, error);
  if (*rendezvous == NULL)
    return 2;
  if ((*rendezvous)[0] == NULL && o->code) {
    g_set_error_literal(error, LL_ERROR, LL_ERROR_USAGE, LL_CODE_NEEDS_RENDEZVOUS);
    return 2;
  }
  return 0;
}

static int share(const InviteOptions *o, Invite *inv, LlNoviceHostConfig *config,
                 const char *path, GError **error)
{
  LlNoviceHostEvents events = invite_events();
  guint16 port = 0;
  inv->terminal.host = ll_novice_host_new(config, &events, inv);
  inv->stdin_lines = ll_line_reader_new(0);
  int code = 1, claim = -1;
  if (ll_novice_host_listen(inv->terminal.host, o->port, &port, error)) {
    g_main_loop_run(inv->loop);   /* until the mailbox and the router's mapping are settled */
    if (inv->reachable && hand_out(inv, o, path, &claim, error)) {
      ll_run_until_quit(inv->loop, on_signal, inv);
      code = inv->exit_code;
    }
  }
  g_clear_pointer(&inv->waiter, ll_code_waiter_free);
  ll_file_release(claim);
  ll_novice_host_free(inv->terminal.host);   /* also: the router forgets the port */
  ll_line_reader_free(inv->stdin_lines);
  return code;
}

static int run(const InviteOptions *o, GError **error)
{
  gint64 lifetime = DEFAULT_LIFETIME, grace = LL_DEFAULT_GRACE_S;
  gboolean view_only = FALSE;
  g_auto(GStrv) all_rendezvous = NULL;
  int failed = settings(o, &lifetime, &grace, &view_only, &all_rendezvous, error);
  if (failed != 0)
    return failed;
  const char *rendezvous = all_rendezvous[0];
  LlDesktopChoice desktop;
  if (!ll_desktop_option_parse(o->desktop, o->display, &desktop, error))
    return 2;
  g_autofree char *path = o->out != NULL ? g_strdup(o->out)
                          : g_build_filename(g_get_home_dir(), "lifeline-invitation.lifeline", NULL);
  if (!o->code && !check_not_waiting(path, error))
    return 1;
  g_autoptr(LlDesktopProbe) probe = ll_desktop_probe(&desktop, error);
  if (probe == NULL)
    return 1;
  g_info("the desktop to share: %s", probe->description);
  g_autoptr(LlIdentity) identity = ll_identity_load_or_create(NULL, error);
  if (identity == NULL)
    return 1;
  g_autofree char *name = ll_default_person_name(o->name, identity);
  g_autoptr(LlInvitation) invitation =
      ll_invitation_new(name, identity->fingerprint, g_get_real_time() / G_USEC_PER_SEC, lifetime);
  g_autoptr(GError) audit_error = NULL;
  g_autoptr(LlAuditLog) audit = ll_audit_log_open(NULL, &audit_error);
  if (audit == NULL)
    g_warning("%s; this session will not be recorded", audit_error->message);
  Invite inv = { .loop = g_main_loop_new(NULL, FALSE), .invitation = invitation,
                 .code = o->code, .rendezvous_url = rendezvous, .terminal.quit = stop_sharing,
                 .terminal.stop_ways = probe->stop_ways, .terminal.monitors = probe->monitors };
  LlNoviceHostConfig config = { .identity = identity, .invitation = invitation,
                                .desktop = desktop, .view_only = view_only,
                                .audit = audit, .rendezvous_url = rendezvous,
                                .rendezvous_more = (const char *const *)all_rendezvous +
                                                   (rendezvous != NULL ? 1 : 0),
                                .grace_s = grace, .map_port = !o->no_upnp };
  int code = share(o, &inv, &config, path, error);
  g_free(inv.asking_name);
  g_clear_error(&inv.rendezvous_error);
  ll_novice_terminal_clear(&inv.terminal);
  g_main_loop_unref(inv.loop);
  return code;
}

int ll_invite_command(int argc, char **argv)
{
  InviteOptions o = { 0 };
  g_autoptr(GError) error = NULL;
  int code = 2;
  if (parse_options(argc, argv, &o, &error)) {
    ll_logging_init(o.verbose);
    if (choose_password(&o, &error))
      code = run(&o, &error);
    else
      code = g_error_matches(error, LL_ERROR, LL_ERROR_USAGE) ? 2 : 1;
  }
  if (error != NULL)
    g_printerr("lifeline invite: %s\n", error->message);
  options_clear(&o);
  return error != NULL && code == 0 ? 1 : code;
}

char *ll_default_person_name(const char *name, const LlIdentity *identity)
{
  if (name != NULL && *name != '\0')
    return g_strdup(name);
  if (identity != NULL && identity->name != NULL)
    return g_strdup(identity->name);
  const char *real = g_get_real_name();
  if (real != NULL && *real != '\0' && g_strcmp0(real, "Unknown") != 0)
    return g_strdup(real);
  return g_strdup(g_get_user_name());
}

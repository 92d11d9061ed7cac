/* `lifeline join`: open an invitation and see the novice's screen. */
#include "common/error.h"
#include "common/identity.h"
#include "common/invitation_file.h"
#include "helper/code_claim.h"
#include "helper/helper_join.h"
#include "ui/commands.h"
#include "ui/terminal.h"
#include "ui/password_prompt.h"
#include "common/rendezvous_url.h"
#include "common/settings.h"
#include <sodium.h>
#include <string.h>

typedef struct {
  int vnc_port;
  char *password_file;
  char *name;
  gboolean verbose;
  gboolean json;
  char *paths;
  char *host_key;
  char *rendezvous;
  char **rest;
} JoinOptions;

static void join_options_clear(JoinOptions *o);

typedef struct {
  const char *command;        /* "join" or "offer", for error lines */
  GMainLoop *loop;
  LlHelperJoin *join;
  LlLineReader *stdin_lines;
  char *helper_name;
  char *novice_name;
  gboolean json;
  gboolean stopping;
  int exit_code;
  LlMonitor monitors[LL_MAX_MONITORS];   /* the novice's, as last told */
  guint n_monitors, shown;
} Join;

static void on_line(const char *line, gpointer data);
static void leave(Join *j);

static void on_connected(LlHelperJoin *join, const char *path, const char *endpoint,
                         gint64 elapsed_ms, gpointer data)
{
  Join *j = data;
  (void)join;
  g_info("secure connection to %s", endpoint);
  if (j->json)
    ll_say("{\"connected\": true, \"path\": \"%s\", \"ms\": %" G_GINT64_FORMAT "}", path,
           elapsed_ms);
  else
    ll_say("connected via %s in %" G_GINT64_FORMAT " ms", path, elapsed_ms);
}

static void on_waiting(LlHelperJoin *join, const char *novice_name, gpointer data)
{
  (void)join; (void)data;
  ll_say("Waiting for %s to allow you to see the screen...", novice_name);
}

static void on_ready(LlHelperJoin *join, guint16 port, gpointer data)
{
  Join *j = data;
  g_free(j->novice_name);
  j->novice_name = g_strdup(ll_helper_join_peer_name(join));
  ll_say("ready: vnc://127.0.0.1:%u", port);
  ll_say("Type a message and press Enter to chat; /control asks for control; /help for more.");
  ll_line_reader_follow(j->stdin_lines, on_line, j);
}

static void on_control_granted(LlHelperJoin *join, gpointer data)
{
  (void)join; (void)data;
  ll_say("control: granted");
}

static void on_control_denied(LlHelperJoin *join, const char *reason, gpointer data)
{
  (void)join; (void)data;
  ll_say("control: refused: %s", reason);
}

static void on_control_ended(LlHelperJoin *join, const char *by, gpointer data)
{
  Join *j = data;
  (void)join;
  /* Your own /release is said to you as such, as the app does. */
  g_autofree char *why = ll_control_end_sentence(by, j->novice_name, "you");
  ll_say("control: ended: %s", why);
}

static void on_chat(LlHelperJoin *join, const char *from, const char *text, gpointer data)
{
  (void)join; (void)data;
  ll_say_chat(from, text);
}

/* "monitors: 1=left 800x600+0+0, 2=right 800x600+800+0; showing: all" */
static void say_monitors(Join *j)
{
  g_autoptr(GString) line = g_string_new("monitors: ");
  for (guint i = 0; i < j->n_monitors; i++) {
    const LlMonitor *m = &j->monitors[i];
    g_string_append_printf(line, "%s%u=%s %dx%d+%d+%d", i > 0 ? ", " : "", i + 1, m->name,
                           m->width, m->height, m->x, m->y);
  }
  if (j->shown == 0)
    g_string_append(line, "; showing: all");
  else
    g_string_append_printf(line, "; showing: %u", j->shown);
  ll_say("%s", line->str);
}

static void on_monitors(LlHelperJoin *join, const LlMonitor *monitors, guint n, guint shown,
                        gpointer data)
{
  Join *j = data;
  (void)join;
  gboolean first = j->n_monitors == 0;
  if (!first && n == j->n_monitors && shown == j->shown &&
      memcmp(monitors, j->monitors, n * sizeof *monitors) == 0)
    return;                      /* told again, nothing new */
  memcpy(j->monitors, monitors, MIN(n, LL_MAX_MONITORS) * sizeof *monitors);
  j->n_monitors = MIN(n, LL_MAX_MONITORS);
  j->shown = shown;
  if (n < 2)
    return;                      /* one monitor: nothing to choose */
  say_monitors(j);
  if (first)
    ll_say("%s has %u monitors; /monitor N shows only monitor N, /monitor 0 all of them.",
           j->novice_name, n);
}

static void on_viewer_refused(LlHelperJoin *join, gint64 uid, const char *why, gpointer data)
{
  (void)join; (void)uid; (void)data;
  g_autofree char *sentence = g_strdup(why);
  sentence[0] = g_ascii_toupper(sentence[0]);
  ll_say("%s.", sentence);
}

static void choose_monitor(Join *j, const char *number)
{
  char *end = NULL;
  guint64 n = g_ascii_strtoull(number, &end, 10);
  if (*number == '\0') {
    if (j->n_monitors > 1)
      say_monitors(j);
    else
      ll_say("%s has one monitor; you see all of it.", j->novice_name);
  } else if (end == number || *end != '\0' || n > j->n_monitors) {
    ll_say("There is no monitor %s; %s has %u (type /monitor to list them).", number,
           j->novice_name, MAX(j->n_monitors, 1u));
  } else {
    ll_helper_join_show_monitor(j->join, (guint)n);
  }
}

static void on_reconnecting(LlHelperJoin *join, const char *why, guint grace_s, gpointer data)
{
  (void)join; (void)data;
  ll_say("connection lost (%s); reconnecting for up to %u s...", why, grace_s);
}

static void on_reconnected(LlHelperJoin *join, const char *path, gint64 elapsed_ms, gpointer data)
{
  Join *j = data;
  (void)join;
  if (j->json)
    ll_say("{\"reconnected\": true, \"path\": \"%s\", \"ms\": %" G_GINT64_FORMAT "}", path,
           elapsed_ms);
  else
    ll_say("reconnected via %s in %" G_GINT64_FORMAT " ms", path, elapsed_ms);
}

static void print_help(void)
{
  ll_say("Type a message and press Enter to send it.");
  ll_say("  /control  ask for control of the keyboard and mouse");
  ll_say("  /release  give control back");
  ll_say("  /monitor  list the monitors; /monitor N shows only monitor N, /monitor 0 all");
  ll_say("  /quit     leave the session (Ctrl-C does the same)");
  ll_say("  /help     show this");
}

static void run_command(Join *j, const char *line)
{
  if (strcmp(line, "/control") == 0) {
    ll_say("Asking %s for control...", j->novice_name);
    ll_helper_join_request_control(j->join);
  } else if (strcmp(line, "/release") == 0) {
    ll_helper_join_release_control(j->join);
  } else if (strcmp(line, "/monitor") == 0 || g_str_has_prefix(line, "/monitor ")) {
    g_autofree char *number = g_strstrip(g_strdup(line + strlen("/monitor")));
    choose_monitor(j, number);
  } else if (strcmp(line, "/quit") == 0) {
    leave(j);
  } else if (strcmp(line, "/help") == 0) {
    print_help();
  } else if (strcmp(line, "/stop") == 0) {
    ll_say("/stop is for %s; to give control back, type /release.", j->novice_name);
  } else {
    ll_say("There is no command %s; type /help for the commands.", line);
  }
}

static void on_line(const char *line, gpointer data)
{
  Join *j = data;
  g_autoptr(GError) error = NULL;
  if (line == NULL || *line == '\0')
    return;
  if (line[0] == '/')
    run_command(j, line);
  else if (!ll_helper_join_send_chat(j->join, line, &error))
    ll_say("%s", error->message);
}

static void on_finished(LlHelperJoin *join, const GError *why, gpointer data)
{
  Join *j = data;
  (void)join;
  if (why == NULL || j->stopping) {
    ll_say("You left the session.");
  } else if (g_error_matches(why, LL_ERROR, LL_ERROR_REFUSED)) {
    ll_say("refused: %s", why->message);
    j->exit_code = 1;
  } else if (g_error_matches(why, LL_ERROR, LL_ERROR_CLOSED)) {
    ll_say("The session ended: %s.", why->message);
  } else {
    g_autofree char *sentence =
        ll_unreached_sentence(why, j->novice_name, g_strcmp0(j->command, "offer") == 0);
    g_printerr("lifeline %s: %s\n", j->command, sentence != NULL ? sentence : why->message);
    j->exit_code = 1;
  }
  g_main_loop_quit(j->loop);
}

static const LlHelperJoinEvents join_events = {
  .connected = on_connected,
  .waiting = on_waiting,
  .ready = on_ready,
  .control_granted = on_control_granted,
  .control_denied = on_control_denied,
  .control_ended = on_control_ended,
  .chat = on_chat,
  .monitors = on_monitors,
  .viewer_refused = on_viewer_refused,
  .reconnecting = on_reconnecting,
  .reconnected = on_reconnected,
  .finished = on_finished,
};

static void leave(Join *j)
{
  if (j->stopping)
    return;
  j->stopping = TRUE;
  g_autofree char *reason = g_strdup_printf("%s left the session", j->helper_name);
  ll_helper_join_stop(j->join, reason);
}

static gboolean on_signal(gpointer data)
{
  Join *j = data;
  if (j->stopping) {
    g_main_loop_quit(j->loop);
    return G_SOURCE_CONTINUE;
  }
  leave(j);
  return G_SOURCE_CONTINUE;
}

static gboolean parse_options(int argc, char **argv, JoinOptions *o, GError **error)
{
  const GOptionEntry entries[] = {
    { "password-file", 0, 0, G_OPTION_ARG_FILENAME, &o->password_file, "Read the invitation's password from the first line of FILE", "FILE" },
    { "vnc-port", 0, 0, G_OPTION_ARG_INT, &o->vnc_port, "Offer the desktop to VNC viewers on 127.0.0.1:N (default: any free port)", "N" },
    { "name", 'n', 0, G_OPTION_ARG_STRING, &o->name, "Your name as the person you help will see it", "NAME" },
    { "verbose", 'v', 0, G_OPTION_ARG_NONE, &o->verbose, "Log what happens in detail", NULL },
    { "paths", 0, 0, G_OPTION_ARG_STRING, &o->paths, "Try only these kinds of path, for diagnosis: direct, ice or direct,ice (the default)", "LIST" },
    { "json", 0, 0, G_OPTION_ARG_NONE, &o->json, "Print the connection as a JSON object: {\"connected\": true, \"path\": ..., \"ms\": ...}", NULL },
    { "rendezvous", 'r', 0, G_OPTION_ARG_STRING, &o->rendezvous, "For a CODE: the rendezvous server of the person you help (default: the one lifeline.conf names)", "URL" },
    { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &o->rest, NULL, "INVITATION|CODE" },
    { NULL, 0, 0, 0, NULL, NULL, NULL },
  };
  g_autoptr(GOptionContext) ctx = g_option_context_new("- help someone who invited you");
  g_option_context_set_summary(ctx,
      "Opens an invitation (a .lifeline file or a lifeline: link), or the code the\n"
      "person you help reads out to you (like 482-913-075), connects to them and,\n"
      "once they agree, offers their desktop to any VNC viewer on a local port.\n"
      "Prints \"ready: vnc://127.0.0.1:PORT\" when it can be viewed, or\n"
      "\"refused: REASON\" when they say no.");
  g_option_context_set_description(ctx,
      "Exit status: 0 when the session ended normally, 1 on failure or refusal,\n"
      "2 on wrong usage.");
  g_option_context_add_main_entries(ctx, entries, NULL);
  if (!g_option_context_parse(ctx, &argc, &argv, error))
    return FALSE;
  if (o->rest == NULL || o->rest[0] == NULL || o->rest[1] != NULL) {
    g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_FAILED,
                "give exactly one invitation (a file or a lifeline: link) or code");
    return FALSE;
  }
  if (o->paths != NULL && g_strcmp0(o->paths, "direct") != 0 && g_strcmp0(o->paths, "ice") != 0 &&
      g_strcmp0(o->paths, "direct,ice") != 0 && g_strcmp0(o->paths, "ice,direct") != 0) {
    g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                "--paths takes direct, ice or direct,ice");
    return FALSE;
  }
  if (o->vnc_port < 0 || o->vnc_port > 65535) {
    g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE, "--vnc-port must be 0 to 65535");
    return FALSE;
  }
  return TRUE;
}

/* Without --password-file, a sealed invitation's password is asked for on
 * the terminal when there is one (three tries, as sudo gives). */
static LlInvitation *load_sealed(const char *path, char **password, gsize *len, GError **error)
{
  g_autoptr(GError) sealed = NULL;
  LlInvitation *invitation = ll_invitation_load(path, NULL, 0, &sealed);
  if (invitation != NULL || !g_error_matches(sealed, LL_ERROR, LL_ERROR_WRONG_PASSWORD) ||
      !ll_password_can_ask()) {
    if (sealed != NULL)
      g_propagate_error(error, g_steal_pointer(&sealed));
    return invitation;
  }
  ll_say("This invitation is protected by a password; the person who sent it can tell you.");
  for (int attempt = 0; attempt < 3 && invitation == NULL; attempt++) {
    g_clear_error(error);
    *password = ll_password_ask("Password (not shown): ", len, error);
    if (*password == NULL)
      return NULL;
    invitation = ll_invitation_load(path, *password, *len, error);
    sodium_memzero(*password, *len);
    g_clear_pointer(password, g_free);
    if (invitation == NULL && attempt < 2 &&
        g_error_matches(*error, LL_ERROR, LL_ERROR_WRONG_PASSWORD))
      ll_say("That is not the password. Try again.");
    else if (invitation == NULL)
      break;
  }
  return invitation;
}

/* ---- a code instead of an invitation ---- */

typedef struct {
  GMainLoop *loop;
  LlInvitation *invitation;
  GError *error;
  gboolean stopped;
} CodeWait;

static void on_claimed(LlCodeClaim *claim, LlInvitation *invitation, const GError *error,
                       gpointer data)
{
  CodeWait *w = data;
  (void)claim;
  w->invitation = invitation;
  w->error = error != NULL ? g_error_copy(error) : NULL;
  g_main_loop_quit(w->loop);
}

static gboolean on_code_signal(gpointer data)
{
  CodeWait *w = data;
  w->stopped = TRUE;
  g_main_loop_quit(w->loop);
  return G_SOURCE_CONTINUE;
}

/* The invitation the code stands for, from the novice through the PAKE. */
static LlInvitation *invitation_from_code(const JoinOptions *o, const LlIdentity *identity,
                                          GError **error)
{
  LlPairingCode code;
  if (!ll_pairing_code_parse(o->rest[0], &code, error))
    return NULL;
  g_autofree char *rendezvous = ll_settings_choose_rendezvous(o->rendezvous, error);
  if (rendezvous == NULL && *error == NULL)
    g_set_error_literal(error, LL_ERROR, LL_ERROR_USAGE,
                        "a code needs the rendezvous server of the person you help: give it "
                        "with --rendezvous rdv.example.org, or ask your help desk to name it "
                        "in /etc/lifeline/lifeline.conf");
  if (rendezvous == NULL) {
    ll_pairing_code_clear(&code);
    return NULL;
  }
  CodeWait w = { .loop = g_main_loop_new(NULL, FALSE) };
  ll_say("Checking the code...");
  LlCodeClaim *claim = ll_code_claim_new(rendezvous, &code, identity->fingerprint, on_claimed, &w);
  ll_pairing_code_clear(&code);
  ll_run_until_quit(w.loop, on_code_signal, &w);
  ll_code_claim_free(claim);
  g_main_loop_unref(w.loop);
  if (w.error != NULL)
    g_propagate_error(error, w.error);
  else if (w.stopped)
    g_set_error_literal(error, LL_ERROR, LL_ERROR_FAILED, "stopped before the code was checked");
  else
    ll_say("The code is right.");
  return w.invitation;
}

/* A code when it reads as one and no such file is here. */
static gboolean is_code(const char *arg)
{
  return ll_pairing_code_looks_like(arg) && !g_file_test(arg, G_FILE_TEST_EXISTS);
}

static LlInvitation *load_invitation(const JoinOptions *o, const LlIdentity *identity,
                                     GError **error)
{
  gsize pw_len = 0;
  char *password = NULL;
  LlInvitation *invitation = NULL;
  if (is_code(o->rest[0])) {
    invitation = invitation_from_code(o, identity, error);
  } else if (o->password_file != NULL) {
    password = ll_password_read_file(o->password_file, &pw_len, error);
    if (password == NULL)
      return NULL;
    invitation = ll_invitation_load(o->rest[0], password, pw_len, error);
  } else {
    invitation = load_sealed(o->rest[0], &password, &pw_len, error);
  }
  if (invitation != NULL && o->paths != NULL && strstr(o->paths, "direct") == NULL)
    g_ptr_array_set_size(invitation->endpoints, 0);
  if (invitation != NULL && o->paths != NULL && strstr(o->paths, "ice") == NULL)
    g_clear_pointer(&invitation->rendezvous_url, g_free);
  if (password != NULL) {
    sodium_memzero(password, pw_len);
    g_free(password);
  }
  return invitation;
}

/* Runs the session J->join was made for, from connecting to the end. */
static int run_session(Join *j, guint16 vnc_port, GError **error)
{
  int code = 1;
  g_autoptr(GError) audit_error = NULL;
  g_autoptr(LlAuditLog) audit = ll_audit_log_open(NULL, &audit_error);
  if (audit == NULL)
    g_warning("%s; this session will not be recorded", audit_error->message);
  ll_helper_join_set_audit(j->join, audit);
  if (ll_helper_join_start(j->join, vnc_port, error)) {
    ll_say("Connecting to %s...", j->novice_name);
    ll_run_until_quit(j->loop, on_signal, j);
    code = j->exit_code;
  }
  ll_helper_join_free(j->join);
  ll_line_reader_free(j->stdin_lines);
  g_free(j->helper_name);
  g_free(j->novice_name);
  g_main_loop_unref(j->loop);
  return code;
}

static Join join_state_new(const char *command, const char *helper_name, const char *peer_name,
                           gboolean json)
{
  Join j = { .command = command, .loop = g_main_loop_new(NULL, FALSE),
             .helper_name = g_strdup(helper_name), .novice_name = g_strdup(peer_name),
             .stdin_lines = ll_line_reader_new(0), .json = json };
  return j;
}

static int run(const JoinOptions *o, GError **error)
{
  g_autoptr(LlIdentity) identity = ll_identity_load_or_create(NULL, error);
  if (identity == NULL)
    return 1;
  g_autoptr(LlInvitation) invitation = load_invitation(o, identity, error);
  if (invitation == NULL)
    return is_code(o->rest[0]) && g_error_matches(*error, LL_ERROR, LL_ERROR_USAGE) ? 2 : 1;
  g_autofree char *helper_name = ll_default_person_name(o->name, identity);
  Join j = join_state_new("join", helper_name, invitation->novice_name, o->json);
  j.join = ll_helper_join_new(identity, invitation, j.helper_name, &join_events, &j);
  return run_session(&j, o->vnc_port, error);
}

int ll_join_command(int argc, char **argv)
{
  JoinOptions o = { 0 };
  g_autoptr(GError) error = NULL;
  int code = 2;
  if (parse_options(argc, argv, &o, &error)) {
    ll_logging_init(o.verbose);
    code = run(&o, &error);
  }
  if (error != NULL)
    g_printerr("lifeline join: %s\n", error->message);
  join_options_clear(&o);
  return error != NULL && code == 0 ? 1 : code;
}

static void join_options_clear(JoinOptions *o)
{
  g_free(o->password_file);
  g_free(o->paths);
  g_free(o->name);
  g_free(o->host_key);
  g_free(o->rendezvous);
  g_strfreev(o->rest);
}

/* ---- lifeline offer ---- */

#define DEFAULT_HOST_PORT 4555

static gboolean parse_offer_options(int argc, char **argv, JoinOptions *o, GError **error)
{
  const GOptionEntry entries[] = {
    { "host-key", 'k', 0, G_OPTION_ARG_STRING, &o->host_key, "The host's id or key fingerprint, as \"lifeline host\" shows it (needed when HOST is an address)", "KEY" },
    { "rendezvous", 'r', 0, G_OPTION_ARG_STRING, &o->rendezvous, "Reach a HOST given by its host id through this rendezvous server (like rdv.example.org, rdv.example.org:3478 or wss://rdv.example.org)", "URL" },
    { "vnc-port", 0, 0, G_OPTION_ARG_INT, &o->vnc_port, "Offer the desktop to VNC viewers on 127.0.0.1:N (default: any free port)", "N" },
    { "name", 'n', 0, G_OPTION_ARG_STRING, &o->name, "Your name, if you have no organisation certificate", "NAME" },
    { "verbose", 'v', 0, G_OPTION_ARG_NONE, &o->verbose, "Log what happens in detail", NULL },
    { "json", 0, 0, G_OPTION_ARG_NONE, &o->json, "Print the connection as a JSON object", NULL },
    { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_STRING_ARRAY, &o->rest, NULL, "HOST" },
    { NULL, 0, 0, 0, NULL, NULL, NULL },
  };
  g_autoptr(GOptionContext) ctx = g_option_context_new("- offer help to a computer running \"lifeline host\"");
  g_option_context_set_summary(ctx,
      "Offers help to HOST without an invitation: ADDRESS or ADDRESS:PORT (port 4555\n"
      "by default) with --host-key, or a host id like k7qm-3xrd-pa9t-we2f with\n"
      "--rendezvous, which also works across NAT routers. The host's policy must allow you, by your key or by your\n"
      "organisation's certificate (\"lifeline id --import-cert\"); then its user is\n"
      "asked. Prints \"ready: vnc://127.0.0.1:PORT\" once they agree, or\n"
      "\"refused: REASON\".");
  g_option_context_set_description(ctx,
      "Exit status: 0 when the session ended normally, 1 on failure or refusal,\n"
      "2 on wrong usage.");
  g_option_context_add_main_entries(ctx, entries, NULL);
  if (!g_option_context_parse(ctx, &argc, &argv, error))
    return FALSE;
  if (o->rest == NULL || o->rest[0] == NULL || o->rest[1] != NULL) {
    g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_FAILED, "give exactly one HOST");
    return FALSE;
  }
  LlKeyPin pin;
  if (o->host_key == NULL && !ll_key_pin_parse(o->rest[0], &pin)) {
    g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_FAILED,
                "give the host's key with --host-key (its host id or sha256 fingerprint, "
                "which \"lifeline host\" prints), so nobody else can pose as it");
    return FALSE;
  }
  if (o->vnc_port < 0 || o->vnc_port > 65535) {
    g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE, "--vnc-port must be 0 to 65535");
    return FALSE;
  }
  return TRUE;
}

/* ADDRESS or ADDRESS:PORT (an IPv6 address in brackets) as an endpoint. */
static char *host_endpoint(const char *host, GError **error)
{
  g_autoptr(GSocketConnectable) parsed =
      g_network_address_parse(host, DEFAULT_HOST_PORT, NULL);
  if (parsed == NULL) {
    g_set_error(error, LL_ERROR, LL_ERROR_USAGE,
                "\"%s\" is not a host; write ADDRESS or ADDRESS:PORT", host);
    return NULL;
  }
  const char *name = g_network_address_get_hostname(G_NETWORK_ADDRESS(parsed));
  guint16 port = g_network_address_get_port(G_NETWORK_ADDRESS(parsed));
  if (strchr(name, ':') != NULL)
    return g_strdup_printf("[%s]:%u", name, port);
  return g_strdup_printf("%s:%u", name, port);
}

static int run_offer(const JoinOptions *o, GError **error)
{
  LlKeyPin pin;
  const char *key = o->host_key != NULL ? o->host_key : o->rest[0];
  if (!ll_key_pin_parse(key, &pin)) {
    g_set_error(error, LL_ERROR, LL_ERROR_USAGE,
                "\"%s\" is neither a host id like k7qm-3xrd-pa9t-we2f nor a "
                "fingerprint like sha256:<64 hex digits>", key);
    return 2;
  }
  /* HOST is the host id itself: only the rendezvous knows where it is. */
  gboolean by_id = o->host_key == NULL;
  g_autofree char *endpoint = by_id ? NULL : host_endpoint(o->rest[0], error);
  if (!by_id && endpoint == NULL)
    return 2;
  /* --rendezvous, else those lifeline.conf names, tried in turn
   * (settings.h). */
  g_auto(GStrv) rendezvous_urls = ll_settings_choose_rendezvous_all(o->rendezvous, error);
  if (rendezvous_urls == NULL)
    return 2;
  const char *rendezvous = rendezvous_urls[0];
  if (by_id && rendezvous == NULL) {
    g_set_error(error, LL_ERROR, LL_ERROR_USAGE,
                "to reach a host by its id, give the rendezvous server with --rendezvous URL "
                "(or name it in %s)", LL_SETTINGS_SYSTEM_PATH);
    return 2;
  }
  g_autofree char *mailbox = NULL;
  if (rendezvous != NULL) {
    guint8 prefix[LL_FINGERPRINT_BYTES] = { 0 };
    memcpy(prefix, pin.bytes, LL_HOST_ID_BYTES);
    mailbox = ll_host_id_of(prefix);
  }
  g_autoptr(LlIdentity) identity = ll_identity_load_or_create(NULL, error);
  if (identity == NULL)
    return 1;
  g_autofree char *helper_name = ll_default_person_name(o->name, identity);
  g_autoptr(GPtrArray) endpoints = g_ptr_array_new();
  if (endpoint != NULL)
    g_ptr_array_add(endpoints, endpoint);
  Join j = join_state_new("offer", helper_name, o->rest[0], o->json);
  j.join = ll_helper_offer_new(identity, o->rest[0], endpoints,
                               (const char *const *)rendezvous_urls, mailbox, &pin,
                               j.helper_name, &join_events, &j);
  return run_session(&j, o->vnc_port, error);
}

int ll_offer_command(int argc, char **argv)
{
  JoinOptions o = { 0 };
  g_autoptr(GError) error = NULL;
  int code = 2;
  if (parse_offer_options(argc, argv, &o, &error)) {
    ll_logging_init(o.verbose);
    code = run_offer(&o, &error);
  }
  if (error != NULL)
    g_printerr("lifeline offer: %s\n", error->message);
  join_options_clear(&o);
  return error != NULL && code == 0 ? 1 : code;
}

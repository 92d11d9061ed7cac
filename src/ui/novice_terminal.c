#include "ui/novice_terminal.h"
#include "ui/terminal.h"
#include <string.h>


/* "press Esc", "move your mouse or type /stop here", "type /stop here":
 * what ends control here, from this terminal's point of view. */
static char *stop_phrase(LlNoviceTerminal *t)
{
  return ll_desktop_stop_phrase(t->stop_ways, t->stop_shortcut, "type /stop here");
}

/* The same, as a sentence's start: "Press Esc", "Type /stop here". */
static char *take_back(LlNoviceTerminal *t)
{
  char *phrase = stop_phrase(t);
  phrase[0] = g_ascii_toupper(phrase[0]);
  return phrase;
}

static void on_control_asked(LlNoviceHost *host, const char *helper_name, gpointer data)
{
  LlNoviceTerminal *t = data;
  (void)host;
  t->control_question = TRUE;
  /* The novice learns what ends control on this desktop before saying yes. */
  /* What the open desktop says (a key it bound is known only now). */
  ll_novice_host_learn_stop_ways(t->host, &t->stop_ways, &t->stop_shortcut);
  g_autofree char *how = stop_phrase(t);
  ll_prompt("%s asks to control your keyboard and mouse (%s to take it back). Allow? [y/N]",
            helper_name, how);
}

static void on_control_withdrawn(LlNoviceHost *host, gpointer data)
{
  LlNoviceTerminal *t = data;
  (void)host;
  t->control_question = FALSE;
  ll_say("\n%s no longer asks for control.", t->helper_name);
}

static void on_control_changed(LlNoviceHost *host, gboolean granted, const char *by, gpointer data)
{
  LlNoviceTerminal *t = data;
  (void)host;
  g_autofree char *how = take_back(t);
  if (granted)
    ll_say("%s is now controlling your keyboard and mouse. %s to take it back.",
           t->helper_name, how);
  else if (g_strcmp0(by, "esc") == 0)
    ll_say("You pressed %s: %s no longer controls your computer.",
           (t->stop_ways & LL_STOP_ESC_ANYWHERE) || t->stop_shortcut == NULL
               ? "Esc" : t->stop_shortcut, t->helper_name);
  else if (g_strcmp0(by, "pointer") == 0)
    ll_say("You moved your mouse: %s no longer controls your computer.", t->helper_name);
  else if (g_strcmp0(by, "stop") == 0)
    ll_say("You took control back: %s can only watch now.", t->helper_name);
  else if (g_strcmp0(by, "release") == 0)
    ll_say("%s gave control back and can only watch now.", t->helper_name);
  else
    ll_say("The connection dropped: %s no longer controls your computer.", t->helper_name);
}

static void on_chat(LlNoviceHost *host, const char *from, const char *text, gpointer data)
{
  (void)host; (void)data;
  ll_say_chat(from, text);
}

char *ll_novice_terminal_what_is_shared(LlNoviceTerminal *t)
{
  return t->monitors < 2 ? g_strdup("") : g_strdup_printf(" (all %u monitors)", t->monitors);
}

static void on_monitor_shown(LlNoviceHost *host, guint number, const LlMonitor *monitor,
                             guint count, gpointer data)
{
  LlNoviceTerminal *t = data;
  (void)host;
  if (number == 0)
    ll_say("%s sees all your monitors again.", t->helper_name);
  else
    ll_say("%s now sees only monitor %u of %u (%s).", t->helper_name, number, count,
           monitor->name);
}

static void on_interrupted(LlNoviceHost *host, const char *helper_name, const char *why,
                           guint grace_s, gpointer data)
{
  (void)host; (void)data;
  g_info("the connection was lost: %s", why);
  ll_say("The connection to %s was interrupted. Waiting up to %u seconds for it to come back; "
         "press Ctrl-C to stop sharing.", helper_name, grace_s);
}

static void on_resumed(LlNoviceHost *host, const char *helper_name, gpointer data)
{
  (void)host; (void)data;
  ll_say("%s is connected again.", helper_name);
}

void ll_novice_terminal_fill_events(LlNoviceHostEvents *events)
{
  events->control_asked = on_control_asked;
  events->control_withdrawn = on_control_withdrawn;
  events->control_changed = on_control_changed;
  events->chat = on_chat;
  events->monitor_shown = on_monitor_shown;
  events->interrupted = on_interrupted;
  events->resumed = on_resumed;
}

void ll_novice_terminal_started(LlNoviceTerminal *t, const char *helper_name)
{
  g_free(t->helper_name);
  t->helper_name = g_strdup(helper_name);
  t->control_question = FALSE;
  /* What the open desktop says (a key it bound is known only now). */
  ll_novice_host_learn_stop_ways(t->host, &t->stop_ways, &t->stop_shortcut);
  ll_say("%s can now see your screen. Press Ctrl-C here to stop sharing.", helper_name);
  ll_say("Type a message and press Enter to chat; type /help for commands.");
}

static void print_help(LlNoviceTerminal *t)
{
  ll_say("Type a message and press Enter to send it to your helper.");
  g_autofree char *others = ll_desktop_stop_phrase(t->stop_ways, t->stop_shortcut, NULL);
  if (others[0] == '\0')                            /* nothing on the desktop (wlroots) */
    ll_say("  /stop   take back control of your keyboard and mouse");
  else
    ll_say("  /stop   take back control of your keyboard and mouse (or %s)", others);
  ll_say("  /quit   stop sharing your screen (Ctrl-C does the same)");
  ll_say("  /help   show this");
}

static void run_command(LlNoviceTerminal *t, const char *line)
{
  if (strcmp(line, "/stop") == 0)
    ll_novice_host_stop_control(t->host);
  else if (strcmp(line, "/quit") == 0)
    t->quit(t);
  else if (strcmp(line, "/help") == 0)
    print_help(t);
  else if (strcmp(line, "/control") == 0 || strcmp(line, "/release") == 0)
    ll_say("%s is a command for the helper; type /help for yours.", line);
  else
    ll_say("There is no command %s; type /help for the commands.", line);
}

void ll_novice_terminal_line(LlNoviceTerminal *t, const char *line)
{
  g_autoptr(GError) error = NULL;
  if (t->control_question) {
    t->control_question = FALSE;
    gboolean yes = ll_answer_is_yes(line);
    if (!yes)
      ll_say("Not allowed. %s can only watch.", t->helper_name);
    ll_novice_host_answer_control(t->host, yes);
  } else if (line[0] == '/') {
    run_command(t, line);
  } else if (*line != '\0' && !ll_is_answer_word(line)) {
    /* A lone "y" with no question open is a stray answer, not a message. */
    if (!ll_novice_host_send_chat(t->host, line, &error))
      ll_say("%s", error->message);
  }
}

void ll_novice_terminal_clear(LlNoviceTerminal *t)
{
  g_clear_pointer(&t->helper_name, g_free);
  g_clear_pointer(&t->stop_shortcut, g_free);
}

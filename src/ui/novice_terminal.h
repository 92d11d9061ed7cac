/* The novice's side of a session in a terminal, shared by `invite` and
 * `host`: control requests and their answers, what control is doing,
 * chat, lost and resumed connections, and the /commands. A command keeps
 * an LlNoviceTerminal as the first member of its own state, so the events
 * filled in here and its own events share one user_data. */
#pragma once
#include "novice/novice_host.h"

typedef struct LlNoviceTerminal LlNoviceTerminal;
struct LlNoviceTerminal {
  LlNoviceHost *host;
  char *helper_name;            /* of the session running */
  gboolean control_question;    /* a control request waits for an answer */
  LlStopWays stop_ways;         /* what ends control on this desktop (its probe, then
                                 * the open desktop's) */
  char *stop_shortcut;          /* the key LL_STOP_SHORTCUT names ("Meta+Esc") */
  guint monitors;               /* how many it has (its probe) */
  void (*quit)(LlNoviceTerminal *terminal);   /* "/quit": stop sharing */
};

/* "" or " (all 2 monitors)": what a helper would see, for the prompt. */
char *ll_novice_terminal_what_is_shared(LlNoviceTerminal *terminal);
/* Fills the control, chat, interrupted and resumed events. */
void ll_novice_terminal_fill_events(LlNoviceHostEvents *events);
/* The helper now sees the screen: say so and explain the commands. */
void ll_novice_terminal_started(LlNoviceTerminal *terminal, const char *helper_name);
/* A line typed while a session runs: an answer, a /command or chat. */
void ll_novice_terminal_line(LlNoviceTerminal *terminal, const char *line);
void ll_novice_terminal_clear(LlNoviceTerminal *terminal);

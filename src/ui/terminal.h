/* Text-mode plumbing shared by the commands: lines for people and
 * scripts on standard output (flushed at once), answers read from
 * standard input only while a question is open, and logging set up the
 * way GLib users expect (journald when stderr is the journal). */
#pragma once
#include <gio/gio.h>

/* Prints a line to standard output and flushes it. */
void ll_say(const char *format, ...) G_GNUC_PRINTF(1, 2);
/* Prints a prompt without a line end and flushes it. */
void ll_prompt(const char *format, ...) G_GNUC_PRINTF(1, 2);

void ll_logging_init(gboolean verbose);
/* A server's: its notes (who connected, who was turned away) are shown
 * without -v too; a person's command shows them only with -v. */
void ll_logging_init_server(gboolean verbose);

typedef struct LlLineReader LlLineReader;
/* LINE is NULL at end of input. */
typedef void (*LlLineHandler)(const char *line, gpointer user_data);

LlLineReader *ll_line_reader_new(int fd);
/* Reads one line, then calls HANDLER. Nothing is read until asked, so a
 * line piped in early waits for its question. */
void ll_line_reader_ask(LlLineReader *reader, LlLineHandler handler, gpointer user_data);
/* The question was withdrawn: the next line read is not delivered. */
void ll_line_reader_withdraw(LlLineReader *reader);
/* From now on reads every line and gives it to HANDLER (NULL at end of
 * input, once). At most a few lines a second are taken, so a program
 * piping endless lines (like `yes`) costs nothing and floods no one. */
void ll_line_reader_follow(LlLineReader *reader, LlLineHandler handler, gpointer user_data);
void ll_line_reader_free(LlLineReader *reader);

/* "y" or "yes", any case, surrounding spaces ignored. */
gboolean ll_answer_is_yes(const char *line);

/* Runs LOOP until it quits. SIGINT and SIGTERM call ON_STOP(DATA) while
 * it runs (a polite stop first; the command decides what a second one
 * does). */
void ll_run_until_quit(GMainLoop *loop, GSourceFunc on_stop, gpointer data);

/* "[14:05] Bob: text", with anything that could drive the terminal removed. */
void ll_say_chat(const char *from, const char *text);
/* The line is exactly an answer word (y, yes, n, no, any case). */
gboolean ll_is_answer_word(const char *line);

/* "Alice pressed Esc", "Bob gave control back"...: why control ended. */
char *ll_control_end_sentence(const char *by, const char *novice_name, const char *helper_name);

/* "this invitation expired at 14:05; ask for a new one" ->
 * "This invitation expired at 14:05; ask for a new one." */
char *ll_sentence(const char *message);
/* "The session ended" + "root stopped sharing the screen" ->
 * "The session ended: root stopped sharing the screen.": a reason that
 * may begin with someone's name, whose case is theirs. */
char *ll_clause_sentence(const char *lead, const char *clause);
/* For a peer that could not be reached (or that the rendezvous knows is
 * not waiting), what that means and what to do, in words for the person;
 * its addresses and socket errors go to the -v log. NULL for any other
 * error. OFFER: the helper offered help to a host. */
char *ll_unreached_sentence(const GError *why, const char *peer_name, gboolean offer);

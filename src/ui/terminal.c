#include "ui/terminal.h"
#include "common/error.h"
#include "common/async_guard.h"
#include "common/token_bucket.h"
#include <gio/gunixinputstream.h>
#include <glib-unix.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "common/text_sanitize.h"
#include "common/framing.h"


void ll_say(const char *format, ...)
{
  va_list args;
  va_start(args, format);
  vfprintf(stdout, format, args);
  va_end(args);
  fputc('\n', stdout);
  fflush(stdout);
}

void ll_prompt(const char *format, ...)
{
  va_list args;
  va_start(args, format);
  vfprintf(stdout, format, args);
  va_end(args);
  fputc(' ', stdout);
  fflush(stdout);
}

static gboolean verbose_logging;
static gboolean server_logging;   /* notes are a server's log, not a person's screen */

static GLogWriterOutput write_log(GLogLevelFlags level, const GLogField *fields, gsize n,
                                  gpointer data)
{
  (void)data;
  if (g_log_writer_is_journald(fileno(stderr)))
    return g_log_writer_journald(level, fields, n, NULL);
  if ((level & (G_LOG_LEVEL_DEBUG | G_LOG_LEVEL_INFO)) && !verbose_logging)
    return G_LOG_WRITER_HANDLED;
  if ((level & G_LOG_LEVEL_MESSAGE) && !verbose_logging && !server_logging)
    return G_LOG_WRITER_HANDLED;
  const char *message = "";
  for (gsize i = 0; i < n; i++)
    if (g_strcmp0(fields[i].key, "MESSAGE") == 0)
      message = fields[i].value;
  const char *kind = (level & G_LOG_LEVEL_ERROR) ? "error"
                     : (level & (G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING)) ? "warning"
                     : (level & G_LOG_LEVEL_MESSAGE) ? "note"
                                                     : "debug";
  g_autoptr(GDateTime) now = g_date_time_new_now_local();
  g_autofree char *stamp = g_date_time_format(now, "%H:%M:%S");
  fprintf(stderr, "lifeline %s.%03d %s: %s\n", stamp, g_date_time_get_microsecond(now) / 1000,
          kind, message);
  fflush(stderr);
  return G_LOG_WRITER_HANDLED;
}

void ll_logging_init(gboolean verbose)
{
  verbose_logging = verbose;
  g_log_set_writer_func(write_log, NULL, NULL);
}

void ll_logging_init_server(gboolean verbose)
{
  server_logging = TRUE;
  ll_logging_init(verbose);
}

#define LINE_BURST 20.0
#define LINES_PER_SECOND 10.0

struct LlLineReader {
  GDataInputStream *input;
  GCancellable *cancellable;
  gboolean reading;
  gboolean ended;
  gboolean following;
  LlTokenBucket lines;         /* paces reading while following */
  guint pause;
  LlLineHandler handler;      /* NULL: the next line is not wanted */
  gpointer user_data;
};

LlLineReader *ll_line_reader_new(int fd)
{
  LlLineReader *r = g_new0(LlLineReader, 1);
  g_autoptr(GInputStream) raw = g_unix_input_stream_new(fd, FALSE);
  r->input = g_data_input_stream_new(raw);
  r->cancellable = g_cancellable_new();
  return r;
}

static void read_one(LlLineReader *r);
static void follow_next(LlLineReader *r);

static gboolean resume_following(gpointer data)
{
  LlLineReader *r = data;
  r->pause = 0;
  follow_next(r);
  return G_SOURCE_REMOVE;
}

/* LINE_BURST lines at once, then LINES_PER_SECOND. */
static void follow_next(LlLineReader *r)
{
  guint wait_ms = ll_token_bucket_wait_ms(&r->lines);
  if (wait_ms > 0) {
    if (r->pause == 0)
      r->pause = g_timeout_add(wait_ms, resume_following, r);
    return;
  }
  ll_token_bucket_take(&r->lines);
  read_one(r);
}

static void on_line(GObject *source, GAsyncResult *result, gpointer data)
{
  g_autoptr(GError) error = NULL;
  gsize len = 0;
  g_autofree char *line =
      g_data_input_stream_read_line_finish_utf8(G_DATA_INPUT_STREAM(source), result, &len, &error);
  LlLineReader *r = ll_async_guard_finish(data);
  if (r == NULL)
    return;
  r->reading = FALSE;
  if (line == NULL)
    r->ended = TRUE;
  LlLineHandler handler = r->handler;
  gpointer user_data = r->user_data;
  if (!r->following)
    r->handler = NULL;
  if (handler != NULL)
    handler(line, user_data);
  if (r->following && !r->ended)
    follow_next(r);
}

void ll_line_reader_ask(LlLineReader *r, LlLineHandler handler, gpointer user_data)
{
  r->handler = handler;
  r->user_data = user_data;
  if (r->ended) {
    r->handler = NULL;
    handler(NULL, user_data);
    return;
  }
  read_one(r);
}

static void read_one(LlLineReader *r)
{
  if (r->reading || r->ended)
    return;
  r->reading = TRUE;
  g_data_input_stream_read_line_async(r->input, G_PRIORITY_DEFAULT, r->cancellable, on_line,
                                      ll_async_guard_new(r, r->cancellable));
}

void ll_line_reader_follow(LlLineReader *r, LlLineHandler handler, gpointer user_data)
{
  r->handler = handler;
  r->user_data = user_data;
  if (r->following)
    return;
  r->following = TRUE;
  ll_token_bucket_init(&r->lines, LINE_BURST, LINES_PER_SECOND);
  if (r->ended)
    return;
  follow_next(r);
}

void ll_line_reader_withdraw(LlLineReader *r)
{
  r->handler = NULL;
}

void ll_line_reader_free(LlLineReader *r)
{
  if (r == NULL)
    return;
  g_cancellable_cancel(r->cancellable);
  g_clear_handle_id(&r->pause, g_source_remove);
  g_object_unref(r->cancellable);
  g_object_unref(r->input);
  g_free(r);
}

gboolean ll_answer_is_yes(const char *line)
{
  if (line == NULL)
    return FALSE;
  g_autofree char *answer = g_ascii_strdown(line, -1);
  g_strstrip(answer);
  return strcmp(answer, "y") == 0 || strcmp(answer, "yes") == 0;
}

void ll_run_until_quit(GMainLoop *loop, GSourceFunc on_stop, gpointer data)
{
  guint sigint = g_unix_signal_add(SIGINT, on_stop, data);
  guint sigterm = g_unix_signal_add(SIGTERM, on_stop, data);
  g_main_loop_run(loop);
  g_source_remove(sigint);
  g_source_remove(sigterm);
}

void ll_say_chat(const char *from, const char *text)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_local();
  g_autofree char *stamp = g_date_time_format(now, "%H:%M");
  g_autofree char *clean = ll_text_sanitize(text, LL_MAX_CHAT_PAYLOAD);
  ll_say("[%s] %s: %s", stamp, from, clean);
}

gboolean ll_is_answer_word(const char *line)
{
  g_autofree char *word = g_ascii_strdown(line, -1);
  g_strstrip(word);
  return strcmp(word, "y") == 0 || strcmp(word, "yes") == 0 || strcmp(word, "n") == 0 ||
         strcmp(word, "no") == 0;
}

char *ll_control_end_sentence(const char *by, const char *novice_name, const char *helper_name)
{
  if (g_strcmp0(by, "esc") == 0)
    return g_strdup_printf("%s pressed Esc", novice_name);
  if (g_strcmp0(by, "pointer") == 0)
    return g_strdup_printf("%s moved the mouse", novice_name);
  if (g_strcmp0(by, "stop") == 0)
    return g_strdup_printf("%s took control back", novice_name);
  if (g_strcmp0(by, "release") == 0)
    return g_strdup_printf("%s gave control back", helper_name);
  if (g_strcmp0(by, "drop") == 0)
    return g_strdup("the connection dropped");
  return g_strdup("control ended");
}

char *ll_sentence(const char *message)
{
  g_autofree char *text = g_strdup(message != NULL && *message ? message : "something went wrong");
  gunichar first = g_utf8_get_char(text);
  const char *rest = g_utf8_next_char(text);
  char upper[8] = { 0 };
  g_unichar_to_utf8(g_unichar_toupper(first), upper);
  gsize len = strlen(rest);
  gboolean ends = len > 0 && (rest[len - 1] == '.' || rest[len - 1] == '!' || rest[len - 1] == '?');
  return g_strconcat(upper, rest, ends ? "" : ".", NULL);
}

char *ll_clause_sentence(const char *lead, const char *clause)
{
  g_autofree char *text = g_strdup(clause != NULL && *clause ? clause : "something went wrong");
  gsize len = strlen(text);
  if (text[len - 1] == '.')
    text[len - 1] = '\0';
  return g_strdup_printf("%s: %s.", lead, text);
}

char *ll_unreached_sentence(const GError *why, const char *peer_name, gboolean offer)
{
  gboolean unreachable = g_error_matches(why, LL_ERROR, LL_ERROR_UNREACHABLE);
  gboolean gone = g_error_matches(why, LL_ERROR, LL_ERROR_NOT_WAITING);
  if (!unreachable && !gone)
    return NULL;
  g_info("not reached: %s", why->message);   /* addresses and socket errors: for -v */
  const char *name = peer_name != NULL && *peer_name != '\0' ? peer_name : "the other person";
  if (offer && gone)
    return g_strdup_printf("There is no such host at the rendezvous: %s's computer is switched "
                           "off or offline, or Lifeline is not running there.", name);
  if (offer)
    return g_strdup_printf("Could not reach %s's computer: it is switched off or offline, or "
                           "Lifeline is not running there. Run with -v for the details.", name);
  if (gone)
    return g_strdup_printf("%s is no longer waiting for you: the invitation was cancelled, "
                           "used or has run out. Ask %s for a new invitation.", name, name);
  return g_strdup_printf("Could not reach %s's computer. Lifeline there is no longer waiting "
                         "for you (the invitation was cancelled, used or has run out), or one of "
                         "you is offline. Ask %s for a new invitation.", name, name);
}

#include "novice/desktop/text_pipe.h"
#include "novice/desktop/desktop.h"   /* LL_MAX_CLIPBOARD */
#include <gio/gunixinputstream.h>
#include <gio/gunixoutputstream.h>

#define READ_CHUNK 65536

const char *const ll_text_types[] = {
  "text/plain;charset=utf-8", "text/plain", "UTF8_STRING", "STRING", "TEXT", NULL,
};

struct LlTextReader {
  LlTextReadDone done;           /* NULL once cancelled */
  gpointer user_data;
  GInputStream *in;
  GCancellable *cancellable;
  GByteArray *text;
  gboolean too_large;
  guint deadline;
};

static void reader_free(LlTextReader *r)
{
  g_clear_handle_id(&r->deadline, g_source_remove);
  g_object_unref(r->in);
  g_object_unref(r->cancellable);
  g_byte_array_unref(r->text);
  g_free(r);
}

static void finish(LlTextReader *r, gboolean complete)
{
  g_autoptr(GBytes) text = NULL;
  if (complete && r->too_large)
    g_info("the copied text is larger than %d bytes; not shared", LL_MAX_CLIPBOARD);
  else if (complete && !g_utf8_validate((const char *)r->text->data, r->text->len, NULL))
    g_info("the copied text is not UTF-8; not shared");
  else if (complete)
    text = g_bytes_new(r->text->data, r->text->len);
  if (r->done != NULL)
    r->done(text, r->user_data);
  reader_free(r);
}

static void read_more(LlTextReader *r);

static void on_chunk(GObject *source, GAsyncResult *result, gpointer data)
{
  LlTextReader *r = data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) chunk = g_input_stream_read_bytes_finish(G_INPUT_STREAM(source), result,
                                                             &error);
  if (chunk == NULL) {
    if (!g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
      g_info("the copied text could not be read: %s", error->message);
    finish(r, FALSE);
    return;
  }
  gsize size;
  const guint8 *bytes = g_bytes_get_data(chunk, &size);
  if (size == 0) {
    finish(r, TRUE);
    return;
  }
  /* Read on to the end even when too large: the program copying waits
   * for its write to be taken. */
  if (r->text->len + size > LL_MAX_CLIPBOARD)
    r->too_large = TRUE;
  if (!r->too_large)
    g_byte_array_append(r->text, bytes, size);
  read_more(r);
}

static void read_more(LlTextReader *r)
{
  g_input_stream_read_bytes_async(r->in, READ_CHUNK, G_PRIORITY_DEFAULT, r->cancellable,
                                  on_chunk, r);
}

static gboolean on_read_deadline(gpointer data)
{
  LlTextReader *r = data;
  r->deadline = 0;
  g_info("the copied text did not arrive within %d ms; not shared", LL_TEXT_PIPE_TIMEOUT_MS);
  g_cancellable_cancel(r->cancellable);
  return G_SOURCE_REMOVE;
}

LlTextReader *ll_text_reader_new(int fd, LlTextReadDone done, gpointer user_data)
{
  LlTextReader *r = g_new0(LlTextReader, 1);
  r->done = done;
  r->user_data = user_data;
  r->in = g_unix_input_stream_new(fd, TRUE);
  r->cancellable = g_cancellable_new();
  r->text = g_byte_array_new();
  r->deadline = g_timeout_add(LL_TEXT_PIPE_TIMEOUT_MS, on_read_deadline, r);
  read_more(r);
  return r;
}

void ll_text_reader_cancel(LlTextReader *r)
{
  if (r == NULL)
    return;
  r->done = NULL;                /* freed when its read comes back cancelled */
  g_cancellable_cancel(r->cancellable);
}

/* ---- writing ---- */

typedef struct {
  GOutputStream *out;
  GCancellable *cancellable;
  GBytes *text;
  guint deadline;
  LlTextWritten done;
  gpointer user_data;
} Writer;

static void on_written(GObject *source, GAsyncResult *result, gpointer data)
{
  Writer *w = data;
  g_autoptr(GError) error = NULL;
  gboolean ok = g_output_stream_write_all_finish(G_OUTPUT_STREAM(source), result, NULL, &error);
  if (!ok)
    g_info("the text could not be handed to the program pasting: %s", error->message);
  if (w->done != NULL)
    w->done(ok, w->user_data);
  g_clear_handle_id(&w->deadline, g_source_remove);
  g_output_stream_close(w->out, NULL, NULL);
  g_object_unref(w->out);
  g_object_unref(w->cancellable);
  g_bytes_unref(w->text);
  g_free(w);
}

static gboolean on_write_deadline(gpointer data)
{
  Writer *w = data;
  w->deadline = 0;
  g_info("the program pasting did not take the text within %d ms", LL_TEXT_PIPE_TIMEOUT_MS);
  g_cancellable_cancel(w->cancellable);
  return G_SOURCE_REMOVE;
}

void ll_text_write(int fd, GBytes *text, LlTextWritten done, gpointer user_data)
{
  Writer *w = g_new0(Writer, 1);
  w->done = done;
  w->user_data = user_data;
  w->out = g_unix_output_stream_new(fd, TRUE);
  w->cancellable = g_cancellable_new();
  w->text = g_bytes_ref(text);
  w->deadline = g_timeout_add(LL_TEXT_PIPE_TIMEOUT_MS, on_write_deadline, w);
  gsize size;
  const void *bytes = g_bytes_get_data(text, &size);
  g_output_stream_write_all_async(w->out, bytes, size, G_PRIORITY_DEFAULT, w->cancellable,
                                  on_written, w);
}

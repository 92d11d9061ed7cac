/* Clipboard text through a pipe, as Wayland clipboards hand it over: read
 * to the end from a program that copied, or written to one that pastes,
 * each bounded (LL_MAX_CLIPBOARD bytes, UTF-8 only) and with a deadline,
 * on the caller's main context. */
#pragma once
#include <glib.h>

/* A program that copies or pastes has this long to hand over the text. */
#define LL_TEXT_PIPE_TIMEOUT_MS 5000

/* The text types read and offered, the preferred first; NULL-terminated. */
extern const char *const ll_text_types[];

typedef struct LlTextReader LlTextReader;

/* TEXT: what arrived, UTF-8, at most LL_MAX_CLIPBOARD bytes; NULL when
 * nothing may be shared (too large, not UTF-8, too slow, broken). */
typedef void (*LlTextReadDone)(GBytes *text, gpointer user_data);

/* Reads FD (taken) to its end; DONE is called once, unless cancelled. */
LlTextReader *ll_text_reader_new(int fd, LlTextReadDone done, gpointer user_data);
/* Stops reading: DONE is never called. */
void ll_text_reader_cancel(LlTextReader *reader);

/* Whether all of the text was taken. */
typedef void (*LlTextWritten)(gboolean ok, gpointer user_data);

/* Writes TEXT to FD (taken) and closes it, giving up at the deadline; it
 * owns what it needs and finishes on its own, then calls DONE (if not
 * NULL) once. */
void ll_text_write(int fd, GBytes *text, LlTextWritten done, gpointer user_data);

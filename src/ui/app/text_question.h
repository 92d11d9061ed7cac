/* A question answered with a line of text, in a dialog: "What name should
 * others see?", "Which rendezvous?". SAVE decides: TRUE closes the dialog;
 * FALSE shows ERROR's sentence in it for another try. */
#pragma once
#include <gtk/gtk.h>

typedef gboolean (*LlTextSave)(const char *text, gpointer user_data, GError **error);
/* After the dialog closed: SAVED tells whether SAVE accepted a text. */
typedef void (*LlTextDone)(gboolean saved, gpointer user_data);

typedef struct {
  const char *primary, *secondary;
  const char *initial;           /* what the entry holds at first */
  const char *accessible_name;   /* the entry's */
  int max_length;                /* 0: no limit */
  const char *cancel_label;      /* "_Cancel", "_Not now" */
  LlTextSave save;
  LlTextDone done;
  gpointer user_data;
} LlTextQuestion;

void ll_text_question_open(GtkWindow *parent, const LlTextQuestion *question);

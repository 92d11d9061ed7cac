#include "ui/app/text_question.h"
#include "ui/app/app_widgets.h"
#include "ui/terminal.h"

typedef struct {
  LlTextQuestion q;
  GtkWidget *entry, *error;
  gboolean done;               /* DONE was called */
} Open;

static void on_response(GtkDialog *dialog, gint response, gpointer data)
{
  Open *o = data;
  gboolean saved = FALSE;
  if (response == GTK_RESPONSE_ACCEPT) {
    g_autoptr(GError) error = NULL;
    g_autofree char *text = g_strstrip(g_strdup(gtk_entry_get_text(GTK_ENTRY(o->entry))));
    if (!o->q.save(text, o->q.user_data, &error)) {
      g_autofree char *sentence = ll_sentence(error->message);
      ll_app_report("refused: %s", sentence);
      gtk_label_set_text(GTK_LABEL(o->error), sentence);
      gtk_widget_show(o->error);
      return;   /* the dialog stays for another try */
    }
    saved = TRUE;
  }
  o->done = TRUE;
  o->q.done(saved, o->q.user_data);
  gtk_widget_destroy(GTK_WIDGET(dialog));
}

/* Also when the dialog goes with its parent, unanswered: DONE is told. */
static void on_destroy(GtkWidget *dialog, gpointer data)
{
  Open *o = data;
  (void)dialog;
  if (!o->done)
    o->q.done(FALSE, o->q.user_data);
  g_free(o);
}

void ll_text_question_open(GtkWindow *parent, const LlTextQuestion *question)
{
  Open *o = g_new0(Open, 1);
  o->q = *question;
  GtkWidget *dialog = gtk_message_dialog_new(parent, GTK_DIALOG_MODAL | GTK_DIALOG_DESTROY_WITH_PARENT,
                                             GTK_MESSAGE_QUESTION, GTK_BUTTONS_NONE, "%s",
                                             question->primary);
  gtk_message_dialog_format_secondary_text(GTK_MESSAGE_DIALOG(dialog), "%s", question->secondary);
  GtkWidget *area = gtk_message_dialog_get_message_area(GTK_MESSAGE_DIALOG(dialog));
  o->entry = gtk_entry_new();
  if (question->max_length > 0)
    gtk_entry_set_max_length(GTK_ENTRY(o->entry), question->max_length);
  gtk_entry_set_activates_default(GTK_ENTRY(o->entry), TRUE);
  gtk_entry_set_text(GTK_ENTRY(o->entry), question->initial != NULL ? question->initial : "");
  ll_app_set_accessible_name(o->entry, question->accessible_name);
  o->error = ll_app_error_label();
  gtk_box_pack_start(GTK_BOX(area), o->entry, FALSE, FALSE, 0);
  gtk_box_pack_start(GTK_BOX(area), o->error, FALSE, FALSE, 0);
  gtk_dialog_add_buttons(GTK_DIALOG(dialog), question->cancel_label, GTK_RESPONSE_CANCEL,
                         "_Save", GTK_RESPONSE_ACCEPT, NULL);
  gtk_dialog_set_default_response(GTK_DIALOG(dialog), GTK_RESPONSE_ACCEPT);
  gtk_window_set_title(GTK_WINDOW(dialog), "Lifeline");
  g_signal_connect(dialog, "response", G_CALLBACK(on_response), o);
  g_signal_connect(dialog, "destroy", G_CALLBACK(on_destroy), o);
  gtk_widget_show_all(dialog);
  gtk_widget_hide(o->error);
  gtk_widget_grab_focus(o->entry);
  ll_app_report("asking: %s", question->primary);
  gtk_window_present(GTK_WINDOW(dialog));
}

#include "ui/app/name_dialog.h"
#include "ui/app/app_widgets.h"
#include "ui/terminal.h"

typedef struct {
  LlIdentity *identity;
  GtkWidget *entry, *error;
  LlNameChosen chosen;
  gpointer user_data;
} NameDialog;

static void on_response(GtkDialog *dialog, gint response, gpointer data)
{
  NameDialog *d = data;
  if (response == GTK_RESPONSE_ACCEPT) {
    g_autoptr(GError) error = NULL;
    g_autofree char *name = g_strstrip(g_strdup(gtk_entry_get_text(GTK_ENTRY(d->entry))));
    if (!ll_identity_set_name(d->identity, name, &error)) {
      g_autofree char *text = ll_sentence(error->message);
      ll_app_report("name: %s", text);
      gtk_label_set_text(GTK_LABEL(d->error), text);
      gtk_widget_show(d->error);
      return;   /* the dialog stays for another try */
    }
    ll_app_report("name: saved %s", d->identity->name);
    d->chosen(d->identity->name, d->user_data);
  } else {
    ll_app_report("name: not changed");
    d->chosen(NULL, d->user_data);
  }
  gtk_widget_destroy(GTK_WIDGET(dialog));
}

static GtkWidget *name_entry(NameDialog *d)
{
  d->entry = gtk_entry_new();
  gtk_entry_set_max_length(GTK_ENTRY(d->entry), LL_IDENTITY_MAX_NAME);
  gtk_entry_set_activates_default(GTK_ENTRY(d->entry), TRUE);
  g_autofree char *name = ll_app_person_name(d->identity);
  gtk_entry_set_text(GTK_ENTRY(d->entry), name);
  ll_app_set_accessible_name(d->entry, "Your name");
  return d->entry;
}

void ll_name_dialog_open(GtkWindow *parent, LlIdentity *identity, gboolean first_use,
                         LlNameChosen chosen, gpointer user_data)
{
  NameDialog *d = g_new0(NameDialog, 1);
  d->identity = identity;
  d->chosen = chosen;
  d->user_data = user_data;
  GtkWidget *dialog = gtk_message_dialog_new(parent, GTK_DIALOG_MODAL | GTK_DIALOG_DESTROY_WITH_PARENT,
                                             GTK_MESSAGE_QUESTION, GTK_BUTTONS_NONE, "%s",
                                             first_use ? "Welcome! What name should others see?"
                                                       : "What name should others see?");
  gtk_message_dialog_format_secondary_text(GTK_MESSAGE_DIALOG(dialog), "The person you help, or "
      "who helps you, reads it first when Lifeline asks them anything. Your full name or how "
      "they know you is best.");
  GtkWidget *area = gtk_message_dialog_get_message_area(GTK_MESSAGE_DIALOG(dialog));
  gtk_box_pack_start(GTK_BOX(area), name_entry(d), FALSE, FALSE, 0);
  d->error = ll_app_error_label();
  gtk_box_pack_start(GTK_BOX(area), d->error, FALSE, FALSE, 0);
  gtk_dialog_add_buttons(GTK_DIALOG(dialog), first_use ? "_Not now" : "_Cancel",
                         GTK_RESPONSE_CANCEL, "_Save", GTK_RESPONSE_ACCEPT, NULL);
  gtk_dialog_set_default_response(GTK_DIALOG(dialog), GTK_RESPONSE_ACCEPT);
  gtk_window_set_title(GTK_WINDOW(dialog), "Lifeline");
  g_signal_connect(dialog, "response", G_CALLBACK(on_response), d);
  g_signal_connect_swapped(dialog, "destroy", G_CALLBACK(g_free), d);
  gtk_widget_show_all(dialog);
  gtk_widget_hide(d->error);
  gtk_widget_grab_focus(d->entry);
  ll_app_report("asking: %s", first_use ? "Welcome! What name should others see?"
                                        : "What name should others see?");
  gtk_window_present(GTK_WINDOW(dialog));
}

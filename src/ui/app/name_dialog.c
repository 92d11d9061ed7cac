#include "ui/app/name_dialog.h"
#include "ui/app/app_widgets.h"
#include "ui/app/text_question.h"

typedef struct {
  LlIdentity *identity;
  LlNameChosen chosen;
  gpointer user_data;
} NameDialog;

static gboolean save_name(const char *text, gpointer data, GError **error)
{
  NameDialog *d = data;
  if (!ll_identity_set_name(d->identity, text, error))
    return FALSE;
  ll_app_report("name: saved %s", d->identity->name);
  return TRUE;
}

static void on_done(gboolean saved, gpointer data)
{
  NameDialog *d = data;
  if (!saved)
    ll_app_report("name: not changed");
  d->chosen(saved ? d->identity->name : NULL, d->user_data);
  g_free(d);
}

void ll_name_dialog_open(GtkWindow *parent, LlIdentity *identity, gboolean first_use,
                         LlNameChosen chosen, gpointer user_data)
{
  NameDialog *d = g_new0(NameDialog, 1);
  d->identity = identity;
  d->chosen = chosen;
  d->user_data = user_data;
  g_autofree char *name = ll_app_person_name(identity);
  LlTextQuestion q = {
    .primary = first_use ? "Welcome! What name should others see?"
                         : "What name should others see?",
    .secondary = "The person you help, or who helps you, reads it first when Lifeline asks "
                 "them anything. Your full name or how they know you is best.",
    .initial = name, .accessible_name = "Your name", .max_length = LL_IDENTITY_MAX_NAME,
    .cancel_label = first_use ? "_Not now" : "_Cancel",
    .save = save_name, .done = on_done, .user_data = d,
  };
  ll_text_question_open(parent, &q);
}

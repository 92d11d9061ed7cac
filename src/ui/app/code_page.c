#include "ui/app/code_page.h"
#include "common/error.h"
#include "novice/code_waiter.h"
#include "ui/app/app_widgets.h"
#include <sodium.h>

struct LlCodePage {
  GtkWidget *root, *code, *status;
  LlCodeWaiter *waiter;
  LlNoviceHost *host;
  char *url;
  LlInvitation *invitation;
};

static const char *why_new(const GError *why)
{
  if (g_error_matches(why, LL_ERROR, LL_ERROR_WRONG_CODE))
    return "Someone typed a wrong code, so that one no longer works. Here is a new one.";
  if (g_error_matches(why, LL_ERROR, LL_ERROR_EXPIRED))
    return "The last code's time was over. Here is a new one.";
  if (g_error_matches(why, LL_ERROR, LL_ERROR_CONNECTION_LOST))
    return "Someone began to type the code but did not finish. Here is a new one.";
  return why != NULL ? "The rendezvous server can be reached again." : "";
}

static void on_code(LlCodeWaiter *waiter, const char *code, const GError *why, gpointer data)
{
  LlCodePage *p = data;
  (void)waiter;
  g_autofree char *markup =
    g_markup_printf_escaped("<span size=\"xx-large\" weight=\"bold\">%s</span>", code);
  gtk_label_set_markup(GTK_LABEL(p->code), markup);
  gtk_label_set_text(GTK_LABEL(p->status), why_new(why));
  ll_app_report("code: %s", code);
  if (why != NULL)
    ll_app_report("code status: %s", why_new(why));
}

static void on_unavailable(LlCodeWaiter *waiter, const GError *why, gpointer data)
{
  LlCodePage *p = data;
  (void)waiter;
  g_info("rendezvous: %s", why->message);
  gtk_label_set_text(GTK_LABEL(p->code), "…");
  gtk_label_set_text(GTK_LABEL(p->status), "The rendezvous server cannot be reached, so no "
                                           "code works now. Trying again…");
  ll_app_report("code status: unavailable");
}

static void on_matched(LlCodeWaiter *waiter, const guint8 key[LL_FINGERPRINT_BYTES],
                       gpointer data)
{
  LlCodePage *p = data;
  (void)waiter;
  ll_novice_host_pin_helper(p->host, key);
  gtk_label_set_text(GTK_LABEL(p->status),
                     "Your helper typed the code. Waiting for them to connect…");
  ll_app_report("code status: typed");
}

static const LlCodeWaiterEvents page_events = { on_code, on_unavailable, on_matched };

LlCodePage *ll_code_page_new(GCallback cancel, gpointer data)
{
  LlCodePage *p = g_new0(LlCodePage, 1);
  p->root = ll_app_page_box();
  p->code = gtk_label_new("…");
  gtk_label_set_selectable(GTK_LABEL(p->code), TRUE);
  ll_app_set_accessible_name(p->code, "The code");
  p->status = ll_app_text("");
  GtkWidget *button = gtk_button_new_with_mnemonic("Cancel _invitation");
  gtk_style_context_add_class(gtk_widget_get_style_context(button), "destructive-action");
  gtk_widget_set_halign(button, GTK_ALIGN_CENTER);
  gtk_box_pack_start(GTK_BOX(p->root), ll_app_heading("Tell your helper this code"), FALSE,
                     FALSE, 0);
  gtk_box_pack_start(GTK_BOX(p->root), p->code, FALSE, FALSE, 0);
  gtk_box_pack_start(GTK_BOX(p->root), ll_app_text("Read it out to them, over the phone for "
      "example. It works once, for 10 minutes; if it is used up, a new code appears here. "
      "When they have typed it, you are asked whether they may see your screen."),
      FALSE, FALSE, 0);
  gtk_box_pack_start(GTK_BOX(p->root), p->status, FALSE, FALSE, 0);
  gtk_box_pack_start(GTK_BOX(p->root), button, FALSE, FALSE, 0);
  g_signal_connect_swapped(button, "clicked", cancel, data);
  return p;
}

GtkWidget *ll_code_page_widget(LlCodePage *p) { return p->root; }

void ll_code_page_start(LlCodePage *p, LlNoviceHost *host, const char *url,
                        LlInvitation *invitation)
{
  ll_code_page_stop(p);
  p->host = host;
  p->invitation = invitation;
  char *copy = g_strdup(url);   /* URL may be p->url itself */
  g_free(p->url);
  p->url = copy;
  gtk_label_set_text(GTK_LABEL(p->code), "…");
  gtk_label_set_text(GTK_LABEL(p->status), "");
  p->waiter = ll_code_waiter_new(p->url, invitation, &page_events, p);
}

void ll_code_page_again(LlCodePage *p)
{
  if (p->waiter == NULL)
    return;
  randombytes_buf(p->invitation->secret, sizeof p->invitation->secret);
  ll_novice_host_pin_helper(p->host, NULL);
  ll_code_page_start(p, p->host, p->url, p->invitation);
}

void ll_code_page_stop(LlCodePage *p)
{
  g_clear_pointer(&p->waiter, ll_code_waiter_free);
}

gboolean ll_code_page_running(LlCodePage *p) { return p->waiter != NULL; }

void ll_code_page_free(LlCodePage *p)
{
  if (p == NULL)
    return;
  ll_code_page_stop(p);
  g_free(p->url);
  g_free(p);
}

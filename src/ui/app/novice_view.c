#include "ui/app/novice_view.h"
#include "common/audit_log.h"
#include "common/duration.h"
#include "common/error.h"
#include "common/password_policy.h"
#include "common/identity.h"
#include "common/invitation_file.h"
#include "common/policy.h"
#include "novice/novice_host.h"
#include "novice/desktop/desktop.h"
#include "ui/app/app_widgets.h"
#include "ui/app/chat_pane.h"
#include "ui/app/code_page.h"
#include "ui/app/sharing_bar.h"
#include "ui/commands.h"
#include "ui/terminal.h"
#include <sodium.h>
#include <string.h>

#define INVITATION_FILE "lifeline-invitation.lifeline"

static const struct {
  const char *label;
  gint64 seconds;
} lifetimes[] = {
  { "30 minutes", 30 * 60 }, { "1 hour", 3600 }, { "4 hours", 4 * 3600 }, { "1 day", 86400 },
};

typedef struct {
  GtkWindow *window;
  GtkWidget *root, *stack;
  char *policy_path;
  char *rendezvous_url;         /* NULL: reachable directly only */
  LlDesktopChoice desktop;
  LlStopWays stop_ways;         /* what ends control on this desktop (its probe, then
                                 * the open desktop's) */
  char *stop_shortcut;          /* the key LL_STOP_SHORTCUT names ("Meta+Esc") */
  guint monitors;               /* how many it has (its probe) */
  /* start */
  GtkWidget *password, *lifetime, *start_error;
  GtkWidget *watch_only;        /* the invitation's helper may never take control */
  GtkWidget *get_code;          /* shown only with a rendezvous */
  LlCodePage *code_page;
  gboolean code_mode;           /* this invitation is for a code, not a file */
  /* waiting */
  GtkWidget *waiting_text, *saved_label, *rendezvous_label;
  /* shared */
  GtkWidget *chat;              /* in the sharing bar */
  /* ended */
  GtkWidget *ended_label;
  GtkWidget *consent, *control_dialog;
  LlSharingBar *bar;            /* instead of the main window while sharing */
  LlIdentity *identity;
  LlAuditLog *audit;
  LlInvitation *invitation;
  LlNoviceHost *host;
  char *password_text;          /* kept for Save and Copy link; wiped after */
  gboolean password_made;       /* Lifeline made it: shown, to be read out */
  char *helper_name;
  gboolean sharing;
  gboolean in_control;
  gboolean stopping;
  gboolean offers;              /* waiting for offers (`lifeline host --gui`) */
  LlBusyChanged busy_changed;
  gpointer busy_data;
} NoviceView;

static void set_busy(NoviceView *v, gboolean busy)
{
  if (v->busy_changed != NULL)
    v->busy_changed(busy, v->busy_data);
}

static void show_page(NoviceView *v, const char *name)
{
  gtk_stack_set_visible_child_name(GTK_STACK(v->stack), name);
}

static void forget_password(NoviceView *v)
{
  if (v->password_text != NULL) {
    sodium_memzero(v->password_text, strlen(v->password_text));
    g_clear_pointer(&v->password_text, g_free);
  }
}

static void close_dialog(GtkWidget **dialog)
{
  if (*dialog != NULL) {
    gtk_widget_destroy(*dialog);
    *dialog = NULL;
  }
}


/* "press Esc", "move your mouse or press Esc in Lifeline's window":
 * what ends control here. Where Esc is not seen everywhere (Wayland), it
 * still works while one of Lifeline's windows has the keyboard. */
static char *take_back_phrase(NoviceView *v)
{
  return ll_desktop_stop_phrase(v->stop_ways, v->stop_shortcut,
                                "press Esc in Lifeline's window");
}

static void set_banner(NoviceView *v, gboolean in_control)
{
  g_autofree char *how = take_back_phrase(v);
  v->in_control = in_control;
  g_autofree char *text = in_control
      ? g_strdup_printf("%s is controlling your keyboard and mouse — %s to take it back",
                        v->helper_name, how)
      : g_strdup_printf("%s can see your screen", v->helper_name);
  ll_sharing_bar_set_state(v->bar, text, in_control);
}

/* Takes the keyboard once it is on the screen: asked for before, while
 * it was not mapped yet, the focus may have stayed on the bar. */
static gboolean focus_when_mapped(GtkWidget *dialog, GdkEvent *event, gpointer data)
{
  (void)event; (void)data;
  gdk_window_focus(gtk_widget_get_window(dialog), GDK_CURRENT_TIME);
  return FALSE;
}

/* A question with "Don't allow" as the default answer. */
/* DETAILS (may be NULL) under an expander: what matters to an expert only. */
static GtkWidget *question_with_details(NoviceView *v, const char *primary, const char *secondary,
                                       const char *details)
{
  /* While sharing, the bar is what is on the screen. */
  GtkWindow *parent = v->sharing ? ll_sharing_bar_window(v->bar) : v->window;
  GtkWidget *dialog = gtk_message_dialog_new(parent, GTK_DIALOG_DESTROY_WITH_PARENT,
                                             GTK_MESSAGE_QUESTION, GTK_BUTTONS_NONE, "%s",
                                             primary);
  gtk_message_dialog_format_secondary_text(GTK_MESSAGE_DIALOG(dialog), "%s", secondary);
  gtk_dialog_add_buttons(GTK_DIALOG(dialog), "_Don't allow", GTK_RESPONSE_REJECT, "_Allow",
                         GTK_RESPONSE_ACCEPT, NULL);
  gtk_dialog_set_default_response(GTK_DIALOG(dialog), GTK_RESPONSE_REJECT);
  gtk_window_set_keep_above(GTK_WINDOW(dialog), TRUE);
  gtk_window_set_title(GTK_WINDOW(dialog), "Lifeline");
  if (details != NULL) {
    GtkWidget *expander = gtk_expander_new_with_mnemonic("De_tails");
    GtkWidget *text = ll_app_text(details);
    gtk_label_set_selectable(GTK_LABEL(text), TRUE);
    gtk_container_add(GTK_CONTAINER(expander), text);
    gtk_box_pack_start(GTK_BOX(gtk_message_dialog_get_message_area(GTK_MESSAGE_DIALOG(dialog))),
                       expander, FALSE, FALSE, 0);
    ll_app_report("details: %s", details);
  }
  g_signal_connect(dialog, "map-event", G_CALLBACK(focus_when_mapped), NULL);
  gtk_widget_show_all(dialog);
  GtkWidget *no = gtk_dialog_get_widget_for_response(GTK_DIALOG(dialog), GTK_RESPONSE_REJECT);
  gtk_widget_grab_focus(no);
  gtk_window_present(GTK_WINDOW(dialog));
  return dialog;
}

static GtkWidget *question(NoviceView *v, const char *primary, const char *secondary)
{
  return question_with_details(v, primary, secondary, NULL);
}

/* ---- host events ---- */

static void on_consent(GtkDialog *dialog, gint response, gpointer data)
{
  NoviceView *v = data;
  (void)dialog;
  close_dialog(&v->consent);
  ll_novice_host_answer(v->host, response == GTK_RESPONSE_ACCEPT);
  if (response != GTK_RESPONSE_ACCEPT && v->code_mode)
    ll_code_page_again(v->code_page);   /* whoever typed it is not let in: a new code */
}

static void on_ask(LlNoviceHost *host, const char *helper_name, const char *organisation,
                   const char *helper_key, gpointer data)
{
  NoviceView *v = data;
  guint8 fingerprint[LL_FINGERPRINT_BYTES];
  (void)host;
  g_autofree char *shown = ll_fingerprint_from_text(helper_key, fingerprint)
                               ? ll_fingerprint_short(fingerprint) : g_strdup("unknown");
  g_autofree char *primary = NULL, *secondary = NULL;
  g_autofree char *details = g_strdup_printf("Their key: %s. It is the same each time the same "
                                             "person connects.", shown);
  if (organisation == NULL) {
    /* Anyone can type any name: said plainly, and the key is for experts. */
    primary = g_strdup_printf("%s wants to see your screen", helper_name);
    secondary = g_strdup_printf("Allow this only if you asked %s for help. \u201c%s\u201d is the "
                                "name they gave themselves; Lifeline cannot check it. You can "
                                "stop at any time.", helper_name, helper_name);
  } else {
    /* An offer: the policy admitted the helper; the person still decides. */
    primary = *organisation != '\0'
        ? g_strdup_printf("%s (%s) offers to help you", helper_name, organisation)
        : g_strdup_printf("%s offers to help you", helper_name);
    g_autofree char *who = *organisation != '\0'
        ? g_strdup_printf("%s vouches for this name with a certificate your computer trusts.",
                          organisation)
        : g_strdup_printf("Your computer's administrator lists their key; \u201c%s\u201d is the "
                          "name they gave themselves.", helper_name);
    secondary = g_strdup_printf("%s Let them see your screen? It is still your choice. You can "
                                "stop at any time.", who);
    gtk_window_present(v->window);
  }
  if (v->monitors > 1) {         /* what would be shared */
    char *all = g_strdup_printf("%s All %u of your monitors would be shown.", secondary,
                                v->monitors);
    g_free(secondary);
    secondary = all;
  }
  close_dialog(&v->consent);
  ll_app_report("asking: %s", primary);
  ll_app_report("explained: %s", secondary);
  v->consent = question_with_details(v, primary, secondary, details);
  g_signal_connect(v->consent, "response", G_CALLBACK(on_consent), v);
}

static void on_ask_withdrawn(LlNoviceHost *host, const char *helper_name, gpointer data)
{
  NoviceView *v = data;
  (void)host; (void)helper_name;
  close_dialog(&v->consent);
}

static void on_started(LlNoviceHost *host, const char *helper_name, gpointer data)
{
  NoviceView *v = data;
  (void)host;
  forget_password(v);
  g_free(v->helper_name);
  v->helper_name = g_strdup(helper_name);
  v->sharing = TRUE;
  /* What the open desktop says (a key it bound is known only now). */
  ll_novice_host_learn_stop_ways(v->host, &v->stop_ways, &v->stop_shortcut);
  set_banner(v, FALSE);
  ll_chat_pane_clear(v->chat);
  g_autofree char *note = g_strdup_printf("%s can now see your screen.", helper_name);
  ll_chat_pane_note(v->chat, note);
  ll_app_report("sharing: %s", note);
  /* The main window would fill most of what the helper sees: a small bar instead. */
  gtk_widget_hide(GTK_WIDGET(v->window));
  ll_sharing_bar_show(v->bar);
}

static void on_control_answer(GtkDialog *dialog, gint response, gpointer data)
{
  NoviceView *v = data;
  (void)dialog;
  close_dialog(&v->control_dialog);
  ll_novice_host_answer_control(v->host, response == GTK_RESPONSE_ACCEPT);
}

static void on_control_asked(LlNoviceHost *host, const char *helper_name, gpointer data)
{
  NoviceView *v = data;
  (void)host;
  g_autofree char *primary = g_strdup_printf("%s asks to control your keyboard and mouse",
                                             helper_name);
  close_dialog(&v->control_dialog);
  ll_app_report("asking: %s", primary);
  /* What the open desktop says (a key it bound is known only now). */
  ll_novice_host_learn_stop_ways(v->host, &v->stop_ways, &v->stop_shortcut);
  g_autofree char *how = take_back_phrase(v);
  g_autofree char *secondary = g_strdup_printf("They could then use your computer as if they sat "
                                               "at it. To take control back at any time, %s.",
                                               how);
  v->control_dialog = question(v, primary, secondary);
  g_signal_connect(v->control_dialog, "response", G_CALLBACK(on_control_answer), v);
}

static void on_control_withdrawn(LlNoviceHost *host, gpointer data)
{
  NoviceView *v = data;
  (void)host;
  close_dialog(&v->control_dialog);
}

static void on_control_changed(LlNoviceHost *host, gboolean granted, const char *by,
                               gpointer data)
{
  NoviceView *v = data;
  (void)host;
  set_banner(v, granted);
  g_autofree char *why = granted ? NULL : ll_control_end_sentence(by, "You", v->helper_name);
  g_autofree char *note = granted
      ? g_strdup_printf("%s is now controlling your keyboard and mouse.", v->helper_name)
      : g_strdup_printf("Control ended: %s.", why);
  ll_app_report("control: %s", note);
  ll_chat_pane_note(v->chat, note);
}

static void on_monitor_shown(LlNoviceHost *host, guint number, const LlMonitor *monitor,
                             guint count, gpointer data)
{
  NoviceView *v = data;
  (void)host;
  g_autofree char *note = number == 0
      ? g_strdup_printf("%s sees all your monitors again.", v->helper_name)
      : g_strdup_printf("%s now sees only monitor %u of %u (%s).", v->helper_name, number, count,
                        monitor->name);
  ll_app_report("monitor: %s", note);
  ll_chat_pane_note(v->chat, note);
}

static void on_chat(LlNoviceHost *host, const char *from, const char *text, gpointer data)
{
  NoviceView *v = data;
  (void)host;
  ll_sharing_bar_open_chat(v->bar);   /* a message is seen, not hidden in a closed chat */
  ll_chat_pane_add(v->chat, from, text);
}

static void on_interrupted(LlNoviceHost *host, const char *helper_name, const char *why,
                           guint grace_s, gpointer data)
{
  NoviceView *v = data;
  (void)host; (void)why;
  g_autofree char *note = g_strdup_printf("The connection to %s was interrupted. Waiting up to "
                                          "%u seconds for it to come back.", helper_name, grace_s);
  ll_chat_pane_note(v->chat, note);
}

static void on_resumed(LlNoviceHost *host, const char *helper_name, gpointer data)
{
  NoviceView *v = data;
  (void)host;
  g_autofree char *note = g_strdup_printf("%s is connected again.", helper_name);
  ll_chat_pane_note(v->chat, note);
}

static void write_invitation_file(NoviceView *v, const char *path, GError **error)
{
  gsize len = v->password_text != NULL ? strlen(v->password_text) : 0;
  ll_invitation_save(v->invitation, path, v->password_text, len, ll_seal_cost_default(), error);
}

/* A code instead of the file: only through the rendezvous. */
static void code_ready(NoviceView *v, const LlInvitation *invitation, const GError *rendezvous_error)
{
  if (invitation->mailbox_id == NULL) {
    g_autofree char *why = g_strdup_printf("the rendezvous server cannot be reached (%s), and "
                                           "a code needs it",
                                           rendezvous_error != NULL ? rendezvous_error->message
                                                                    : "no mailbox");
    g_autofree char *text = ll_sentence(why);
    ll_app_report("error: %s", text);
    g_clear_pointer(&v->host, ll_novice_host_free);
    set_busy(v, FALSE);
    gtk_label_set_text(GTK_LABEL(v->start_error), text);
    gtk_widget_show(v->start_error);
    show_page(v, "start");
    return;
  }
  ll_code_page_start(v->code_page, v->host, v->rendezvous_url, v->invitation);
  show_page(v, "code");
}

static void on_invitation_ready(LlNoviceHost *host, const LlInvitation *invitation,
                                const GError *rendezvous_error, gpointer data)
{
  NoviceView *v = data;
  g_autoptr(GError) error = NULL;
  (void)host;
  if (v->code_mode) {
    code_ready(v, invitation, rendezvous_error);
    return;
  }
  g_autofree char *path = g_build_filename(g_get_home_dir(), INVITATION_FILE, NULL);
  write_invitation_file(v, path, &error);
  g_autofree char *until = ll_format_local_time(ll_invitation_expires(invitation));
  g_autofree char *tell = v->password_made
      ? g_strdup_printf(" Tell them the password \u201c%s\u201d another way, by phone for "
                        "example.", v->password_text)
      : g_strdup(v->password_text != NULL
                 ? " Tell them the password another way, by phone for example." : "");
  g_autofree char *text = g_strdup_printf(
      "Send it to the person who will help you, by e-mail or chat, and keep this window open. "
      "It works once, until %s.%s", until, tell);
  gtk_label_set_text(GTK_LABEL(v->waiting_text), text);
  g_autofree char *saved = error == NULL ? g_strdup_printf("Saved as %s", path)
                                         : ll_sentence(error->message);
  gtk_label_set_text(GTK_LABEL(v->saved_label), saved);
  g_autofree char *rv = invitation->mailbox_id != NULL
      ? g_strdup_printf("Also reachable through %s.", invitation->rendezvous_url)
      : rendezvous_error != NULL ? ll_sentence(rendezvous_error->message) : g_strdup("");
  gtk_label_set_text(GTK_LABEL(v->rendezvous_label), rv);
  ll_app_report("invitation: %s", error == NULL ? path : saved);
  show_page(v, "waiting");
}

static void hide_indicator(NoviceView *v)
{
  if (v->bar != NULL)
    ll_sharing_bar_hide(v->bar);
}

static void on_finished(LlNoviceHost *host, const GError *why, gpointer data)
{
  NoviceView *v = data;
  (void)host;
  close_dialog(&v->consent);
  close_dialog(&v->control_dialog);
  hide_indicator(v);
  forget_password(v);
  ll_code_page_stop(v->code_page);
  v->sharing = FALSE;
  set_busy(v, FALSE);
  /* The reason may start with a name ("Bob left the session"): kept as it is. */
  g_autofree char *sentence = v->stopping || why == NULL
                                  ? g_strdup("Nobody can see your screen now.")
                                  : ll_clause_sentence("Nobody can see your screen now",
                                                       why->message);
  ll_app_report("stopped: %s", sentence);
  gtk_label_set_text(GTK_LABEL(v->ended_label), sentence);
  show_page(v, "ended");
  gtk_window_deiconify(v->window);   /* back, saying so, however the session ended */
  gtk_window_present(v->window);
}

/* A host for offers: after a session, back to waiting, out of sight. */
static void on_session_ended(LlNoviceHost *host, const char *helper_name, const GError *why,
                             gpointer data)
{
  NoviceView *v = data;
  (void)host;
  close_dialog(&v->control_dialog);
  hide_indicator(v);
  v->sharing = FALSE;
  g_autofree char *text = why != NULL
      ? g_strdup_printf("The session with %s ended: %s.", helper_name, why->message)
      : g_strdup_printf("The session with %s ended.", helper_name);
  ll_app_report("stopped: %s", text);
  show_page(v, "offers");
  gtk_widget_hide(GTK_WIDGET(v->window));
}

static LlNoviceHostEvents novice_events(void)
{
  LlNoviceHostEvents events = {
    .ask = on_ask, .ask_withdrawn = on_ask_withdrawn, .started = on_started,
    .control_asked = on_control_asked, .control_withdrawn = on_control_withdrawn,
    .control_changed = on_control_changed, .chat = on_chat, .interrupted = on_interrupted,
    .monitor_shown = on_monitor_shown,
    .resumed = on_resumed, .invitation_ready = on_invitation_ready, .finished = on_finished,
    .session_ended = on_session_ended,
  };
  return events;
}

/* ---- actions ---- */

static gboolean check_can_invite(NoviceView *v, gint64 *lifetime, gboolean *view_only,
                                 GError **error)
{
  g_autoptr(LlPolicy) policy = ll_policy_load_effective(v->policy_path);
  gboolean cut = FALSE;
  ll_policy_log_problems(policy, v->policy_path != NULL ? v->policy_path
                                                        : LL_POLICY_DEFAULT_PATH);
  if (!ll_policy_check_invitation(policy, lifetime, &cut, view_only, error))
    return FALSE;
  g_autoptr(LlDesktopProbe) probe = ll_desktop_probe(&v->desktop, error);
  if (probe == NULL)
    return FALSE;
  v->stop_ways = probe->stop_ways;
  v->monitors = probe->monitors;
  if (v->identity == NULL) {
    g_set_error_literal(error, LL_ERROR, LL_ERROR_FAILED,
                        "this account has no usable key; see the message in the terminal");
    return FALSE;
  }
  return TRUE;
}

static void start_invitation(NoviceView *v, gboolean code);

static void on_invite(GtkWidget *button, gpointer data)
{
  (void)button;
  start_invitation(data, FALSE);
}

static void on_get_code(GtkWidget *button, gpointer data)
{
  (void)button;
  start_invitation(data, TRUE);
}

/* The invitation, for a file (with its password, if any) or for a code. */
static void start_invitation(NoviceView *v, gboolean code)
{
  g_autoptr(GError) error = NULL;
  gint64 lifetime = lifetimes[gtk_combo_box_get_active(GTK_COMBO_BOX(v->lifetime))].seconds;
  gboolean view_only = gtk_toggle_button_get_active(GTK_TOGGLE_BUTTON(v->watch_only));
  gtk_widget_hide(v->start_error);
  if (!check_can_invite(v, &lifetime, &view_only, &error)) {
    g_autofree char *text = ll_sentence(error->message);
    ll_app_report("error: %s", text);
    gtk_label_set_text(GTK_LABEL(v->start_error), text);
    gtk_widget_show(v->start_error);
    return;
  }
  const char *password = code ? "" : gtk_entry_get_text(GTK_ENTRY(v->password));
  if (*password != '\0' && !ll_password_check(password, strlen(password), &error)) {
    g_autofree char *hinted = g_strdup_printf("%s (Make one makes some)", error->message);
    g_autofree char *text = ll_sentence(hinted);
    ll_app_report("error: %s", text);
    gtk_label_set_text(GTK_LABEL(v->start_error), text);
    gtk_widget_show(v->start_error);
    return;
  }
  forget_password(v);
  if (*password != '\0')
    v->password_text = g_strdup(password);
  v->password_made = v->password_text != NULL && gtk_entry_get_visibility(GTK_ENTRY(v->password));
  gtk_entry_set_text(GTK_ENTRY(v->password), "");
  gtk_entry_set_visibility(GTK_ENTRY(v->password), FALSE);
  g_autofree char *name = ll_app_person_name(v->identity);
  g_clear_pointer(&v->host, ll_novice_host_free);
  g_clear_pointer(&v->invitation, ll_invitation_free);
  v->invitation = ll_invitation_new(name, v->identity->fingerprint,
                                    g_get_real_time() / G_USEC_PER_SEC, lifetime);
  LlNoviceHostConfig config = { .identity = v->identity, .invitation = v->invitation,
                                .view_only = view_only, .audit = v->audit, .map_port = TRUE,
                                .rendezvous_url = v->rendezvous_url, .desktop = v->desktop };
  LlNoviceHostEvents events = novice_events();
  v->code_mode = code;
  v->host = ll_novice_host_new(&config, &events, v);
  v->stopping = FALSE;
  guint16 port = 0;
  if (!ll_novice_host_listen(v->host, 0, &port, &error)) {
    g_autofree char *text = ll_sentence(error->message);
    gtk_label_set_text(GTK_LABEL(v->start_error), text);
    gtk_widget_show(v->start_error);
    return;
  }
  set_busy(v, TRUE);
  gtk_label_set_text(GTK_LABEL(v->waiting_text),
                     code ? "Getting a code…" : "Preparing your invitation…");
  gtk_label_set_text(GTK_LABEL(v->saved_label), "");
  show_page(v, "waiting");
}

static void on_save_as(GtkWidget *button, gpointer data)
{
  NoviceView *v = data;
  (void)button;
  GtkFileChooserNative *chooser = gtk_file_chooser_native_new(
      "Save invitation", v->window, GTK_FILE_CHOOSER_ACTION_SAVE, "_Save", "_Cancel");
  gtk_file_chooser_set_current_name(GTK_FILE_CHOOSER(chooser), INVITATION_FILE);
  gtk_file_chooser_set_do_overwrite_confirmation(GTK_FILE_CHOOSER(chooser), TRUE);
  if (gtk_native_dialog_run(GTK_NATIVE_DIALOG(chooser)) == GTK_RESPONSE_ACCEPT) {
    g_autoptr(GError) error = NULL;
    g_autofree char *path = gtk_file_chooser_get_filename(GTK_FILE_CHOOSER(chooser));
    write_invitation_file(v, path, &error);
    g_autofree char *text = error == NULL ? g_strdup_printf("Saved as %s", path)
                                          : ll_sentence(error->message);
    gtk_label_set_text(GTK_LABEL(v->saved_label), text);
  }
  g_object_unref(chooser);
}

static void on_copy_link(GtkWidget *button, gpointer data)
{
  NoviceView *v = data;
  g_autoptr(GError) error = NULL;
  gsize len = v->password_text != NULL ? strlen(v->password_text) : 0;
  g_autofree char *link = ll_invitation_to_link(v->invitation, v->password_text, len,
                                                ll_seal_cost_default(), &error);
  if (link == NULL) {
    g_autofree char *text = ll_sentence(error->message);
    gtk_label_set_text(GTK_LABEL(v->saved_label), text);
    return;
  }
  gtk_clipboard_set_text(gtk_widget_get_clipboard(button, GDK_SELECTION_CLIPBOARD), link, -1);
  gtk_label_set_text(GTK_LABEL(v->saved_label),
                     "The link is copied: paste it into an e-mail or a chat message.");
  ll_app_report("link: copied");
}

void ll_novice_view_stop(GtkWidget *widget)
{
  NoviceView *v = g_object_get_data(G_OBJECT(widget), "lifeline-novice-view");
  if (v->host == NULL || v->stopping)
    return;
  v->stopping = TRUE;
  g_autofree char *name = ll_app_person_name(v->identity);
  g_autofree char *reason = g_strdup_printf("%s stopped sharing the screen", name);
  ll_novice_host_stop(v->host, reason);
}

static void on_stop(GtkWidget *button, gpointer data)
{
  (void)button;
  ll_novice_view_stop(((NoviceView *)data)->root);
}

static void on_stop_control(GtkWidget *button, gpointer data)
{
  NoviceView *v = data;
  (void)button;
  ll_novice_host_stop_control(v->host);
}

/* Esc in any of Lifeline's windows ends control: on Wayland that is the
 * only place Lifeline sees the novice's keys. */
static gboolean on_key_press(GtkWidget *window, GdkEventKey *event, gpointer data)
{
  NoviceView *v = data;
  (void)window;
  if (event->keyval != GDK_KEY_Escape || !v->in_control)
    return FALSE;
  ll_novice_host_stop_control(v->host);
  return TRUE;
}

static void on_done(GtkWidget *button, gpointer data)
{
  NoviceView *v = data;
  (void)button;
  g_clear_pointer(&v->host, ll_novice_host_free);
  show_page(v, "start");
}

static gboolean send_chat(const char *text, gpointer data, GError **error)
{
  NoviceView *v = data;
  return v->host != NULL && ll_novice_host_send_chat(v->host, text, error);
}

static void bar_stop_control(gpointer data)
{
  on_stop_control(NULL, data);
}

static void bar_end_session(gpointer data)
{
  on_stop(NULL, data);
}

static gboolean bar_escape(gpointer data)
{
  NoviceView *v = data;
  if (!v->in_control)
    return FALSE;
  ll_novice_host_stop_control(v->host);
  return TRUE;
}

/* ---- building ---- */

/* Four words in the password field, shown, to be read out later. */
static void on_make_password(GtkWidget *button, gpointer data)
{
  NoviceView *v = data;
  (void)button;
  g_autoptr(GError) error = NULL;
  g_autofree char *words = ll_password_generate(&error);
  if (words == NULL) {
    g_autofree char *text = ll_sentence(error->message);
    gtk_label_set_text(GTK_LABEL(v->start_error), text);
    gtk_widget_show(v->start_error);
    return;
  }
  gtk_entry_set_text(GTK_ENTRY(v->password), words);
  gtk_entry_set_visibility(GTK_ENTRY(v->password), TRUE);
  gtk_widget_hide(v->start_error);
  sodium_memzero(words, strlen(words));
  ll_app_report("password: made");
}

static GtkWidget *build_start_page(NoviceView *v)
{
  GtkWidget *page = ll_app_page_box();
  GtkWidget *invite = gtk_button_new_with_mnemonic("_Invite a helper");
  gtk_style_context_add_class(gtk_widget_get_style_context(invite), "suggested-action");
  v->get_code = gtk_button_new_with_mnemonic("Get a _code to read out instead");
  ll_app_set_accessible_name(v->get_code, "Get a code to read out to your helper");
  GtkWidget *options = gtk_expander_new_with_mnemonic("_Options");
  GtkWidget *grid = gtk_grid_new();
  gtk_grid_set_row_spacing(GTK_GRID(grid), 6);
  gtk_grid_set_column_spacing(GTK_GRID(grid), 12);
  GtkWidget *pw_label = gtk_label_new_with_mnemonic("_Password (optional)");
  v->password = gtk_entry_new();
  gtk_entry_set_visibility(GTK_ENTRY(v->password), FALSE);
  gtk_entry_set_width_chars(GTK_ENTRY(v->password), 32);   /* four words fit */
  gtk_label_set_mnemonic_widget(GTK_LABEL(pw_label), v->password);
  ll_app_set_accessible_name(v->password, "Password for the invitation (optional)");
  GtkWidget *life_label = gtk_label_new_with_mnemonic("_Valid for");
  v->lifetime = gtk_combo_box_text_new();
  for (guint i = 0; i < G_N_ELEMENTS(lifetimes); i++)
    gtk_combo_box_text_append_text(GTK_COMBO_BOX_TEXT(v->lifetime), lifetimes[i].label);
  gtk_combo_box_set_active(GTK_COMBO_BOX(v->lifetime), 1);
  gtk_label_set_mnemonic_widget(GTK_LABEL(life_label), v->lifetime);
  ll_app_set_accessible_name(v->lifetime, "How long the invitation is valid");
  gtk_grid_attach(GTK_GRID(grid), pw_label, 0, 0, 1, 1);
  gtk_grid_attach(GTK_GRID(grid), v->password, 1, 0, 1, 1);
  GtkWidget *make = gtk_button_new_with_mnemonic("_Make one");
  ll_app_set_accessible_name(make, "Make a password of four words");
  gtk_grid_attach(GTK_GRID(grid), make, 2, 0, 1, 1);
  g_signal_connect(make, "clicked", G_CALLBACK(on_make_password), v);
  gtk_grid_attach(GTK_GRID(grid), life_label, 0, 1, 1, 1);
  gtk_grid_attach(GTK_GRID(grid), v->lifetime, 1, 1, 1, 1);
  v->watch_only = gtk_check_button_new_with_mnemonic(
      "Only _watch: never let them control my keyboard and mouse");
  gtk_grid_attach(GTK_GRID(grid), v->watch_only, 0, 2, 3, 1);
  gtk_container_add(GTK_CONTAINER(options), grid);
  v->start_error = ll_app_error_label();
  gtk_box_pack_start(GTK_BOX(page), ll_app_heading("Get help from someone you trust"), FALSE,
                     FALSE, 0);
  gtk_box_pack_start(GTK_BOX(page), ll_app_text("Lifeline makes an invitation for the person "
      "who will help you, or a code to read out to them. When they open it, you are asked "
      "whether they may see your screen."), FALSE, FALSE, 0);
  gtk_box_pack_start(GTK_BOX(page), invite, FALSE, FALSE, 0);
  gtk_box_pack_start(GTK_BOX(page), v->get_code, FALSE, FALSE, 0);
  gtk_box_pack_start(GTK_BOX(page), options, FALSE, FALSE, 0);
  gtk_box_pack_start(GTK_BOX(page), v->start_error, FALSE, FALSE, 0);
  g_signal_connect(invite, "clicked", G_CALLBACK(on_invite), v);
  g_signal_connect(v->get_code, "clicked", G_CALLBACK(on_get_code), v);
  return page;
}

static GtkWidget *build_waiting_page(NoviceView *v)
{
  GtkWidget *page = ll_app_page_box();
  v->waiting_text = ll_app_text("");
  v->saved_label = ll_app_text("");
  v->rendezvous_label = ll_app_text("");
  GtkWidget *row = gtk_box_new(GTK_ORIENTATION_HORIZONTAL, 6);
  gtk_widget_set_halign(row, GTK_ALIGN_CENTER);
  GtkWidget *save = gtk_button_new_with_mnemonic("_Save invitation…");
  GtkWidget *copy = gtk_button_new_with_mnemonic("_Copy link");
  gtk_box_pack_start(GTK_BOX(row), save, FALSE, FALSE, 0);
  gtk_box_pack_start(GTK_BOX(row), copy, FALSE, FALSE, 0);
  GtkWidget *cancel = gtk_button_new_with_mnemonic("Cancel _invitation");
  gtk_style_context_add_class(gtk_widget_get_style_context(cancel), "destructive-action");
  gtk_widget_set_halign(cancel, GTK_ALIGN_CENTER);
  gtk_box_pack_start(GTK_BOX(page), ll_app_heading("Your invitation is ready"), FALSE, FALSE, 0);
  gtk_box_pack_start(GTK_BOX(page), v->waiting_text, FALSE, FALSE, 0);
  gtk_box_pack_start(GTK_BOX(page), row, FALSE, FALSE, 0);
  gtk_box_pack_start(GTK_BOX(page), v->saved_label, FALSE, FALSE, 0);
  gtk_box_pack_start(GTK_BOX(page), v->rendezvous_label, FALSE, FALSE, 0);
  gtk_box_pack_start(GTK_BOX(page), cancel, FALSE, FALSE, 0);
  g_signal_connect(save, "clicked", G_CALLBACK(on_save_as), v);
  g_signal_connect(copy, "clicked", G_CALLBACK(on_copy_link), v);
  g_signal_connect(cancel, "clicked", G_CALLBACK(on_stop), v);
  return page;
}

static GtkWidget *build_ended_page(NoviceView *v)
{
  GtkWidget *page = ll_app_page_box();
  v->ended_label = ll_app_text("");
  GtkWidget *done = gtk_button_new_with_mnemonic("_Done");
  gtk_widget_set_halign(done, GTK_ALIGN_CENTER);
  gtk_box_pack_start(GTK_BOX(page), ll_app_heading("Sharing stopped"), FALSE, FALSE, 0);
  gtk_box_pack_start(GTK_BOX(page), v->ended_label, FALSE, FALSE, 0);
  gtk_box_pack_start(GTK_BOX(page), done, FALSE, FALSE, 0);
  g_signal_connect(done, "clicked", G_CALLBACK(on_done), v);
  return page;
}

static GtkWidget *build_offers_page(void)
{
  GtkWidget *page = ll_app_page_box();
  gtk_box_pack_start(GTK_BOX(page), ll_app_heading("Ready for your help desk"), FALSE, FALSE, 0);
  gtk_box_pack_start(GTK_BOX(page), ll_app_text("Helpers your computer's administrator allows "
      "can offer to help you. You will always be asked first, and you can stop at any time."),
      FALSE, FALSE, 0);
  return page;
}

static void novice_view_free(gpointer data)
{
  NoviceView *v = data;
  g_signal_handlers_disconnect_by_data(v->window, v);
  close_dialog(&v->consent);
  close_dialog(&v->control_dialog);
  ll_novice_host_free(v->host);
  ll_invitation_free(v->invitation);
  ll_identity_free(v->identity);
  ll_audit_log_close(v->audit);
  forget_password(v);
  ll_sharing_bar_free(v->bar);
  ll_code_page_free(v->code_page);
  g_free(v->helper_name);
  g_free(v->stop_shortcut);
  g_free(v->policy_path);
  g_free(v->rendezvous_url);
  g_free(v);
}

GtkWidget *ll_novice_view_new(GtkWindow *window, const char *policy_path,
                              const char *rendezvous_url, LlDesktopKind desktop)
{
  NoviceView *v = g_new0(NoviceView, 1);
  g_autoptr(GError) error = NULL;
  v->window = window;
  v->desktop.kind = desktop;
  v->policy_path = g_strdup(policy_path);
  v->rendezvous_url = g_strdup(rendezvous_url);
  v->identity = ll_identity_load_or_create(NULL, &error);
  if (v->identity == NULL)
    g_warning("%s", error->message);
  g_clear_error(&error);
  v->audit = ll_audit_log_open(NULL, &error);
  if (v->audit == NULL)
    g_warning("%s; sessions will not be recorded", error->message);
  v->stack = gtk_stack_new();
  gtk_stack_set_transition_type(GTK_STACK(v->stack), GTK_STACK_TRANSITION_TYPE_CROSSFADE);
  gtk_stack_add_named(GTK_STACK(v->stack), build_start_page(v), "start");
  gtk_stack_add_named(GTK_STACK(v->stack), build_waiting_page(v), "waiting");
  gtk_stack_add_named(GTK_STACK(v->stack), build_ended_page(v), "ended");
  v->code_page = ll_code_page_new(G_CALLBACK(on_stop), v);
  gtk_stack_add_named(GTK_STACK(v->stack), ll_code_page_widget(v->code_page), "code");
  v->root = v->stack;
  static const LlSharingBarActions bar_actions = {
    .stop_control = bar_stop_control, .end_session = bar_end_session, .escape = bar_escape,
  };
  v->chat = ll_chat_pane_new(send_chat, v);
  v->bar = ll_sharing_bar_new(v->chat, &bar_actions, v);
  g_object_set_data_full(G_OBJECT(v->root), "lifeline-novice-view", v, novice_view_free);
  g_signal_connect(window, "key-press-event", G_CALLBACK(on_key_press), v);
  gtk_widget_show_all(v->root);
  gtk_widget_set_visible(v->get_code, v->rendezvous_url != NULL);
  return v->root;
}

void ll_novice_view_set_rendezvous(GtkWidget *widget, const char *url)
{
  NoviceView *v = g_object_get_data(G_OBJECT(widget), "lifeline-novice-view");
  g_free(v->rendezvous_url);
  v->rendezvous_url = g_strdup(url);
  gtk_widget_set_visible(v->get_code, url != NULL);   /* a code needs a rendezvous */
}

void ll_novice_view_on_busy(GtkWidget *widget, LlBusyChanged changed, gpointer user_data)
{
  NoviceView *v = g_object_get_data(G_OBJECT(widget), "lifeline-novice-view");
  v->busy_changed = changed;
  v->busy_data = user_data;
}

GtkWidget *ll_novice_view_new_for_offers(GtkWindow *window, const LlNoviceViewOffers *config,
                                         GError **error)
{
  GtkWidget *root = ll_novice_view_new(window, config->policy_path, NULL, config->desktop);
  NoviceView *v = g_object_get_data(G_OBJECT(root), "lifeline-novice-view");
  guint16 port = 0;
  v->offers = TRUE;
  gtk_stack_add_named(GTK_STACK(v->stack), build_offers_page(), "offers");
  gtk_widget_show_all(v->stack);
  show_page(v, "offers");
  if (v->identity == NULL) {
    g_set_error_literal(error, LL_ERROR, LL_ERROR_FAILED,
                        "this account has no usable key; see the message above");
    return root;
  }
  g_autoptr(LlDesktopProbe) probe = ll_desktop_probe(&v->desktop, error);
  if (probe == NULL)
    return root;
  v->stop_ways = probe->stop_ways;
  v->monitors = probe->monitors;
  g_autofree char *name = ll_app_person_name(v->identity);
  LlNoviceHostConfig host_config = { .identity = v->identity, .policy_path = config->policy_path,
                                     .novice_name = name, .audit = v->audit,
                                     .rendezvous_url = config->rendezvous_url,
                                     .desktop = v->desktop };
  LlNoviceHostEvents events = novice_events();
  v->host = ll_novice_host_new(&host_config, &events, v);
  if (ll_novice_host_listen(v->host, config->port, &port, error)) {
    g_autofree char *host_id = ll_host_id_of(v->identity->fingerprint);
    ll_app_report("host id: %s", host_id);
    ll_app_report("Listening on port %u.", port);
  }
  return root;
}

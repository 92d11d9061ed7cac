#include "ui/app/app.h"
#include "ui/app/accessibility_check.h"
#include "ui/app/app_widgets.h"
#include "ui/app/helper_view.h"
#include "ui/app/name_dialog.h"
#include "ui/app/text_question.h"
#include "ui/app/novice_view.h"
#include "novice/desktop/desktop.h"
#include "ui/terminal.h"
#include "common/rendezvous_url.h"
#include "common/settings.h"
#include <gtk/gtk.h>

#define APP_ID "org.lifeline.Lifeline"

typedef struct {
  char *policy;
  gboolean check_accessibility;
  gboolean host;
  char *rendezvous;
  char *desktop;
  LlDesktopKind desktop_kind;
  int port;
  gboolean get_help;
  gboolean help_someone;
  gboolean verbose;
  char **rest;
} AppOptions;

typedef struct {
  AppOptions options;
  int status;
  gboolean busy;               /* an invitation or session runs: no Back */
  gboolean leaving;            /* the helper said yes to leaving: the window may close */
  GtkWidget *leave_question;
  GtkWidget *window, *stack, *back, *novice, *helper;
  LlIdentity *identity;        /* for the name others see; NULL when it cannot load */
  GtkWidget *name_label;
  gboolean rendezvous_given;   /* --rendezvous: it wins over lifeline.conf in this window */
  GtkWidget *rendezvous_label;
} App;

static void show(App *a, const char *page, const char *subtitle)
{
  gtk_stack_set_visible_child_name(GTK_STACK(a->stack), page);
  gtk_widget_set_visible(a->back, g_strcmp0(page, "home") != 0 && !a->busy);
  gtk_header_bar_set_subtitle(GTK_HEADER_BAR(gtk_window_get_titlebar(GTK_WINDOW(a->window))),
                              subtitle);
}

static void on_busy(gboolean busy, gpointer data)
{
  App *a = data;
  a->busy = busy;
  ll_app_report("back: %s", busy ? "hidden while busy" : "available");
  gtk_widget_set_visible(a->back, !busy && g_strcmp0(gtk_stack_get_visible_child_name(
                                                          GTK_STACK(a->stack)), "home") != 0);
}

static void on_get_help(GtkWidget *button, gpointer data)
{
  (void)button;
  show(data, "get-help", "Get help");
}

static void on_help_someone(GtkWidget *button, gpointer data)
{
  (void)button;
  show(data, "help", "Help someone");
}

static void on_back(GtkWidget *button, gpointer data)
{
  App *a = data;
  (void)button;
  show(a, "home", NULL);
}

static GtkWidget *big_choice(const char *mnemonic, const char *explanation)
{
  GtkWidget *button = gtk_button_new();
  GtkWidget *box = gtk_box_new(GTK_ORIENTATION_VERTICAL, 4);
  gtk_container_set_border_width(GTK_CONTAINER(box), 12);
  GtkWidget *title = gtk_label_new(NULL);
  gtk_label_set_markup_with_mnemonic(GTK_LABEL(title), mnemonic);
  gtk_label_set_mnemonic_widget(GTK_LABEL(title), button);
  GtkWidget *text = ll_app_text(explanation);
  gtk_box_pack_start(GTK_BOX(box), title, FALSE, FALSE, 0);
  gtk_box_pack_start(GTK_BOX(box), text, FALSE, FALSE, 0);
  gtk_container_add(GTK_CONTAINER(button), box);
  return button;
}

static void show_name(App *a)
{
  g_autofree char *name = ll_app_person_name(a->identity);
  g_autofree char *text = g_markup_printf_escaped("Others see you as <b>%s</b>", name);
  gtk_label_set_markup(GTK_LABEL(a->name_label), text);
}

static void on_name_chosen(const char *name, gpointer data)
{
  if (name != NULL)
    show_name(data);
}

static void on_change_name(GtkWidget *button, gpointer data)
{
  App *a = data;
  (void)button;
  ll_name_dialog_open(GTK_WINDOW(a->window), a->identity, FALSE, on_name_chosen, a);
}

/* "Others see you as Alice Smith  [Change your name…]" */
static GtkWidget *name_row(App *a)
{
  GtkWidget *row = gtk_box_new(GTK_ORIENTATION_HORIZONTAL, 12);
  gtk_widget_set_halign(row, GTK_ALIGN_CENTER);
  a->name_label = gtk_label_new(NULL);
  show_name(a);
  GtkWidget *change = gtk_button_new_with_mnemonic("Change your _name…");
  gtk_box_pack_start(GTK_BOX(row), a->name_label, FALSE, FALSE, 0);
  gtk_box_pack_start(GTK_BOX(row), change, FALSE, FALSE, 0);
  g_signal_connect(change, "clicked", G_CALLBACK(on_change_name), a);
  gtk_widget_set_sensitive(change, a->identity != NULL);
  return row;
}

static void show_rendezvous(App *a)
{
  const char *url = a->options.rendezvous;
  g_autofree char *text = url != NULL
      ? g_markup_printf_escaped("Invitations also go through the rendezvous <b>%s</b>", url)
      : g_strdup("No rendezvous: an invitation reaches this computer only directly");
  gtk_label_set_markup(GTK_LABEL(a->rendezvous_label), text);
  ll_app_report("rendezvous: %s", url != NULL ? url : "none");
}

static gboolean save_rendezvous(const char *text, gpointer data, GError **error)
{
  App *a = data;
  g_autofree char *saved = NULL;
  if (!ll_settings_save_rendezvous(text, &saved, error))
    return FALSE;
  if (!a->rendezvous_given) {   /* the person's choice, or the machine's again */
    g_free(a->options.rendezvous);
    a->options.rendezvous = saved != NULL ? g_steal_pointer(&saved)
                                          : ll_settings_choose_rendezvous(NULL, NULL);
    ll_novice_view_set_rendezvous(a->novice, a->options.rendezvous);
    ll_helper_view_set_rendezvous(a->helper, a->options.rendezvous);
  }
  return TRUE;
}

static void on_rendezvous_done(gboolean saved, gpointer data)
{
  if (saved)
    show_rendezvous(data);
}

static void on_change_rendezvous(GtkWidget *button, gpointer data)
{
  App *a = data;
  (void)button;
  LlTextQuestion q = {
    .primary = "Which rendezvous should invitations go through?",
    .secondary = "A rendezvous lets your helper reach this computer across routers, like "
                 "rdv.example.org; your help desk can tell you theirs. Leave it empty for "
                 "none (or for your computer's own setting).",
    .initial = a->options.rendezvous, .accessible_name = "Rendezvous address",
    .cancel_label = "_Cancel", .save = save_rendezvous, .done = on_rendezvous_done,
    .user_data = a,
  };
  ll_text_question_open(GTK_WINDOW(a->window), &q);
}

/* "Invitations also go through the rendezvous …  [Change the rendezvous…]" */
static GtkWidget *rendezvous_row(App *a)
{
  GtkWidget *row = gtk_box_new(GTK_ORIENTATION_HORIZONTAL, 12);
  gtk_widget_set_halign(row, GTK_ALIGN_CENTER);
  a->rendezvous_label = gtk_label_new(NULL);
  gtk_label_set_line_wrap(GTK_LABEL(a->rendezvous_label), TRUE);
  show_rendezvous(a);
  GtkWidget *change = gtk_button_new_with_mnemonic("Change the _rendezvous…");
  gtk_box_pack_start(GTK_BOX(row), a->rendezvous_label, FALSE, FALSE, 0);
  gtk_box_pack_start(GTK_BOX(row), change, FALSE, FALSE, 0);
  g_signal_connect(change, "clicked", G_CALLBACK(on_change_rendezvous), a);
  return row;
}

static GtkWidget *build_home(App *a)
{
  GtkWidget *page = ll_app_page_box();
  GtkWidget *get = big_choice("<span size='large' weight='bold'>_Get help</span>",
                              "Let someone you trust see your screen");
  GtkWidget *give = big_choice("<span size='large' weight='bold'>_Help someone</span>",
                               "Open an invitation someone sent you");
  gtk_box_pack_start(GTK_BOX(page), ll_app_heading("What would you like to do?"), FALSE, FALSE, 0);
  gtk_box_pack_start(GTK_BOX(page), get, FALSE, FALSE, 0);
  gtk_box_pack_start(GTK_BOX(page), give, FALSE, FALSE, 0);
  gtk_box_pack_start(GTK_BOX(page), name_row(a), FALSE, FALSE, 12);
  gtk_box_pack_start(GTK_BOX(page), rendezvous_row(a), FALSE, FALSE, 0);
  g_signal_connect(get, "clicked", G_CALLBACK(on_get_help), a);
  g_signal_connect(give, "clicked", G_CALLBACK(on_help_someone), a);
  return page;
}

static void on_leave_answer(GtkDialog *dialog, gint response, gpointer data)
{
  App *a = data;
  gtk_widget_destroy(GTK_WIDGET(dialog));
  a->leave_question = NULL;
  ll_app_report("leave: %s", response == GTK_RESPONSE_ACCEPT ? "yes" : "stayed");
  if (response != GTK_RESPONSE_ACCEPT)
    return;
  a->leaving = TRUE;
  gtk_window_close(GTK_WINDOW(a->window));
}

/* Closing the helper's window mid-session would leave it: asked first. */
static void ask_to_leave(App *a, const char *name)
{
  if (a->leave_question != NULL) {
    gtk_window_present(GTK_WINDOW(a->leave_question));
    return;
  }
  GtkWidget *d = gtk_message_dialog_new(GTK_WINDOW(a->window), GTK_DIALOG_MODAL,
                                        GTK_MESSAGE_QUESTION, GTK_BUTTONS_NONE,
                                        "Leave the session with %s?", name);
  gtk_message_dialog_format_secondary_text(GTK_MESSAGE_DIALOG(d), "Closing this window ends "
                                           "the session; %s will be told.", name);
  gtk_dialog_add_button(GTK_DIALOG(d), "_Stay", GTK_RESPONSE_CANCEL);
  GtkWidget *leave = gtk_dialog_add_button(GTK_DIALOG(d), "_Leave", GTK_RESPONSE_ACCEPT);
  gtk_style_context_add_class(gtk_widget_get_style_context(leave), "destructive-action");
  gtk_dialog_set_default_response(GTK_DIALOG(d), GTK_RESPONSE_CANCEL);
  g_signal_connect(d, "response", G_CALLBACK(on_leave_answer), a);
  a->leave_question = d;
  ll_app_report("asking: Leave the session with %s?", name);
  gtk_window_present(GTK_WINDOW(d));
}

static gboolean on_delete(GtkWidget *window, GdkEvent *event, gpointer data)
{
  App *a = data;
  (void)window; (void)event;
  const char *name = NULL;
  if (!a->leaving && ll_helper_view_in_session(a->helper, &name)) {
    ask_to_leave(a, name != NULL ? name : "the other person");
    return TRUE;   /* the window stays until the answer */
  }
  /* Closing the window ends sharing and leaves sessions; the other side is told. */
  ll_novice_view_stop(a->novice);
  ll_helper_view_stop(a->helper);
  return FALSE;
}

static void on_close_action(GSimpleAction *action, GVariant *parameter, gpointer data)
{
  (void)action; (void)parameter;
  gtk_window_close(GTK_WINDOW(((App *)data)->window));
}

/* Ctrl+Q and Ctrl+W close the window as its close button does. */
static void add_close_keys(GtkApplication *application, App *a)
{
  GSimpleAction *close = g_simple_action_new("close", NULL);
  g_signal_connect(close, "activate", G_CALLBACK(on_close_action), a);
  g_action_map_add_action(G_ACTION_MAP(a->window), G_ACTION(close));
  g_object_unref(close);
  const char *keys[] = { "<Control>q", "<Control>w", NULL };
  gtk_application_set_accels_for_action(application, "win.close", keys);
}


static void build_window(GtkApplication *application, App *a)
{
  a->window = gtk_application_window_new(application);
  gtk_window_set_default_size(GTK_WINDOW(a->window), 1000, 700);
  gtk_window_set_icon_name(GTK_WINDOW(a->window), APP_ID);
  GtkWidget *header = gtk_header_bar_new();
  gtk_header_bar_set_title(GTK_HEADER_BAR(header), "Lifeline");
  gtk_header_bar_set_show_close_button(GTK_HEADER_BAR(header), TRUE);
  a->back = gtk_button_new_from_icon_name("go-previous-symbolic", GTK_ICON_SIZE_BUTTON);
  ll_app_set_accessible_name(a->back, "Back");
  gtk_widget_set_tooltip_text(a->back, "Back");
  gtk_header_bar_pack_start(GTK_HEADER_BAR(header), a->back);
  gtk_window_set_titlebar(GTK_WINDOW(a->window), header);
  a->stack = gtk_stack_new();
  g_autoptr(GError) error = NULL;
  a->identity = ll_identity_load_or_create(NULL, &error);   /* the views say why when not */
  a->novice = ll_novice_view_new(GTK_WINDOW(a->window), a->options.policy,
                                 a->options.rendezvous, a->options.desktop_kind);
  a->helper = ll_helper_view_new(GTK_WINDOW(a->window));
  ll_helper_view_set_rendezvous(a->helper, a->options.rendezvous);
  ll_novice_view_on_busy(a->novice, on_busy, a);
  ll_helper_view_on_busy(a->helper, on_busy, a);
  gtk_stack_add_named(GTK_STACK(a->stack), build_home(a), "home");
  gtk_stack_add_named(GTK_STACK(a->stack), a->novice, "get-help");
  gtk_stack_add_named(GTK_STACK(a->stack), a->helper, "help");
  gtk_container_add(GTK_CONTAINER(a->window), a->stack);
  g_signal_connect(a->back, "clicked", G_CALLBACK(on_back), a);
  g_signal_connect(a->window, "delete-event", G_CALLBACK(on_delete), a);
  add_close_keys(application, a);
  gtk_widget_show_all(a->window);
}

/* `lifeline host --gui`: one window for offers, out of sight until asked. */
static void activate_host(GtkApplication *application, App *a)
{
  g_autoptr(GError) error = NULL;
  a->window = gtk_application_window_new(application);
  gtk_window_set_default_size(GTK_WINDOW(a->window), 700, 560);
  gtk_window_set_title(GTK_WINDOW(a->window), "Lifeline");
  gtk_window_set_icon_name(GTK_WINDOW(a->window), APP_ID);
  /* Closing the window while nobody is connected only hides it. */
  g_signal_connect(a->window, "delete-event", G_CALLBACK(gtk_widget_hide_on_delete), NULL);
  LlNoviceViewOffers offers = { .policy_path = a->options.policy,
                                .rendezvous_url = a->options.rendezvous,
                                .desktop = a->options.desktop_kind,
                                .port = (guint16)a->options.port };
  a->novice = ll_novice_view_new_for_offers(GTK_WINDOW(a->window), &offers, &error);
  gtk_container_add(GTK_CONTAINER(a->window), a->novice);
  g_application_hold(G_APPLICATION(application));   /* runs with no window shown */
  if (error != NULL) {
    g_printerr("lifeline host: %s\n", error->message);
    g_application_release(G_APPLICATION(application));
  }
}

static void on_activate(GtkApplication *application, gpointer data)
{
  App *a = data;
  if (a->options.host) {
    activate_host(application, a);
    return;
  }
  build_window(application, a);
  if (a->options.check_accessibility) {
    guint checked = 0;
    guint failed = ll_accessibility_check(a->window, &checked);
    ll_app_report("accessibility: %u controls checked, %u without a name or the keyboard",
                  checked, failed);
    a->status = failed == 0 ? 0 : 1;
    gtk_widget_destroy(a->window);
    return;
  }
  if (a->options.rest != NULL && a->options.rest[0] != NULL) {
    show(a, "help", "Help someone");
    ll_helper_view_open(a->helper, a->options.rest[0]);
  } else if (a->options.get_help) {
    show(a, "get-help", "Get help");
  } else if (a->options.help_someone) {
    show(a, "help", "Help someone");
  } else {
    show(a, "home", NULL);
  }
  /* First use: the name people will read first in every question. */
  if (a->identity != NULL && a->identity->name == NULL)
    ll_name_dialog_open(GTK_WINDOW(a->window), a->identity, TRUE, on_name_chosen, a);
}

static gboolean parse_options(int *argc, char ***argv, AppOptions *o, GError **error)
{
  const GOptionEntry entries[] = {
    { "get-help", 0, 0, G_OPTION_ARG_NONE, &o->get_help, "Start on \"Get help\"", NULL },
    { "help-someone", 0, 0, G_OPTION_ARG_NONE, &o->help_someone, "Start on \"Help someone\"", NULL },
    { "check-accessibility", 0, 0, G_OPTION_ARG_NONE, &o->check_accessibility, "Check that every control of the window can take the keyboard and has an accessible name, then quit", NULL },
    { "host", 0, G_OPTION_FLAG_HIDDEN, G_OPTION_ARG_NONE, &o->host, "Wait for offers of help (lifeline host --gui)", NULL },
    { "rendezvous", 'r', 0, G_OPTION_ARG_STRING, &o->rendezvous, "Make invitations (and, with --host, the host) reachable through this rendezvous server too, across NAT routers (like rdv.example.org, rdv.example.org:3478 or wss://rdv.example.org)", "URL" },
    { "port", 0, G_OPTION_FLAG_HIDDEN, G_OPTION_ARG_INT, &o->port, "With --host: listen on this port", "N" },
    { "desktop", 0, 0, G_OPTION_ARG_STRING, &o->desktop, ll_desktop_option_help(), "KIND" },
    { "policy", 0, 0, G_OPTION_ARG_FILENAME, &o->policy, "Use the policy in FILE: it narrows /etc/lifeline/policy.conf, or stands in for it where there is none", "FILE" },
    { "verbose", 'v', 0, G_OPTION_ARG_NONE, &o->verbose, "Log what happens in detail", NULL },
    { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &o->rest, NULL, "[INVITATION]" },
    { NULL, 0, 0, 0, NULL, NULL, NULL },
  };
  g_autoptr(GOptionContext) ctx = g_option_context_new("- the desktop application");
  g_option_context_set_summary(ctx,
      "Opens Lifeline's window: \"Get help\" makes an invitation and shares this desktop\n"
      "once you agree; \"Help someone\" opens an invitation (INVITATION: a .lifeline\n"
      "file or a lifeline: link) and shows the other person's desktop.");
  g_option_context_add_main_entries(ctx, entries, NULL);
  g_option_context_add_group(ctx, gtk_get_option_group(TRUE));
  if (!g_option_context_parse(ctx, argc, argv, error))
    return FALSE;
  o->desktop_kind = LL_DESKTOP_AUTO;
  return o->desktop == NULL || ll_desktop_kind_parse(o->desktop, &o->desktop_kind, error);
}

int ll_app_run(int argc, char **argv)
{
  App a = { 0 };
  g_autoptr(GError) error = NULL;
  if (!parse_options(&argc, &argv, &a.options, &error)) {
    g_printerr("lifeline app: %s\n", error->message);
    return 2;
  }
  ll_logging_init(a.options.verbose);
  /* --rendezvous, else the one lifeline.conf names (settings.h). */
  a.rendezvous_given = a.options.rendezvous != NULL;
  char *url = ll_settings_choose_rendezvous(a.options.rendezvous, &error);
  g_free(a.options.rendezvous);
  a.options.rendezvous = url;
  if (error != NULL) {
    g_printerr("lifeline app: %s\n", error->message);
    return 2;
  }
  if (!gtk_init_check(NULL, NULL)) {
    g_printerr("lifeline app: cannot open the display; is this a graphical session?\n");
    return 1;
  }
  /* Not unique: each person's session (and each test display) runs its own. */
  g_autoptr(GtkApplication) application = gtk_application_new(APP_ID, G_APPLICATION_NON_UNIQUE);
  g_signal_connect(application, "activate", G_CALLBACK(on_activate), &a);
  char *no_args[] = { argv[0], NULL };
  int status = g_application_run(G_APPLICATION(application), 1, no_args);
  if (status == 0)
    status = a.status;
  g_free(a.options.policy);
  g_free(a.options.rendezvous);
  g_free(a.options.desktop);
  g_strfreev(a.options.rest);
  ll_identity_free(a.identity);
  return status;
}

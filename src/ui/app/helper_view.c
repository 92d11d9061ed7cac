#include "ui/app/helper_view.h"
#include "common/error.h"
#include "common/identity.h"
#include "common/invitation_file.h"
#include "common/pairing_code.h"
#include "helper/code_claim.h"
#include "helper/helper_join.h"
#include "ui/app/app_widgets.h"
#include "ui/app/chat_pane.h"
#include "ui/commands.h"
#include "ui/terminal.h"
#include <sodium.h>
#include <unistd.h>
#include <vncdisplay.h>

typedef struct {
  GtkWindow *window;
  GtkWidget *root, *stack;
  /* open */
  GtkWidget *link_entry, *open_error;
  /* progress */
  GtkWidget *progress_label;
  /* session */
  GtkWidget *display, *scroller, *chat, *control, *scale, *status, *details, *monitor;
  GtkWidget *monitor_label;
  gboolean updating_control;   /* the toggle is being set to the real state */
  gboolean updating_monitor;   /* the monitor menu is being set to what is shown */
  gboolean in_control;
  gboolean fullscreen;
  /* ended */
  GtkWidget *ended_label;
  LlIdentity *identity;
  LlInvitation *invitation;
  LlHelperJoin *join;
  char *novice_name;
  char *path;
  gint64 connect_ms;
  LlBusyChanged busy_changed;
  gpointer busy_data;
  LlAuditLog *audit;          /* the helper's own record, kept open while the view lives */
  char *rendezvous_url;       /* for codes; NULL when none is set */
  LlCodeClaim *claim;         /* a code being checked */
} HelperView;

static void set_busy(HelperView *v, gboolean busy)
{
  if (v->busy_changed != NULL)
    v->busy_changed(busy, v->busy_data);
}

void ll_helper_view_on_busy(GtkWidget *widget, LlBusyChanged changed, gpointer user_data)
{
  HelperView *v = g_object_get_data(G_OBJECT(widget), "lifeline-helper-view");
  v->busy_changed = changed;
  v->busy_data = user_data;
}

static void show_page(HelperView *v, const char *name)
{
  gtk_stack_set_visible_child_name(GTK_STACK(v->stack), name);
}

static void set_status(HelperView *v, const char *text)
{
  ll_app_report("status: %s", text);
  gtk_label_set_text(GTK_LABEL(v->status), text);
}

static void set_control(HelperView *v, gboolean active, gboolean sensitive, const char *label)
{
  v->updating_control = TRUE;
  ll_app_report("control toggle: %s, %s, \"%s\"", active ? "on" : "off",
                sensitive ? "enabled" : "greyed", label);
  gtk_toggle_button_set_active(GTK_TOGGLE_BUTTON(v->control), active);
  gtk_widget_set_sensitive(v->control, sensitive);
  gtk_button_set_label(GTK_BUTTON(v->control), label);
  v->updating_control = FALSE;
}

static void update_details(HelperView *v)
{
  gint64 rtt = v->join != NULL ? ll_helper_join_rtt_ms(v->join) : -1;
  g_autofree char *rtt_text = rtt < 0 ? g_strdup("not measured yet")
                                      : g_strdup_printf("%" G_GINT64_FORMAT " ms", rtt);
  g_autofree char *text = g_strdup_printf("Connected to %s\nPath: %s\nConnected in %" G_GINT64_FORMAT
                                          " ms\nRound trip: %s", v->novice_name,
                                          v->path ? v->path : "unknown", v->connect_ms, rtt_text);
  gtk_label_set_text(GTK_LABEL(v->details), text);
}

static void on_details_shown(GtkWidget *popover, gpointer data)
{
  HelperView *v = data;
  (void)popover;
  update_details(v);
  ll_app_report("details: %s", gtk_label_get_text(GTK_LABEL(v->details)));
}

/* Where the remote screen is on this screen, for scripts comparing
 * pictures: the viewer widget's origin and size in root coordinates. */
static void report_viewer_geometry(GtkWidget *display, GdkRectangle *allocation, gpointer data)
{
  (void)allocation; (void)data;
  GdkWindow *window = gtk_widget_get_window(display);
  gint x = 0, y = 0;
  if (window == NULL || !gtk_widget_get_mapped(display))
    return;
  gdk_window_get_origin(window, &x, &y);
  GtkAllocation a;
  gtk_widget_get_allocation(display, &a);
  if (!gtk_widget_get_has_window(display)) {
    x += a.x;
    y += a.y;
  }
  ll_app_report("viewer: %d %d %d %d remote %d %d", x, y, a.width, a.height,
                vnc_display_get_width(VNC_DISPLAY(display)),
                vnc_display_get_height(VNC_DISPLAY(display)));
}

static void on_viewer_initialized(GtkWidget *display, gpointer data)
{
  (void)data;
  GtkAllocation a;
  gtk_widget_get_allocation(display, &a);
  report_viewer_geometry(display, &a, NULL);
}

/* ---- session events ---- */

static void on_connected(LlHelperJoin *join, const char *path, const char *endpoint,
                         gint64 elapsed_ms, gpointer data)
{
  HelperView *v = data;
  (void)join; (void)endpoint;
  g_free(v->path);
  v->path = g_strdup(path);
  v->connect_ms = elapsed_ms;
  ll_app_report("connected via %s in %" G_GINT64_FORMAT " ms", path, elapsed_ms);
  g_autofree char *text = g_strdup_printf("Connected. Waiting for %s to allow you to see "
                                          "their screen…", v->novice_name);
  gtk_label_set_text(GTK_LABEL(v->progress_label), text);
}

static void on_waiting(LlHelperJoin *join, const char *novice_name, gpointer data)
{
  HelperView *v = data;
  (void)join;
  g_autofree char *text = g_strdup_printf("%s is being asked whether you may see their "
                                          "screen…", novice_name);
  gtk_label_set_text(GTK_LABEL(v->progress_label), text);
}

static void on_ready(LlHelperJoin *join, guint16 port, gpointer data)
{
  HelperView *v = data;
  g_autoptr(GError) error = NULL;
  (void)port;
  g_free(v->novice_name);
  v->novice_name = g_strdup(ll_helper_join_peer_name(join));
  int fd = ll_helper_join_open_viewer_fd(join, &error);
  if (fd >= 0 && !vnc_display_open_fd(VNC_DISPLAY(v->display), fd)) {
    close(fd);   /* gtk-vnc did not take it */
    fd = -1;
  }
  if (fd < 0) {
    g_autofree char *why = g_strdup_printf("The viewer could not start: %s",
                                           error != NULL ? error->message : "gtk-vnc refused");
    ll_helper_join_stop(join, "the helper's viewer could not start");
    gtk_label_set_text(GTK_LABEL(v->ended_label), why);
    show_page(v, "ended");
    return;
  }
  g_autofree char *name = g_strdup_printf("Screen of %s", v->novice_name);
  ll_app_set_accessible_name(v->display, name);
  g_autofree char *text = g_strdup_printf("You can see %s's screen. Ask for control to use "
                                          "their keyboard and mouse.", v->novice_name);
  set_status(v, text);
  set_control(v, FALSE, TRUE, "Request _control");
  update_details(v);
  ll_chat_pane_clear(v->chat);
  ll_chat_pane_note(v->chat, text);
  show_page(v, "session");
  /* Watching: the keyboard stays with the window's own controls (the
   * viewer takes it when control is granted). */
  gtk_widget_grab_focus(v->control);
  ll_app_report("ready: viewer");
}

static void on_control_granted(LlHelperJoin *join, gpointer data)
{
  HelperView *v = data;
  (void)join;
  v->in_control = TRUE;
  ll_app_report("control: granted");
  vnc_display_set_read_only(VNC_DISPLAY(v->display), FALSE);
  set_control(v, TRUE, TRUE, "Release _control");
  g_autofree char *text = g_strdup_printf("You are controlling %s's keyboard and mouse. They "
                                          "can take it back with Esc.", v->novice_name);
  set_status(v, text);
  ll_chat_pane_note(v->chat, text);
  gtk_widget_grab_focus(v->display);
}

static void end_control(HelperView *v, const char *sentence)
{
  if (gtk_widget_has_focus(v->display))
    gtk_widget_grab_focus(v->control);
  v->in_control = FALSE;
  vnc_display_set_read_only(VNC_DISPLAY(v->display), TRUE);
  set_control(v, FALSE, TRUE, "Request _control");
  set_status(v, sentence);
  ll_chat_pane_note(v->chat, sentence);
}

static void on_control_denied(LlHelperJoin *join, const char *reason, gpointer data)
{
  HelperView *v = data;
  (void)join;
  g_autofree char *text = g_strdup_printf("No control: %s.", reason);
  ll_app_report("control: refused: %s", reason);
  end_control(v, text);
}

static void on_control_ended(LlHelperJoin *join, const char *by, gpointer data)
{
  HelperView *v = data;
  (void)join;
  g_autofree char *why = ll_control_end_sentence(by, v->novice_name, "you");
  g_autofree char *text = g_strdup_printf("Control ended: %s. You can only watch now.", why);
  ll_app_report("control: ended: %s", why);
  end_control(v, text);
}

static void on_chat(LlHelperJoin *join, const char *from, const char *text, gpointer data)
{
  HelperView *v = data;
  (void)join;
  ll_chat_pane_add(v->chat, from, text);
}

static void on_reconnecting(LlHelperJoin *join, const char *why, guint grace_s, gpointer data)
{
  HelperView *v = data;
  (void)join;
  g_autofree char *text = g_strdup_printf("The connection was lost (%s). Reconnecting for up "
                                          "to %u seconds…", why, grace_s);
  set_status(v, text);
}

static void on_reconnected(LlHelperJoin *join, const char *path, gint64 elapsed_ms,
                           gpointer data)
{
  HelperView *v = data;
  (void)join;
  g_free(v->path);
  v->path = g_strdup(path);
  update_details(v);
  g_autofree char *text = g_strdup_printf("Connected again after %" G_GINT64_FORMAT " ms.",
                                          elapsed_ms);
  set_status(v, text);
}

static void on_finished(LlHelperJoin *join, const GError *why, gpointer data)
{
  HelperView *v = data;
  (void)join;
  g_autofree char *text = NULL;
  if (why == NULL)
    text = g_strdup("You left the session.");
  else if (g_error_matches(why, LL_ERROR, LL_ERROR_REFUSED))
    text = g_strdup_printf("Not allowed: %s.", why->message);
  else if (g_error_matches(why, LL_ERROR, LL_ERROR_CLOSED))   /* "Alice stopped sharing..." */
    text = ll_clause_sentence("The session ended", why->message);
  else if ((text = ll_unreached_sentence(why, v->novice_name, FALSE)) == NULL)
    text = ll_sentence(why->message);
  vnc_display_close(VNC_DISPLAY(v->display));
  set_busy(v, FALSE);
  if (why != NULL && g_error_matches(why, LL_ERROR, LL_ERROR_REFUSED))
    ll_app_report("refused: %s", why->message);
  ll_app_report("ended: %s", text);
  gtk_label_set_text(GTK_LABEL(v->ended_label), text);
  show_page(v, "ended");
  if (v->fullscreen)
    gtk_window_unfullscreen(v->window);
}

/* The menu lists "All monitors" and each monitor, and shows only where
 * there is a choice. */
static void on_monitors(LlHelperJoin *join, const LlMonitor *monitors, guint n, guint shown,
                        gpointer data)
{
  HelperView *v = data;
  (void)join;
  v->updating_monitor = TRUE;
  gtk_combo_box_text_remove_all(GTK_COMBO_BOX_TEXT(v->monitor));
  gtk_combo_box_text_append_text(GTK_COMBO_BOX_TEXT(v->monitor), "All monitors");
  for (guint i = 0; i < n; i++) {
    g_autofree char *item = g_strdup_printf("Monitor %u: %s (%dx%d)", i + 1, monitors[i].name,
                                            monitors[i].width, monitors[i].height);
    gtk_combo_box_text_append_text(GTK_COMBO_BOX_TEXT(v->monitor), item);
  }
  gtk_combo_box_set_active(GTK_COMBO_BOX(v->monitor), (gint)shown);
  gtk_widget_set_visible(v->monitor, n > 1);
  gtk_widget_set_visible(v->monitor_label, n > 1);
  v->updating_monitor = FALSE;
  ll_app_report("monitors: %u, showing %u", n, shown);
}

static void on_monitor_chosen(GtkComboBox *menu, gpointer data)
{
  HelperView *v = data;
  int active = gtk_combo_box_get_active(menu);
  if (!v->updating_monitor && active >= 0 && v->join != NULL)
    ll_helper_join_show_monitor(v->join, (guint)active);
}

static const LlHelperJoinEvents join_events = {
  .connected = on_connected, .waiting = on_waiting, .ready = on_ready,
  .control_granted = on_control_granted, .control_denied = on_control_denied,
  .control_ended = on_control_ended, .chat = on_chat, .reconnecting = on_reconnecting,
  .reconnected = on_reconnected, .finished = on_finished, .monitors = on_monitors,
};

/* ---- opening an invitation ---- */

static void show_open_error(HelperView *v, const char *sentence)
{
  ll_app_report("error: %s", sentence);
  gtk_label_set_text(GTK_LABEL(v->open_error), sentence);
  gtk_widget_show(v->open_error);
  show_page(v, "open");
}

static void connect_to(HelperView *v)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *helper_name = ll_app_person_name(v->identity);
  g_clear_pointer(&v->join, ll_helper_join_free);
  g_free(v->novice_name);
  v->novice_name = g_strdup(v->invitation->novice_name);
  v->join = ll_helper_join_new(v->identity, v->invitation, helper_name, &join_events, v);
  ll_helper_join_set_audit(v->join, v->audit);
  if (!ll_helper_join_start_portless(v->join, &error)) {
    g_autofree char *text = ll_sentence(error->message);
    show_open_error(v, text);
    return;
  }
  g_autofree char *text = g_strdup_printf("Connecting to %s…", v->novice_name);
  gtk_label_set_text(GTK_LABEL(v->progress_label), text);
  set_busy(v, TRUE);
  show_page(v, "progress");
}

/* Asks for the password of a sealed invitation; NULL when cancelled. */
static char *ask_password(HelperView *v, const char *problem)
{
  GtkWidget *dialog = gtk_dialog_new_with_buttons("Password", v->window,
      GTK_DIALOG_MODAL | GTK_DIALOG_DESTROY_WITH_PARENT | GTK_DIALOG_USE_HEADER_BAR,
      "_Cancel", GTK_RESPONSE_CANCEL, "_Open", GTK_RESPONSE_OK, NULL);
  gtk_dialog_set_default_response(GTK_DIALOG(dialog), GTK_RESPONSE_OK);
  GtkWidget *box = gtk_dialog_get_content_area(GTK_DIALOG(dialog));
  gtk_container_set_border_width(GTK_CONTAINER(box), 18);
  gtk_box_set_spacing(GTK_BOX(box), 12);
  GtkWidget *label = gtk_label_new(problem != NULL ? problem
      : "This invitation is protected by a password. Ask the person who sent it for the "
        "password (by phone, for example) and type it here.");
  gtk_label_set_line_wrap(GTK_LABEL(label), TRUE);
  gtk_label_set_max_width_chars(GTK_LABEL(label), 50);
  GtkWidget *entry = gtk_entry_new();
  gtk_entry_set_visibility(GTK_ENTRY(entry), FALSE);
  gtk_entry_set_activates_default(GTK_ENTRY(entry), TRUE);
  ll_app_set_accessible_name(entry, "Invitation password");
  gtk_box_pack_start(GTK_BOX(box), label, FALSE, FALSE, 0);
  gtk_box_pack_start(GTK_BOX(box), entry, FALSE, FALSE, 0);
  gtk_widget_show_all(dialog);
  ll_app_report("password: %s", problem != NULL ? problem : "asked");
  char *password = NULL;
  if (gtk_dialog_run(GTK_DIALOG(dialog)) == GTK_RESPONSE_OK)
    password = g_strdup(gtk_entry_get_text(GTK_ENTRY(entry)));
  gtk_entry_set_text(GTK_ENTRY(entry), "");   /* GTK keeps no copy of it then */
  gtk_widget_destroy(dialog);
  return password;
}

static void on_code_checked(LlCodeClaim *claim, LlInvitation *invitation, const GError *error,
                            gpointer data)
{
  HelperView *v = data;
  (void)claim;
  g_autofree char *text = error != NULL ? ll_sentence(error->message) : NULL;
  g_clear_pointer(&v->claim, ll_code_claim_free);   /* it allows that here; ERROR is gone */
  set_busy(v, FALSE);
  if (invitation == NULL) {
    show_open_error(v, text);
    return;
  }
  ll_app_report("code: right");
  g_clear_pointer(&v->invitation, ll_invitation_free);
  v->invitation = invitation;
  connect_to(v);
}

/* The code the person reads out over the phone, checked at the rendezvous. */
static void open_code(HelperView *v, const char *text)
{
  LlPairingCode code;
  g_autoptr(GError) error = NULL;
  if (!ll_pairing_code_parse(text, &code, &error)) {
    show_open_error(v, error->message);
    return;
  }
  if (v->rendezvous_url == NULL) {
    ll_pairing_code_clear(&code);
    show_open_error(v, "A code needs the rendezvous server of the person you help: choose it "
                       "with \u201cChange the rendezvous\u201d on the first page.");
    return;
  }
  g_clear_pointer(&v->claim, ll_code_claim_free);
  v->claim = ll_code_claim_new(v->rendezvous_url, &code, v->identity->fingerprint,
                               on_code_checked, v);
  ll_pairing_code_clear(&code);
  gtk_label_set_text(GTK_LABEL(v->progress_label), "Checking the code…");
  set_busy(v, TRUE);
  show_page(v, "progress");
}

void ll_helper_view_set_rendezvous(GtkWidget *widget, const char *url)
{
  HelperView *v = g_object_get_data(G_OBJECT(widget), "lifeline-helper-view");
  g_free(v->rendezvous_url);
  v->rendezvous_url = g_strdup(url);
}

void ll_helper_view_open(GtkWidget *widget, const char *path_or_link)
{
  HelperView *v = g_object_get_data(G_OBJECT(widget), "lifeline-helper-view");
  g_autoptr(GError) error = NULL;
  char *password = NULL;
  const char *problem = NULL;
  gtk_widget_hide(v->open_error);
  if (v->identity == NULL) {
    show_open_error(v, "This account has no usable key, so it cannot help anyone; see the "
                       "message in the terminal.");
    return;
  }
  ll_helper_view_stop(widget);
  if (ll_pairing_code_looks_like(path_or_link) &&
      !g_file_test(path_or_link, G_FILE_TEST_EXISTS)) {
    open_code(v, path_or_link);
    return;
  }
  g_clear_pointer(&v->invitation, ll_invitation_free);
  for (;;) {
    g_clear_error(&error);
    gsize pw_len = password != NULL ? strlen(password) : 0;
    v->invitation = ll_invitation_load(path_or_link, password, pw_len, &error);
    gboolean asked = password != NULL;
    if (password != NULL) {
      sodium_memzero(password, pw_len);
      g_clear_pointer(&password, g_free);
    }
    if (v->invitation != NULL || !g_error_matches(error, LL_ERROR, LL_ERROR_WRONG_PASSWORD))
      break;
    if (asked)
      problem = "That password does not open this invitation. Check it with the person who "
                "sent it and try again.";
    password = ask_password(v, problem);
    if (password == NULL)
      return;   /* cancelled: stay where we are */
  }
  if (v->invitation == NULL) {
    g_autofree char *text = ll_sentence(error->message);
    show_open_error(v, text);
    return;
  }
  connect_to(v);
}

gboolean ll_helper_view_in_session(GtkWidget *widget, const char **peer_name)
{
  HelperView *v = g_object_get_data(G_OBJECT(widget), "lifeline-helper-view");
  *peer_name = v->novice_name;
  return v->join != NULL && ll_helper_join_is_active(v->join);
}

void ll_helper_view_stop(GtkWidget *widget)
{
  HelperView *v = g_object_get_data(G_OBJECT(widget), "lifeline-helper-view");
  if (v->join == NULL || !ll_helper_join_is_active(v->join))
    return;
  g_autofree char *name = ll_app_person_name(v->identity);
  g_autofree char *reason = g_strdup_printf("%s left the session", name);
  ll_helper_join_stop(v->join, reason);
}

static void on_choose_file(GtkWidget *button, gpointer data)
{
  HelperView *v = data;
  (void)button;
  GtkFileChooserNative *chooser = gtk_file_chooser_native_new(
      "Open invitation", v->window, GTK_FILE_CHOOSER_ACTION_OPEN, "_Open", "_Cancel");
  GtkFileFilter *filter = gtk_file_filter_new();
  gtk_file_filter_set_name(filter, "Lifeline invitations");
  gtk_file_filter_add_pattern(filter, "*.lifeline");
  gtk_file_chooser_add_filter(GTK_FILE_CHOOSER(chooser), filter);
  if (gtk_native_dialog_run(GTK_NATIVE_DIALOG(chooser)) == GTK_RESPONSE_ACCEPT) {
    g_autofree char *path = gtk_file_chooser_get_filename(GTK_FILE_CHOOSER(chooser));
    ll_helper_view_open(v->root, path);
  }
  g_object_unref(chooser);
}

static void on_connect_link(GtkWidget *widget, gpointer data)
{
  HelperView *v = data;
  (void)widget;
  g_autofree char *text = g_strstrip(g_strdup(gtk_entry_get_text(GTK_ENTRY(v->link_entry))));
  if (*text == '\0') {
    show_open_error(v, "Paste the link you received (it starts with lifeline:), type the code "
                       "you were told, or open the invitation file.");
    return;
  }
  ll_helper_view_open(v->root, text);
}

static void on_drop(GtkWidget *widget, GdkDragContext *context, gint x, gint y,
                    GtkSelectionData *selection, guint info, guint time, gpointer data)
{
  HelperView *v = data;
  (void)widget; (void)x; (void)y; (void)info;
  g_auto(GStrv) uris = gtk_selection_data_get_uris(selection);
  g_autofree guchar *text = gtk_selection_data_get_text(selection);
  g_autofree char *path = uris != NULL && uris[0] != NULL
                              ? g_filename_from_uri(uris[0], NULL, NULL) : NULL;
  gtk_drag_finish(context, path != NULL || text != NULL, FALSE, time);
  if (path != NULL)
    ll_helper_view_open(v->root, path);
  else if (text != NULL)
    ll_helper_view_open(v->root, g_strstrip((char *)text));
}

/* ---- the session page's controls ---- */

static void on_control_toggled(GtkToggleButton *button, gpointer data)
{
  HelperView *v = data;
  if (v->updating_control || v->join == NULL)
    return;
  if (gtk_toggle_button_get_active(button) && !v->in_control) {
    g_autofree char *label = g_strdup_printf("Waiting for %s…", v->novice_name);
    set_control(v, TRUE, FALSE, label);
    ll_helper_join_request_control(v->join);
  } else if (!gtk_toggle_button_get_active(button) && v->in_control) {
    ll_helper_join_release_control(v->join);
  }
}

static void on_scale_toggled(GtkToggleButton *button, gpointer data)
{
  HelperView *v = data;
  gboolean scale = gtk_toggle_button_get_active(button);
  vnc_display_set_scaling(VNC_DISPLAY(v->display), scale);
  gtk_scrolled_window_set_policy(GTK_SCROLLED_WINDOW(v->scroller),
                                 scale ? GTK_POLICY_NEVER : GTK_POLICY_AUTOMATIC,
                                 scale ? GTK_POLICY_NEVER : GTK_POLICY_AUTOMATIC);
}

static void on_fullscreen(GtkWidget *button, gpointer data)
{
  HelperView *v = data;
  (void)button;
  v->fullscreen = !v->fullscreen;
  if (v->fullscreen)
    gtk_window_fullscreen(v->window);
  else
    gtk_window_unfullscreen(v->window);
}

static void on_leave(GtkWidget *button, gpointer data)
{
  HelperView *v = data;
  (void)button;
  if (v->claim != NULL) {   /* Cancel while a code is checked */
    g_clear_pointer(&v->claim, ll_code_claim_free);
    set_busy(v, FALSE);
    show_page(v, "open");
    return;
  }
  ll_helper_view_stop(v->root);
}

static void on_back(GtkWidget *button, gpointer data)
{
  HelperView *v = data;
  (void)button;
  g_clear_pointer(&v->join, ll_helper_join_free);
  show_page(v, "open");
}

static gboolean send_chat(const char *text, gpointer data, GError **error)
{
  HelperView *v = data;
  return v->join != NULL && ll_helper_join_send_chat(v->join, text, error);
}

/* ---- building ---- */

static GtkWidget *build_open_page(HelperView *v)
{
  GtkWidget *page = ll_app_page_box();
  GtkWidget *open = gtk_button_new_with_mnemonic("_Open invitation file…");
  gtk_style_context_add_class(gtk_widget_get_style_context(open), "suggested-action");
  v->link_entry = gtk_entry_new();
  gtk_entry_set_placeholder_text(GTK_ENTRY(v->link_entry), "lifeline:…  or a code: 482-913-075");
  ll_app_set_accessible_name(v->link_entry, "Invitation link or code");
  GtkWidget *connect = gtk_button_new_with_mnemonic("C_onnect");
  GtkWidget *row = gtk_box_new(GTK_ORIENTATION_HORIZONTAL, 6);
  gtk_box_pack_start(GTK_BOX(row), v->link_entry, TRUE, TRUE, 0);
  gtk_box_pack_start(GTK_BOX(row), connect, FALSE, FALSE, 0);
  v->open_error = ll_app_error_label();
  gtk_box_pack_start(GTK_BOX(page), ll_app_heading("Help someone who invited you"), FALSE, FALSE, 0);
  gtk_box_pack_start(GTK_BOX(page), ll_app_text("Open the invitation they sent you. You can "
      "also drop the file here, paste the link they sent, or type the code they read out to "
      "you."), FALSE, FALSE, 0);
  GtkWidget *paste = gtk_label_new_with_mnemonic("Or paste the _link, or type the code:");
  gtk_label_set_mnemonic_widget(GTK_LABEL(paste), v->link_entry);
  gtk_widget_set_halign(paste, GTK_ALIGN_START);
  gtk_box_pack_start(GTK_BOX(page), open, FALSE, FALSE, 0);
  gtk_box_pack_start(GTK_BOX(page), paste, FALSE, FALSE, 0);
  gtk_box_pack_start(GTK_BOX(page), row, FALSE, FALSE, 0);
  gtk_box_pack_start(GTK_BOX(page), v->open_error, FALSE, FALSE, 0);
  g_signal_connect(open, "clicked", G_CALLBACK(on_choose_file), v);
  g_signal_connect(connect, "clicked", G_CALLBACK(on_connect_link), v);
  g_signal_connect(v->link_entry, "activate", G_CALLBACK(on_connect_link), v);
  return page;
}

static GtkWidget *build_progress_page(HelperView *v)
{
  GtkWidget *page = ll_app_page_box();
  GtkWidget *spinner = gtk_spinner_new();
  gtk_spinner_start(GTK_SPINNER(spinner));
  gtk_widget_set_size_request(spinner, 32, 32);
  v->progress_label = ll_app_text("");
  GtkWidget *cancel = gtk_button_new_with_mnemonic("_Cancel");
  gtk_widget_set_halign(cancel, GTK_ALIGN_CENTER);
  gtk_box_pack_start(GTK_BOX(page), spinner, FALSE, FALSE, 0);
  gtk_box_pack_start(GTK_BOX(page), v->progress_label, FALSE, FALSE, 0);
  gtk_box_pack_start(GTK_BOX(page), cancel, FALSE, FALSE, 0);
  g_signal_connect(cancel, "clicked", G_CALLBACK(on_leave), v);
  return page;
}

static GtkWidget *build_toolbar(HelperView *v)
{
  GtkWidget *bar = gtk_box_new(GTK_ORIENTATION_HORIZONTAL, 6);
  v->control = gtk_toggle_button_new_with_mnemonic("Request _control");
  v->scale = gtk_check_button_new_with_mnemonic("_Scale to window");
  gtk_toggle_button_set_active(GTK_TOGGLE_BUTTON(v->scale), TRUE);
  GtkWidget *full = gtk_button_new_with_mnemonic("_Full screen");
  GtkWidget *details = gtk_menu_button_new();
  gtk_button_set_label(GTK_BUTTON(details), "C_onnection");
  gtk_button_set_use_underline(GTK_BUTTON(details), TRUE);
  ll_app_set_accessible_name(details, "Connection details");
  GtkWidget *popover = gtk_popover_new(details);
  v->details = ll_app_text("");
  gtk_container_set_border_width(GTK_CONTAINER(popover), 12);
  gtk_container_add(GTK_CONTAINER(popover), v->details);
  gtk_widget_show(v->details);
  gtk_menu_button_set_popover(GTK_MENU_BUTTON(details), popover);
  g_signal_connect(popover, "show", G_CALLBACK(on_details_shown), v);
  v->monitor = gtk_combo_box_text_new();
  v->monitor_label = gtk_label_new_with_mnemonic("_Monitor:");
  gtk_label_set_mnemonic_widget(GTK_LABEL(v->monitor_label), v->monitor);
  ll_app_set_accessible_name(v->monitor, "Monitor shown");
  gtk_widget_set_no_show_all(v->monitor, TRUE);   /* until there is a choice */
  gtk_widget_set_no_show_all(v->monitor_label, TRUE);
  GtkWidget *leave = gtk_button_new_with_mnemonic("_Leave");
  gtk_style_context_add_class(gtk_widget_get_style_context(leave), "destructive-action");
  gtk_box_pack_start(GTK_BOX(bar), v->control, FALSE, FALSE, 0);
  gtk_box_pack_start(GTK_BOX(bar), v->scale, FALSE, FALSE, 0);
  gtk_box_pack_start(GTK_BOX(bar), full, FALSE, FALSE, 0);
  gtk_box_pack_start(GTK_BOX(bar), details, FALSE, FALSE, 0);
  gtk_box_pack_start(GTK_BOX(bar), v->monitor_label, FALSE, FALSE, 0);
  gtk_box_pack_start(GTK_BOX(bar), v->monitor, FALSE, FALSE, 0);
  gtk_box_pack_end(GTK_BOX(bar), leave, FALSE, FALSE, 0);
  g_signal_connect(v->control, "toggled", G_CALLBACK(on_control_toggled), v);
  g_signal_connect(v->scale, "toggled", G_CALLBACK(on_scale_toggled), v);
  g_signal_connect(full, "clicked", G_CALLBACK(on_fullscreen), v);
  g_signal_connect(v->monitor, "changed", G_CALLBACK(on_monitor_chosen), v);
  g_signal_connect(leave, "clicked", G_CALLBACK(on_leave), v);
  return bar;
}

static GtkWidget *build_session_page(HelperView *v)
{
  GtkWidget *page = gtk_box_new(GTK_ORIENTATION_VERTICAL, 6);
  gtk_container_set_border_width(GTK_CONTAINER(page), 6);
  v->status = gtk_label_new("");
  gtk_label_set_line_wrap(GTK_LABEL(v->status), TRUE);
  gtk_label_set_xalign(GTK_LABEL(v->status), 0);
  gtk_widget_set_halign(v->status, GTK_ALIGN_START);
  v->display = vnc_display_new();
  g_signal_connect_after(v->display, "size-allocate", G_CALLBACK(report_viewer_geometry), NULL);
  g_signal_connect(v->display, "vnc-initialized", G_CALLBACK(on_viewer_initialized), NULL);
  vnc_display_set_scaling(VNC_DISPLAY(v->display), TRUE);
  /* Scaled, the picture keeps its shape (bars beside or above it). */
  vnc_display_set_keep_aspect_ratio(VNC_DISPLAY(v->display), TRUE);
  vnc_display_set_read_only(VNC_DISPLAY(v->display), TRUE);
  vnc_display_set_keyboard_grab(VNC_DISPLAY(v->display), FALSE);
  vnc_display_set_pointer_local(VNC_DISPLAY(v->display), TRUE);
  ll_app_set_accessible_name(v->display, "Remote screen");
  v->scroller = gtk_scrolled_window_new(NULL, NULL);
  gtk_scrolled_window_set_policy(GTK_SCROLLED_WINDOW(v->scroller), GTK_POLICY_NEVER,
                                 GTK_POLICY_NEVER);
  gtk_container_add(GTK_CONTAINER(v->scroller), v->display);
  v->chat = ll_chat_pane_new(send_chat, v);
  GtkWidget *paned = gtk_paned_new(GTK_ORIENTATION_HORIZONTAL);
  gtk_paned_pack1(GTK_PANED(paned), v->scroller, TRUE, FALSE);
  gtk_paned_pack2(GTK_PANED(paned), v->chat, FALSE, FALSE);
  gtk_box_pack_start(GTK_BOX(page), build_toolbar(v), FALSE, FALSE, 0);
  gtk_box_pack_start(GTK_BOX(page), v->status, FALSE, FALSE, 0);
  gtk_box_pack_start(GTK_BOX(page), paned, TRUE, TRUE, 0);
  return page;
}

static GtkWidget *build_ended_page(HelperView *v)
{
  GtkWidget *page = ll_app_page_box();
  v->ended_label = ll_app_text("");
  GtkWidget *back = gtk_button_new_with_mnemonic("_Back");
  gtk_widget_set_halign(back, GTK_ALIGN_CENTER);
  gtk_box_pack_start(GTK_BOX(page), v->ended_label, FALSE, FALSE, 0);
  gtk_box_pack_start(GTK_BOX(page), back, FALSE, FALSE, 0);
  g_signal_connect(back, "clicked", G_CALLBACK(on_back), v);
  return page;
}

static void helper_view_free(gpointer data)
{
  HelperView *v = data;
  ll_code_claim_free(v->claim);
  g_free(v->rendezvous_url);
  ll_helper_join_free(v->join);
  ll_audit_log_close(v->audit);
  ll_invitation_free(v->invitation);
  ll_identity_free(v->identity);
  g_free(v->novice_name);
  g_free(v->path);
  g_free(v);
}

GtkWidget *ll_helper_view_new(GtkWindow *window)
{
  HelperView *v = g_new0(HelperView, 1);
  g_autoptr(GError) error = NULL;
  v->window = window;
  v->identity = ll_identity_load_or_create(NULL, &error);
  g_autoptr(GError) audit_error = NULL;
  v->audit = ll_audit_log_open(NULL, &audit_error);
  if (v->audit == NULL)
    g_warning("%s; sessions will not be recorded", audit_error->message);
  v->stack = gtk_stack_new();
  gtk_stack_set_transition_type(GTK_STACK(v->stack), GTK_STACK_TRANSITION_TYPE_CROSSFADE);
  gtk_stack_add_named(GTK_STACK(v->stack), build_open_page(v), "open");
  gtk_stack_add_named(GTK_STACK(v->stack), build_progress_page(v), "progress");
  gtk_stack_add_named(GTK_STACK(v->stack), build_session_page(v), "session");
  gtk_stack_add_named(GTK_STACK(v->stack), build_ended_page(v), "ended");
  v->root = v->stack;
  g_object_set_data_full(G_OBJECT(v->root), "lifeline-helper-view", v, helper_view_free);
  gtk_drag_dest_set(v->root, GTK_DEST_DEFAULT_ALL, NULL, 0, GDK_ACTION_COPY);
  gtk_drag_dest_add_uri_targets(v->root);
  gtk_drag_dest_add_text_targets(v->root);
  g_signal_connect(v->root, "drag-data-received", G_CALLBACK(on_drop), v);
  gtk_widget_show_all(v->root);
  gtk_widget_hide(v->open_error);
  if (v->identity == NULL) {
    g_autofree char *text = ll_sentence(error->message);
    show_open_error(v, text);
  }
  return v->root;
}

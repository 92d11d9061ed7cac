#include "ui/app/sharing_bar.h"
#include "ui/app/app_widgets.h"

#define CHAT_HEIGHT 260

struct LlSharingBar {
  GtkWidget *window, *label, *stop_control, *chat_toggle, *revealer;
  LlSharingBarActions actions;
  gpointer user_data;
};

static void on_stop_control(GtkWidget *button, gpointer data)
{
  LlSharingBar *bar = data;
  (void)button;
  bar->actions.stop_control(bar->user_data);
}

static void on_end(GtkWidget *button, gpointer data)
{
  LlSharingBar *bar = data;
  (void)button;
  bar->actions.end_session(bar->user_data);
}

static void on_chat_toggled(GtkToggleButton *toggle, gpointer data)
{
  LlSharingBar *bar = data;
  gboolean open = gtk_toggle_button_get_active(toggle);
  gtk_revealer_set_reveal_child(GTK_REVEALER(bar->revealer), open);
  ll_app_report("bar: chat %s", open ? "open" : "closed");
  if (!open)   /* the bar shrinks back to its one row */
    gtk_window_resize(GTK_WINDOW(bar->window), 1, 1);
}

static gboolean on_key_press(GtkWidget *window, GdkEventKey *event, gpointer data)
{
  LlSharingBar *bar = data;
  (void)window;
  return event->keyval == GDK_KEY_Escape && bar->actions.escape(bar->user_data);
}

static GtkWidget *button_row(LlSharingBar *bar)
{
  GtkWidget *row = gtk_box_new(GTK_ORIENTATION_HORIZONTAL, 8);
  bar->label = gtk_label_new("");
  gtk_label_set_ellipsize(GTK_LABEL(bar->label), PANGO_ELLIPSIZE_END);
  gtk_label_set_max_width_chars(GTK_LABEL(bar->label), 60);
  bar->stop_control = gtk_button_new_with_mnemonic("_Stop control (Esc)");
  gtk_widget_set_sensitive(bar->stop_control, FALSE);
  bar->chat_toggle = gtk_toggle_button_new_with_mnemonic("_Chat");
  ll_app_set_accessible_name(bar->chat_toggle, "Chat with your helper");
  GtkWidget *end = gtk_button_new_with_mnemonic("_End session");
  gtk_style_context_add_class(gtk_widget_get_style_context(end), "destructive-action");
  gtk_box_pack_start(GTK_BOX(row), bar->label, TRUE, TRUE, 0);
  gtk_box_pack_start(GTK_BOX(row), bar->chat_toggle, FALSE, FALSE, 0);
  gtk_box_pack_start(GTK_BOX(row), bar->stop_control, FALSE, FALSE, 0);
  gtk_box_pack_start(GTK_BOX(row), end, FALSE, FALSE, 0);
  g_signal_connect(bar->stop_control, "clicked", G_CALLBACK(on_stop_control), bar);
  g_signal_connect(end, "clicked", G_CALLBACK(on_end), bar);
  g_signal_connect(bar->chat_toggle, "toggled", G_CALLBACK(on_chat_toggled), bar);
  return row;
}

LlSharingBar *ll_sharing_bar_new(GtkWidget *chat, const LlSharingBarActions *actions,
                                 gpointer user_data)
{
  LlSharingBar *bar = g_new0(LlSharingBar, 1);
  bar->actions = *actions;
  bar->user_data = user_data;
  bar->window = gtk_window_new(GTK_WINDOW_TOPLEVEL);
  GtkWindow *w = GTK_WINDOW(bar->window);
  gtk_window_set_title(w, "Lifeline: sharing");
  gtk_window_set_keep_above(w, TRUE);
  gtk_window_set_skip_taskbar_hint(w, TRUE);
  gtk_window_set_deletable(w, FALSE);   /* End session is the way out, said in words */
  gtk_window_set_icon_name(w, "org.lifeline.Lifeline");
  GtkWidget *box = gtk_box_new(GTK_ORIENTATION_VERTICAL, 8);
  gtk_container_set_border_width(GTK_CONTAINER(box), 8);
  bar->revealer = gtk_revealer_new();
  gtk_revealer_set_transition_type(GTK_REVEALER(bar->revealer),
                                   GTK_REVEALER_TRANSITION_TYPE_NONE);
  gtk_widget_set_size_request(chat, -1, CHAT_HEIGHT);
  gtk_container_add(GTK_CONTAINER(bar->revealer), chat);
  gtk_box_pack_start(GTK_BOX(box), button_row(bar), FALSE, FALSE, 0);
  gtk_box_pack_start(GTK_BOX(box), bar->revealer, TRUE, TRUE, 0);
  gtk_container_add(GTK_CONTAINER(bar->window), box);
  g_signal_connect(bar->window, "key-press-event", G_CALLBACK(on_key_press), bar);
  g_signal_connect(bar->window, "delete-event", G_CALLBACK(gtk_true), NULL);
  gtk_widget_show_all(box);
  return bar;
}

/* Top centre of the screen, out of the way of most of it. (A Wayland
 * compositor places windows itself and ignores this.) */
static void place_at_top(LlSharingBar *bar)
{
  GdkDisplay *display = gtk_widget_get_display(bar->window);
  GdkMonitor *monitor = gdk_display_get_primary_monitor(display);
  if (monitor == NULL)
    monitor = gdk_display_get_monitor(display, 0);
  if (monitor == NULL)
    return;
  GdkRectangle area;
  gdk_monitor_get_workarea(monitor, &area);
  GtkRequisition size;
  gtk_widget_get_preferred_size(bar->window, NULL, &size);
  gtk_window_move(GTK_WINDOW(bar->window), area.x + MAX(0, (area.width - size.width) / 2), area.y);
}

void ll_sharing_bar_show(LlSharingBar *bar)
{
  gtk_toggle_button_set_active(GTK_TOGGLE_BUTTON(bar->chat_toggle), FALSE);
  place_at_top(bar);
  gtk_window_present(GTK_WINDOW(bar->window));
  ll_app_report("bar: shown");
}

void ll_sharing_bar_hide(LlSharingBar *bar)
{
  if (gtk_widget_get_visible(bar->window))
    ll_app_report("bar: hidden");
  gtk_widget_hide(bar->window);
}

void ll_sharing_bar_set_state(LlSharingBar *bar, const char *text, gboolean in_control)
{
  gtk_label_set_text(GTK_LABEL(bar->label), text);
  gtk_widget_set_sensitive(bar->stop_control, in_control);
}

void ll_sharing_bar_open_chat(LlSharingBar *bar)
{
  gtk_toggle_button_set_active(GTK_TOGGLE_BUTTON(bar->chat_toggle), TRUE);
}

GtkWindow *ll_sharing_bar_window(LlSharingBar *bar)
{
  return GTK_WINDOW(bar->window);
}

void ll_sharing_bar_free(LlSharingBar *bar)
{
  if (bar == NULL)
    return;
  gtk_widget_destroy(bar->window);
  g_free(bar);
}

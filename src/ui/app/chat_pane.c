#include "ui/app/chat_pane.h"
#include "ui/app/app_widgets.h"
#include "common/text_sanitize.h"
#include "common/framing.h"

#define VIEW_KEY "lifeline-chat-view"
#define ENTRY_KEY "lifeline-chat-entry"
#define SEND_KEY "lifeline-chat-send"
#define DATA_KEY "lifeline-chat-data"

static GtkTextView *view_of(GtkWidget *pane)
{
  return GTK_TEXT_VIEW(g_object_get_data(G_OBJECT(pane), VIEW_KEY));
}

static void append(GtkWidget *pane, const char *text, const char *tag)
{
  GtkTextView *view = view_of(pane);
  GtkTextBuffer *buffer = gtk_text_view_get_buffer(view);
  GtkTextIter end;
  gtk_text_buffer_get_end_iter(buffer, &end);
  if (gtk_text_buffer_get_char_count(buffer) > 0)
    gtk_text_buffer_insert(buffer, &end, "\n", -1);
  gtk_text_buffer_get_end_iter(buffer, &end);
  gtk_text_buffer_insert_with_tags_by_name(buffer, &end, text, -1, tag, NULL);
  gtk_text_buffer_get_end_iter(buffer, &end);
  GtkTextMark *mark = gtk_text_buffer_create_mark(buffer, NULL, &end, FALSE);
  gtk_text_view_scroll_mark_onscreen(view, mark);
  gtk_text_buffer_delete_mark(buffer, mark);
}

void ll_chat_pane_add(GtkWidget *pane, const char *from, const char *text)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_local();
  g_autofree char *stamp = g_date_time_format(now, "%H:%M");
  g_autofree char *clean = ll_text_sanitize(text, LL_MAX_CHAT_PAYLOAD);
  g_autofree char *line = g_strdup_printf("[%s] %s: %s", stamp, from, clean);
  append(pane, line, "message");
  ll_app_report("%s", line);
}

void ll_chat_pane_note(GtkWidget *pane, const char *text)
{
  append(pane, text, "note");
}

void ll_chat_pane_clear(GtkWidget *pane)
{
  gtk_text_buffer_set_text(gtk_text_view_get_buffer(view_of(pane)), "", -1);
}

static void on_send(GtkWidget *widget, gpointer data)
{
  GtkWidget *pane = data;
  (void)widget;
  GtkEntry *entry = g_object_get_data(G_OBJECT(pane), ENTRY_KEY);
  LlChatSend send = (LlChatSend)g_object_get_data(G_OBJECT(pane), SEND_KEY);
  const char *text = gtk_entry_get_text(entry);
  g_autoptr(GError) error = NULL;
  if (*text == '\0')
    return;
  if (send(text, g_object_get_data(G_OBJECT(pane), DATA_KEY), &error)) {
    ll_chat_pane_add(pane, "You", text);   /* your own words in the conversation too */
    gtk_entry_set_text(entry, "");
  } else {
    ll_chat_pane_note(pane, error->message);
  }
}

static void set_accessible_name(GtkWidget *widget, const char *name)
{
  atk_object_set_name(gtk_widget_get_accessible(widget), name);
}

GtkWidget *ll_chat_pane_new(LlChatSend send, gpointer user_data)
{
  GtkWidget *pane = gtk_box_new(GTK_ORIENTATION_VERTICAL, 6);
  GtkWidget *title = gtk_label_new(NULL);
  gtk_label_set_markup_with_mnemonic(GTK_LABEL(title), "<b>C_hat</b>");
  gtk_widget_set_halign(title, GTK_ALIGN_START);
  GtkWidget *scroller = gtk_scrolled_window_new(NULL, NULL);
  gtk_scrolled_window_set_policy(GTK_SCROLLED_WINDOW(scroller), GTK_POLICY_NEVER,
                                 GTK_POLICY_AUTOMATIC);
  gtk_widget_set_vexpand(scroller, TRUE);
  gtk_widget_set_size_request(scroller, 260, -1);
  GtkWidget *view = gtk_text_view_new();
  gtk_text_view_set_editable(GTK_TEXT_VIEW(view), FALSE);
  gtk_text_view_set_cursor_visible(GTK_TEXT_VIEW(view), FALSE);
  gtk_text_view_set_wrap_mode(GTK_TEXT_VIEW(view), GTK_WRAP_WORD_CHAR);
  set_accessible_name(view, "Chat messages");
  GtkTextBuffer *buffer = gtk_text_view_get_buffer(GTK_TEXT_VIEW(view));
  gtk_text_buffer_create_tag(buffer, "message", NULL);
  gtk_text_buffer_create_tag(buffer, "note", "style", PANGO_STYLE_ITALIC, "foreground", "#555753",
                             NULL);
  gtk_container_add(GTK_CONTAINER(scroller), view);
  GtkWidget *row = gtk_box_new(GTK_ORIENTATION_HORIZONTAL, 6);
  GtkWidget *entry = gtk_entry_new();
  gtk_entry_set_placeholder_text(GTK_ENTRY(entry), "Type a message");
  gtk_widget_set_hexpand(entry, TRUE);
  set_accessible_name(entry, "Message");
  gtk_label_set_mnemonic_widget(GTK_LABEL(title), entry);   /* Alt+H: type a message */
  GtkWidget *button = gtk_button_new_with_mnemonic("Se_nd");
  gtk_box_pack_start(GTK_BOX(row), entry, TRUE, TRUE, 0);
  gtk_box_pack_start(GTK_BOX(row), button, FALSE, FALSE, 0);
  gtk_box_pack_start(GTK_BOX(pane), title, FALSE, FALSE, 0);
  gtk_box_pack_start(GTK_BOX(pane), scroller, TRUE, TRUE, 0);
  gtk_box_pack_start(GTK_BOX(pane), row, FALSE, FALSE, 0);
  g_object_set_data(G_OBJECT(pane), VIEW_KEY, view);
  g_object_set_data(G_OBJECT(pane), ENTRY_KEY, entry);
  g_object_set_data(G_OBJECT(pane), SEND_KEY, (gpointer)send);
  g_object_set_data(G_OBJECT(pane), DATA_KEY, user_data);
  g_signal_connect(entry, "activate", G_CALLBACK(on_send), pane);
  g_signal_connect(button, "clicked", G_CALLBACK(on_send), pane);
  return pane;
}

/* The chat of a session, the same on both sides: what was said, and a line
 * to type in. Sending goes through SEND, so the pane knows nothing of the
 * session; a message that cannot go is shown as a note. */
#pragma once
#include <gtk/gtk.h>

typedef gboolean (*LlChatSend)(const char *text, gpointer user_data, GError **error);

GtkWidget *ll_chat_pane_new(LlChatSend send, gpointer user_data);
/* "[14:05] FROM: TEXT" */
void ll_chat_pane_add(GtkWidget *pane, const char *from, const char *text);
/* A line from Lifeline itself, in italics: "Bob can now control...". */
void ll_chat_pane_note(GtkWidget *pane, const char *text);
void ll_chat_pane_clear(GtkWidget *pane);

/* What the novice sees while someone sees their screen: a small bar that
 * stays on top instead of the main window (which would fill the helper's
 * view of the screen): who is connected, Stop control, End session, and
 * Chat, which opens the conversation below it. A new message from the
 * helper opens it too. Esc in the bar takes control back where the
 * desktop gives Lifeline's windows the keys. */
#pragma once
#include <gtk/gtk.h>

typedef struct LlSharingBar LlSharingBar;

typedef struct {
  void (*stop_control)(gpointer user_data);
  void (*end_session)(gpointer user_data);
  /* Esc pressed in the bar: TRUE when it took control back. */
  gboolean (*escape)(gpointer user_data);
} LlSharingBarActions;

/* CHAT (a chat pane) lives in the bar from now on. */
LlSharingBar *ll_sharing_bar_new(GtkWidget *chat, const LlSharingBarActions *actions,
                                 gpointer user_data);
/* Shows the bar at the top of the screen, the chat closed, and takes the keyboard. */
void ll_sharing_bar_show(LlSharingBar *bar);
void ll_sharing_bar_hide(LlSharingBar *bar);
/* TEXT: "Bob can see your screen"; IN_CONTROL: Stop control is usable. */
void ll_sharing_bar_set_state(LlSharingBar *bar, const char *text, gboolean in_control);
void ll_sharing_bar_open_chat(LlSharingBar *bar);
/* The parent for questions asked while the bar is up. */
GtkWindow *ll_sharing_bar_window(LlSharingBar *bar);
void ll_sharing_bar_free(LlSharingBar *bar);

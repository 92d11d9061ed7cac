/* "Help someone": open an invitation (file chooser, drag and drop, pasted
 * link, or given on the command line), ask for its password when it is
 * sealed, connect, wait for the novice's yes, then show their desktop in a
 * gtk-vnc viewer fed straight from the session (no TCP port), with chat,
 * a control toggle that follows the real state, view options and the
 * connection's details. The engine is the command line's (helper_join). */
#pragma once
#include <gtk/gtk.h>
#include "ui/app/app_widgets.h"

GtkWidget *ll_helper_view_new(GtkWindow *window);
/* The rendezvous codes are checked at (NULL: none). */
void ll_helper_view_set_rendezvous(GtkWidget *view, const char *url);
/* Opens PATH_OR_LINK (or a code) at once, as if chosen. */
void ll_helper_view_open(GtkWidget *view, const char *path_or_link);
void ll_helper_view_on_busy(GtkWidget *view, LlBusyChanged changed, gpointer user_data);
/* Leaves any session; the view can open another invitation after. */
void ll_helper_view_stop(GtkWidget *view);
/* TRUE while the novice lets the helper see their screen; *PEER_NAME is
 * their name then (the view's). */
gboolean ll_helper_view_in_session(GtkWidget *view, const char **peer_name);

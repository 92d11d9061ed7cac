/* Small pieces every screen of the desktop app is built from, so they
 * all look alike: page boxes, headings, wrapped text, error lines, and
 * accessible names for controls without a visible label. */
#pragma once
#include <gtk/gtk.h>
#include "common/identity.h"

GtkWidget *ll_app_page_box(void);
GtkWidget *ll_app_heading(const char *text);
GtkWidget *ll_app_text(const char *text);
/* A red line for errors, hidden until set. */
GtkWidget *ll_app_error_label(void);
void ll_app_set_accessible_name(GtkWidget *widget, const char *name);
/* What the window shows, also as a line on standard output (flushed), in
 * the words of the command line ("ready: ...", "control: granted"), so
 * scripts and tests can follow the app as they follow `lifeline join`. */
void ll_app_report(const char *format, ...) G_GNUC_PRINTF(1, 2);

/* A view is busy while an invitation or a session is under way: the
 * window then keeps it in front (no Back), so "End session" is never out
 * of sight. */
typedef void (*LlBusyChanged)(gboolean busy, gpointer user_data);

/* The name others see: the saved one, read again (the home page may have
 * changed it), else the account's. */
char *ll_app_person_name(LlIdentity *identity);

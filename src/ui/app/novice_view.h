/* "Get help": one button makes an invitation (a password and its lifetime
 * behind Options), then a waiting screen with Save invitation…, Copy link
 * and Cancel invitation; consent and control requests as dialogs whose
 * default is "Don't allow"; while shared, a banner that says who sees or
 * controls the screen, with Stop control and End session always there,
 * the chat, and a small always-on-top window while the main one is
 * minimised. The engine is the command line's (novice_host). */
#pragma once
#include <gtk/gtk.h>
#include "ui/app/app_widgets.h"
#include "novice/desktop/desktop.h"

/* RENDEZVOUS_URL: also be reachable through it, across NAT routers.
 * DESKTOP: what to share (--desktop). */
GtkWidget *ll_novice_view_new(GtkWindow *window, const char *policy_path,
                              const char *rendezvous_url, LlDesktopKind desktop);
typedef struct {
  const char *policy_path;      /* NULL: the machine's */
  const char *rendezvous_url;   /* NULL: none */
  LlDesktopKind desktop;
  guint16 port;
} LlNoviceViewOffers;

/* `lifeline host --gui`: waits for offers the policy admits and asks with
 * the same dialogs; the window shows itself only while asked or shared. */
GtkWidget *ll_novice_view_new_for_offers(GtkWindow *window, const LlNoviceViewOffers *config,
                                         GError **error);
void ll_novice_view_on_busy(GtkWidget *view, LlBusyChanged changed, gpointer user_data);
/* Cancels the invitation or ends the session. */
void ll_novice_view_stop(GtkWidget *view);
/* The rendezvous the next invitation goes through (NULL: none). */
void ll_novice_view_set_rendezvous(GtkWidget *view, const char *url);

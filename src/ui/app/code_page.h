/* The app's "Get a code": a page with the code to read out, large and
 * selectable, what became of the last one when a new one comes, and one
 * Cancel button. The engine is the command line's (novice/code_waiter). */
#pragma once
#include <gtk/gtk.h>
#include "novice/novice_host.h"

typedef struct LlCodePage LlCodePage;

/* CANCEL(DATA) when the person presses Cancel. */
LlCodePage *ll_code_page_new(GCallback cancel, gpointer data);
GtkWidget *ll_code_page_widget(LlCodePage *page);
/* Shows codes for INVITATION (HOST, URL and it must outlive the codes). */
void ll_code_page_start(LlCodePage *page, LlNoviceHost *host, const char *url,
                        LlInvitation *invitation);
/* The person said no to whoever typed the code: the invitation's secret
 * is fresh (known to nobody) and a new code comes. */
void ll_code_page_again(LlCodePage *page);
/* No more codes. */
void ll_code_page_stop(LlCodePage *page);
gboolean ll_code_page_running(LlCodePage *page);
void ll_code_page_free(LlCodePage *page);

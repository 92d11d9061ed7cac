/* "What name should others see?": asked on first use and whenever the
 * person wants to change it (the home page). The name is what the people
 * they help or who help them read first in every question; it is saved
 * with their key (identity.conf). */
#pragma once
#include "common/identity.h"
#include <gtk/gtk.h>

/* Called with the saved name, or NULL when the person closed the dialog. */
typedef void (*LlNameChosen)(const char *name, gpointer user_data);

/* FIRST_USE: worded as a welcome, with "Not now". IDENTITY stays the
 * caller's and must outlive the dialog. */
void ll_name_dialog_open(GtkWindow *parent, LlIdentity *identity, gboolean first_use,
                         LlNameChosen chosen, gpointer user_data);

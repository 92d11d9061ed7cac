/* A self-check of the window the app builds: every control a person
 * operates (buttons, fields, toggles, lists, the viewer, the chat) can take
 * the keyboard focus and has a name assistive technology reads out. Run by
 * `lifeline app --check-accessibility`, which tests use. */
#pragma once
#include <gtk/gtk.h>

/* Walks WIDGET and everything inside it, hidden pages included; prints
 * each control that fails and returns how many did. *CHECKED counts the
 * controls looked at. */
guint ll_accessibility_check(GtkWidget *widget, guint *checked);

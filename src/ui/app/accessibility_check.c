#include "ui/app/accessibility_check.h"
#include <stdio.h>

static gboolean is_control(GtkWidget *w)
{
  return GTK_IS_BUTTON(w) || GTK_IS_ENTRY(w) || GTK_IS_COMBO_BOX(w) || GTK_IS_TEXT_VIEW(w) ||
         GTK_IS_EXPANDER(w) || g_type_is_a(G_OBJECT_TYPE(w), g_type_from_name("VncDisplay"));
}

static const char *name_of(GtkWidget *w)
{
  AtkObject *accessible = gtk_widget_get_accessible(w);
  const char *name = accessible != NULL ? atk_object_get_name(accessible) : NULL;
  return name != NULL && *name != '\0' ? name : NULL;
}

typedef struct {
  guint checked;
  guint failed;
} Tally;

static void visit(GtkWidget *w, gpointer data)
{
  Tally *t = data;
  if (is_control(w)) {
    /* Combo boxes take focus through their inner button. */
    gboolean focusable = gtk_widget_get_can_focus(w) || GTK_IS_COMBO_BOX(w);
    const char *name = name_of(w);
    t->checked++;
    if (name == NULL || !focusable) {
      t->failed++;
      printf("accessibility: %s %s%s\n", G_OBJECT_TYPE_NAME(w),
             name == NULL ? "has no accessible name" : name,
             focusable ? "" : " cannot take the keyboard focus");
    }
  }
  /* Our own children only: GTK's internal ones (a combo box's button, the
   * window's title buttons) are GTK's to make accessible. */
  if (GTK_IS_CONTAINER(w))
    gtk_container_foreach(GTK_CONTAINER(w), visit, t);
  if (GTK_IS_WINDOW(w) && gtk_window_get_titlebar(GTK_WINDOW(w)) != NULL)
    visit(gtk_window_get_titlebar(GTK_WINDOW(w)), t);
  if (GTK_IS_MENU_BUTTON(w) && gtk_menu_button_get_popover(GTK_MENU_BUTTON(w)) != NULL)
    visit(GTK_WIDGET(gtk_menu_button_get_popover(GTK_MENU_BUTTON(w))), t);
}

guint ll_accessibility_check(GtkWidget *widget, guint *checked)
{
  Tally t = { 0, 0 };
  visit(widget, &t);
  *checked = t.checked;
  return t.failed;
}

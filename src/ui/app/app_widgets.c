#include "ui/app/app_widgets.h"
#include "ui/commands.h"
#include <stdio.h>
#include <string.h>

GtkWidget *ll_app_page_box(void)
{
  GtkWidget *box = gtk_box_new(GTK_ORIENTATION_VERTICAL, 18);
  gtk_container_set_border_width(GTK_CONTAINER(box), 36);
  gtk_widget_set_valign(box, GTK_ALIGN_CENTER);
  gtk_widget_set_halign(box, GTK_ALIGN_CENTER);
  gtk_widget_set_size_request(box, 420, -1);
  return box;
}

GtkWidget *ll_app_heading(const char *text)
{
  GtkWidget *label = gtk_label_new(NULL);
  g_autofree char *markup = g_markup_printf_escaped("<span size='x-large' weight='bold'>%s</span>",
                                                    text);
  gtk_label_set_markup(GTK_LABEL(label), markup);
  gtk_label_set_line_wrap(GTK_LABEL(label), TRUE);
  gtk_label_set_justify(GTK_LABEL(label), GTK_JUSTIFY_CENTER);
  return label;
}

GtkWidget *ll_app_text(const char *text)
{
  GtkWidget *label = gtk_label_new(text);
  gtk_label_set_line_wrap(GTK_LABEL(label), TRUE);
  gtk_label_set_max_width_chars(GTK_LABEL(label), 60);
  gtk_label_set_justify(GTK_LABEL(label), GTK_JUSTIFY_CENTER);
  gtk_label_set_selectable(GTK_LABEL(label), FALSE);
  return label;
}

GtkWidget *ll_app_error_label(void)
{
  GtkWidget *label = ll_app_text("");
  GtkCssProvider *css = gtk_css_provider_new();
  gtk_css_provider_load_from_data(css, "label { color: #a40000; font-weight: bold; }", -1, NULL);
  gtk_style_context_add_provider(gtk_widget_get_style_context(label), GTK_STYLE_PROVIDER(css),
                                 GTK_STYLE_PROVIDER_PRIORITY_APPLICATION);
  g_object_unref(css);
  gtk_widget_set_no_show_all(label, TRUE);
  return label;
}

void ll_app_set_accessible_name(GtkWidget *widget, const char *name)
{
  atk_object_set_name(gtk_widget_get_accessible(widget), name);
}

void ll_app_report(const char *format, ...)
{
  va_list args;
  va_start(args, format);
  g_autofree char *line = g_strdup_vprintf(format, args);
  va_end(args);
  g_print("%s\n", line);
  fflush(stdout);
}


char *ll_app_person_name(LlIdentity *identity)
{
  if (identity != NULL)
    ll_identity_reload_name(identity);
  return ll_default_person_name(NULL, identity);
}

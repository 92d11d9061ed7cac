/* wayland-window: a native Wayland client with known content, for the
 * GNOME and wlroots end-to-end tests (run with GDK_BACKEND=wayland).
 * Usage: wayland-window WIDTH HEIGHT
 * Shows a window titled "lifeline-wayland" filled with four colour bars
 * (red, green, blue, white, left to right), prints "ready" once it was
 * drawn, and then one line per event it receives:
 *   key: NAME      a key was pressed (GDK key name: a, Return, space)
 *   click: X Y     button 1 was pressed at X, Y in the window
 *   focus: in      the window got the keyboard (on Wayland it may copy to
 *                  the clipboard only then)
 * and takes commands on standard input, as a program the novice uses:
 *   copy TEXT      copy TEXT to the clipboard; prints "copied"
 *   paste          prints "pasted: TEXT", what the clipboard holds */
#include <gtk/gtk.h>
#include <stdio.h>
#include <string.h>

static const double bars[][3] = { { 1, 0, 0 }, { 0, 1, 0 }, { 0, 0, 1 }, { 1, 1, 1 } };

static gboolean on_draw(GtkWidget *widget, cairo_t *cr, gpointer data)
{
  static gboolean said;
  int width = gtk_widget_get_allocated_width(widget);
  int height = gtk_widget_get_allocated_height(widget);
  (void)data;
  for (int i = 0; i < 4; i++) {
    cairo_set_source_rgb(cr, bars[i][0], bars[i][1], bars[i][2]);
    cairo_rectangle(cr, width * i / 4, 0, width / 4 + 1, height);
    cairo_fill(cr);
  }
  if (!said) {
    said = TRUE;
    printf("ready\n");
    fflush(stdout);
  }
  return TRUE;
}

static gboolean on_key(GtkWidget *widget, GdkEventKey *event, gpointer data)
{
  (void)widget; (void)data;
  const char *name = gdk_keyval_name(event->keyval);
  printf("key: %s\n", name != NULL ? name : "?");
  fflush(stdout);
  return TRUE;
}

static gboolean on_button(GtkWidget *widget, GdkEventButton *event, gpointer data)
{
  (void)widget; (void)data;
  if (event->button == 1) {
    printf("click: %d %d\n", (int)event->x, (int)event->y);
    fflush(stdout);
  }
  return TRUE;
}

/* Said once the window has a pointer at all: on a seat that had none
 * (headless sway) the toolkit asks for one only after the compositor
 * announced it, and events before that reach nobody. */
static gboolean on_enter(GtkWidget *widget, GdkEventCrossing *event, gpointer data)
{
  (void)widget; (void)event; (void)data;
  printf("pointer: in\n");
  fflush(stdout);
  return FALSE;
}

static gboolean on_focus(GtkWidget *widget, GdkEventFocus *event, gpointer data)
{
  (void)widget; (void)data;
  if (event->in) {
    printf("focus: in\n");
    fflush(stdout);
  }
  return FALSE;
}

static void on_text(GtkClipboard *clipboard, const char *text, gpointer data)
{
  (void)clipboard; (void)data;
  printf("pasted: %s\n", text != NULL ? text : "");
  fflush(stdout);
}

static gboolean on_command(GIOChannel *channel, GIOCondition condition, gpointer data)
{
  char *line = NULL;
  gsize end;
  (void)condition; (void)data;
  if (g_io_channel_read_line(channel, &line, NULL, &end, NULL) != G_IO_STATUS_NORMAL) {
    gtk_main_quit();
    return G_SOURCE_REMOVE;
  }
  line[end] = '\0';
  GtkClipboard *clipboard = gtk_clipboard_get(GDK_SELECTION_CLIPBOARD);
  if (g_str_has_prefix(line, "copy ")) {
    gtk_clipboard_set_text(clipboard, line + 5, -1);
    printf("copied\n");
    fflush(stdout);
  } else if (strcmp(line, "paste") == 0) {
    gtk_clipboard_request_text(clipboard, on_text, NULL);
  }
  g_free(line);
  return G_SOURCE_CONTINUE;
}

int main(int argc, char **argv)
{
  gtk_init(&argc, &argv);
  if (argc != 3) {
    fprintf(stderr, "usage: wayland-window WIDTH HEIGHT\n");
    return 2;
  }
  GtkWidget *window = gtk_window_new(GTK_WINDOW_TOPLEVEL);
  gtk_window_set_title(GTK_WINDOW(window), "lifeline-wayland");
  gtk_window_set_decorated(GTK_WINDOW(window), FALSE);
  gtk_window_set_default_size(GTK_WINDOW(window), atoi(argv[1]), atoi(argv[2]));
  GtkWidget *area = gtk_drawing_area_new();
  gtk_container_add(GTK_CONTAINER(window), area);
  gtk_widget_add_events(window, GDK_KEY_PRESS_MASK | GDK_BUTTON_PRESS_MASK |
                                GDK_FOCUS_CHANGE_MASK | GDK_ENTER_NOTIFY_MASK);
  g_signal_connect(area, "draw", G_CALLBACK(on_draw), NULL);
  g_signal_connect(window, "key-press-event", G_CALLBACK(on_key), NULL);
  g_signal_connect(window, "button-press-event", G_CALLBACK(on_button), NULL);
  g_signal_connect(window, "focus-in-event", G_CALLBACK(on_focus), NULL);
  g_signal_connect(window, "enter-notify-event", G_CALLBACK(on_enter), NULL);
  g_signal_connect(window, "destroy", G_CALLBACK(gtk_main_quit), NULL);
  gtk_widget_show_all(window);
  GIOChannel *commands = g_io_channel_unix_new(0);
  g_io_add_watch(commands, G_IO_IN | G_IO_HUP, on_command, NULL);
  gtk_main();
  return 0;
}

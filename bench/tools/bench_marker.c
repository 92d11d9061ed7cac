/* bench-marker: the latency workload as a toolkit client, for desktops
 * where bench-workload (plain X11) cannot draw: the same GTK program runs
 * natively on Wayland (GDK_BACKEND=wayland) and on X11, so the two are
 * compared with one client.
 *
 *   bench-marker SECONDS
 *
 * A window covering the screen (full screen, or at 0,0 where no window
 * manager makes it so) draws the 64x64 marker at its top left in a new
 * colour 20 times a second, the colours of bench-workload (stamp N has
 * colour N mod 27: every channel 0, 128 or 255), and prints "N T" per
 * stamp, T being the CLOCK_MONOTONIC nanoseconds at which the frame with
 * it was drawn. It prints "ready" once the window shows, starts stamping
 * when standard input has a line, prints "hold" after SECONDS of it, and
 * stays until standard input has another line or ends (at most 60 s
 * more). */
#include <gtk/gtk.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#define MARKER 64
#define STAMPS_PER_SECOND 20

static unsigned long seq;
static gboolean stamping, said_ready, drawn_pending;
static GtkWidget *area;
static int seconds;

static long long now_ns(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void colour_of(unsigned long n, double rgb[3])
{
  static const double level[3] = { 0.0, 128.0 / 255.0, 1.0 };
  unsigned idx = n % 27;
  rgb[0] = level[idx % 3];
  rgb[1] = level[(idx / 3) % 3];
  rgb[2] = level[idx / 9];
}

static gboolean on_draw(GtkWidget *widget, cairo_t *cr, gpointer data)
{
  double rgb[3];
  (void)data;
  cairo_set_source_rgb(cr, 0.2, 0.4, 0.64);
  cairo_paint(cr);
  colour_of(seq, rgb);
  cairo_set_source_rgb(cr, rgb[0], rgb[1], rgb[2]);
  cairo_rectangle(cr, 0, 0, MARKER, MARKER);
  cairo_fill(cr);
  if (drawn_pending) {
    printf("%lu %lld\n", seq, now_ns());
    fflush(stdout);
    drawn_pending = FALSE;
  }
  if (!said_ready && gtk_widget_get_allocated_width(widget) >= MARKER) {
    said_ready = TRUE;
    printf("ready\n");
    fflush(stdout);
  }
  return TRUE;
}

static gboolean on_tick(gpointer data)
{
  if (!stamping)
    return G_SOURCE_REMOVE;
  seq++;
  drawn_pending = TRUE;
  gtk_widget_queue_draw_area(data, 0, 0, MARKER, MARKER);
  return G_SOURCE_CONTINUE;
}

static gboolean on_done(gpointer data)
{
  (void)data;
  stamping = FALSE;
  printf("hold\n");
  fflush(stdout);
  g_timeout_add_seconds(60, (GSourceFunc)gtk_main_quit, NULL);
  return G_SOURCE_REMOVE;
}

/* The first line starts the stamps; the next (or the end) quits. */
static gboolean on_line(GIOChannel *channel, GIOCondition condition, gpointer data)
{
  static gboolean started;
  char *line = NULL;
  (void)condition; (void)data;
  GIOStatus status = g_io_channel_read_line(channel, &line, NULL, NULL, NULL);
  g_free(line);
  if (status != G_IO_STATUS_NORMAL || started) {
    gtk_main_quit();
    return G_SOURCE_REMOVE;
  }
  started = stamping = TRUE;
  g_timeout_add(1000 / STAMPS_PER_SECOND, on_tick, area);
  g_timeout_add((guint)seconds * 1000, on_done, NULL);
  return G_SOURCE_CONTINUE;
}

int main(int argc, char **argv)
{
  gtk_init(&argc, &argv);
  if (argc != 2) {
    fprintf(stderr, "usage: bench-marker SECONDS\n");
    return 2;
  }
  seconds = atoi(argv[1]);
  GtkWidget *window = gtk_window_new(GTK_WINDOW_TOPLEVEL);
  GdkRectangle screen;
  gdk_monitor_get_geometry(gdk_display_get_monitor(gdk_display_get_default(), 0), &screen);
  gtk_window_set_decorated(GTK_WINDOW(window), FALSE);
  gtk_window_set_default_size(GTK_WINDOW(window), screen.width, screen.height);
  gtk_window_move(GTK_WINDOW(window), 0, 0);
  gtk_window_fullscreen(GTK_WINDOW(window));
  area = gtk_drawing_area_new();
  gtk_container_add(GTK_CONTAINER(window), area);
  g_signal_connect(area, "draw", G_CALLBACK(on_draw), NULL);
  gtk_widget_show_all(window);
  g_io_add_watch(g_io_channel_unix_new(0), G_IO_IN | G_IO_HUP, on_line, NULL);
  gtk_main();
  return 0;
}

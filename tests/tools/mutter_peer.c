/* mutter-peer: another program of a headless GNOME session, for tests:
 * it reads the compositor's own screen cast (the reference picture) and
 * moves the pointer as a second mouse would (the novice's own hand).
 * Usage: mutter-peer   (in the session: DBUS_SESSION_BUS_ADDRESS set)
 * Commands on standard input, one per line:
 *   screencast [CONNECTOR]
 *                  start a screen cast of monitor CONNECTOR (default: the
 *                  primary one) without the pointer; prints "node: N", its
 *                  PipeWire node
 *   move DX DY     move the pointer by DX, DY through a remote desktop
 *                  session of its own; prints "moved"
 *   keys K...      press the keysyms K (hexadecimal: 0xffe9 0x69 is Alt+i)
 *                  in order and release them in reverse, on a keyboard of
 *                  that session; prints "typed"
 *   quit
 * Errors go to standard error and end it with status 1. Mutter drops a
 * new device's first events and any sent before it is ready, so a test
 * repeats a move or a key until it sees the effect. */
#include <gio/gio.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TIMEOUT_MS 10000

static GDBusConnection *bus;
static char *rd_session;

static GVariant *call(const char *dest, const char *path, const char *iface, const char *method,
                      GVariant *params, const char *type)
{
  GError *error = NULL;
  GVariant *reply = g_dbus_connection_call_sync(bus, dest, path, iface, method, params,
                                                type ? G_VARIANT_TYPE(type) : NULL,
                                                G_DBUS_CALL_FLAGS_NONE, TIMEOUT_MS, NULL, &error);
  if (reply == NULL) {
    fprintf(stderr, "mutter-peer: %s: %s\n", method, error->message);
    exit(1);
  }
  return reply;
}

static void on_stream_added(GDBusConnection *c, const char *sender, const char *path,
                            const char *iface, const char *signal, GVariant *params, gpointer data)
{
  (void)c; (void)sender; (void)path; (void)iface; (void)signal;
  g_variant_get(params, "(u)", (guint32 *)data);
}

static gboolean on_timeout(gpointer data)
{
  (void)data;
  fprintf(stderr, "mutter-peer: no stream within %d ms\n", TIMEOUT_MS);
  exit(1);
}

static void screencast(const char *connector)
{
  GVariant *r = call("org.gnome.Mutter.ScreenCast", "/org/gnome/Mutter/ScreenCast",
                     "org.gnome.Mutter.ScreenCast", "CreateSession",
                     g_variant_new_parsed("(@a{sv} {},)"), "(o)");
  char *session, *stream;
  g_variant_get(r, "(o)", &session);
  g_variant_unref(r);
  r = call("org.gnome.Mutter.ScreenCast", session, "org.gnome.Mutter.ScreenCast.Session",
           "RecordMonitor", g_variant_new_parsed("(%s, {'cursor-mode': <uint32 0>})", connector),
           "(o)");
  g_variant_get(r, "(o)", &stream);
  g_variant_unref(r);
  guint32 node = 0;
  g_dbus_connection_signal_subscribe(bus, NULL, "org.gnome.Mutter.ScreenCast.Stream",
                                     "PipeWireStreamAdded", stream, NULL, 0, on_stream_added,
                                     &node, NULL);
  g_variant_unref(call("org.gnome.Mutter.ScreenCast", session,
                       "org.gnome.Mutter.ScreenCast.Session", "Start", NULL, "()"));
  guint deadline = g_timeout_add(TIMEOUT_MS, on_timeout, NULL);
  while (node == 0)
    g_main_context_iteration(NULL, TRUE);
  g_source_remove(deadline);
  g_free(session);
  g_free(stream);
  printf("node: %u\n", node);
  fflush(stdout);
}

static void relative(double dx, double dy)
{
  g_dbus_connection_call_sync(bus, "org.gnome.Mutter.RemoteDesktop", rd_session,
                              "org.gnome.Mutter.RemoteDesktop.Session",
                              "NotifyPointerMotionRelative", g_variant_new("(dd)", dx, dy), NULL,
                              G_DBUS_CALL_FLAGS_NONE, TIMEOUT_MS, NULL, NULL);
}

static void keysym(guint32 keysym, gboolean down)
{
  g_dbus_connection_call_sync(bus, "org.gnome.Mutter.RemoteDesktop", rd_session,
                              "org.gnome.Mutter.RemoteDesktop.Session", "NotifyKeyboardKeysym",
                              g_variant_new("(ub)", keysym, down), NULL, G_DBUS_CALL_FLAGS_NONE,
                              TIMEOUT_MS, NULL, NULL);
}

static void start_remote_desktop(void)
{
  if (rd_session == NULL) {
    GVariant *r = call("org.gnome.Mutter.RemoteDesktop", "/org/gnome/Mutter/RemoteDesktop",
                       "org.gnome.Mutter.RemoteDesktop", "CreateSession", NULL, "(o)");
    g_variant_get(r, "(o)", &rd_session);
    g_variant_unref(r);
    g_variant_unref(call("org.gnome.Mutter.RemoteDesktop", rd_session,
                         "org.gnome.Mutter.RemoteDesktop.Session", "Start", NULL, "()"));
    /* Mutter makes each device on its first event and drops that event. */
    relative(0, 0);
    keysym(0xffe1, TRUE);
    keysym(0xffe1, FALSE);
  }
}

static void move(double dx, double dy)
{
  start_remote_desktop();
  relative(dx, dy);
  printf("moved\n");
  fflush(stdout);
}

static void keys(const char *list)
{
  guint32 held[8];
  int n = 0;
  char *end;
  start_remote_desktop();
  for (guint32 k; n < 8 && (k = strtoul(list, &end, 16)) != 0; list = end)
    keysym(held[n++] = k, TRUE);
  while (n > 0)
    keysym(held[--n], FALSE);
  printf("typed\n");
  fflush(stdout);
}

int main(void)
{
  GError *error = NULL;
  bus = g_bus_get_sync(G_BUS_TYPE_SESSION, NULL, &error);
  if (bus == NULL) {
    fprintf(stderr, "mutter-peer: %s\n", error->message);
    return 1;
  }
  char line[256];
  while (fgets(line, sizeof line, stdin) != NULL) {
    double dx, dy;
    char connector[64];
    if (strcmp(line, "screencast\n") == 0)
      screencast("");
    else if (sscanf(line, "screencast %63s", connector) == 1)
      screencast(connector);
    else if (sscanf(line, "move %lf %lf", &dx, &dy) == 2)
      move(dx, dy);
    else if (strncmp(line, "keys ", 5) == 0)
      keys(line + 5);
    else if (strcmp(line, "quit\n") == 0)
      break;
    else
      fprintf(stderr, "mutter-peer: unknown command %s", line);
  }
  g_free(rd_session);
  g_object_unref(bus);
  return 0;
}

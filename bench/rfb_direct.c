/* bench-rfb-direct: Lifeline's RFB server on the display, reached over
 * plain TCP without the secure channel, to show what the channel costs.
 *   bench-rfb-direct PORT       (127.0.0.1 only; runs until killed) */
#include "novice/rfb_server.h"
#include "desktop_wait.h"
#include <gio/gio.h>
#include <stdlib.h>
#include <unistd.h>

static gboolean on_incoming(GSocketService *service, GSocketConnection *connection,
                            GObject *source, gpointer data)
{
  g_autoptr(GError) error = NULL;
  (void)service; (void)source;
  GSocket *socket = g_socket_connection_get_socket(connection);
  int fd = dup(g_socket_get_fd(socket));
  if (!ll_rfb_server_add_client(data, fd, &error))
    g_printerr("bench-rfb-direct: %s\n", error->message);
  return TRUE;
}

static void on_damaged(int x, int y, int width, int height, gpointer data)
{
  ll_rfb_server_mark_changed(data, x, y, width, height);
}

int main(int argc, char **argv)
{
  g_autoptr(GError) error = NULL;
  if (argc != 2) {
    g_printerr("usage: bench-rfb-direct PORT\n");
    return 2;
  }
  /* The same desktop interface and server the session uses. */
  LlDesktopChoice choice = { .kind = LL_DESKTOP_AUTO };
  g_autoptr(LlDesktop) desktop = desktop_open_wait(&choice, &error);
  g_autoptr(LlRfbServer) server = NULL;
  LlScreenFormat format;
  guint8 *framebuffer = desktop != NULL ? ll_desktop_picture(desktop, &format) : NULL;
  if (desktop != NULL)
    server = ll_rfb_server_new(&format, framebuffer, "bench", &error);
  LlScreenFeed feed = { .damaged = on_damaged };
  if (server == NULL || !ll_desktop_start_screen(desktop, &feed, server, &error)) {
    g_printerr("bench-rfb-direct: %s\n", error->message);
    return 1;
  }
  g_autoptr(GSocketService) service = g_socket_service_new();
  g_autoptr(GInetAddress) lo = g_inet_address_new_loopback(G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new(lo, atoi(argv[1]));
  if (!g_socket_listener_add_address(G_SOCKET_LISTENER(service), address, G_SOCKET_TYPE_STREAM,
                                     G_SOCKET_PROTOCOL_TCP, NULL, NULL, &error)) {
    g_printerr("bench-rfb-direct: %s\n", error->message);
    return 1;
  }
  g_signal_connect(service, "incoming", G_CALLBACK(on_incoming), server);
  g_socket_service_start(service);
  g_print("listening\n");
  g_autoptr(GMainLoop) loop = g_main_loop_new(NULL, FALSE);
  g_main_loop_run(loop);
  ll_desktop_stop_screen(desktop);   /* before the server goes */
  return 0;
}

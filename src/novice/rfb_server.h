/* The novice's RFB server: libvncserver serving the captured screen. It
 * never listens on the network; each consented viewer stream is handed to
 * it as one end of a socketpair. View-only in this version: input events
 * from viewers are dropped. */
#pragma once
#include <glib.h>
#include "novice/screen_capture.h"

typedef struct LlRfbServer LlRfbServer;

/* Opens the display and starts capturing: call only once someone was
 * allowed to see the screen. */
LlRfbServer *ll_rfb_server_new(const char *display_name, const char *desktop_name,
                               GError **error);
/* Serves a new viewer on FD (one end of a socketpair), taking ownership. */
gboolean ll_rfb_server_add_client(LlRfbServer *server, int fd, GError **error);
/* Viewers currently connected. */
guint ll_rfb_server_client_count(LlRfbServer *server);
/* Disconnects every viewer, waits for their threads, frees. The caller
 * must have closed its ends of the socketpairs first. */
void ll_rfb_server_free(LlRfbServer *server);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(LlRfbServer, ll_rfb_server_free)

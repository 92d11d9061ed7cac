/* The helper's local VNC port on 127.0.0.1, where any VNC viewer of the
 * helper's attaches. The port is bound early (so "port in use" shows up
 * before connecting) but accepts viewers only once the novice has said
 * yes, and only from the helper's own account: the novice consented to
 * one person, not to every account of the helper's computer. */
#pragma once
#include <gio/gio.h>

typedef struct LlLocalRfbPort LlLocalRfbPort;
typedef void (*LlViewerArrived)(GSocketConnection *viewer, gpointer user_data);
/* A viewer of account UID (-1: it could not be told) was turned away
 * before a byte was sent; WHY says so in a sentence. */
typedef void (*LlViewerRefused)(gint64 uid, const char *why, gpointer user_data);

/* PORT 0: the system picks one. */
LlLocalRfbPort *ll_local_rfb_port_bind(guint16 port, GError **error);
guint16 ll_local_rfb_port_number(LlLocalRfbPort *port);
gboolean ll_local_rfb_port_open(LlLocalRfbPort *port, LlViewerArrived arrived,
                                LlViewerRefused refused, gpointer user_data, GError **error);
void ll_local_rfb_port_free(LlLocalRfbPort *port);

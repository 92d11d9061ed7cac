/* A TCP forwarder on loopback that a test can cut: every connection ends
 * at once (both sides see it close), or the network goes dead (bytes are
 * dropped and new connections closed) until the test revives it. */
#pragma once
#include <glib.h>

typedef struct CutProxy CutProxy;

CutProxy *cut_proxy_new(guint16 target_port);
guint16 cut_proxy_port(CutProxy *proxy);
/* Connections forwarded so far. */
guint cut_proxy_connections(CutProxy *proxy);
void cut_proxy_cut(CutProxy *proxy);
void cut_proxy_set_dead(CutProxy *proxy, gboolean dead);
void cut_proxy_free(CutProxy *proxy);

/* Which HTTP proxy, if any, connections out of this computer go through:
 * the rendezvous (wss://) and the relay over TLS (turns:). Offices and
 * hotels often let nothing else out.
 *
 * https_proxy (or HTTPS_PROXY, all_proxy, ALL_PROXY) when set, with
 * no_proxy's exceptions, as curl and most command-line tools read them;
 * otherwise the desktop's proxy settings through GIO's default resolver
 * (glib-networking: GNOME's settings or libproxy). */
#pragma once
#include <gio/gio.h>

/* A new reference. */
GProxyResolver *ll_proxy_resolver_new(void);

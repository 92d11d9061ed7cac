/* The addresses at which this computer can be reached: every address of
 * every interface that is up, loopback and link-local left out (a
 * link-local address means nothing on another computer). */
#pragma once
#include <glib.h>

/* "HOST:PORT" strings ("[V6]:PORT" for IPv6). When the computer has no
 * other address, the loopback ones, so a test on one machine still works. */
GPtrArray *ll_local_endpoints(guint16 port);
/* Formats ADDRESS and PORT as an endpoint string. */
char *ll_endpoint_format(const char *address, guint16 port, gboolean is_ipv6);

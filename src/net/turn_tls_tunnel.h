/* The relay over TLS (turns:), for networks that let out nothing but TCP
 * to port 443, perhaps only through an HTTP proxy.
 *
 * libnice's own "TURN over TLS" is plain TCP under RFC 5245 compatibility
 * (it wraps the socket only in a pseudo-TLS for Google's and Microsoft's
 * old servers), and its proxy support wants the proxy as an IP address.
 * So libnice is given this tunnel as an ordinary TURN-over-TCP server on
 * the loopback, and each connection it opens here goes on to the relay as
 * a real TLS connection, its certificate checked against the system's
 * trusted authorities for the relay's name, through the proxy that
 * proxy_choice.h finds (GSocketClient does the HTTP CONNECT). What passes
 * through is TURN, carrying the session's own end-to-end TLS. */
#pragma once
#include <gio/gio.h>

typedef struct LlTurnTlsTunnel LlTurnTlsTunnel;

/* Listens on 127.0.0.1 at a port of its own for connections to forward to
 * HOST:PORT over TLS. */
LlTurnTlsTunnel *ll_turn_tls_tunnel_new(const char *host, guint16 port, GError **error);
guint16 ll_turn_tls_tunnel_port(const LlTurnTlsTunnel *tunnel);
/* Stops listening and closes every forwarded connection. */
void ll_turn_tls_tunnel_free(LlTurnTlsTunnel *tunnel);

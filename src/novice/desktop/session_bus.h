/* The desktop session's D-Bus bus, for backends that talk to the desktop
 * over it (GNOME's Mutter, the xdg-desktop-portal). */
#pragma once
#include <gio/gio.h>

/* Each probe call on the bus has this deadline. */
#define LL_SESSION_BUS_CALL_TIMEOUT_MS 10000

/* The session bus's address; NULL when there is none. Never the X11
 * autolaunch GLib would fall back to: a probe must not start a bus. */
char *ll_session_bus_address(GError **error);
/* A private connection to ADDRESS (synchronous: for probes). */
GDBusConnection *ll_session_bus_connect_sync(const char *address, GError **error);
/* Whether NAME is on BUS now, or (ACTIVATABLE_TOO) would be started by it
 * on the first call. */
gboolean ll_session_bus_has(GDBusConnection *bus, const char *name, gboolean activatable_too,
                            GError **error);

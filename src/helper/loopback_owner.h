/* Which account owns the other end of a loopback TCP connection, from the
 * kernel's socket table (NETLINK_SOCK_DIAG, as ss(8) reads it, else
 * /proc/net/tcp): the
 * helper's viewer port is on 127.0.0.1, where every account of the
 * machine can connect, and only the helper's own may. */
#pragma once
#include <gio/gio.h>
#include <netinet/in.h>
#include <sys/types.h>

/* The uid owning the socket at the far end of CONNECTION (which must be
 * IPv4 loopback TCP). FALSE with a sentence when the kernel does not say
 * within a second. */
gboolean ll_loopback_owner(GSocketConnection *connection, uid_t *uid, GError **error);

/* For tests: the owner of the socket from FAR to NEAR in TABLE, the text
 * of /proc/net/tcp (read where the kernel has no socket diagnostics). */
gboolean ll_loopback_owner_in_table(const char *table, const struct sockaddr_in *near,
                                    const struct sockaddr_in *far, uid_t *uid);

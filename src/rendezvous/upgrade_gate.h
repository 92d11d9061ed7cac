/* The rendezvous' front door: it accepts TCP connections itself, so that a
 * connection is counted from its first moment, not only once it is a
 * WebSocket. Until the upgrade a connection has a deadline, a place among
 * at most so many from its address and so many in all; when every place
 * is taken the oldest waiting connection goes, so idle sockets cannot
 * keep a real client out. */
#pragma once
#include <gio/gio.h>

typedef struct {
  guint timeout_s;           /* to finish the upgrade */
  guint max_per_address;
  guint max_total;
} LlUpgradeLimits;

/* Takes a connection that got a place (TLS already wrapped where
 * configured); FALSE with an error when it could not. */
typedef gboolean (*LlUpgradeAccept)(GIOStream *stream, GSocketAddress *local,
                                    GSocketAddress *remote, gpointer data, GError **error);

typedef struct LlUpgradeGate LlUpgradeGate;

/* Listens on address (port 0: any), *port tells which one. */
LlUpgradeGate *ll_upgrade_gate_new(GSocketAddress *address, GTlsCertificate *tls,
                                   const LlUpgradeLimits *limits, LlUpgradeAccept accept,
                                   gpointer data, guint16 *port, GError **error);
/* The connection from remote finished its upgrade: it leaves the gate's
 * count (the caller counts its clients from now on). */
void ll_upgrade_gate_passed(LlUpgradeGate *gate, GSocketAddress *remote);
guint ll_upgrade_gate_waiting(LlUpgradeGate *gate);
void ll_upgrade_gate_free(LlUpgradeGate *gate);

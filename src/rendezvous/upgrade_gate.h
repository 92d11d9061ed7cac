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
 * configured), named KEY (ll_upgrade_gate_key) while it waits: the gate
 * keeps only its place and deadline, the taker the stream. */
typedef void (*LlUpgradeAccept)(GIOStream *stream, GSocketAddress *local, GSocketAddress *remote,
                                const char *key, gpointer data);
/* The connection KEY lost its place (its deadline passed, or newer ones
 * pushed it out): the taker closes it. */
typedef void (*LlUpgradeDrop)(const char *key, gpointer data);

typedef struct {
  LlUpgradeAccept accept;
  LlUpgradeDrop drop;
} LlUpgradeTaker;

typedef struct LlUpgradeGate LlUpgradeGate;

/* Listens on address (port 0: any), *port tells which one. */
LlUpgradeGate *ll_upgrade_gate_new(GSocketAddress *address, GTlsCertificate *tls,
                                   const LlUpgradeLimits *limits, const LlUpgradeTaker *taker,
                                   gpointer data, guint16 *port, GError **error);
/* A connection's name while it waits: "IP PORT" of its remote end (NULL
 * for an address that is not IP). */
char *ll_upgrade_gate_key(GSocketAddress *remote);
/* The connection KEY finished its upgrade: it leaves the gate's count
 * (the caller counts its clients from now on). */
void ll_upgrade_gate_passed(LlUpgradeGate *gate, const char *key);
guint ll_upgrade_gate_waiting(LlUpgradeGate *gate);
void ll_upgrade_gate_free(LlUpgradeGate *gate);

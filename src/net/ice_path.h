/* After ready or failed, a path reports nothing more.
 *
 * One ICE connection through libnice in reliable mode: host, server-
 * reflexive (STUN), UPnP-mapped and relayed (TURN) candidates over UDP and
 * TCP, trickled through the rendezvous. Once a pair is selected, the
 * reliable stream is bridged to one end of a socketpair, and the other
 * end is handed out as an ordinary GSocketConnection: TLS, the secret
 * proof and the session run over it exactly as over direct TCP. (A TLS
 * connection directly over libnice's own GIOStream hangs in the
 * handshake; see DESIGN.md's field notes.) */
#pragma once
#include "common/signal_message.h"
#include <gio/gio.h>

#define LL_ICE_TIMEOUT_S 30

typedef struct LlIcePath LlIcePath;

typedef struct {
  /* ICE data to pass to the other side through the rendezvous. */
  void (*signal)(LlIcePath *path, LlSignalMessage *message, gpointer user_data);
  /* A path works: CONNECTION is ours (transfer full); PATH_NAME is
   * "ice-host", "ice-srflx" or "relay". Once. */
  void (*ready)(LlIcePath *path, GSocketConnection *connection, const char *path_name,
                gpointer user_data);
  /* No path could be found (before ready). Once. */
  void (*failed)(LlIcePath *path, const GError *why, gpointer user_data);
} LlIcePathEvents;

LlIcePath *ll_ice_path_new(gboolean controlling, const LlIceServers *servers,
                           const LlIcePathEvents *events, gpointer user_data);
/* Gathers candidates; local credentials and candidates go out as they come. */
void ll_ice_path_start(LlIcePath *path);
/* ICE data from the other side. */
void ll_ice_path_remote(LlIcePath *path, const LlSignalMessage *message);
/* Stops ICE and closes the bridge (the handed-out connection sees EOF). */
void ll_ice_path_free(LlIcePath *path);
gboolean ll_ice_path_is_ready(LlIcePath *path);

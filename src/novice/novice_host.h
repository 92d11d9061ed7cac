/* The novice's side of an invitation: listens, admits a helper only after
 * TLS and a valid secret proof, asks the novice, and after yes serves the
 * desktop over RFB streams. The invitation is single-use: once a helper
 * is accepted, every later one is refused. User interaction goes through
 * the events below, so the text and graphical front ends share this. */
#pragma once
#include <gio/gio.h>
#include "common/identity.h"
#include "common/invitation.h"

#define LL_HELLO_TIMEOUT_MS 15000
#define LL_MAX_PENDING_CONNECTIONS 16
#define LL_MAX_STREAMS 4

typedef struct LlNoviceHost LlNoviceHost;

typedef struct {
  /* A helper proved the secret: ask the novice, then call
   * ll_novice_host_answer. HELPER_KEY is the helper's fingerprint text. */
  void (*ask)(LlNoviceHost *host, const char *helper_name, const char *helper_key,
              gpointer user_data);
  /* The helper being asked went away before the answer. */
  void (*ask_withdrawn)(LlNoviceHost *host, const char *helper_name, gpointer user_data);
  /* The novice said yes; the helper now sees the screen. */
  void (*started)(LlNoviceHost *host, const char *helper_name, gpointer user_data);
  /* A helper was refused before the novice was disturbed. */
  void (*refused)(LlNoviceHost *host, const char *peer, const char *why, gpointer user_data);
  /* The accepted session is over, or the invitation expired unused:
   * nothing more will happen. WHY says what ended it. */
  void (*finished)(LlNoviceHost *host, const GError *why, gpointer user_data);
} LlNoviceHostEvents;

LlNoviceHost *ll_novice_host_new(LlIdentity *identity, LlInvitation *invitation,
                                 const char *display_name, const LlNoviceHostEvents *events,
                                 gpointer user_data);
/* Listens on PORT (0: the system picks) on all interfaces. */
gboolean ll_novice_host_listen(LlNoviceHost *host, guint16 port, guint16 *bound_port,
                               GError **error);
/* The novice's answer to the current ask. */
void ll_novice_host_answer(LlNoviceHost *host, gboolean allow);
/* Ends everything: tells a connected helper REASON, closes the port. */
void ll_novice_host_stop(LlNoviceHost *host, const char *reason);
void ll_novice_host_free(LlNoviceHost *host);

/* The novice's side: listens, admits a helper, asks the novice, and after
 * yes serves the desktop over RFB streams. Two ways in:
 *  - an invitation: the helper must prove its secret over TLS. It is
 *    single-use: once a helper is accepted every later one is refused, and
 *    the host finishes with that session;
 *  - a host for offers (`lifeline host`): no invitation; the machine's
 *    policy judges the helper's certificate before the novice hears of
 *    it, and the host goes on listening after each session.
 * Only the accepted helper, with the same key and the resume token it was
 * given, may carry a session on over a new connection after the old one
 * was lost. User interaction goes through the events below, so the text
 * and graphical front ends share this. */
#pragma once
#include <gio/gio.h>
#include "common/audit_log.h"
#include "common/identity.h"
#include "common/invitation.h"
#include "common/policy.h"
#include "novice/desktop/desktop.h"

/* A connection has this long for its TLS handshake, and then as long
 * again for its hello; at most this many wait at once (see make_room). */
#define LL_HANDSHAKE_TIMEOUT_MS 10000
#define LL_HELLO_TIMEOUT_MS 10000
#define LL_MAX_PENDING_CONNECTIONS 16

typedef struct LlNoviceHost LlNoviceHost;

typedef struct {
  /* A helper proved the secret, or the policy admits its offer: ask the
   * novice, then call ll_novice_host_answer. HELPER_KEY is the helper's
   * fingerprint text. ORGANISATION is NULL for an invitation; for an offer
   * it is the organisation whose CA signed the helper's certificate, or ""
   * for a helper the policy lists by key. */
  void (*ask)(LlNoviceHost *host, const char *helper_name, const char *organisation,
              const char *helper_key, gpointer user_data);
  /* The helper being asked went away before the answer. */
  void (*ask_withdrawn)(LlNoviceHost *host, const char *helper_name, gpointer user_data);
  /* The novice said yes; the helper now sees the screen. */
  void (*started)(LlNoviceHost *host, const char *helper_name, gpointer user_data);
  /* The helper asks for control: ask, then ll_novice_host_answer_control. */
  void (*control_asked)(LlNoviceHost *host, const char *helper_name, gpointer user_data);
  void (*control_withdrawn)(LlNoviceHost *host, gpointer user_data);
  /* Control began (BY NULL) or ended (BY "esc", "pointer", "stop", "release", "drop"). */
  void (*control_changed)(LlNoviceHost *host, gboolean granted, const char *by,
                          gpointer user_data);
  void (*chat)(LlNoviceHost *host, const char *from, const char *text, gpointer user_data);
  /* The helper now sees only MONITOR (NUMBER of COUNT), or everything
   * again (NUMBER 0, MONITOR NULL). Optional. */
  void (*monitor_shown)(LlNoviceHost *host, guint number, const LlMonitor *monitor, guint count,
                        gpointer user_data);
  /* The connection to the helper was lost; the session waits GRACE_S
   * seconds for it to come back before it ends. */
  void (*interrupted)(LlNoviceHost *host, const char *helper_name, const char *why,
                      guint grace_s, gpointer user_data);
  /* The helper came back; nothing was asked again. */
  void (*resumed)(LlNoviceHost *host, const char *helper_name, gpointer user_data);
  /* A helper was refused before the novice was disturbed (log it; do not
   * tell the novice). */
  void (*refused)(LlNoviceHost *host, const char *peer, const char *why, gpointer user_data);
  /* An invitation: every way helpers can reach this computer (the router's
   * port mapping, the rendezvous mailbox, the local addresses) is now in
   * INVITATION; write it out and send it. RENDEZVOUS_ERROR says why the
   * rendezvous could not be used, when one was configured. */
  void (*invitation_ready)(LlNoviceHost *host, const LlInvitation *invitation,
                           const GError *rendezvous_error, gpointer user_data);
  /* A host for offers with a rendezvous: registered (MAILBOX, its host id)
   * or not (ERROR set; it keeps trying). */
  void (*rendezvous_ready)(LlNoviceHost *host, const char *mailbox, const GError *error,
                           gpointer user_data);
  /* A host for offers: the session with HELPER_NAME is over (WHY NULL when
   * the novice ended it); the host listens again. */
  void (*session_ended)(LlNoviceHost *host, const char *helper_name, const GError *why,
                        gpointer user_data);
  /* The accepted session is over (invitation), the invitation expired
   * unused, or the host was stopped: nothing more will happen. */
  void (*finished)(LlNoviceHost *host, const GError *why, gpointer user_data);
} LlNoviceHostEvents;

typedef struct {
  LlIdentity *identity;
  LlInvitation *invitation;     /* NULL: a host for offers, judged by the policy */
  const char *policy_path;      /* a host for offers: --policy (NULL: the machine's);
                                 * read again for every offer, so a change (a helper
                                 * struck off) counts at once */
  const char *novice_name;      /* a host for offers: the name helpers are told */
  LlDesktopChoice desktop;      /* what to share once the novice says yes */
  gboolean view_only;           /* the helper may never take control */
  LlAuditLog *audit;            /* may be NULL */
  const char *rendezvous_url;   /* NULL: direct connections only */
  /* More rendezvous to turn to in turn when the one in use is lost: a
   * host for offers registers there, an invitation's novice opens its
   * mailbox there again (and its invitation names them); instances of one
   * rendezvous sharing Redis, or others a help desk names. NULL-terminated;
   * may be NULL. */
  const char *const *rendezvous_more;
  gboolean map_port;            /* an invitation: ask the router to forward the port */
  guint grace_s;                /* how long a lost connection may take to come
                                 * back (0: LL_DEFAULT_GRACE_S) */
} LlNoviceHostConfig;

#define LL_DEFAULT_GRACE_S 30

LlNoviceHost *ll_novice_host_new(const LlNoviceHostConfig *config,
                                 const LlNoviceHostEvents *events, gpointer user_data);
/* Listens on PORT (0: the system picks) on all interfaces, and opens a
 * mailbox at the rendezvous when one is configured. */
gboolean ll_novice_host_listen(LlNoviceHost *host, guint16 port, guint16 *bound_port,
                               GError **error);
/* An invitation made for a code: only the helper with this key (the one
 * that ran the PAKE) may prove its secret; NULL: no pin any more. */
void ll_novice_host_pin_helper(LlNoviceHost *host, const guint8 key[LL_FINGERPRINT_BYTES]);
/* The novice's answer to the current ask. */
void ll_novice_host_answer(LlNoviceHost *host, gboolean allow);
void ll_novice_host_answer_control(LlNoviceHost *host, gboolean allow);
/* The novice takes control back. */
void ll_novice_host_stop_control(LlNoviceHost *host);
/* What ends control on the desktop shared now (ll_desktop_stop_ways)
 * into WAYS, and its stop key into SHORTCUT (a copy, the old one freed;
 * NULL: none). While none is shared both stay as they are (the probe's
 * ways are all there is to say then). */
void ll_novice_host_learn_stop_ways(LlNoviceHost *host, LlStopWays *ways, char **shortcut);
/* A chat message to the helper; FALSE with a sentence when it cannot go. */
gboolean ll_novice_host_send_chat(LlNoviceHost *host, const char *text, GError **error);
/* Ends everything: tells a connected helper REASON, closes the port. */
void ll_novice_host_stop(LlNoviceHost *host, const char *reason);
void ll_novice_host_free(LlNoviceHost *host);

/* The novice's side of a code: a code's mailbox at the rendezvous, the
 * code to read out (its nameplate from the rendezvous, its secret made
 * here), and the exchange (common/code_exchange.h) with whoever claims
 * it. A wrong code, a helper who leaves halfway, an expired code or a
 * lost rendezvous connection each bring a fresh code at once, so the
 * code on screen always works, and each works for one attempt. When a
 * helper knew the code, the invitation has the PAKE's secret and the
 * host is to let in only that helper's key: the session then goes on
 * exactly as for an invitation file. */
#pragma once
#include <glib.h>
#include "common/fingerprint.h"
#include "common/invitation.h"

/* How long a code waits (the rendezvous may cut it shorter). */
#define LL_CODE_LIFETIME_S 600

typedef struct LlCodeWaiter LlCodeWaiter;

typedef struct {
  /* A code to show, replacing any earlier one (which no longer works).
   * WHY is NULL for the first; else it says why the last one went:
   * LL_ERROR_WRONG_CODE (someone tried a wrong code), LL_ERROR_EXPIRED
   * (its time was over), LL_ERROR_CONNECTION_LOST (someone began but
   * did not finish), or the rendezvous connection's error. */
  void (*code)(LlCodeWaiter *waiter, const char *code, const GError *why, gpointer user_data);
  /* The rendezvous cannot be reached (WHY): no code works now; trying
   * again every few seconds. */
  void (*unavailable)(LlCodeWaiter *waiter, const GError *why, gpointer user_data);
  /* A helper with HELPER_KEY knew the code; the invitation's secret is
   * the PAKE's now. No more codes come. */
  void (*matched)(LlCodeWaiter *waiter, const guint8 helper_key[LL_FINGERPRINT_BYTES],
                  gpointer user_data);
} LlCodeWaiterEvents;

/* INVITATION (its key, endpoints and mailbox filled in) must outlive the
 * waiter; its secret is replaced on a match. */
LlCodeWaiter *ll_code_waiter_new(const char *rendezvous_url, LlInvitation *invitation,
                                 const LlCodeWaiterEvents *events, gpointer user_data);
void ll_code_waiter_free(LlCodeWaiter *waiter);
/* Codes tried wrongly so far. */
guint ll_code_waiter_wrong_tries(LlCodeWaiter *waiter);

/* The helper's side of a code: claims the code's nameplate at the
 * rendezvous, runs the exchange (common/code_exchange.h) with the novice
 * waiting there, and hands over the invitation that comes sealed under
 * the PAKE's key, after which the session is exactly an invitation's.
 * One attempt: whatever happens, the code is used up. */
#pragma once
#include <glib.h>
#include "common/fingerprint.h"
#include "common/invitation.h"
#include "common/pairing_code.h"

/* The whole claim has this long. */
#define LL_CODE_CLAIM_TIMEOUT_S 30

typedef struct LlCodeClaim LlCodeClaim;

/* Once, from the main loop: INVITATION (the callee owns it) or ERROR with
 * a sentence for the helper (LL_ERROR_WRONG_CODE, LL_ERROR_NOT_WAITING for
 * no such code, ...). The callee may free CLAIM in it. */
typedef void (*LlCodeClaimDone)(LlCodeClaim *claim, LlInvitation *invitation,
                                const GError *error, gpointer user_data);

LlCodeClaim *ll_code_claim_new(const char *rendezvous_url, const LlPairingCode *code,
                               const guint8 helper_key[LL_FINGERPRINT_BYTES],
                               LlCodeClaimDone done, gpointer user_data);
/* No callback after this. */
void ll_code_claim_free(LlCodeClaim *claim);

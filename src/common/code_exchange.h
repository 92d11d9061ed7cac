/* A code turned into an invitation: CPace (common/cpace.h) between the
 * novice (A, the initiator) and the helper (B) over the rendezvous
 * mailbox of the code's nameplate, then key confirmation both ways, then
 * the novice's invitation sealed under a key from the PAKE. A state
 * machine without sockets: the caller carries the messages.
 *
 *   novice -> helper  A: sid (16 random bytes), Ya, ADa = the novice's key fingerprint
 *   helper -> novice  B: Yb, ADb = the helper's key fingerprint, Tb
 *   novice -> helper  C: Ta, the invitation sealed (XChaCha20-Poly1305)
 *                  or W: the code was wrong (the novice makes a new one)
 *
 * PRS is the code's secret, CI names this protocol and the nameplate.
 * Both keys are in the transcript, so the helper learns the novice's
 * pinned key from the confirmed exchange (the sealed invitation must
 * name the same key) and the novice learns which key the helper will
 * show in TLS. The invitation's secret, which proves the TLS channel
 * binding as for any invitation, is derived from ISK on both sides and
 * never sent. A wrong code, or a rendezvous that alters a message, fails
 * the confirmation: nothing is sealed then. */
#pragma once
#include "common/fingerprint.h"
#include "common/invitation.h"
#include "common/pairing_code.h"

/* The largest message (the sealed invitation): its base64url fits in a
 * signalling message. */
#define LL_CODE_MESSAGE_MAX 4096

typedef enum {
  LL_CODE_MORE,       /* send the reply (if any) and wait for the next message */
  LL_CODE_CONFIRMED,  /* novice: the helper knows the code; ll_code_exchange_seal next */
  LL_CODE_DONE,       /* helper: the invitation came (ll_code_exchange_take_invitation) */
  LL_CODE_FAILED,     /* ERROR says why (LL_ERROR_WRONG_CODE, LL_ERROR_PROTOCOL); a
                       * novice still sends its reply, W, to tell the helper */
} LlCodeStep;

typedef struct LlCodeExchange LlCodeExchange;

LlCodeExchange *ll_code_exchange_new_novice(const LlPairingCode *code,
                                            const guint8 novice_key[LL_FINGERPRINT_BYTES]);
LlCodeExchange *ll_code_exchange_new_helper(const LlPairingCode *code,
                                            const guint8 helper_key[LL_FINGERPRINT_BYTES]);
/* Wipes every secret. */
void ll_code_exchange_free(LlCodeExchange *exchange);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(LlCodeExchange, ll_code_exchange_free)

/* Novice: message A (once). */
GBytes *ll_code_exchange_first(LlCodeExchange *exchange);
/* A message from the other side; *REPLY (or NULL) is what to send back.
 * After FAILED, CONFIRMED or DONE, every further message fails. */
LlCodeStep ll_code_exchange_receive(LlCodeExchange *exchange, const guint8 *data, gsize len,
                                    GBytes **reply, GError **error);
/* Novice, once confirmed: the helper's key as it entered the PAKE. */
const guint8 *ll_code_exchange_peer_key(LlCodeExchange *exchange);
/* Novice, once confirmed: gives INVITATION the secret the PAKE gave both
 * sides, and returns message C that carries it sealed (NULL with ERROR
 * when it does not fit). */
GBytes *ll_code_exchange_seal(LlCodeExchange *exchange, LlInvitation *invitation,
                              GError **error);
/* Helper, once done: the novice's invitation (its key checked against
 * the PAKE's, its secret the derived one). The caller owns it. */
LlInvitation *ll_code_exchange_take_invitation(LlCodeExchange *exchange);

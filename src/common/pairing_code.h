/* The code a novice reads out over the phone: "482-913-075". Its first
 * digits are the nameplate, public, which the rendezvous uses to bring
 * the two together; the last six are the secret, which never leaves the
 * two computers and is the password of the PAKE (common/code_exchange.h).
 * A busy rendezvous hands out longer nameplates, so a code has 9 to 12
 * digits. Spaces, dashes and dots between the digits are ignored, as a
 * person types them. */
#pragma once
#include <glib.h>

#define LL_CODE_SECRET_DIGITS 6
#define LL_NAMEPLATE_MIN_DIGITS 3
#define LL_NAMEPLATE_MAX_DIGITS 6
/* A code's digits may be typed with this many characters around them. */
#define LL_CODE_MAX_TEXT 64

typedef struct {
  char nameplate[LL_NAMEPLATE_MAX_DIGITS + 1];
  char secret[LL_CODE_SECRET_DIGITS + 1];
} LlPairingCode;

/* A fresh random secret, six digits, uniform. */
void ll_pairing_code_new_secret(char secret[LL_CODE_SECRET_DIGITS + 1]);
/* Whether TEXT is a nameplate: 3 to 6 digits. */
gboolean ll_nameplate_is_valid(const char *text);
/* The code as it is shown and read out: nameplate, then the secret in
 * two groups of three ("482-913-075"). */
char *ll_pairing_code_format(const LlPairingCode *code);
/* Reads a code as typed; LL_ERROR_USAGE with a sentence saying what is
 * wrong with it. */
gboolean ll_pairing_code_parse(const char *text, LlPairingCode *out, GError **error);
/* Whether TEXT looks like a code rather than a file or a link (only
 * digits and separators, with at least one digit). */
gboolean ll_pairing_code_looks_like(const char *text);
/* Wipes the secret. */
void ll_pairing_code_clear(LlPairingCode *code);

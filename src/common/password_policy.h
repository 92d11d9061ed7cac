/* What passwords may seal an invitation, and making one. Argon2id at the
 * cost Lifeline uses allows about 2 guesses a second per core, which
 * protects a real password only: a short one, or one a dictionary attack
 * tries early, is refused with a sentence saying what would do. The words
 * made come from the system's word list, picked with libsodium's random
 * numbers. */
#pragma once
#include <glib.h>

#define LL_PASSWORD_MIN_CHARS 12
#define LL_PASSWORD_WORDS 4
/* The word list the words come from (Debian's wamerican). */
#define LL_PASSWORD_WORD_LIST "/usr/share/dict/words"

/* FALSE with LL_ERROR_USAGE and a sentence when PASSWORD (LEN bytes of
 * UTF-8) is too short or too easy to guess; the front end adds how to
 * make a good one. */
gboolean ll_password_check(const char *password, gsize len, GError **error);
/* LL_PASSWORD_WORDS words, one space apart ("rapid lemon basket thunder"),
 * to read out on the phone; wipe after use. */
char *ll_password_generate(GError **error);
/* How many words ll_password_generate picks from (for the entropy). */
guint ll_password_word_count(GError **error);

/* Asking for a password on the terminal, as people expect: nothing they
 * type is shown, and the terminal is put back as it was even when they
 * press Ctrl-C (libbsd's readpassphrase). */
#pragma once
#include <glib.h>

/* What was typed after QUESTION (wipe it after use), or NULL and ERROR
 * when there is no terminal to ask on or nothing was typed. */
char *ll_password_ask(const char *question, gsize *len, GError **error);
/* TRUE when a person sits at this program's terminal to ask. */
gboolean ll_password_can_ask(void);

/* Time-limited TURN credentials in coturn's shared-secret scheme
 * ("use-auth-secret", the TURN REST API): the user name is the expiry
 * time and a label, the password the base64 of HMAC-SHA-1 over the user
 * name keyed with the shared secret. coturn recomputes and compares; no
 * user database, and a leaked pair dies on its own. */
#pragma once
#include <glib.h>

void ll_turn_credentials_make(const char *secret, gsize secret_len, gint64 now, gint64 ttl,
                              const char *label, char **username, char **password);

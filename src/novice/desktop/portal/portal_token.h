/* The portal's restore token: what lets a portal that remembers choices
 * (RemoteDesktop version 2) start a session without its dialog, kept in
 * XDG_STATE_HOME/lifeline/portal-restore-token, 0600. It is a capability:
 * never logged. */
#pragma once
#include <glib.h>

/* The token kept, or NULL (none, unreadable, implausible). */
char *ll_portal_token_load(void);
/* Keeps TOKEN (NULL: forgets it); failures are only logged. */
void ll_portal_token_save(const char *token);

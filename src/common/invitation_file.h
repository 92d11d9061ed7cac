/* Invitations on disk and as links: "FILE.lifeline" or "lifeline:BASE64",
 * plain or sealed with a password read from a file. */
#pragma once
#include "common/invitation.h"
#include "common/invitation_seal.h"

#define LL_LINK_SCHEME "lifeline:"
#define LL_PASSWORD_MAX 1024

/* Reads a password file: its first line, without the line end. The caller
 * wipes and frees it. Empty passwords are refused. */
char *ll_password_read_file(const char *path, gsize *length, GError **error);

/* Writes INVITATION to PATH (mode 0600), sealed when PASSWORD is given. */
gboolean ll_invitation_save(const LlInvitation *invitation, const char *path,
                            const char *password, gsize password_len, LlSealCost cost,
                            GError **error);
/* The "lifeline:" link carrying the same bytes as the file would. */
char *ll_invitation_to_link(const LlInvitation *invitation, const char *password,
                            gsize password_len, LlSealCost cost, GError **error);
/* Reads an invitation from a file path or a "lifeline:" link. PASSWORD
 * may be NULL; a sealed invitation then fails with a sentence asking for it. */
LlInvitation *ll_invitation_load(const char *path_or_link, const char *password,
                                 gsize password_len, GError **error);
/* Same, from bytes already in memory. */
LlInvitation *ll_invitation_parse_any(const char *data, gsize length, const char *password,
                                      gsize password_len, GError **error);

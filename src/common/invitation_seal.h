/* Password protection for invitations: the whole text is encrypted with
 * XChaCha20-Poly1305 under a key derived from the password by Argon2id
 * (libsodium). Without the password the sealed file says nothing. */
#pragma once
#include <glib.h>

typedef struct {
  guint64 ops_limit;
  gsize mem_limit;
} LlSealCost;

/* The cost used for new invitations (libsodium's "moderate"). */
LlSealCost ll_seal_cost_default(void);
/* The cheapest cost, for tests. Unseal takes these two costs and no other. */
LlSealCost ll_seal_cost_minimum(void);

gboolean ll_invitation_text_is_sealed(const char *text, gsize length);

char *ll_invitation_seal(const char *plain, gsize plain_len,
                         const char *password, gsize password_len,
                         LlSealCost cost, gsize *sealed_len, GError **error);
/* LL_ERROR_WRONG_PASSWORD for a wrong password or any damage (the two
 * cannot be told apart, by design); LL_ERROR_DAMAGED when the envelope
 * itself is unreadable. The result holds the secret: wipe it after use. */
char *ll_invitation_unseal(const char *sealed, gsize sealed_len,
                           const char *password, gsize password_len,
                           gsize *plain_len, GError **error);

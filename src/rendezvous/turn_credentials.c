#include "rendezvous/turn_credentials.h"

void ll_turn_credentials_make(const char *secret, gsize secret_len, gint64 now, gint64 ttl,
                              const char *label, char **username, char **password)
{
  *username = g_strdup_printf("%" G_GINT64_FORMAT ":%s", now + ttl, label);
  g_autoptr(GHmac) hmac = g_hmac_new(G_CHECKSUM_SHA1, (const guchar *)secret, secret_len);
  g_hmac_update(hmac, (const guchar *)*username, -1);
  guint8 digest[20];
  gsize len = sizeof digest;
  g_hmac_get_digest(hmac, digest, &len);
  *password = g_base64_encode(digest, len);
}

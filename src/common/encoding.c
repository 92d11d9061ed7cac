#include "common/encoding.h"
#include <sodium.h>
#include <string.h>

char *ll_hex_encode(const guint8 *data, gsize len)
{
  char *out = g_malloc(len * 2 + 1);
  sodium_bin2hex(out, len * 2 + 1, data, len);
  return out;
}

gboolean ll_hex_decode(const char *text, guint8 *out, gsize out_len)
{
  size_t decoded = 0;
  const char *end = NULL;
  if (text == NULL || strlen(text) != out_len * 2)
    return FALSE;
  for (const char *p = text; *p; p++)
    if (!g_ascii_isxdigit(*p))
      return FALSE;
  if (sodium_hex2bin(out, out_len, text, out_len * 2, NULL, &decoded, &end) != 0)
    return FALSE;
  return decoded == out_len && *end == '\0';
}

char *ll_base64url_encode(const guint8 *data, gsize len)
{
  const int variant = sodium_base64_VARIANT_URLSAFE_NO_PADDING;
  gsize size = sodium_base64_encoded_len(len, variant);
  char *out = g_malloc(size);
  sodium_bin2base64(out, size, data, len, variant);
  return out;
}

guint8 *ll_base64url_decode(const char *text, gsize max_len, gsize *out_len)
{
  const int variant = sodium_base64_VARIANT_URLSAFE_NO_PADDING;
  size_t text_len = strlen(text);
  size_t decoded = 0;
  const char *end = NULL;
  /* Bound the input before allocating: 4 characters carry 3 bytes. */
  if (text_len > (max_len + 2) / 3 * 4)
    return NULL;
  guint8 *out = g_malloc(text_len / 4 * 3 + 3);
  if (sodium_base642bin(out, text_len / 4 * 3 + 3, text, text_len, NULL,
                        &decoded, &end, variant) != 0 ||
      *end != '\0' || decoded > max_len) {
    g_free(out);
    return NULL;
  }
  *out_len = decoded;
  return out;
}

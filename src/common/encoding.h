/* Text encodings of binary values used in invitations: lowercase hex and
 * unpadded base64url. Decoders are strict: wrong length or alphabet fails. */
#pragma once
#include <glib.h>

char *ll_hex_encode(const guint8 *data, gsize len);
/* Decodes exactly OUT_LEN bytes; FALSE on any other length or a bad digit. */
gboolean ll_hex_decode(const char *text, guint8 *out, gsize out_len);

char *ll_base64url_encode(const guint8 *data, gsize len);
/* Returns NULL on a bad character or a length over MAX_LEN decoded bytes. */
guint8 *ll_base64url_decode(const char *text, gsize max_len, gsize *out_len);

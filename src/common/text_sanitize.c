#include "common/text_sanitize.h"

static gboolean is_dangerous(gunichar c)
{
  if (c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0))
    return TRUE;
  if (c == 0x2028 || c == 0x2029)           /* line / paragraph separators */
    return TRUE;
  if ((c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069))
    return TRUE;                            /* bidirectional overrides */
  return FALSE;
}

char *ll_text_sanitize(const char *text, gsize max_chars)
{
  g_autofree char *valid = g_utf8_make_valid(text != NULL ? text : "", -1);
  GString *out = g_string_new(NULL);
  gsize count = 0;
  for (const char *p = valid; *p != '\0' && count < max_chars; p = g_utf8_next_char(p), count++) {
    gunichar c = g_utf8_get_char(p);
    if (is_dangerous(c))
      g_string_append_c(out, '?');
    else
      g_string_append_unichar(out, c);
  }
  return g_string_free(out, FALSE);
}

#include "common/pairing_code.h"
#include "common/error.h"
#include <sodium.h>
#include <string.h>

#define EXAMPLE "482-913-075"

static gboolean is_separator(char c)
{
  return c == ' ' || c == '-' || c == '.' || c == '\t';
}

void ll_pairing_code_new_secret(char secret[LL_CODE_SECRET_DIGITS + 1])
{
  for (guint i = 0; i < LL_CODE_SECRET_DIGITS; i++)
    secret[i] = '0' + randombytes_uniform(10);
  secret[LL_CODE_SECRET_DIGITS] = '\0';
}

gboolean ll_nameplate_is_valid(const char *text)
{
  gsize n = text != NULL ? strlen(text) : 0;
  if (n < LL_NAMEPLATE_MIN_DIGITS || n > LL_NAMEPLATE_MAX_DIGITS)
    return FALSE;
  for (gsize i = 0; i < n; i++)
    if (!g_ascii_isdigit(text[i]))
      return FALSE;
  return TRUE;
}

char *ll_pairing_code_format(const LlPairingCode *code)
{
  return g_strdup_printf("%s-%.3s-%.3s", code->nameplate, code->secret, code->secret + 3);
}

gboolean ll_pairing_code_looks_like(const char *text)
{
  gboolean digit = FALSE;
  for (const char *p = text; *p != '\0'; p++) {
    if (g_ascii_isdigit(*p))
      digit = TRUE;
    else if (!is_separator(*p))
      return FALSE;
  }
  return digit;
}

static gboolean usage(GError **error, const char *sentence)
{
  g_set_error(error, LL_ERROR, LL_ERROR_USAGE, "%s", sentence);
  return FALSE;
}

gboolean ll_pairing_code_parse(const char *text, LlPairingCode *out, GError **error)
{
  char digits[LL_NAMEPLATE_MAX_DIGITS + LL_CODE_SECRET_DIGITS + 1];
  gsize n = 0;
  memset(out, 0, sizeof *out);
  if (strlen(text) > LL_CODE_MAX_TEXT)
    return usage(error, "That is too long for a code: a code has 9 digits, like " EXAMPLE ".");
  for (const char *p = text; *p != '\0'; p++) {
    if (is_separator(*p))
      continue;
    if (!g_ascii_isdigit(*p))
      return usage(error, "A code has only digits, like " EXAMPLE "; check what you typed.");
    if (n == sizeof digits - 1) {
      sodium_memzero(digits, sizeof digits);
      return usage(error, "That code has too many digits: a code has 9, like " EXAMPLE ".");
    }
    digits[n++] = *p;
  }
  digits[n] = '\0';
  if (n < LL_NAMEPLATE_MIN_DIGITS + LL_CODE_SECRET_DIGITS) {
    g_set_error(error, LL_ERROR, LL_ERROR_USAGE,
                "That code has %zu digits, but a code has 9, like " EXAMPLE
                "; check that none is missing.", n);
    sodium_memzero(digits, sizeof digits);
    return FALSE;
  }
  gsize plate = n - LL_CODE_SECRET_DIGITS;
  memcpy(out->nameplate, digits, plate);
  memcpy(out->secret, digits + plate, LL_CODE_SECRET_DIGITS);
  sodium_memzero(digits, sizeof digits);
  return TRUE;
}

void ll_pairing_code_clear(LlPairingCode *code)
{
  sodium_memzero(code, sizeof *code);
}

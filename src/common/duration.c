#include "common/duration.h"
#include "common/error.h"

static gint64 unit_seconds(char unit)
{
  switch (unit) {
  case 's': return 1;
  case 'm': return 60;
  case 'h': return 3600;
  case 'd': return 86400;
  default: return 0;
  }
}

static gboolean fail(const char *text, GError **error)
{
  g_set_error(error, LL_ERROR, LL_ERROR_USAGE,
              "\"%s\" is not a duration; write it like 30m, 2h or 1h30m", text);
  return FALSE;
}

gboolean ll_duration_parse(const char *text, gint64 max_seconds,
                           gint64 *out_seconds, GError **error)
{
  const char *p = text;
  gint64 total = 0;

  if (text == NULL || *text == '\0')
    return fail("", error);
  while (*p != '\0') {
    gint64 number = 0;
    if (!g_ascii_isdigit(*p))
      return fail(text, error);
    while (g_ascii_isdigit(*p)) {
      number = number * 10 + (*p - '0');
      if (number > 10000000)
        return fail(text, error);
      p++;
    }
    gint64 unit = unit_seconds(*p);
    if (unit == 0)
      return fail(text, error);
    p++;
    total += number * unit;
  }
  if (total <= 0)
    return fail(text, error);
  if (total > max_seconds) {
    g_autofree char *max = ll_duration_describe(max_seconds);
    g_set_error(error, LL_ERROR, LL_ERROR_USAGE,
                "%s is too long; the longest allowed is %s", text, max);
    return FALSE;
  }
  *out_seconds = total;
  return TRUE;
}

static void append_part(GString *out, gint64 n, const char *singular, const char *plural)
{
  if (n == 0)
    return;
  if (out->len > 0)
    g_string_append_c(out, ' ');
  g_string_append_printf(out, "%" G_GINT64_FORMAT " %s", n, n == 1 ? singular : plural);
}

char *ll_duration_describe(gint64 seconds)
{
  GString *out = g_string_new(NULL);
  append_part(out, seconds / 86400, "day", "days");
  append_part(out, (seconds % 86400) / 3600, "hour", "hours");
  append_part(out, (seconds % 3600) / 60, "minute", "minutes");
  append_part(out, seconds % 60, "second", "seconds");
  if (out->len == 0)
    g_string_append(out, "0 seconds");
  return g_string_free(out, FALSE);
}

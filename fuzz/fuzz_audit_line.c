/* libFuzzer target: one line of the audit log as `lifeline log` reads it
 * (the file may have been edited, or written by another version). */
#include "common/audit_log.h"
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  g_autofree char *line = g_strndup((const char *)data, size);
  g_autofree char *described = ll_audit_log_describe_line(line);
  if (described == NULL)
    return 0;
  /* An edited log must not reach the terminal as escape sequences. */
  g_assert_true(g_utf8_validate(described, -1, NULL));
  for (const char *c = described; *c != '\0'; c++)
    g_assert_true((guchar)*c >= 0x20 && *c != 0x7f);
  return 0;
}

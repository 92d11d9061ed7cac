/* libFuzzer target: one line of the audit log as `lifeline log` reads it
 * (the file may have been edited, or written by another version). */
#include "common/audit_log.h"
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  g_autofree char *line = g_strndup((const char *)data, size);
  g_autofree char *described = ll_audit_log_describe_line(line);
  return 0;
}

/* `lifeline log`: the audit log, readably. */
#include "common/audit_log.h"
#include "ui/commands.h"
#include "ui/terminal.h"
#include <stdio.h>

int ll_log_command(int argc, char **argv)
{
  g_autofree char *path = NULL;
  gboolean json = FALSE;
  const GOptionEntry entries[] = {
    { "file", 'f', 0, G_OPTION_ARG_FILENAME, &path, "Read this log instead of the default one", "FILE" },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, "Print the JSON lines as they are", NULL },
    { NULL, 0, 0, 0, NULL, NULL, NULL },
  };
  g_autoptr(GOptionContext) ctx = g_option_context_new("- show who was helped, when, and how");
  g_option_context_set_summary(ctx,
      "Prints the audit log ($XDG_STATE_HOME/lifeline/audit.log): on a computer that\n"
      "was helped, the sessions, the helpers' names and keys, consent, control granted\n"
      "and how it ended; on a helper's, whom they helped (helped-...), the key of the\n"
      "computer they saw, control and how each session ended.");
  g_option_context_add_main_entries(ctx, entries, NULL);
  g_autoptr(GError) error = NULL;
  if (!g_option_context_parse(ctx, &argc, &argv, &error)) {
    g_printerr("lifeline log: %s\n", error->message);
    return 2;
  }
  if (path == NULL)
    path = ll_audit_log_default_path();
  g_autofree char *contents = NULL;
  if (!g_file_get_contents(path, &contents, NULL, &error)) {
    if (g_error_matches(error, G_FILE_ERROR, G_FILE_ERROR_NOENT)) {
      ll_say("Nothing recorded yet (%s does not exist).", path);
      return 0;
    }
    g_printerr("lifeline log: %s\n", error->message);
    return 1;
  }
  g_auto(GStrv) lines = g_strsplit(contents, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++) {
    if (*lines[i] == '\0')
      continue;
    g_autofree char *readable = json ? NULL : ll_audit_log_describe_line(lines[i]);
    if (json)
      ll_say("%s", lines[i]);
    else if (readable != NULL)
      ll_say("%s", readable);
    else
      ll_say("(line %u is damaged)", i + 1);
  }
  return 0;
}

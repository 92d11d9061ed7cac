#include "common/audit_log.h"
#include "common/error.h"
#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include "common/text_sanitize.h"
#include <json-glib/json-glib.h>
#include <string.h>
#include <unistd.h>

struct LlAuditLog {
  int fd;
  char *path;
};

char *ll_audit_log_default_path(void)
{
  return g_build_filename(g_get_user_state_dir(), "lifeline", "audit.log", NULL);
}

LlAuditLog *ll_audit_log_open(const char *path, GError **error)
{
  g_autofree char *use = path != NULL ? g_strdup(path) : ll_audit_log_default_path();
  g_autofree char *dir = g_path_get_dirname(use);
  if (g_mkdir_with_parents(dir, 0700) != 0) {
    int saved = errno;
    g_set_error(error, LL_ERROR, LL_ERROR_FAILED, "cannot create %s: %s", dir, g_strerror(saved));
    return NULL;
  }
  int fd = g_open(use, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) {
    int saved = errno;
    g_set_error(error, LL_ERROR, LL_ERROR_FAILED, "cannot open the audit log %s: %s", use,
                g_strerror(saved));
    return NULL;
  }
  fchmod(fd, 0600);
  LlAuditLog *log = g_new0(LlAuditLog, 1);
  log->fd = fd;
  log->path = g_steal_pointer(&use);
  return log;
}

void ll_audit_log_close(LlAuditLog *log)
{
  if (log == NULL)
    return;
  close(log->fd);
  g_free(log->path);
  g_free(log);
}

void ll_audit_log_write(LlAuditLog *log, const char *event, ...)
{
  if (log == NULL)
    return;
  g_autoptr(JsonBuilder) b = json_builder_new();
  g_autoptr(GDateTime) now = g_date_time_new_now_local();
  g_autofree char *stamp = g_date_time_format_iso8601(now);
  json_builder_begin_object(b);
  json_builder_set_member_name(b, "time");
  json_builder_add_string_value(b, stamp);
  json_builder_set_member_name(b, "event");
  json_builder_add_string_value(b, event);
  va_list args;
  va_start(args, event);
  const char *key;
  while ((key = va_arg(args, const char *)) != NULL) {
    const char *value = va_arg(args, const char *);
    json_builder_set_member_name(b, key);
    json_builder_add_string_value(b, value != NULL ? value : "");
  }
  va_end(args);
  json_builder_end_object(b);
  g_autoptr(JsonGenerator) gen = json_generator_new();
  g_autoptr(JsonNode) root = json_builder_get_root(b);
  json_generator_set_root(gen, root);
  gsize len = 0;
  g_autofree char *text = json_generator_to_data(gen, &len);
  g_autofree char *line = g_strconcat(text, "\n", NULL);
  /* One write per line: O_APPEND keeps concurrent writers' lines whole. */
  if (write(log->fd, line, len + 1) != (ssize_t)(len + 1))
    g_warning("could not write to the audit log %s: %s", log->path, g_strerror(errno));
}

static const char *member(JsonObject *o, const char *name)
{
  JsonNode *n = json_object_get_member(o, name);
  return n != NULL && JSON_NODE_HOLDS_VALUE(n) && json_node_get_value_type(n) == G_TYPE_STRING
             ? json_node_get_string(n) : NULL;
}

/* The most characters of one field shown (a reason is at most 300). */
#define MAX_SHOWN 400

char *ll_audit_log_describe_line(const char *json_line)
{
  g_autoptr(JsonParser) parser = json_parser_new();
  if (!json_parser_load_from_data(parser, json_line, -1, NULL))
    return NULL;
  JsonNode *root = json_parser_get_root(parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT(root))
    return NULL;
  JsonObject *o = json_node_get_object(root);
  const char *time = member(o, "time"), *event = member(o, "event");
  if (time == NULL || event == NULL)
    return NULL;
  /* The file may have been edited: what reaches the terminal is made
   * harmless (valid UTF-8, no control characters), as peers' names are. */
  GString *out = g_string_new(NULL);
  g_autoptr(GDateTime) when = g_date_time_new_from_iso8601(time, NULL);
  g_autofree char *shown = when != NULL ? g_date_time_format(when, "%Y-%m-%d %H:%M:%S")
                                        : ll_text_sanitize(time, MAX_SHOWN);
  g_autofree char *event_shown = ll_text_sanitize(event, MAX_SHOWN);
  g_string_append_printf(out, "%s  %-17s", shown, event_shown);
  g_autoptr(GList) names = json_object_get_members(o);
  for (GList *l = names; l != NULL; l = l->next) {
    const char *name = l->data, *value = member(o, name);
    if (strcmp(name, "time") == 0 || strcmp(name, "event") == 0 || value == NULL)
      continue;
    g_autofree char *name_shown = ll_text_sanitize(name, MAX_SHOWN);
    g_autofree char *value_shown = ll_text_sanitize(value, MAX_SHOWN);
    g_string_append_printf(out, " %s=%s", name_shown, value_shown);
  }
  return g_string_free(out, FALSE);
}

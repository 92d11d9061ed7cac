#include "rendezvous/cluster_message.h"
#include "common/error.h"
#include "common/json_text.h"
#include <string.h>

static const char *const type_names[] = {
  [LL_CLUSTER_ENTER] = "enter",         [LL_CLUSTER_ENTERED] = "entered",
  [LL_CLUSTER_REFUSED] = "refused",     [LL_CLUSTER_TO_NOVICE] = "to-novice",
  [LL_CLUSTER_TO_HELPER] = "to-helper", [LL_CLUSTER_LEFT] = "left",
  [LL_CLUSTER_CLOSED] = "closed",       [LL_CLUSTER_TAKEOVER] = "takeover",
};

/* Which fields each type carries. */
enum { F_MAILBOX = 1, F_FROM = 2, F_REF = 4, F_PEER = 8, F_CLAIM = 16, F_REASON = 32,
       F_TEXT = 64 };
static const int fields[] = {
  [LL_CLUSTER_ENTER] = F_MAILBOX | F_FROM | F_REF | F_CLAIM,
  [LL_CLUSTER_ENTERED] = F_MAILBOX | F_FROM | F_REF | F_PEER,
  [LL_CLUSTER_REFUSED] = F_REF | F_REASON | F_TEXT,
  [LL_CLUSTER_TO_NOVICE] = F_MAILBOX | F_FROM | F_PEER | F_TEXT,
  [LL_CLUSTER_TO_HELPER] = F_REF | F_TEXT,
  [LL_CLUSTER_LEFT] = F_MAILBOX | F_FROM | F_PEER,
  [LL_CLUSTER_CLOSED] = F_REF | F_REASON | F_TEXT,
  [LL_CLUSTER_TAKEOVER] = F_MAILBOX,
};

LlClusterMessage *ll_cluster_message_new(LlClusterType type)
{
  LlClusterMessage *m = g_new0(LlClusterMessage, 1);
  m->type = type;
  return m;
}

void ll_cluster_message_free(LlClusterMessage *m)
{
  if (m == NULL)
    return;
  g_free(m->mailbox);
  g_free(m->from);
  if (m->text != NULL)
    memset(m->text, 0, strlen(m->text));   /* signal messages carry ICE passwords */
  g_free(m->text);
  g_free(m);
}

/* ---- encoding ---- */

char *ll_cluster_message_encode(const LlClusterMessage *m)
{
  int f = fields[m->type];
  g_autoptr(JsonBuilder) b = json_builder_new();
  json_builder_begin_object(b);
  ll_json_add_string(b, "t", type_names[m->type]);
  if (f & F_MAILBOX)
    ll_json_add_string(b, "mailbox", m->mailbox);
  if (f & F_FROM)
    ll_json_add_string(b, "from", m->from);
  if (f & F_REF)
    ll_json_add_int(b, "ref", m->ref);
  if (f & F_PEER)
    ll_json_add_int(b, "peer", m->peer);
  if (f & F_CLAIM) {
    json_builder_set_member_name(b, "claim");
    json_builder_add_boolean_value(b, m->claim);
  }
  if (f & F_REASON)
    ll_json_add_int(b, "reason", m->reason);
  if (f & F_TEXT)
    ll_json_add_string(b, "text", m->text);
  json_builder_end_object(b);
  return ll_json_builder_text(b);
}

/* ---- decoding ---- */

static gboolean bad(GError **error, const char *what)
{
  g_set_error(error, LL_ERROR, LL_ERROR_PROTOCOL, "bad message from another instance: %s",
              what);
  return FALSE;
}

static gboolean get_string(JsonObject *o, const char *key, gsize max, char **out, GError **error)
{
  JsonNode *n = json_object_get_member(o, key);
  if (n == NULL || !JSON_NODE_HOLDS_VALUE(n) || json_node_get_value_type(n) != G_TYPE_STRING)
    return bad(error, key);
  const char *s = json_node_get_string(n);
  if (strlen(s) > max)
    return bad(error, key);
  *out = g_strdup(s);
  return TRUE;
}

static gboolean get_int(JsonObject *o, const char *key, gint64 max, gint64 *out, GError **error)
{
  JsonNode *n = json_object_get_member(o, key);
  if (n == NULL || !JSON_NODE_HOLDS_VALUE(n) || json_node_get_value_type(n) != G_TYPE_INT64)
    return bad(error, key);
  *out = json_node_get_int(n);
  return (*out >= 0 && *out <= max) || bad(error, key);
}

static gboolean read_type(JsonObject *o, LlClusterType *type, GError **error)
{
  JsonNode *n = json_object_get_member(o, "t");
  const char *name = n != NULL && JSON_NODE_HOLDS_VALUE(n) &&
                     json_node_get_value_type(n) == G_TYPE_STRING ? json_node_get_string(n)
                                                                   : NULL;
  for (guint i = 0; name != NULL && i < G_N_ELEMENTS(type_names); i++) {
    if (strcmp(name, type_names[i]) == 0) {
      *type = i;
      return TRUE;
    }
  }
  return bad(error, "t");
}

static gboolean read_fields(JsonObject *o, LlClusterMessage *m, GError **error)
{
  int f = fields[m->type];
  gint64 v = 0;
  if ((f & F_MAILBOX) && !get_string(o, "mailbox", LL_SIGNAL_MAX_FIELD, &m->mailbox, error))
    return FALSE;
  if ((f & F_FROM) && !get_string(o, "from", LL_CLUSTER_MAX_INSTANCE, &m->from, error))
    return FALSE;
  if (f & F_REF) {
    if (!get_int(o, "ref", G_MAXUINT32, &v, error))
      return FALSE;
    m->ref = v;
  }
  if (f & F_PEER) {
    if (!get_int(o, "peer", G_MAXUINT32, &v, error))
      return FALSE;
    m->peer = v;
  }
  if (f & F_CLAIM) {
    JsonNode *n = json_object_get_member(o, "claim");
    if (n == NULL || !JSON_NODE_HOLDS_VALUE(n) || json_node_get_value_type(n) != G_TYPE_BOOLEAN)
      return bad(error, "claim");
    m->claim = json_node_get_boolean(n);
  }
  if (f & F_REASON) {
    if (!get_int(o, "reason", LL_SIGNAL_ERROR_EXPIRED, &v, error))
      return FALSE;
    m->reason = v;
  }
  return !(f & F_TEXT) || get_string(o, "text", LL_SIGNAL_MAX_BYTES, &m->text, error);
}

LlClusterMessage *ll_cluster_message_decode(const char *text, gsize length, GError **error)
{
  if (length > LL_CLUSTER_MAX_BYTES || memchr(text, '\0', length) != NULL) {
    bad(error, "too long, or not text");
    return NULL;
  }
  JsonObject *o = NULL;
  const char *problem = NULL;
  g_autoptr(JsonParser) parser = ll_json_parse_object(text, length, &o, &problem);
  if (parser == NULL) {
    bad(error, problem);
    return NULL;
  }
  LlClusterType type;
  if (!read_type(o, &type, error))
    return NULL;
  g_autoptr(LlClusterMessage) m = ll_cluster_message_new(type);
  if (!read_fields(o, m, error))
    return NULL;
  return g_steal_pointer(&m);
}

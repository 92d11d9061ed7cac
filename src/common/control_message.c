#include "common/control_message.h"
#include "common/error.h"
#include "common/text_sanitize.h"
#include <sodium.h>
#include <string.h>

#define WIRE_TYPE "(sa{sv})"
#define MAX_SESSION_ID 64

static const char *const type_names[] = {
  [LL_MSG_HELLO] = "hello",
  [LL_MSG_WAITING] = "waiting",
  [LL_MSG_ACCEPTED] = "accepted",
  [LL_MSG_REFUSED] = "refused",
  [LL_MSG_STREAM_OPEN] = "stream-open",
  [LL_MSG_STREAM_CLOSE] = "stream-close",
  [LL_MSG_BYE] = "bye",
  [LL_MSG_CONTROL_REQUEST] = "control-request",
  [LL_MSG_CONTROL_GRANTED] = "control-granted",
  [LL_MSG_CONTROL_DENIED] = "control-denied",
  [LL_MSG_CONTROL_RELEASE] = "control-release",
  [LL_MSG_CONTROL_ENDED] = "control-ended",
  [LL_MSG_RESUME] = "resume",
  [LL_MSG_RESUMED] = "resumed",
  [LL_MSG_OFFER] = "offer",
  [LL_MSG_PING] = "ping",
  [LL_MSG_PONG] = "pong",
  [LL_MSG_MONITORS] = "monitors",
  [LL_MSG_SHOW_MONITOR] = "show-monitor",
};

const char *ll_message_type_name(LlMessageType type)
{
  return type < G_N_ELEMENTS(type_names) ? type_names[type] : "unknown";
}

LlControlMessage *ll_control_message_new(LlMessageType type)
{
  LlControlMessage *m = g_new0(LlControlMessage, 1);
  m->type = type;
  return m;
}

void ll_control_message_free(LlControlMessage *m)
{
  if (m == NULL)
    return;
  g_free(m->name);
  g_free(m->session_id);
  g_free(m->reason);
  g_free(m->by);
  sodium_memzero(m->proof, sizeof m->proof);
  sodium_memzero(m->resume_token, sizeof m->resume_token);
  g_free(m);
}

static void add_bytes(GVariantBuilder *fields, const char *key, const guint8 *bytes, gsize n)
{
  g_variant_builder_add(fields, "{sv}", key,
                        g_variant_new_fixed_array(G_VARIANT_TYPE_BYTE, bytes, n, 1));
}

static void add_monitors(GVariantBuilder *fields, const LlControlMessage *m)
{
  GVariantBuilder list;
  g_variant_builder_init(&list, G_VARIANT_TYPE("a(siiii)"));
  for (guint i = 0; i < MIN(m->n_monitors, LL_MAX_MONITORS); i++) {
    const LlMonitor *o = &m->monitors[i];
    g_variant_builder_add(&list, "(siiii)", o->name, o->x, o->y, o->width, o->height);
  }
  g_variant_builder_add(fields, "{sv}", "monitors", g_variant_builder_end(&list));
}

static void add_fields(GVariantBuilder *fields, const LlControlMessage *m)
{
  switch (m->type) {
  case LL_MSG_HELLO:
    g_variant_builder_add(fields, "{sv}", "version", g_variant_new_uint32(m->version));
    g_variant_builder_add(fields, "{sv}", "name", g_variant_new_string(m->name ? m->name : ""));
    g_variant_builder_add(fields, "{sv}", "session-id",
                          g_variant_new_string(m->session_id ? m->session_id : ""));
    add_bytes(fields, "proof", m->proof, LL_PROOF_BYTES);
    break;
  case LL_MSG_OFFER:
    g_variant_builder_add(fields, "{sv}", "version", g_variant_new_uint32(m->version));
    g_variant_builder_add(fields, "{sv}", "name", g_variant_new_string(m->name ? m->name : ""));
    break;
  case LL_MSG_ACCEPTED:
    g_variant_builder_add(fields, "{sv}", "name", g_variant_new_string(m->name ? m->name : ""));
    g_variant_builder_add(fields, "{sv}", "session-id",
                          g_variant_new_string(m->session_id ? m->session_id : ""));
    add_bytes(fields, "resume-token", m->resume_token, LL_RESUME_TOKEN_BYTES);
    g_variant_builder_add(fields, "{sv}", "grace", g_variant_new_uint32(m->grace_s));
    break;
  case LL_MSG_RESUME:
    g_variant_builder_add(fields, "{sv}", "session-id",
                          g_variant_new_string(m->session_id ? m->session_id : ""));
    add_bytes(fields, "proof", m->proof, LL_PROOF_BYTES);
    g_variant_builder_add(fields, "{sv}", "received", g_variant_new_uint64(m->received));
    break;
  case LL_MSG_RESUMED:
    g_variant_builder_add(fields, "{sv}", "received", g_variant_new_uint64(m->received));
    break;
  case LL_MSG_REFUSED:
  case LL_MSG_BYE:
  case LL_MSG_CONTROL_DENIED:
    g_variant_builder_add(fields, "{sv}", "reason",
                          g_variant_new_string(m->reason ? m->reason : ""));
    break;
  case LL_MSG_CONTROL_ENDED:
    g_variant_builder_add(fields, "{sv}", "by", g_variant_new_string(m->by ? m->by : ""));
    break;
  case LL_MSG_STREAM_OPEN:
  case LL_MSG_STREAM_CLOSE:
    g_variant_builder_add(fields, "{sv}", "stream", g_variant_new_uint32(m->stream_id));
    break;
  case LL_MSG_PING:
  case LL_MSG_PONG:
    g_variant_builder_add(fields, "{sv}", "id", g_variant_new_uint32(m->stream_id));
    break;
  case LL_MSG_MONITORS:
    add_monitors(fields, m);
    g_variant_builder_add(fields, "{sv}", "shown", g_variant_new_uint32(m->monitor));
    break;
  case LL_MSG_SHOW_MONITOR:
    g_variant_builder_add(fields, "{sv}", "monitor", g_variant_new_uint32(m->monitor));
    break;
  case LL_MSG_WAITING:
  case LL_MSG_CONTROL_REQUEST:
  case LL_MSG_CONTROL_GRANTED:
  case LL_MSG_CONTROL_RELEASE:
    break;
  }
}

GBytes *ll_control_message_encode(const LlControlMessage *m)
{
  GVariantBuilder fields;
  g_variant_builder_init(&fields, G_VARIANT_TYPE("a{sv}"));
  add_fields(&fields, m);
  g_autoptr(GVariant) v = g_variant_ref_sink(
      g_variant_new("(sa{sv})", ll_message_type_name(m->type), &fields));
  return g_variant_get_data_as_bytes(v);
}

static gboolean bad(GError **error, const char *what, const char *kind)
{
  g_set_error(error, LL_ERROR, LL_ERROR_PROTOCOL, "malformed %s message: %s", kind, what);
  return FALSE;
}

static gboolean get_string(GVariant *fields, const char *key, gsize max_chars,
                           const char *kind, char **out, GError **error)
{
  const char *value = NULL;
  if (!g_variant_lookup(fields, key, "&s", &value))
    return bad(error, key, kind);
  if (g_utf8_strlen(value, -1) > (glong)max_chars)
    return bad(error, key, kind);
  *out = ll_text_sanitize(value, max_chars);
  return TRUE;
}

static gboolean get_bytes(GVariant *fields, const char *key, guint8 *out, gsize want,
                          const char *kind, GError **error)
{
  g_autoptr(GVariant) value = g_variant_lookup_value(fields, key, G_VARIANT_TYPE("ay"));
  gsize n = 0;
  if (value == NULL)
    return bad(error, key, kind);
  const guint8 *bytes = g_variant_get_fixed_array(value, &n, 1);
  if (n != want)
    return bad(error, key, kind);
  memcpy(out, bytes, want);
  return TRUE;
}

static gboolean get_grace(GVariant *fields, LlControlMessage *m, GError **error)
{
  if (!g_variant_lookup(fields, "grace", "u", &m->grace_s) || m->grace_s == 0 ||
      m->grace_s > LL_MAX_GRACE_S)
    return bad(error, "grace", "accepted");
  return TRUE;
}

static gboolean get_received(GVariant *fields, LlControlMessage *m, const char *kind,
                             GError **error)
{
  if (!g_variant_lookup(fields, "received", "t", &m->received))
    return bad(error, "received", kind);
  return TRUE;
}

static gboolean monitor_fits(gint32 x, gint32 y, gint32 width, gint32 height)
{
  return width > 0 && height > 0 && width <= LL_MAX_MONITOR_SIDE &&
         height <= LL_MAX_MONITOR_SIDE && x >= 0 && y >= 0 && x <= LL_MAX_MONITOR_SIDE &&
         y <= LL_MAX_MONITOR_SIDE;
}

static gboolean get_monitors(GVariant *fields, LlControlMessage *m, GError **error)
{
  const char *kind = "monitors";
  g_autoptr(GVariant) list = g_variant_lookup_value(fields, "monitors",
                                                    G_VARIANT_TYPE("a(siiii)"));
  gsize n = list != NULL ? g_variant_n_children(list) : 0;
  if (n == 0 || n > LL_MAX_MONITORS)
    return bad(error, "monitors", kind);
  for (gsize i = 0; i < n; i++) {
    const char *name;
    gint32 x, y, width, height;
    g_variant_get_child(list, i, "(&siiii)", &name, &x, &y, &width, &height);
    if (g_utf8_strlen(name, -1) > LL_MAX_MONITOR_NAME || !monitor_fits(x, y, width, height))
      return bad(error, "monitors", kind);
    g_autofree char *clean = ll_text_sanitize(name, LL_MAX_MONITOR_NAME);
    LlMonitor *o = &m->monitors[i];
    g_strlcpy(o->name, clean, sizeof o->name);
    o->x = x;
    o->y = y;
    o->width = width;
    o->height = height;
  }
  m->n_monitors = n;
  if (!g_variant_lookup(fields, "shown", "u", &m->monitor) || m->monitor > n)
    return bad(error, "shown", kind);
  return TRUE;
}

static gboolean read_fields(GVariant *fields, LlControlMessage *m, GError **error)
{
  const char *kind = ll_message_type_name(m->type);
  switch (m->type) {
  case LL_MSG_HELLO:
    if (!g_variant_lookup(fields, "version", "u", &m->version))
      return bad(error, "version", kind);
    return get_string(fields, "name", LL_MAX_PEER_NAME, kind, &m->name, error) &&
           get_string(fields, "session-id", MAX_SESSION_ID, kind, &m->session_id, error) &&
           get_bytes(fields, "proof", m->proof, LL_PROOF_BYTES, kind, error);
  case LL_MSG_OFFER:
    if (!g_variant_lookup(fields, "version", "u", &m->version))
      return bad(error, "version", kind);
    return get_string(fields, "name", LL_MAX_PEER_NAME, kind, &m->name, error);
  case LL_MSG_ACCEPTED:
    return get_string(fields, "name", LL_MAX_PEER_NAME, kind, &m->name, error) &&
           get_string(fields, "session-id", MAX_SESSION_ID, kind, &m->session_id, error) &&
           get_bytes(fields, "resume-token", m->resume_token, LL_RESUME_TOKEN_BYTES, kind,
                     error) &&
           get_grace(fields, m, error);
  case LL_MSG_RESUME:
    return get_string(fields, "session-id", MAX_SESSION_ID, kind, &m->session_id, error) &&
           get_bytes(fields, "proof", m->proof, LL_PROOF_BYTES, kind, error) &&
           get_received(fields, m, kind, error);
  case LL_MSG_RESUMED:
    return get_received(fields, m, kind, error);
  case LL_MSG_REFUSED:
  case LL_MSG_BYE:
  case LL_MSG_CONTROL_DENIED:
    return get_string(fields, "reason", LL_MAX_REASON, kind, &m->reason, error);
  case LL_MSG_CONTROL_ENDED:
    return get_string(fields, "by", 16, kind, &m->by, error);
  case LL_MSG_STREAM_OPEN:
  case LL_MSG_STREAM_CLOSE:
    if (!g_variant_lookup(fields, "stream", "u", &m->stream_id))
      return bad(error, "stream", kind);
    return TRUE;
  case LL_MSG_PING:
  case LL_MSG_PONG:
    if (!g_variant_lookup(fields, "id", "u", &m->stream_id))
      return bad(error, "id", kind);
    return TRUE;
  case LL_MSG_MONITORS:
    return get_monitors(fields, m, error);
  case LL_MSG_SHOW_MONITOR:
    if (!g_variant_lookup(fields, "monitor", "u", &m->monitor) || m->monitor > LL_MAX_MONITORS)
      return bad(error, "monitor", kind);
    return TRUE;
  case LL_MSG_WAITING:
  case LL_MSG_CONTROL_REQUEST:
  case LL_MSG_CONTROL_GRANTED:
  case LL_MSG_CONTROL_RELEASE:
    return TRUE;
  }
  return bad(error, "type", kind);
}

static gboolean lookup_type(const char *name, LlMessageType *out)
{
  for (guint i = 0; i < G_N_ELEMENTS(type_names); i++)
    if (g_strcmp0(type_names[i], name) == 0) {
      *out = i;
      return TRUE;
    }
  return FALSE;
}

LlControlMessage *ll_control_message_decode(GBytes *payload, GError **error)
{
  g_autoptr(GVariant) v = g_variant_ref_sink(
      g_variant_new_from_bytes(G_VARIANT_TYPE(WIRE_TYPE), payload, FALSE));
  const char *kind = NULL;
  g_autoptr(GVariant) fields = NULL;
  LlMessageType type;

  g_variant_get(v, "(&s@a{sv})", &kind, &fields);
  if (!lookup_type(kind, &type)) {
    g_autofree char *shown = ll_text_sanitize(kind, 32);
    g_set_error(error, LL_ERROR, LL_ERROR_PROTOCOL, "unknown control message \"%s\"", shown);
    return NULL;
  }
  g_autoptr(LlControlMessage) m = ll_control_message_new(type);
  if (!read_fields(fields, m, error))
    return NULL;
  return g_steal_pointer(&m);
}

#include "common/signal_message.h"
#include "common/error.h"
#include "common/fingerprint.h"
#include "common/pairing_code.h"
#include "common/json_text.h"
#include <string.h>

static const char *const type_names[] = {
  [LL_SIGNAL_OPEN] = "open",     [LL_SIGNAL_OPENED] = "opened",
  [LL_SIGNAL_JOIN] = "join",     [LL_SIGNAL_JOINED] = "joined",
  [LL_SIGNAL_PEER] = "peer",     [LL_SIGNAL_PEER_LEFT] = "peer-left",
  [LL_SIGNAL_SIGNAL] = "signal", [LL_SIGNAL_ERROR] = "error",
  [LL_SIGNAL_REGISTER] = "register",
  [LL_SIGNAL_RENEW] = "renew",
  [LL_SIGNAL_CHALLENGE] = "challenge",
  [LL_SIGNAL_CLAIM] = "claim",
};

LlSignalMessage *ll_signal_message_new(LlSignalType type)
{
  LlSignalMessage *m = g_new0(LlSignalMessage, 1);
  m->type = type;
  return m;
}

void ll_ice_servers_copy(LlIceServers *to, const LlIceServers *from)
{
  to->stun_host = g_strdup(from->stun_host);
  to->stun_port = from->stun_port;
  to->turn_host = g_strdup(from->turn_host);
  to->turn_port = from->turn_port;
  to->turns_host = g_strdup(from->turns_host);
  to->turns_port = from->turns_port;
  to->turn_username = g_strdup(from->turn_username);
  to->turn_password = g_strdup(from->turn_password);
}

void ll_ice_servers_clear(LlIceServers *s)
{
  g_free(s->stun_host);
  g_free(s->turn_host);
  g_free(s->turns_host);
  g_free(s->turn_username);
  if (s->turn_password != NULL)
    memset(s->turn_password, 0, strlen(s->turn_password));
  g_free(s->turn_password);
  memset(s, 0, sizeof *s);
}

void ll_signal_message_free(LlSignalMessage *m)
{
  if (m == NULL)
    return;
  g_free(m->mailbox);
  g_free(m->nameplate);
  g_free(m->pake);
  ll_ice_servers_clear(&m->ice);
  g_free(m->ufrag);
  g_free(m->pwd);
  g_free(m->candidate);
  g_free(m->message);
  g_free(m->nonce);
  g_free(m->certificate);
  g_free(m->proof);
  if (m->token != NULL)
    memset(m->token, 0, strlen(m->token));
  g_free(m->token);
  g_free(m);
}

/* ---- encoding ---- */

static void add_ice_servers(JsonBuilder *b, const LlIceServers *s)
{
  json_builder_set_member_name(b, "ice");
  json_builder_begin_object(b);
  if (s->stun_host != NULL) {
    ll_json_add_string(b, "stun-host", s->stun_host);
    ll_json_add_int(b, "stun-port", s->stun_port);
  }
  if (s->turn_host != NULL) {
    ll_json_add_string(b, "turn-host", s->turn_host);
    ll_json_add_int(b, "turn-port", s->turn_port);
  }
  if (s->turns_host != NULL) {
    ll_json_add_string(b, "turns-host", s->turns_host);
    ll_json_add_int(b, "turns-port", s->turns_port);
  }
  if (s->turn_host != NULL || s->turns_host != NULL) {
    ll_json_add_string(b, "turn-username", s->turn_username);
    ll_json_add_string(b, "turn-password", s->turn_password);
  }
  json_builder_end_object(b);
}

static void add_ice_data(JsonBuilder *b, const LlSignalMessage *m)
{
  json_builder_set_member_name(b, "data");
  json_builder_begin_object(b);
  if (m->data_kind == LL_ICE_CREDENTIALS) {
    ll_json_add_string(b, "ufrag", m->ufrag);
    ll_json_add_string(b, "pwd", m->pwd);
  } else if (m->data_kind == LL_ICE_CANDIDATE) {
    ll_json_add_string(b, "candidate", m->candidate);
  } else if (m->data_kind == LL_ICE_DONE) {
    json_builder_set_member_name(b, "done");
    json_builder_add_boolean_value(b, TRUE);
  } else if (m->data_kind == LL_ICE_PAKE) {
    ll_json_add_string(b, "pake", m->pake);
  }
  json_builder_end_object(b);
}

char *ll_signal_message_encode(const LlSignalMessage *m)
{
  g_autoptr(JsonBuilder) b = json_builder_new();
  json_builder_begin_object(b);
  ll_json_add_string(b, "type", type_names[m->type]);
  if (m->type == LL_SIGNAL_OPEN)
    ll_json_add_int(b, "lifetime", m->lifetime);
  if (m->type == LL_SIGNAL_OPEN && m->code) {
    json_builder_set_member_name(b, "code");
    json_builder_add_boolean_value(b, TRUE);
  }
  if (m->nameplate != NULL)
    ll_json_add_string(b, "nameplate", m->nameplate);
  if (m->mailbox != NULL)
    ll_json_add_string(b, "mailbox", m->mailbox);
  if (m->has_peer)
    ll_json_add_int(b, "peer", m->peer);
  if (m->type == LL_SIGNAL_OPENED || m->type == LL_SIGNAL_JOINED)
    add_ice_servers(b, &m->ice);
  if (m->type == LL_SIGNAL_SIGNAL)
    add_ice_data(b, m);
  if (m->type == LL_SIGNAL_ERROR)
    ll_json_add_string(b, "message", m->message);
  if (m->type == LL_SIGNAL_ERROR && m->reason == LL_SIGNAL_ERROR_NOBODY_THERE)
    ll_json_add_string(b, "reason", "nobody-there");
  if (m->type == LL_SIGNAL_ERROR && m->reason == LL_SIGNAL_ERROR_EXPIRED)
    ll_json_add_string(b, "reason", "expired");
  if (m->type == LL_SIGNAL_CHALLENGE)
    ll_json_add_string(b, "nonce", m->nonce);
  if ((m->type == LL_SIGNAL_OPEN || m->type == LL_SIGNAL_OPENED) && m->token != NULL)
    ll_json_add_string(b, "token", m->token);
  if (m->type == LL_SIGNAL_REGISTER) {
    ll_json_add_string(b, "certificate", m->certificate);
    ll_json_add_string(b, "proof", m->proof);
  }
  json_builder_end_object(b);
  return ll_json_builder_text(b);
}

/* ---- decoding ---- */

static gboolean bad(GError **error, const char *what)
{
  g_set_error(error, LL_ERROR, LL_ERROR_PROTOCOL, "bad signalling message: %s", what);
  return FALSE;
}

/* A string member of at most MAX bytes, or NULL (absent or wrong). */
static gboolean get_bounded(JsonObject *o, const char *key, gboolean required, gsize max,
                            char **out, GError **error)
{
  JsonNode *n = json_object_get_member(o, key);
  if (n == NULL)
    return required ? bad(error, key) : TRUE;
  if (!JSON_NODE_HOLDS_VALUE(n) || json_node_get_value_type(n) != G_TYPE_STRING)
    return bad(error, key);
  const char *s = json_node_get_string(n);
  if (strlen(s) > max || strchr(s, '\n') != NULL)
    return bad(error, key);
  *out = g_strdup(s);
  return TRUE;
}

static gboolean get_string(JsonObject *o, const char *key, gboolean required, char **out,
                           GError **error)
{
  return get_bounded(o, key, required, LL_SIGNAL_MAX_FIELD, out, error);
}

static gboolean get_int(JsonObject *o, const char *key, gint64 min, gint64 max, gint64 *out,
                        GError **error)
{
  JsonNode *n = json_object_get_member(o, key);
  if (n == NULL || !JSON_NODE_HOLDS_VALUE(n) || json_node_get_value_type(n) != G_TYPE_INT64)
    return bad(error, key);
  gint64 v = json_node_get_int(n);
  if (v < min || v > max)
    return bad(error, key);
  *out = v;
  return TRUE;
}

static gboolean read_ice_servers(JsonObject *o, LlIceServers *s, GError **error)
{
  JsonNode *n = json_object_get_member(o, "ice");
  if (n == NULL || !JSON_NODE_HOLDS_OBJECT(n))
    return bad(error, "ice");
  JsonObject *ice = json_node_get_object(n);
  gint64 port = 0;
  if (json_object_has_member(ice, "stun-host")) {
    if (!get_string(ice, "stun-host", TRUE, &s->stun_host, error) ||
        !get_int(ice, "stun-port", 1, 65535, &port, error))
      return FALSE;
    s->stun_port = port;
  }
  if (json_object_has_member(ice, "turn-host")) {
    if (!get_string(ice, "turn-host", TRUE, &s->turn_host, error) ||
        !get_int(ice, "turn-port", 1, 65535, &port, error))
      return FALSE;
    s->turn_port = port;
  }
  if (json_object_has_member(ice, "turns-host")) {
    if (!get_string(ice, "turns-host", TRUE, &s->turns_host, error) ||
        !get_int(ice, "turns-port", 1, 65535, &port, error))
      return FALSE;
    s->turns_port = port;
  }
  if (s->turn_host == NULL && s->turns_host == NULL)
    return TRUE;
  return get_string(ice, "turn-username", TRUE, &s->turn_username, error) &&
         get_string(ice, "turn-password", TRUE, &s->turn_password, error);
}

static gboolean read_error(JsonObject *o, LlSignalMessage *m, GError **error)
{
  g_autofree char *reason = NULL;
  if (!get_string(o, "message", TRUE, &m->message, error) ||
      !get_string(o, "reason", FALSE, &reason, error))
    return FALSE;
  /* A reason from a newer server that this one does not know is OTHER. */
  m->reason = g_strcmp0(reason, "nobody-there") == 0 ? LL_SIGNAL_ERROR_NOBODY_THERE
              : g_strcmp0(reason, "expired") == 0    ? LL_SIGNAL_ERROR_EXPIRED
                                                      : LL_SIGNAL_ERROR_OTHER;
  return TRUE;
}

static gboolean read_ice_data(JsonObject *o, LlSignalMessage *m, GError **error)
{
  JsonNode *n = json_object_get_member(o, "data");
  if (n == NULL || !JSON_NODE_HOLDS_OBJECT(n))
    return bad(error, "data");
  JsonObject *d = json_node_get_object(n);
  if (json_object_has_member(d, "ufrag")) {
    m->data_kind = LL_ICE_CREDENTIALS;
    return get_string(d, "ufrag", TRUE, &m->ufrag, error) &&
           get_string(d, "pwd", TRUE, &m->pwd, error);
  }
  if (json_object_has_member(d, "candidate")) {
    m->data_kind = LL_ICE_CANDIDATE;
    return get_string(d, "candidate", TRUE, &m->candidate, error);
  }
  if (json_object_has_member(d, "done")) {
    m->data_kind = LL_ICE_DONE;
    return TRUE;
  }
  if (json_object_has_member(d, "pake")) {
    m->data_kind = LL_ICE_PAKE;
    return get_bounded(d, "pake", TRUE, LL_SIGNAL_MAX_PAKE, &m->pake, error);
  }
  return bad(error, "data");
}

static gboolean read_peer(JsonObject *o, LlSignalMessage *m, gboolean required, GError **error)
{
  gint64 peer = 0;
  if (!json_object_has_member(o, "peer"))
    return required ? bad(error, "peer") : TRUE;
  if (!get_int(o, "peer", 0, G_MAXUINT32, &peer, error))
    return FALSE;
  m->peer = peer;
  m->has_peer = TRUE;
  return TRUE;
}

/* An optional boolean member, FALSE when absent. */
static gboolean get_flag(JsonObject *o, const char *key, gboolean *out, GError **error)
{
  JsonNode *n = json_object_get_member(o, key);
  if (n == NULL)
    return TRUE;
  if (!JSON_NODE_HOLDS_VALUE(n) || json_node_get_value_type(n) != G_TYPE_BOOLEAN)
    return bad(error, key);
  *out = json_node_get_boolean(n);
  return TRUE;
}

static gboolean read_nameplate(JsonObject *o, gboolean required, LlSignalMessage *m,
                               GError **error)
{
  if (!get_string(o, "nameplate", required, &m->nameplate, error))
    return FALSE;
  return m->nameplate == NULL || ll_nameplate_is_valid(m->nameplate) ? TRUE
                                                                      : bad(error, "nameplate");
}

/* A mailbox's token (base64url of LL_SIGNAL_TOKEN_BYTES random bytes). */
static gboolean read_token(JsonObject *o, gboolean required, LlSignalMessage *m,
                           GError **error)
{
  if (!get_bounded(o, "token", required, LL_SIGNAL_MAX_TOKEN, &m->token, error))
    return FALSE;
  for (const char *p = m->token; p != NULL && *p != '\0'; p++)
    if (!g_ascii_isalnum(*p) && *p != '-' && *p != '_')
      return bad(error, "token");
  return m->token == NULL || *m->token != '\0' ? TRUE : bad(error, "token");
}

/* "open" naming a mailbox opens it again, with its token; never a code's. */
static gboolean read_open(JsonObject *o, LlSignalMessage *m, GError **error)
{
  if (!get_int(o, "lifetime", 1, 366 * 86400, &m->lifetime, error) ||
      !get_flag(o, "code", &m->code, error) ||
      !get_string(o, "mailbox", FALSE, &m->mailbox, error))
    return FALSE;
  if (m->mailbox != NULL && (m->code || *m->mailbox == '\0'))
    return bad(error, "mailbox");
  return read_token(o, m->mailbox != NULL, m, error);
}

/* A host registers under its host id, written the one canonical way. */
static gboolean canonical_host_id(LlSignalMessage *m, GError **error)
{
  LlKeyPin pin;
  if (!ll_key_pin_parse(m->mailbox, &pin) || pin.len != LL_HOST_ID_BYTES)
    return bad(error, "mailbox");
  guint8 fingerprint[LL_FINGERPRINT_BYTES] = { 0 };
  memcpy(fingerprint, pin.bytes, LL_HOST_ID_BYTES);
  g_free(m->mailbox);
  m->mailbox = ll_host_id_of(fingerprint);
  return TRUE;
}

static gboolean read_fields(JsonObject *o, LlSignalMessage *m, GError **error)
{
  switch (m->type) {
  case LL_SIGNAL_OPEN:
    return read_open(o, m, error);
  case LL_SIGNAL_OPENED:
    return get_string(o, "mailbox", TRUE, &m->mailbox, error) &&
           read_nameplate(o, FALSE, m, error) && read_token(o, FALSE, m, error) &&
           read_ice_servers(o, &m->ice, error);
  case LL_SIGNAL_CLAIM:
    return read_nameplate(o, TRUE, m, error);
  case LL_SIGNAL_JOIN:
    return get_string(o, "mailbox", TRUE, &m->mailbox, error);
  case LL_SIGNAL_REGISTER:
    return get_string(o, "mailbox", TRUE, &m->mailbox, error) && canonical_host_id(m, error) &&
           get_bounded(o, "certificate", TRUE, LL_SIGNAL_MAX_CERTIFICATE, &m->certificate,
                       error) &&
           get_string(o, "proof", TRUE, &m->proof, error);
  case LL_SIGNAL_CHALLENGE:
    return get_string(o, "nonce", TRUE, &m->nonce, error);
  case LL_SIGNAL_RENEW:
    return TRUE;
  case LL_SIGNAL_JOINED:
    return read_peer(o, m, TRUE, error) && read_ice_servers(o, &m->ice, error);
  case LL_SIGNAL_PEER:
  case LL_SIGNAL_PEER_LEFT:
    return read_peer(o, m, TRUE, error);
  case LL_SIGNAL_SIGNAL:
    return read_peer(o, m, FALSE, error) && read_ice_data(o, m, error);
  case LL_SIGNAL_ERROR:
    return read_error(o, m, error);
  }
  return bad(error, "type");
}

LlSignalMessage *ll_signal_message_decode(const char *text, gsize length, GError **error)
{
  if (length > LL_SIGNAL_MAX_BYTES) {
    bad(error, "too large");
    return NULL;
  }
  JsonObject *o = NULL;
  const char *problem = NULL;
  g_autoptr(JsonParser) parser = ll_json_parse_object(text, length, &o, &problem);
  if (parser == NULL) {
    bad(error, problem);
    return NULL;
  }
  g_autofree char *type = NULL;
  if (!get_string(o, "type", TRUE, &type, error))
    return NULL;
  for (guint i = 0; i < G_N_ELEMENTS(type_names); i++)
    if (g_strcmp0(type, type_names[i]) == 0) {
      g_autoptr(LlSignalMessage) m = ll_signal_message_new(i);
      if (!read_fields(o, m, error))
        return NULL;
      return g_steal_pointer(&m);
    }
  bad(error, "unknown type");
  return NULL;
}

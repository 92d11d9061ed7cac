#include "common/json_text.h"

void ll_json_add_string(JsonBuilder *b, const char *key, const char *value)
{
  json_builder_set_member_name(b, key);
  json_builder_add_string_value(b, value != NULL ? value : "");
}

void ll_json_add_int(JsonBuilder *b, const char *key, gint64 value)
{
  json_builder_set_member_name(b, key);
  json_builder_add_int_value(b, value);
}

char *ll_json_builder_text(JsonBuilder *b)
{
  g_autoptr(JsonGenerator) gen = json_generator_new();
  g_autoptr(JsonNode) root = json_builder_get_root(b);
  json_generator_set_root(gen, root);
  return json_generator_to_data(gen, NULL);
}

JsonParser *ll_json_parse_object(const char *text, gsize length, JsonObject **object,
                                 const char **problem)
{
  g_autoptr(JsonParser) parser = json_parser_new();
  if (!json_parser_load_from_data(parser, text, length, NULL)) {
    *problem = "not JSON";
    return NULL;
  }
  JsonNode *root = json_parser_get_root(parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT(root)) {
    *problem = "not an object";
    return NULL;
  }
  *object = json_node_get_object(root);
  return g_steal_pointer(&parser);
}

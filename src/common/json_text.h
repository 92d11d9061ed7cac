/* Small pieces for the JSON messages Lifeline writes with json-glib
 * (signalling, messages between rendezvous instances). */
#pragma once
#include <json-glib/json-glib.h>

/* KEY: VALUE (NULL is written as ""). */
void ll_json_add_string(JsonBuilder *builder, const char *key, const char *value);
void ll_json_add_int(JsonBuilder *builder, const char *key, gint64 value);
/* The builder's object as compact text, NUL-terminated. */
char *ll_json_builder_text(JsonBuilder *builder);
/* TEXT parsed, when it is one JSON object: the parser (which owns
 * *OBJECT), or NULL with *PROBLEM saying what it is instead. */
JsonParser *ll_json_parse_object(const char *text, gsize length, JsonObject **object,
                                 const char **problem);

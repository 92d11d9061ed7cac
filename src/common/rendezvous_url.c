#include "common/rendezvous_url.h"
#include "common/error.h"
#include <gio/gio.h>
#include <string.h>

static gboolean refuse(const char *typed, const char *why, GError **error)
{
  g_set_error(error, LL_ERROR, LL_ERROR_USAGE,
              "\"%s\" is not a rendezvous address (%s); write it like rdv.example.org, "
              "rdv.example.org:3478 or wss://rdv.example.org", typed, why);
  return FALSE;
}

/* ws or wss from what was typed: http(s) means the same server. */
static const char *websocket_scheme(const char *scheme)
{
  if (g_ascii_strcasecmp(scheme, "wss") == 0 || g_ascii_strcasecmp(scheme, "https") == 0)
    return "wss";
  if (g_ascii_strcasecmp(scheme, "ws") == 0 || g_ascii_strcasecmp(scheme, "http") == 0)
    return "ws";
  return NULL;
}

/* A server's name as DNS has it (after IDNA), or an IP address. */
static char *server_name(const char *host)
{
  g_autofree char *ascii = g_hostname_to_ascii(host);
  if (ascii == NULL || *ascii == '\0' || strlen(ascii) > 253)
    return NULL;
  if (g_hostname_is_ip_address(ascii))
    return g_steal_pointer(&ascii);
  for (const char *c = ascii; *c != '\0'; c++)
    if (!g_ascii_isalnum(*c) && *c != '-' && *c != '.')
      return NULL;
  return g_steal_pointer(&ascii);
}

static gboolean parse(const char *text, GUri **uri, gboolean *schemeless, GError **error)
{
  *schemeless = strstr(text, "://") == NULL;
  g_autofree char *full = *schemeless ? g_strconcat("wss://", text, NULL) : g_strdup(text);
  g_autoptr(GError) local = NULL;
  *uri = g_uri_parse(full, G_URI_FLAGS_NONE, &local);
  if (*uri == NULL)
    return refuse(text, "it cannot be read as an address", error);
  const char *host = g_uri_get_host(*uri);
  g_autofree char *name = host != NULL ? server_name(host) : NULL;
  if (name == NULL)
    return refuse(text, "it names no server", error);
  if (g_uri_get_userinfo(*uri) != NULL || g_uri_get_query(*uri) != NULL ||
      g_uri_get_fragment(*uri) != NULL)
    return refuse(text, "it has parts a rendezvous address does not have", error);
  return TRUE;
}

char *ll_rendezvous_url_normalize(const char *typed, GError **error)
{
  g_autofree char *text = g_strstrip(g_strdup(typed != NULL ? typed : ""));
  if (*text == '\0') {
    g_set_error_literal(error, LL_ERROR, LL_ERROR_USAGE,
                        "no rendezvous address was given; write it like rdv.example.org");
    return NULL;
  }
  if (strlen(text) > LL_RENDEZVOUS_MAX_URL) {
    refuse("…", "it is too long", error);
    return NULL;
  }
  g_autoptr(GUri) uri = NULL;
  gboolean schemeless;
  if (!parse(text, &uri, &schemeless, error))
    return NULL;
  int port = g_uri_get_port(uri);
  const char *scheme = schemeless ? (port == -1 || port == 443 ? "wss" : "ws")
                                  : websocket_scheme(g_uri_get_scheme(uri));
  if (scheme == NULL) {
    refuse(text, "only ws://, wss://, http:// and https:// are understood", error);
    return NULL;
  }
  const char *path = g_uri_get_path(uri);
  if (*path == '\0' || g_str_equal(path, "/"))
    path = LL_RENDEZVOUS_PATH;
  g_autofree char *host = server_name(g_uri_get_host(uri));
  char *url = g_uri_join(G_URI_FLAGS_NONE, scheme, NULL, host, port, path, NULL, NULL);
  if (strlen(url) > LL_RENDEZVOUS_MAX_URL) {
    g_free(url);
    refuse("…", "it is too long", error);
    return NULL;
  }
  return url;
}

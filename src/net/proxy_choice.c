#include "net/proxy_choice.h"
#include <string.h>

static const char *proxy_from_environment(void)
{
  static const char *const names[] = { "https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY" };
  for (gsize i = 0; i < G_N_ELEMENTS(names); i++) {
    const char *value = g_getenv(names[i]);
    if (value != NULL && *value != '\0')
      return value;
  }
  return NULL;
}

/* "proxy.example.org:3128" as people write it, or a full URI. */
static char *proxy_uri(const char *value)
{
  if (strstr(value, "://") != NULL)
    return g_strdup(value);
  return g_strconcat("http://", value, NULL);
}

/* no_proxy="localhost,.example.org" -> GSimpleProxyResolver's ignore list. */
static char **proxy_exceptions(void)
{
  const char *value = g_getenv("no_proxy");
  if (value == NULL)
    value = g_getenv("NO_PROXY");
  if (value == NULL || *value == '\0')
    return NULL;
  char **parts = g_strsplit(value, ",", -1);
  for (char **p = parts; *p != NULL; p++)
    g_strstrip(*p);
  return parts;
}

GProxyResolver *ll_proxy_resolver_new(void)
{
  const char *value = proxy_from_environment();
  if (value == NULL)
    return g_object_ref(g_proxy_resolver_get_default());
  g_autofree char *uri = proxy_uri(value);
  g_auto(GStrv) exceptions = proxy_exceptions();
  g_autoptr(GUri) parsed = g_uri_parse(uri, G_URI_FLAGS_NONE, NULL);
  /* The host only: a proxy's URI may carry a password. */
  g_info("connections out go through the proxy at %s", parsed != NULL && g_uri_get_host(parsed) != NULL
                                                          ? g_uri_get_host(parsed) : "(unreadable)");
  return g_simple_proxy_resolver_new(uri, exceptions);
}

#include "net/local_addresses.h"
#include <arpa/inet.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>

char *ll_endpoint_format(const char *address, guint16 port, gboolean is_ipv6)
{
  return is_ipv6 ? g_strdup_printf("[%s]:%u", address, port)
                 : g_strdup_printf("%s:%u", address, port);
}

static gboolean usable(const struct sockaddr *sa, gboolean want_loopback)
{
  if (sa->sa_family == AF_INET) {
    const struct sockaddr_in *in = (const struct sockaddr_in *)sa;
    guint32 a = ntohl(in->sin_addr.s_addr);
    gboolean loopback = (a >> 24) == 127;
    gboolean link_local = (a >> 16) == 0xa9fe;
    return want_loopback ? loopback : !loopback && !link_local && a != 0;
  }
  if (sa->sa_family == AF_INET6) {
    const struct in6_addr *a = &((const struct sockaddr_in6 *)sa)->sin6_addr;
    gboolean loopback = IN6_IS_ADDR_LOOPBACK(a);
    return want_loopback ? loopback
                         : !loopback && !IN6_IS_ADDR_LINKLOCAL(a) && !IN6_IS_ADDR_UNSPECIFIED(a) &&
                               !IN6_IS_ADDR_V4MAPPED(a);
  }
  return FALSE;
}

static void collect(GPtrArray *out, struct ifaddrs *list, guint16 port, gboolean want_loopback)
{
  for (struct ifaddrs *i = list; i != NULL; i = i->ifa_next) {
    char text[INET6_ADDRSTRLEN];
    if (i->ifa_addr == NULL || !(i->ifa_flags & IFF_UP) || !usable(i->ifa_addr, want_loopback))
      continue;
    gboolean v6 = i->ifa_addr->sa_family == AF_INET6;
    const void *addr = v6 ? (const void *)&((struct sockaddr_in6 *)i->ifa_addr)->sin6_addr
                          : (const void *)&((struct sockaddr_in *)i->ifa_addr)->sin_addr;
    if (inet_ntop(i->ifa_addr->sa_family, addr, text, sizeof text) == NULL)
      continue;
    g_autofree char *endpoint = ll_endpoint_format(text, port, v6);
    if (!g_ptr_array_find_with_equal_func(out, endpoint, g_str_equal, NULL))
      g_ptr_array_add(out, g_steal_pointer(&endpoint));
  }
}

GPtrArray *ll_local_endpoints(guint16 port)
{
  GPtrArray *out = g_ptr_array_new_with_free_func(g_free);
  struct ifaddrs *list = NULL;
  if (getifaddrs(&list) == 0) {
    collect(out, list, port, FALSE);
    if (out->len == 0)
      collect(out, list, port, TRUE);
    freeifaddrs(list);
  }
  if (out->len == 0)
    g_ptr_array_add(out, ll_endpoint_format("127.0.0.1", port, FALSE));
  return out;
}

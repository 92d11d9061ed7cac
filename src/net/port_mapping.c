#include "net/port_mapping.h"
#include <miniupnpc/miniupnpc.h>
#include <miniupnpc/upnpcommands.h>
#include <miniupnpc/upnperrors.h>
#include <arpa/inet.h>
#include <natpmp.h>
#include <string.h>
#include <sys/select.h>

/* NAT-PMP retries for a minute by itself; a second is all we wait. */
#define NATPMP_WAIT_US (1000 * 1000)

struct LlPortMapping {
  guint16 port;
  gint64 lifetime;
  LlPortMappingDone done;
  gpointer user_data;
  GThread *thread;
  guint report;
  /* Written by the thread, read after it is joined or reported. */
  struct UPNPUrls urls;
  struct IGDdatas data;
  gboolean have_urls;
  gboolean mapped;
  gboolean by_natpmp;
  char external[64];
  char why[160];
};

static gboolean report_result(gpointer data)
{
  LlPortMapping *m = data;
  m->report = 0;
  g_thread_join(g_steal_pointer(&m->thread));
  m->done(m, m->mapped ? m->external : NULL, m->mapped ? NULL : m->why, m->user_data);
  return G_SOURCE_REMOVE;
}

static void add_mapping(LlPortMapping *m, const char *lan_address)
{
  char ext_ip[40] = { 0 }, port[8], lease[16];
  g_snprintf(port, sizeof port, "%u", m->port);
  g_snprintf(lease, sizeof lease, "%" G_GINT64_FORMAT, MAX(m->lifetime, 60));
  if (UPNP_GetExternalIPAddress(m->urls.controlURL, m->data.first.servicetype, ext_ip) != 0 ||
      ext_ip[0] == '\0') {
    g_snprintf(m->why, sizeof m->why, "the router did not give its public address");
    return;
  }
  int rc = UPNP_AddPortMapping(m->urls.controlURL, m->data.first.servicetype, port, port,
                               lan_address, "Lifeline", "TCP", NULL, lease);
  if (rc != UPNPCOMMAND_SUCCESS) {
    g_snprintf(m->why, sizeof m->why, "the router refused a port mapping (%s)",
               strupnperror(rc));
    return;
  }
  g_snprintf(m->external, sizeof m->external, "%s:%u", ext_ip, m->port);
  m->mapped = TRUE;
}

/* Waits (bounded) for the answer to the pending NAT-PMP request. */
static gboolean natpmp_answer(natpmp_t *n, natpmpresp_t *response)
{
  gint64 deadline = g_get_monotonic_time() + NATPMP_WAIT_US;
  for (;;) {
    int rc = readnatpmpresponseorretry(n, response);
    if (rc != NATPMP_TRYAGAIN)
      return rc >= 0 && response->resultcode == 0;
    gint64 left = deadline - g_get_monotonic_time();
    if (left <= 0)
      return FALSE;
    fd_set fds;
    FD_ZERO(&fds);
    FD_SET(n->s, &fds);
    struct timeval tv = { 0, MIN(left, 250 * 1000) };
    select(n->s + 1, &fds, NULL, NULL, &tv);
  }
}

/* NAT-PMP (RFC 6886), for routers that speak it instead of UPnP. */
static void try_natpmp(LlPortMapping *m)
{
  natpmp_t n;
  natpmpresp_t response;
  char ip[INET_ADDRSTRLEN];
  if (initnatpmp(&n, 0, 0) < 0)
    return;
  if (sendpublicaddressrequest(&n) >= 0 && natpmp_answer(&n, &response) &&
      inet_ntop(AF_INET, &response.pnu.publicaddress.addr, ip, sizeof ip) != NULL &&
      sendnewportmappingrequest(&n, NATPMP_PROTOCOL_TCP, m->port, m->port,
                                (uint32_t)MAX(m->lifetime, 60)) >= 0 &&
      natpmp_answer(&n, &response)) {
    g_snprintf(m->external, sizeof m->external, "%s:%u", ip,
               response.pnu.newportmapping.mappedpublicport);
    m->mapped = TRUE;
    m->by_natpmp = TRUE;
  }
  closenatpmp(&n);
}

static void remove_natpmp(LlPortMapping *m)
{
  natpmp_t n;
  natpmpresp_t response;
  if (initnatpmp(&n, 0, 0) < 0)
    return;
  /* A lifetime of zero deletes the mapping. */
  if (sendnewportmappingrequest(&n, NATPMP_PROTOCOL_TCP, m->port, 0, 0) >= 0)
    natpmp_answer(&n, &response);
  closenatpmp(&n);
}

static gpointer run(gpointer data)
{
  LlPortMapping *m = data;
  int error = 0;
  char lan_address[64] = { 0 };
  /* One search, for the gateway type every UPnP router answers to: a
   * network without one costs a single wait. */
  struct UPNPDev *devices =
      upnpDiscoverDevice("urn:schemas-upnp-org:device:InternetGatewayDevice:1",
                         LL_UPNP_DISCOVERY_MS, NULL, NULL, 0, 0, 2, &error);
  int found = devices != NULL ? UPNP_GetValidIGD(devices, &m->urls, &m->data, lan_address,
                                                 sizeof lan_address) : 0;
  m->have_urls = found != 0;
  if (found == 1)
    add_mapping(m, lan_address);
  if (!m->mapped)
    try_natpmp(m);
  if (!m->mapped && found != 1)
    g_snprintf(m->why, sizeof m->why, "no router answered UPnP or NAT-PMP");
  freeUPNPDevlist(devices);
  m->report = g_idle_add(report_result, m);
  return NULL;
}

LlPortMapping *ll_port_mapping_request(guint16 port, gint64 lifetime, LlPortMappingDone done,
                                       gpointer user_data)
{
  LlPortMapping *m = g_new0(LlPortMapping, 1);
  m->port = port;
  m->lifetime = lifetime;
  m->done = done;
  m->user_data = user_data;
  m->thread = g_thread_new("upnp", run, m);
  return m;
}

void ll_port_mapping_free(LlPortMapping *m)
{
  if (m == NULL)
    return;
  if (m->thread != NULL)
    g_thread_join(m->thread);
  g_clear_handle_id(&m->report, g_source_remove);
  if (m->mapped && m->by_natpmp) {
    remove_natpmp(m);
    g_info("removed the router's port mapping for %s", m->external);
  } else if (m->mapped) {
    char port[8];
    g_snprintf(port, sizeof port, "%u", m->port);
    UPNP_DeletePortMapping(m->urls.controlURL, m->data.first.servicetype, port, "TCP", NULL);
    g_info("removed the router's port mapping for %s", m->external);
  }
  if (m->have_urls)
    FreeUPNPUrls(&m->urls);
  g_free(m);
}

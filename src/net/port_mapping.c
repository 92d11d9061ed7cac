#include "net/port_mapping.h"
#include <miniupnpc/miniupnpc.h>
#include <miniupnpc/upnpcommands.h>
#include <miniupnpc/upnperrors.h>
#include <string.h>

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
  else
    g_snprintf(m->why, sizeof m->why, "no UPnP router answered");
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
  if (m->mapped) {
    char port[8];
    g_snprintf(port, sizeof port, "%u", m->port);
    UPNP_DeletePortMapping(m->urls.controlURL, m->data.first.servicetype, port, "TCP", NULL);
    g_info("removed the router's port mapping for %s", m->external);
  }
  if (m->have_urls)
    FreeUPNPUrls(&m->urls);
  g_free(m);
}

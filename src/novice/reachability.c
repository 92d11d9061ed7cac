#include "novice/reachability.h"
#include "net/endpoint_race.h"
#include "net/local_addresses.h"
#include "net/port_mapping.h"

struct LlReachability {
  guint16 port;
  LlPortMapping *mapping;
  char *mapped;              /* "PUBLIC-IP:PORT" the router forwards */
  gboolean mapping_done;
  gboolean mailbox_done;
  char *rendezvous_url;
  char *mailbox;
  gboolean reported;
  guint done_idle;
  LlReachabilityDone done;
  gpointer user_data;
};

static gboolean report_done(gpointer data)
{
  LlReachability *r = data;
  r->done_idle = 0;
  r->done(r, r->user_data);
  return G_SOURCE_REMOVE;
}

static void check_done(LlReachability *r)
{
  if (r->reported || !r->mapping_done || !r->mailbox_done)
    return;
  r->reported = TRUE;
  r->done_idle = g_idle_add(report_done, r);
}

static void on_port_mapped(LlPortMapping *mapping, const char *external, const char *why,
                           gpointer data)
{
  LlReachability *r = data;
  (void)mapping;
  r->mapping_done = TRUE;
  if (external != NULL) {
    r->mapped = g_strdup(external);
    g_info("the router forwards %s to this computer", external);
  } else {
    g_info("no port mapping: %s", why);
  }
  check_done(r);
}

LlReachability *ll_reachability_new(guint16 port, gint64 lifetime, gboolean map_port,
                                    gboolean await_mailbox, LlReachabilityDone done,
                                    gpointer user_data)
{
  LlReachability *r = g_new0(LlReachability, 1);
  r->port = port;
  r->done = done;
  r->user_data = user_data;
  r->mapping_done = !map_port;
  r->mailbox_done = !await_mailbox;
  if (map_port)
    r->mapping = ll_port_mapping_request(port, lifetime, on_port_mapped, r);
  check_done(r);
  return r;
}

void ll_reachability_set_mailbox(LlReachability *r, const char *url, const char *mailbox)
{
  if (r->mailbox_done)
    return;
  r->mailbox_done = TRUE;
  if (mailbox != NULL) {
    r->rendezvous_url = g_strdup(url);
    r->mailbox = g_strdup(mailbox);
  }
  check_done(r);
}

void ll_reachability_fill(LlReachability *r, LlInvitation *invitation)
{
  if (r->mapped != NULL) {
    g_autofree char *endpoint = g_strconcat(LL_MAPPED_PREFIX, r->mapped, NULL);
    ll_invitation_add_endpoint(invitation, endpoint);
  }
  g_autoptr(GPtrArray) endpoints = ll_local_endpoints(r->port);
  for (guint i = 0; i < endpoints->len; i++)
    ll_invitation_add_endpoint(invitation, g_ptr_array_index(endpoints, i));
  if (r->mailbox != NULL) {
    g_free(invitation->rendezvous_url);
    g_free(invitation->mailbox_id);
    invitation->rendezvous_url = g_strdup(r->rendezvous_url);
    invitation->mailbox_id = g_strdup(r->mailbox);
  }
}

void ll_reachability_free(LlReachability *r)
{
  if (r == NULL)
    return;
  g_clear_handle_id(&r->done_idle, g_source_remove);
  ll_port_mapping_free(r->mapping);   /* the router forgets the port */
  g_free(r->mapped);
  g_free(r->rendezvous_url);
  g_free(r->mailbox);
  g_free(r);
}

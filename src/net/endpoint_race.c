#include "net/endpoint_race.h"
#include "common/error.h"
#include "net/ice_path.h"
#include "net/rendezvous_client.h"
#include "net/tls_channel.h"
#include <string.h>

struct LlEndpointRace {
  gint refs;
  gboolean finished;
  GSocketClient *client;
  GTlsCertificate *identity;
  LlKeyPin pin;
  GCancellable *cancellable;     /* shared by every attempt */
  guint timeout;
  gboolean extended;             /* the deadline was moved for a progressing ICE attempt */
  gpointer ice_attempt;          /* the Attempt through the rendezvous, while it runs */
  guint remaining;
  GString *failures;
  GError *wrong_key;
  char **rendezvous_urls;      /* tried in turn until one knows the mailbox */
  guint next_url;
  char *mailbox;
  guint nobody_there;          /* rendezvous that said nobody waits there */
  guint ice_failed;            /* ICE attempts that ended otherwise */
  LlRaceDone done;
  gpointer user_data;
};

typedef struct {
  LlEndpointRace *race;
  char *endpoint;
  char *path;                  /* "direct", or the ICE path once known */
  GTlsConnection *tls;
  LlRendezvousClient *rendezvous;   /* ICE attempts */
  LlIcePath *ice;
  gulong cancelled_handler;
  guint reap;                  /* reports an ICE failure outside libnice's callback */
  GError *ice_error;
  gboolean joined;             /* the rendezvous knew the mailbox */
  gboolean done;
} Attempt;

static void race_unref(LlEndpointRace *r)
{
  if (--r->refs > 0)
    return;
  g_clear_handle_id(&r->timeout, g_source_remove);
  g_object_unref(r->client);
  g_object_unref(r->identity);
  g_object_unref(r->cancellable);
  g_string_free(r->failures, TRUE);
  g_clear_error(&r->wrong_key);
  g_strfreev(r->rendezvous_urls);
  g_free(r->mailbox);
  g_free(r);
}

static void attempt_free(Attempt *a)
{
  if (a->race->ice_attempt == a)
    a->race->ice_attempt = NULL;
  if (a->cancelled_handler != 0)
    g_signal_handler_disconnect(a->race->cancellable, a->cancelled_handler);
  g_clear_handle_id(&a->reap, g_source_remove);
  g_clear_error(&a->ice_error);
  ll_ice_path_free(a->ice);
  ll_rendezvous_client_free(a->rendezvous);
  g_free(a->path);
  g_clear_object(&a->tls);
  race_unref(a->race);
  g_free(a->endpoint);
  g_free(a);
}

static void report_all_failed(LlEndpointRace *r)
{
  g_autoptr(GError) error = NULL;
  if (r->wrong_key != NULL)
    error = g_error_copy(r->wrong_key);
  else if (r->nobody_there > 0 && r->ice_failed == 0)   /* every rendezvous knows: definite */
    error = g_error_new(LL_ERROR, LL_ERROR_NOT_WAITING,
                        "nobody is waiting there any more (%s)", r->failures->str);
  else
    error = g_error_new(LL_ERROR, LL_ERROR_UNREACHABLE,
                        "could not reach the other computer at any of its addresses (%s)",
                        r->failures->str);
  r->finished = TRUE;
  r->done(NULL, NULL, NULL, error, r->user_data);
}

static gboolean report_empty(gpointer data)
{
  LlEndpointRace *r = data;
  if (!r->finished)
    report_all_failed(r);
  return G_SOURCE_REMOVE;
}

static void start_ice_attempt(LlEndpointRace *r);
static gboolean on_timeout(gpointer data);

/* The rendezvous of attempt A could not be reached or knew nobody there
 * (before it let A join): the next one the list names, if any, with a
 * deadline of its own. */
static void try_next_rendezvous(Attempt *a, const GError *error)
{
  LlEndpointRace *r = a->race;
  if (a != r->ice_attempt || a->joined || r->finished ||
      r->rendezvous_urls[r->next_url] == NULL ||
      g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  g_info("the rendezvous %s: %s; trying %s", a->endpoint, error->message,
         r->rendezvous_urls[r->next_url]);
  start_ice_attempt(r);
  g_clear_handle_id(&r->timeout, g_source_remove);
  r->extended = FALSE;
  r->timeout = g_timeout_add_seconds(LL_CONNECT_TIMEOUT_S + 5, on_timeout, r);
}

static void attempt_failed(Attempt *a, GError *error)
{
  LlEndpointRace *r = a->race;
  if (a->done) {   /* an ICE attempt reports once */
    g_error_free(error);
    return;
  }
  a->done = TRUE;
  if (!r->finished) {
    g_debug("path to %s failed: %s", a->endpoint, error->message);
    if (g_error_matches(error, LL_ERROR, LL_ERROR_WRONG_KEY) && r->wrong_key == NULL)
      r->wrong_key = g_error_copy(error);
    if (g_error_matches(error, LL_ERROR, LL_ERROR_NOT_WAITING))
      r->nobody_there++;
    else if (a->rendezvous != NULL)
      r->ice_failed++;
    try_next_rendezvous(a, error);
    g_string_append_printf(r->failures, "%s%s: %s", r->failures->len ? "; " : "", a->endpoint,
                           g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CANCELLED)
                               ? "no answer in time" : error->message);
    if (--r->remaining == 0)
      report_all_failed(r);
  }
  g_error_free(error);
  attempt_free(a);
}

static void on_handshake(GObject *source, GAsyncResult *result, gpointer data)
{
  Attempt *a = data;
  LlEndpointRace *r = a->race;
  GError *error = NULL;
  if (!ll_tls_handshake_finish(G_TLS_CONNECTION(source), result, &error)) {
    attempt_failed(a, error);
    return;
  }
  if (!r->finished) {
    r->finished = TRUE;
    g_cancellable_cancel(r->cancellable);   /* the losers stop here */
    r->done(g_steal_pointer(&a->tls), a->endpoint, a->path, NULL, r->user_data);
  }
  attempt_free(a);
}

static void start_tls(Attempt *a, GIOStream *base)
{
  GError *error = NULL;
  a->tls = ll_tls_client_new(base, a->race->identity, &a->race->pin, &error);
  if (a->tls == NULL) {
    attempt_failed(a, error);
    return;
  }
  ll_tls_handshake_async(a->tls, a->race->cancellable, on_handshake, a);
}

static void on_connected(GObject *source, GAsyncResult *result, gpointer data)
{
  Attempt *a = data;
  GError *error = NULL;
  g_autoptr(GSocketConnection) conn =
      g_socket_client_connect_to_host_finish(G_SOCKET_CLIENT(source), result, &error);
  if (conn == NULL || a->race->finished) {
    attempt_failed(a, error != NULL ? error
                                    : g_error_new_literal(G_IO_ERROR, G_IO_ERROR_CANCELLED, "lost"));
    return;
  }
  ll_socket_set_nodelay(conn);
  /* The client's connect timeout stays on the socket: an idle session
   * must not time out. The race has its own deadline for the handshake. */
  g_socket_set_timeout(g_socket_connection_get_socket(conn), 0);
  start_tls(a, G_IO_STREAM(conn));
}

/* ---- the ICE attempt ---- */

static void ice_signal_out(LlIcePath *path, LlSignalMessage *m, gpointer data)
{
  Attempt *a = data;
  (void)path;
  ll_rendezvous_client_send_signal(a->rendezvous, 0, m);
}

static void ice_ready(LlIcePath *path, GSocketConnection *connection, const char *name,
                      gpointer data)
{
  Attempt *a = data;
  (void)path;
  g_free(a->path);
  a->path = g_strdup(name);
  /* The path lives as long as the connection over it. */
  g_object_set_data_full(G_OBJECT(connection), "lifeline-ice-path", g_steal_pointer(&a->ice),
                         (GDestroyNotify)ll_ice_path_free);
  ll_rendezvous_client_forget_events(a->rendezvous);
  start_tls(a, G_IO_STREAM(connection));
  g_object_unref(connection);
}

static gboolean report_ice_failure(gpointer data)
{
  Attempt *a = data;
  a->reap = 0;
  attempt_failed(a, g_steal_pointer(&a->ice_error));
  return G_SOURCE_REMOVE;
}

static void ice_failed(LlIcePath *path, const GError *why, gpointer data)
{
  Attempt *a = data;
  (void)path;
  if (a->reap == 0) {
    a->ice_error = g_error_copy(why);
    a->reap = g_idle_add(report_ice_failure, a);
  }
}

static const LlIcePathEvents ice_events = { ice_signal_out, ice_ready, ice_failed };

static void rv_joined(LlRendezvousClient *c, guint32 peer, const LlIceServers *ice, gpointer data)
{
  Attempt *a = data;
  (void)c; (void)peer;
  if (a->ice != NULL || a->tls != NULL)
    return;   /* joined once; a second "joined" is ignored */
  a->joined = TRUE;
  a->ice = ll_ice_path_new(TRUE, ice, &ice_events, a);
  ll_ice_path_start(a->ice);
}

static void rv_signal(LlRendezvousClient *c, guint32 peer, const LlSignalMessage *m, gpointer data)
{
  Attempt *a = data;
  (void)c; (void)peer;
  if (a->ice != NULL)
    ll_ice_path_remote(a->ice, m);
}

static void rv_closed(LlRendezvousClient *c, const GError *why, gpointer data)
{
  Attempt *a = data;
  (void)c;
  attempt_failed(a, why != NULL ? g_error_copy(why)
                                : g_error_new_literal(LL_ERROR, LL_ERROR_UNREACHABLE, "closed"));
}

static const LlRendezvousEvents rendezvous_events = {
  .joined = rv_joined, .signal = rv_signal, .closed = rv_closed,
};

static void on_race_cancelled(GCancellable *cancellable, gpointer data)
{
  Attempt *a = data;
  (void)cancellable;
  if (a->tls != NULL)
    return;   /* its handshake is cancelled with the rest */
  g_signal_handler_disconnect(a->race->cancellable, a->cancelled_handler);
  a->cancelled_handler = 0;
  attempt_failed(a, g_error_new_literal(G_IO_ERROR, G_IO_ERROR_CANCELLED, "stopped"));
}

/* Through the next rendezvous of the list. */
static void start_ice_attempt(LlEndpointRace *r)
{
  const char *url = r->rendezvous_urls[r->next_url++];
  Attempt *a = g_new0(Attempt, 1);
  a->race = r;
  r->refs++;
  r->remaining++;
  a->endpoint = g_strdup_printf("the rendezvous %s", url);
  a->path = g_strdup("ice");
  r->ice_attempt = a;
  a->rendezvous = ll_rendezvous_client_new(url, &rendezvous_events, a);
  ll_rendezvous_client_join(a->rendezvous, r->mailbox);
  /* When the race is won or called off, this attempt stops at once. */
  a->cancelled_handler = g_signal_connect(r->cancellable, "cancelled",
                                          G_CALLBACK(on_race_cancelled), a);
}

/* The direct attempts have had their time. An ICE attempt still under
 * way (checks through NAT routers, a relay being allocated) has a
 * deadline of its own, LL_ICE_TIMEOUT_S, and is not cut off before it:
 * the race waits for it (and its handshake) once. */
static gboolean on_timeout(gpointer data)
{
  LlEndpointRace *r = data;
  r->timeout = 0;
  if (r->ice_attempt != NULL && !r->extended) {
    r->extended = TRUE;
    r->timeout = g_timeout_add_seconds(LL_ICE_TIMEOUT_S - LL_CONNECT_TIMEOUT_S, on_timeout, r);
    return G_SOURCE_REMOVE;
  }
  g_cancellable_cancel(r->cancellable);
  return G_SOURCE_REMOVE;
}

LlEndpointRace *ll_endpoint_race_start(GPtrArray *endpoints,
                                       const char *const *rendezvous_urls,
                                       const char *mailbox, GTlsCertificate *identity,
                                       const LlKeyPin *pin, LlRaceDone done,
                                       gpointer user_data)
{
  LlEndpointRace *r = g_new0(LlEndpointRace, 1);
  r->refs = 1;
  r->client = g_socket_client_new();
  g_socket_client_set_enable_proxy(r->client, FALSE);
  g_socket_client_set_timeout(r->client, LL_CONNECT_TIMEOUT_S);
  r->identity = g_object_ref(identity);
  r->pin = *pin;
  r->cancellable = g_cancellable_new();
  r->failures = g_string_new(NULL);
  r->done = done;
  r->user_data = user_data;
  r->remaining = endpoints->len;
  r->timeout = g_timeout_add_seconds(LL_CONNECT_TIMEOUT_S + 5, on_timeout, r);

  for (guint i = 0; i < endpoints->len; i++) {
    Attempt *a = g_new0(Attempt, 1);
    a->race = r;
    r->refs++;
    const char *endpoint = g_ptr_array_index(endpoints, i);
    /* "mapped:" marks the address a router forwards to the novice (UPnP). */
    gboolean mapped = g_str_has_prefix(endpoint, LL_MAPPED_PREFIX);
    a->endpoint = g_strdup(mapped ? endpoint + strlen(LL_MAPPED_PREFIX) : endpoint);
    a->path = g_strdup(mapped ? "mapped" : "direct");
    g_socket_client_connect_to_host_async(r->client, a->endpoint, 0, r->cancellable,
                                          on_connected, a);
  }
  r->rendezvous_urls = g_strdupv(mailbox != NULL && rendezvous_urls != NULL
                                     ? (char **)rendezvous_urls : (char *[]){ NULL });
  r->mailbox = g_strdup(mailbox);
  if (r->rendezvous_urls[0] != NULL)
    start_ice_attempt(r);
  if (r->remaining == 0) {
    g_string_append(r->failures, "the invitation lists no addresses");
    r->refs++;
    g_idle_add_full(G_PRIORITY_DEFAULT, report_empty, r, (GDestroyNotify)race_unref);
  }
  return r;
}

void ll_endpoint_race_cancel(LlEndpointRace *r)
{
  if (r == NULL)
    return;
  r->finished = TRUE;
  g_cancellable_cancel(r->cancellable);
  race_unref(r);
}

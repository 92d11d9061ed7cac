#include "net/endpoint_race.h"
#include "common/error.h"
#include "net/tls_channel.h"
#include <string.h>

struct LlEndpointRace {
  gint refs;
  gboolean finished;
  GSocketClient *client;
  GTlsCertificate *identity;
  guint8 pin[LL_FINGERPRINT_BYTES];
  GCancellable *cancellable;     /* shared by every attempt */
  guint timeout;
  guint remaining;
  GString *failures;
  GError *wrong_key;
  LlRaceDone done;
  gpointer user_data;
};

typedef struct {
  LlEndpointRace *race;
  char *endpoint;
  GTlsConnection *tls;
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
  g_free(r);
}

static void attempt_free(Attempt *a)
{
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

static void attempt_failed(Attempt *a, GError *error)
{
  LlEndpointRace *r = a->race;
  if (!r->finished) {
    g_debug("path to %s failed: %s", a->endpoint, error->message);
    if (g_error_matches(error, LL_ERROR, LL_ERROR_WRONG_KEY) && r->wrong_key == NULL)
      r->wrong_key = g_error_copy(error);
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
    r->done(g_steal_pointer(&a->tls), a->endpoint, "direct", NULL, r->user_data);
  }
  attempt_free(a);
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
  a->tls = ll_tls_client_new(G_IO_STREAM(conn), a->race->identity, a->race->pin, &error);
  if (a->tls == NULL) {
    attempt_failed(a, error);
    return;
  }
  ll_tls_handshake_async(a->tls, a->race->cancellable, on_handshake, a);
}

static gboolean on_timeout(gpointer data)
{
  LlEndpointRace *r = data;
  r->timeout = 0;
  g_cancellable_cancel(r->cancellable);
  return G_SOURCE_REMOVE;
}

LlEndpointRace *ll_endpoint_race_start(GPtrArray *endpoints, GTlsCertificate *identity,
                                       const guint8 pin[LL_FINGERPRINT_BYTES], LlRaceDone done,
                                       gpointer user_data)
{
  LlEndpointRace *r = g_new0(LlEndpointRace, 1);
  r->refs = 1;
  r->client = g_socket_client_new();
  g_socket_client_set_enable_proxy(r->client, FALSE);
  g_socket_client_set_timeout(r->client, LL_CONNECT_TIMEOUT_S);
  r->identity = g_object_ref(identity);
  memcpy(r->pin, pin, LL_FINGERPRINT_BYTES);
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
    a->endpoint = g_strdup(g_ptr_array_index(endpoints, i));
    g_socket_client_connect_to_host_async(r->client, a->endpoint, 0, r->cancellable,
                                          on_connected, a);
  }
  if (endpoints->len == 0) {
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

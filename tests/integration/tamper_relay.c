#include "tamper_relay.h"
#include <libsoup/soup.h>
#include <string.h>

struct TamperRelay {
  SoupServer *server;
  SoupSession *session;
  GCancellable *cancellable;
  char *upstream;
  char *url;
  TamperWhat what;
  guint altered;
  guint novice_pakes, helper_pakes;
  GList *pairs;
};

typedef struct {
  TamperRelay *relay;
  SoupWebsocketConnection *down, *up;
  GQueue pending;           /* texts from down before up was there */
  gboolean helper;          /* the down side claimed a code */
} Pair;

/* Flips one base64url character well inside the "pake" value. */
static void alter(char *text)
{
  char *value = strstr(text, "\"pake\":\"");
  if (value == NULL)
    return;
  value += strlen("\"pake\":\"");
  char *p = value + 12;
  *p = *p == 'A' ? 'B' : 'A';
}

static gboolean is_pake(const char *text) { return strstr(text, "\"pake\":\"") != NULL; }

static char *maybe_alter(Pair *pair, const char *text, gboolean from_down)
{
  TamperRelay *r = pair->relay;
  char *copy = g_strdup(text);
  if (!from_down || !is_pake(copy))
    return copy;
  guint n = pair->helper ? ++r->helper_pakes : ++r->novice_pakes;
  gboolean hit = (r->what == TAMPER_NOVICE_FIRST && !pair->helper && n == 1) ||
                 (r->what == TAMPER_HELPER_FIRST && pair->helper && n == 1) ||
                 (r->what == TAMPER_NOVICE_SECOND && !pair->helper && n == 2);
  if (hit) {
    alter(copy);
    r->altered++;
  }
  return copy;
}

static void on_down_message(SoupWebsocketConnection *ws, gint type, GBytes *message,
                            gpointer data)
{
  Pair *pair = data;
  (void)ws; (void)type;
  g_autofree char *text = g_strndup(g_bytes_get_data(message, NULL), g_bytes_get_size(message));
  if (strstr(text, "\"type\":\"claim\"") != NULL)
    pair->helper = TRUE;
  char *out = maybe_alter(pair, text, TRUE);
  if (pair->up != NULL) {
    soup_websocket_connection_send_text(pair->up, out);
    g_free(out);
  } else {
    g_queue_push_tail(&pair->pending, out);
  }
}

static void on_up_message(SoupWebsocketConnection *ws, gint type, GBytes *message,
                          gpointer data)
{
  Pair *pair = data;
  (void)ws; (void)type;
  g_autofree char *text = g_strndup(g_bytes_get_data(message, NULL), g_bytes_get_size(message));
  if (soup_websocket_connection_get_state(pair->down) == SOUP_WEBSOCKET_STATE_OPEN)
    soup_websocket_connection_send_text(pair->down, text);
}

static void close_side(SoupWebsocketConnection *ws)
{
  if (ws != NULL && soup_websocket_connection_get_state(ws) == SOUP_WEBSOCKET_STATE_OPEN)
    soup_websocket_connection_close(ws, SOUP_WEBSOCKET_CLOSE_NORMAL, NULL);
}

static void on_either_closed(SoupWebsocketConnection *ws, gpointer data)
{
  Pair *pair = data;
  close_side(ws == pair->down ? pair->up : pair->down);
}

static void on_up_connected(GObject *source, GAsyncResult *result, gpointer data)
{
  g_autoptr(GError) error = NULL;
  SoupWebsocketConnection *up =
    soup_session_websocket_connect_finish(SOUP_SESSION(source), result, &error);
  if (g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;   /* the relay is gone, and the pair with it */
  Pair *pair = data;
  pair->up = up;
  if (pair->up == NULL) {
    close_side(pair->down);
    return;
  }
  g_signal_connect(pair->up, "message", G_CALLBACK(on_up_message), pair);
  g_signal_connect(pair->up, "closed", G_CALLBACK(on_either_closed), pair);
  char *text;
  while ((text = g_queue_pop_head(&pair->pending)) != NULL) {
    soup_websocket_connection_send_text(pair->up, text);
    g_free(text);
  }
}

static void on_websocket(SoupServer *server, SoupServerMessage *msg, const char *path,
                         SoupWebsocketConnection *ws, gpointer data)
{
  TamperRelay *r = data;
  (void)server; (void)msg; (void)path;
  Pair *pair = g_new0(Pair, 1);
  pair->relay = r;
  pair->down = g_object_ref(ws);
  g_queue_init(&pair->pending);
  r->pairs = g_list_prepend(r->pairs, pair);
  g_signal_connect(ws, "message", G_CALLBACK(on_down_message), pair);
  g_signal_connect(ws, "closed", G_CALLBACK(on_either_closed), pair);
  SoupMessage *up = soup_message_new("GET", r->upstream);
  soup_session_websocket_connect_async(r->session, up, NULL, NULL, G_PRIORITY_DEFAULT,
                                       r->cancellable, on_up_connected, pair);
  g_object_unref(up);
}

TamperRelay *tamper_relay_new(const char *upstream_url, TamperWhat what)
{
  TamperRelay *r = g_new0(TamperRelay, 1);
  r->upstream = g_strdup(upstream_url);
  r->what = what;
  r->session = soup_session_new();
  r->cancellable = g_cancellable_new();
  r->server = soup_server_new(NULL, NULL);
  soup_server_add_websocket_handler(r->server, "/lifeline", NULL, NULL, on_websocket, r, NULL);
  g_assert_true(soup_server_listen_local(r->server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, NULL));
  GSList *uris = soup_server_get_uris(r->server);
  r->url = g_strdup_printf("ws://127.0.0.1:%d/lifeline", g_uri_get_port(uris->data));
  g_slist_free_full(uris, (GDestroyNotify)g_uri_unref);
  return r;
}

const char *tamper_relay_url(TamperRelay *r) { return r->url; }
guint tamper_relay_altered(TamperRelay *r) { return r->altered; }

static void pair_free(gpointer data)
{
  Pair *pair = data;
  g_signal_handlers_disconnect_by_data(pair->down, pair);
  close_side(pair->down);
  g_object_unref(pair->down);
  if (pair->up != NULL) {
    g_signal_handlers_disconnect_by_data(pair->up, pair);
    close_side(pair->up);
    g_object_unref(pair->up);
  }
  g_queue_clear_full(&pair->pending, g_free);
  g_free(pair);
}

void tamper_relay_free(TamperRelay *r)
{
  g_cancellable_cancel(r->cancellable);
  g_clear_object(&r->cancellable);
  g_list_free_full(r->pairs, pair_free);
  soup_server_disconnect(r->server);
  g_object_unref(r->server);
  g_object_unref(r->session);
  g_free(r->upstream);
  g_free(r->url);
  g_free(r);
}

#include "novice/code_waiter.h"
#include "common/code_exchange.h"
#include "common/encoding.h"
#include "common/error.h"
#include "net/rendezvous_client.h"
#include <sodium.h>
#include <string.h>

/* A helper who claimed the code has this long to finish the exchange. */
#define EXCHANGE_TIMEOUT_S 20
/* After a lost connection, the next try. */
#define RETRY_S 3
/* A finished connection lives on until the helper leaves, at most this
 * long, so that its last message (the sealed invitation, or "wrong
 * code") reaches the helper. */
#define LINGER_S 5

struct LlCodeWaiter {
  char *url;
  LlInvitation *invitation;
  LlCodeWaiterEvents events;
  gpointer user_data;
  LlRendezvousClient *client;     /* the current code's */
  LlPairingCode code;
  LlCodeExchange *exchange;       /* while a helper tries it */
  guint32 peer;
  gboolean shown;                 /* a code was shown at least once */
  gboolean matched;
  guint wrong_tries;
  guint timer;                    /* the exchange's deadline, or the next try */
  guint next_idle;                /* a fresh code, out of the client's callback */
  GError *why_next;               /* why the next code comes */
  GSList *lingering;              /* finished clients, freed after LINGER_S */
};

static void start_code(LlCodeWaiter *w);

/* ---- retiring connections ---- */

typedef struct {
  LlCodeWaiter *waiter;
  LlRendezvousClient *client;
  guint timer;
} Lingering;

static gboolean on_linger_over(gpointer data)
{
  Lingering *l = data;
  l->waiter->lingering = g_slist_remove(l->waiter->lingering, l);
  ll_rendezvous_client_free(l->client);
  g_free(l);
  return G_SOURCE_REMOVE;
}

/* The helper has what it needed (or the connection is gone): the
 * connection ends now, out of its own callback. */
static void linger_end(Lingering *l)
{
  ll_rendezvous_client_forget_events(l->client);
  g_source_remove(l->timer);
  l->timer = g_idle_add(on_linger_over, l);
}

static void linger_peer_left(LlRendezvousClient *c, guint32 peer, gpointer data)
{
  (void)c; (void)peer;
  linger_end(data);
}

static void linger_closed(LlRendezvousClient *c, const GError *why, gpointer data)
{
  (void)c; (void)why;
  linger_end(data);
}

static const LlRendezvousEvents linger_events = {
  .peer_left = linger_peer_left, .closed = linger_closed,
};

static void retire_client(LlCodeWaiter *w)
{
  if (w->client == NULL)
    return;
  Lingering *l = g_new0(Lingering, 1);
  l->waiter = w;
  l->client = g_steal_pointer(&w->client);
  /* Nobody there to wait for: end at once. */
  l->timer = w->peer != 0 ? g_timeout_add_seconds(LINGER_S, on_linger_over, l)
                          : g_idle_add(on_linger_over, l);
  if (w->peer != 0)
    ll_rendezvous_client_set_events(l->client, &linger_events, l);
  else
    ll_rendezvous_client_forget_events(l->client);
  w->lingering = g_slist_prepend(w->lingering, l);
}

/* ---- the next code ---- */

static gboolean on_next(gpointer data)
{
  LlCodeWaiter *w = data;
  w->next_idle = 0;
  start_code(w);
  return G_SOURCE_REMOVE;
}

/* This code is over (WHY says how); a fresh one comes at once, or after
 * RETRY_S when the rendezvous could not be reached. */
static void next_code(LlCodeWaiter *w, GError *why, guint delay_s)
{
  retire_client(w);
  g_clear_pointer(&w->exchange, ll_code_exchange_free);
  ll_pairing_code_clear(&w->code);
  g_clear_handle_id(&w->timer, g_source_remove);
  g_clear_handle_id(&w->next_idle, g_source_remove);
  g_clear_error(&w->why_next);
  w->why_next = why;
  w->peer = 0;
  w->next_idle = delay_s == 0 ? g_idle_add(on_next, w)
                              : g_timeout_add_seconds(delay_s, on_next, w);
}

static gboolean on_exchange_timeout(gpointer data)
{
  LlCodeWaiter *w = data;
  w->timer = 0;
  g_info("a code's exchange did not finish in time");
  next_code(w, g_error_new_literal(LL_ERROR, LL_ERROR_CONNECTION_LOST,
                                   "someone began to use the code but did not finish"), 0);
  return G_SOURCE_REMOVE;
}

/* ---- the exchange ---- */

static void send_pake(LlCodeWaiter *w, GBytes *message)
{
  gsize n;
  const guint8 *d = g_bytes_get_data(message, &n);
  g_autoptr(LlSignalMessage) m = ll_signal_message_new(LL_SIGNAL_SIGNAL);
  m->data_kind = LL_ICE_PAKE;
  m->pake = ll_base64url_encode(d, n);
  ll_rendezvous_client_send_signal(w->client, w->peer, m);
}

static void on_peer(LlRendezvousClient *c, guint32 peer, gpointer data)
{
  LlCodeWaiter *w = data;
  (void)c;
  if (w->exchange != NULL)
    return;   /* the rendezvous lets one helper claim a code */
  w->peer = peer;
  guint8 key[LL_FINGERPRINT_BYTES];
  memcpy(key, w->invitation->fingerprint, sizeof key);
  w->exchange = ll_code_exchange_new_novice(&w->code, key);
  g_autoptr(GBytes) a = ll_code_exchange_first(w->exchange);
  send_pake(w, a);
  g_clear_handle_id(&w->timer, g_source_remove);
  w->timer = g_timeout_add_seconds(EXCHANGE_TIMEOUT_S, on_exchange_timeout, w);
}

static void confirmed(LlCodeWaiter *w)
{
  g_autoptr(GError) error = NULL;
  guint8 helper_key[LL_FINGERPRINT_BYTES];
  memcpy(helper_key, ll_code_exchange_peer_key(w->exchange), sizeof helper_key);
  g_autoptr(GBytes) sealed = ll_code_exchange_seal(w->exchange, w->invitation, &error);
  if (sealed == NULL) {
    g_warning("cannot answer a code: %s", error->message);
    next_code(w, g_steal_pointer(&error), 0);
    return;
  }
  send_pake(w, sealed);
  w->matched = TRUE;
  g_clear_handle_id(&w->timer, g_source_remove);
  g_clear_pointer(&w->exchange, ll_code_exchange_free);
  ll_pairing_code_clear(&w->code);
  retire_client(w);
  g_info("a helper knew the code");
  w->events.matched(w, helper_key, w->user_data);
}

static void on_signal(LlRendezvousClient *c, guint32 peer, const LlSignalMessage *m,
                      gpointer data)
{
  LlCodeWaiter *w = data;
  (void)c;
  if (w->exchange == NULL || peer != w->peer || m->data_kind != LL_ICE_PAKE)
    return;
  gsize n = 0;
  g_autofree guint8 *bytes = ll_base64url_decode(m->pake, LL_CODE_MESSAGE_MAX, &n);
  g_autoptr(GError) error = NULL;
  GBytes *reply = NULL;
  LlCodeStep step = bytes != NULL
                      ? ll_code_exchange_receive(w->exchange, bytes, n, &reply, &error)
                      : ll_code_exchange_receive(w->exchange, (const guint8 *)"", 0, &reply,
                                                 &error);
  if (reply != NULL) {
    send_pake(w, reply);
    g_bytes_unref(reply);
  }
  if (step == LL_CODE_CONFIRMED) {
    confirmed(w);
  } else if (step == LL_CODE_FAILED) {
    w->wrong_tries++;
    g_info("a wrong code was tried (%u so far)", w->wrong_tries);
    next_code(w, g_error_new_literal(LL_ERROR, LL_ERROR_WRONG_CODE,
                                     "someone tried a wrong code"), 0);
  }
}

static void on_peer_left(LlRendezvousClient *c, guint32 peer, gpointer data)
{
  LlCodeWaiter *w = data;
  (void)c;
  if (w->exchange != NULL && peer == w->peer)
    next_code(w, g_error_new_literal(LL_ERROR, LL_ERROR_CONNECTION_LOST,
                                     "someone began to use the code but did not finish"), 0);
}

/* ---- the code's mailbox ---- */

static void on_opened(LlRendezvousClient *c, const char *mailbox, const LlIceServers *ice,
                      gpointer data)
{
  LlCodeWaiter *w = data;
  (void)mailbox; (void)ice;
  const char *nameplate = ll_rendezvous_client_nameplate(c);
  if (nameplate == NULL || !ll_nameplate_is_valid(nameplate)) {
    next_code(w, g_error_new_literal(LL_ERROR, LL_ERROR_PROTOCOL,
                                     "the rendezvous does not give out codes"), RETRY_S);
    return;
  }
  g_strlcpy(w->code.nameplate, nameplate, sizeof w->code.nameplate);
  ll_pairing_code_new_secret(w->code.secret);
  g_autofree char *text = ll_pairing_code_format(&w->code);
  g_autoptr(GError) why = g_steal_pointer(&w->why_next);
  w->shown = TRUE;
  w->events.code(w, text, why, w->user_data);
  sodium_memzero(text, strlen(text));
}

static void on_closed(LlRendezvousClient *c, const GError *why, gpointer data)
{
  LlCodeWaiter *w = data;
  (void)c;
  if (g_error_matches(why, LL_ERROR, LL_ERROR_EXPIRED)) {
    next_code(w, g_error_new_literal(LL_ERROR, LL_ERROR_EXPIRED, "the code's time was over"), 0);
    return;
  }
  GError *lost = why != NULL ? g_error_copy(why)
                             : g_error_new_literal(LL_ERROR, LL_ERROR_CONNECTION_LOST,
                                                   "the rendezvous closed the connection");
  w->events.unavailable(w, lost, w->user_data);
  next_code(w, lost, RETRY_S);
}

static const LlRendezvousEvents code_events = {
  .opened = on_opened, .peer = on_peer, .peer_left = on_peer_left, .signal = on_signal,
  .closed = on_closed,
};

static void start_code(LlCodeWaiter *w)
{
  w->client = ll_rendezvous_client_new(w->url, &code_events, w);
  ll_rendezvous_client_open_code(w->client, LL_CODE_LIFETIME_S);
}

LlCodeWaiter *ll_code_waiter_new(const char *rendezvous_url, LlInvitation *invitation,
                                 const LlCodeWaiterEvents *events, gpointer user_data)
{
  LlCodeWaiter *w = g_new0(LlCodeWaiter, 1);
  w->url = g_strdup(rendezvous_url);
  w->invitation = invitation;
  w->events = *events;
  w->user_data = user_data;
  start_code(w);
  return w;
}

guint ll_code_waiter_wrong_tries(LlCodeWaiter *w) { return w->wrong_tries; }

void ll_code_waiter_free(LlCodeWaiter *w)
{
  if (w == NULL)
    return;
  g_clear_handle_id(&w->timer, g_source_remove);
  g_clear_handle_id(&w->next_idle, g_source_remove);
  while (w->lingering != NULL) {
    Lingering *l = w->lingering->data;
    g_source_remove(l->timer);
    on_linger_over(l);
  }
  ll_rendezvous_client_free(w->client);
  ll_code_exchange_free(w->exchange);
  ll_pairing_code_clear(&w->code);
  g_clear_error(&w->why_next);
  g_free(w->url);
  g_free(w);
}

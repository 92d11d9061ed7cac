#include "helper/code_claim.h"
#include "common/code_exchange.h"
#include "common/encoding.h"
#include "common/error.h"
#include "net/rendezvous_client.h"
#include <string.h>

struct LlCodeClaim {
  LlRendezvousClient *client;
  LlCodeExchange *exchange;
  LlCodeClaimDone done;
  gpointer user_data;
  guint timer;
  guint finish_idle;
  LlInvitation *invitation;   /* the result, until reported */
  GError *error;
  gboolean over;
};

static gboolean report(gpointer data)
{
  LlCodeClaim *c = data;
  c->finish_idle = 0;
  LlCodeClaimDone done = g_steal_pointer(&c->done);
  if (done != NULL)
    done(c, g_steal_pointer(&c->invitation), c->error, c->user_data);   /* may free C */
  return G_SOURCE_REMOVE;
}

/* Over, with INVITATION or ERROR: reported from the main loop, never
 * from inside the rendezvous client's callback. */
static void finish(LlCodeClaim *c, LlInvitation *invitation, GError *error)
{
  if (c->over) {
    if (invitation != NULL)
      ll_invitation_free(invitation);
    g_clear_error(&error);
    return;
  }
  c->over = TRUE;
  c->invitation = invitation;
  c->error = error;
  g_clear_handle_id(&c->timer, g_source_remove);
  ll_rendezvous_client_forget_events(c->client);
  c->finish_idle = g_idle_add(report, c);
}

static gboolean on_timeout(gpointer data)
{
  LlCodeClaim *c = data;
  c->timer = 0;
  finish(c, NULL, g_error_new(LL_ERROR, LL_ERROR_UNREACHABLE,
                              "the other side did not answer within %d seconds; ask for a "
                              "new code and try again", LL_CODE_CLAIM_TIMEOUT_S));
  return G_SOURCE_REMOVE;
}

static void on_signal(LlRendezvousClient *rc, guint32 peer, const LlSignalMessage *m,
                      gpointer data)
{
  LlCodeClaim *c = data;
  (void)peer;
  if (m->data_kind != LL_ICE_PAKE)
    return;
  gsize n = 0;
  g_autofree guint8 *bytes = ll_base64url_decode(m->pake, LL_CODE_MESSAGE_MAX, &n);
  GError *error = NULL;
  GBytes *reply = NULL;
  LlCodeStep step = ll_code_exchange_receive(c->exchange, bytes != NULL ? bytes : (guint8 *)"",
                                             bytes != NULL ? n : 0, &reply, &error);
  if (reply != NULL) {
    gsize len;
    const guint8 *d = g_bytes_get_data(reply, &len);
    g_autoptr(LlSignalMessage) out = ll_signal_message_new(LL_SIGNAL_SIGNAL);
    out->data_kind = LL_ICE_PAKE;
    out->pake = ll_base64url_encode(d, len);
    ll_rendezvous_client_send_signal(rc, 0, out);
    g_bytes_unref(reply);
  }
  if (step == LL_CODE_DONE)
    finish(c, ll_code_exchange_take_invitation(c->exchange), NULL);
  else if (step == LL_CODE_FAILED)
    finish(c, NULL, error);
}

static void on_closed(LlRendezvousClient *rc, const GError *why, gpointer data)
{
  LlCodeClaim *c = data;
  (void)rc;
  if (g_error_matches(why, LL_ERROR, LL_ERROR_NOT_WAITING)) {
    finish(c, NULL, g_error_new_literal(LL_ERROR, LL_ERROR_NOT_WAITING,
                                        "no code like this one is waiting: check the digits "
                                        "with the person you help (a code works once, for 10 "
                                        "minutes); if they are right, ask for a new code"));
    return;
  }
  finish(c, NULL, why != NULL ? g_error_copy(why)
                              : g_error_new_literal(LL_ERROR, LL_ERROR_CONNECTION_LOST,
                                                    "the rendezvous closed the connection"));
}

static const LlRendezvousEvents claim_events = { .signal = on_signal, .closed = on_closed };

LlCodeClaim *ll_code_claim_new(const char *rendezvous_url, const LlPairingCode *code,
                               const guint8 helper_key[LL_FINGERPRINT_BYTES],
                               LlCodeClaimDone done, gpointer user_data)
{
  LlCodeClaim *c = g_new0(LlCodeClaim, 1);
  c->done = done;
  c->user_data = user_data;
  c->exchange = ll_code_exchange_new_helper(code, helper_key);
  c->client = ll_rendezvous_client_new(rendezvous_url, &claim_events, c);
  ll_rendezvous_client_claim(c->client, code->nameplate);
  c->timer = g_timeout_add_seconds(LL_CODE_CLAIM_TIMEOUT_S, on_timeout, c);
  return c;
}

void ll_code_claim_free(LlCodeClaim *c)
{
  if (c == NULL)
    return;
  g_clear_handle_id(&c->timer, g_source_remove);
  g_clear_handle_id(&c->finish_idle, g_source_remove);
  ll_rendezvous_client_free(c->client);
  ll_code_exchange_free(c->exchange);
  if (c->invitation != NULL)
    ll_invitation_free(c->invitation);
  g_clear_error(&c->error);
  g_free(c);
}

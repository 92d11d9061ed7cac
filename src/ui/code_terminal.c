#include "ui/code_terminal.h"
#include "common/error.h"
#include "ui/terminal.h"

static void on_code(LlCodeWaiter *waiter, const char *code, const GError *why, gpointer data)
{
  (void)waiter; (void)data;
  if (g_error_matches(why, LL_ERROR, LL_ERROR_WRONG_CODE))
    ll_say("Someone typed a wrong code. That code no longer works.");
  else if (g_error_matches(why, LL_ERROR, LL_ERROR_EXPIRED))
    ll_say("The code's time is over.");
  else if (g_error_matches(why, LL_ERROR, LL_ERROR_CONNECTION_LOST))
    ll_say("Someone began to type the code but did not finish. That code no longer works.");
  else if (why != NULL)
    ll_say("The rendezvous can be reached again.");
  ll_say("Tell your helper this code: %s", code);
  if (why == NULL)
    ll_say("It works once, for 10 minutes; if it is used up, a new code appears here.");
}

static void on_unavailable(LlCodeWaiter *waiter, const GError *why, gpointer data)
{
  (void)waiter; (void)data;
  g_info("rendezvous: %s", why->message);
  ll_say("The rendezvous server cannot be reached, so no code works now. Trying again...");
}

static void on_matched(LlCodeWaiter *waiter, const guint8 key[LL_FINGERPRINT_BYTES],
                       gpointer data)
{
  (void)waiter;
  ll_novice_host_pin_helper(data, key);
  ll_say("Your helper typed the code. Waiting for them to connect.");
}

static const LlCodeWaiterEvents terminal_events = { on_code, on_unavailable, on_matched };

LlCodeWaiter *ll_code_terminal_start(LlNoviceHost *host, const char *rendezvous_url,
                                     LlInvitation *invitation)
{
  return ll_code_waiter_new(rendezvous_url, invitation, &terminal_events, host);
}

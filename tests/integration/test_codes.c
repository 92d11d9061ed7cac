/* Codes end to end in one process: a real rendezvous on loopback, the
 * novice's code waiter and the helper's claim, with the right code, a
 * wrong one, an expired one and a thousand guesses. */
#include "common/error.h"
#include "common/pairing_code.h"
#include "helper/code_claim.h"
#include "novice/code_waiter.h"
#include "rendezvous/rendezvous_server.h"
#include <sodium.h>
#include <string.h>
#include "main_loop_wait.h"
#include "tamper_relay.h"

#define WAIT_MS 10000

typedef struct {
  LlRendezvousServer *server;
  TamperRelay *relay;         /* between both sides and the server, when set */
  char *url;
  LlInvitation *invitation;
  guint8 original_secret[32];
  LlCodeWaiter *waiter;
  /* the novice's side */
  char *code;
  int codes;
  int last_why;          /* the last new code's reason, -1 for none */
  gboolean matched;
  guint8 matched_key[32];
  gboolean code_changed;
  /* the helper's side */
  gboolean claimed;
  LlInvitation *got;
  int claim_error;       /* -1 for none */
  char *claim_message;
} Fixture;

static void w_code(LlCodeWaiter *w, const char *code, const GError *why, gpointer data)
{
  Fixture *f = data;
  (void)w;
  g_free(f->code);
  f->code = g_strdup(code);
  f->codes++;
  f->last_why = why != NULL ? why->code : -1;
  f->code_changed = TRUE;
}

static void w_unavailable(LlCodeWaiter *w, const GError *why, gpointer data)
{
  (void)w; (void)data;
  g_test_message("rendezvous unavailable: %s", why->message);
}

static void w_matched(LlCodeWaiter *w, const guint8 key[32], gpointer data)
{
  Fixture *f = data;
  (void)w;
  f->matched = TRUE;
  memcpy(f->matched_key, key, 32);
}

static const LlCodeWaiterEvents waiter_events = { w_code, w_unavailable, w_matched };

static void start_via(Fixture *f, gint64 code_lifetime, TamperWhat tamper)
{
  LlRendezvousConfig config;
  ll_rendezvous_config_defaults(&config);
  config.listen_address = "127.0.0.1";
  config.claims_per_address_per_minute = 100000;
  config.claims_per_minute = 100000;
  config.max_code_lifetime = code_lifetime;
  config.max_connections_per_address = 64;
  config.connections_per_thread = 1;   /* both ends on threads of their own */
  g_autoptr(GError) error = NULL;
  f->server = ll_rendezvous_server_new(&config, &error);
  g_assert_no_error(error);
  f->url = g_strdup_printf("ws://127.0.0.1:%u/lifeline", ll_rendezvous_server_port(f->server));
  if (tamper != 0) {
    f->relay = tamper_relay_new(f->url, tamper);
    g_free(f->url);
    f->url = g_strdup(tamper_relay_url(f->relay));
  }
  guint8 key[32];
  randombytes_buf(key, sizeof key);
  f->invitation = ll_invitation_new("Ann", key, g_get_real_time() / G_USEC_PER_SEC, 3600);
  f->invitation->rendezvous_url = g_strdup(f->url);
  f->invitation->mailbox_id = g_strdup("the-invitations-mailbox");
  memcpy(f->original_secret, f->invitation->secret, 32);
  f->last_why = -1;
  f->waiter = ll_code_waiter_new(f->url, f->invitation, &waiter_events, f);
  wait_until(&f->code_changed, WAIT_MS);
  f->code_changed = FALSE;
}

static void start(Fixture *f, gint64 code_lifetime)
{
  start_via(f, code_lifetime, 0);
}

static void stop(Fixture *f)
{
  ll_code_waiter_free(f->waiter);
  if (f->relay != NULL)
    tamper_relay_free(f->relay);
  ll_rendezvous_server_free(f->server);
  ll_invitation_free(f->invitation);
  if (f->got != NULL)
    ll_invitation_free(f->got);
  g_free(f->code);
  g_free(f->claim_message);
  g_free(f->url);
}

static void c_done(LlCodeClaim *claim, LlInvitation *invitation, const GError *error,
                   gpointer data)
{
  Fixture *f = data;
  (void)claim;
  if (f->got != NULL)
    ll_invitation_free(f->got);
  f->got = invitation;
  f->claim_error = error != NULL ? error->code : -1;
  g_free(f->claim_message);
  f->claim_message = g_strdup(error != NULL ? error->message : "");
  f->claimed = TRUE;
}

/* The helper types TEXT; returns the claim's error code (-1: it worked). */
static int claim(Fixture *f, const char *text, const guint8 helper_key[32])
{
  LlPairingCode code;
  g_assert_true(ll_pairing_code_parse(text, &code, NULL));
  f->claimed = FALSE;
  LlCodeClaim *c = ll_code_claim_new(f->url, &code, helper_key, c_done, f);
  wait_until(&f->claimed, WAIT_MS);
  ll_code_claim_free(c);
  return f->claim_error;
}

/* The same code with its last digit changed. */
static char *mistyped(const char *code)
{
  char *wrong = g_strdup(code);
  char *last = wrong + strlen(wrong) - 1;
  *last = *last == '9' ? '0' : *last + 1;
  return wrong;
}

static void test_right_code(void)
{
  Fixture f = { 0 };
  start(&f, 600);
  g_assert_cmpint(f.last_why, ==, -1);
  g_assert_cmpuint(strlen(f.code), ==, 11);   /* 482-913-075 */
  guint8 helper_key[32];
  randombytes_buf(helper_key, sizeof helper_key);
  g_assert_cmpint(claim(&f, f.code, helper_key), ==, -1);
  wait_until(&f.matched, WAIT_MS);
  /* Both sides now hold the same invitation, with the PAKE's secret. */
  g_assert_cmpmem(f.matched_key, 32, helper_key, 32);
  g_assert_cmpstr(f.got->session_id, ==, f.invitation->session_id);
  g_assert_cmpmem(f.got->fingerprint, 32, f.invitation->fingerprint, 32);
  g_assert_cmpmem(f.got->secret, 32, f.invitation->secret, 32);
  g_assert_true(memcmp(f.invitation->secret, f.original_secret, 32) != 0);
  g_assert_cmpstr(f.got->mailbox_id, ==, "the-invitations-mailbox");
  g_assert_cmpstr(f.got->rendezvous_url, ==, f.url);
  g_assert_cmpint(f.codes, ==, 1);   /* no new code after a match */
  stop(&f);
}

static void test_wrong_code(void)
{
  Fixture f = { 0 };
  start(&f, 600);
  g_autofree char *first = g_strdup(f.code);
  g_autofree char *wrong = mistyped(first);
  guint8 helper_key[32] = { 7 };
  g_assert_cmpint(claim(&f, wrong, helper_key), ==, LL_ERROR_WRONG_CODE);
  g_assert_nonnull(strstr(f.claim_message, "not the code you were given"));
  /* The novice hears of it and gets a fresh code at once. */
  wait_until(&f.code_changed, WAIT_MS);
  g_assert_cmpint(f.last_why, ==, LL_ERROR_WRONG_CODE);
  g_assert_cmpstr(f.code, !=, first);
  g_assert_cmpuint(ll_code_waiter_wrong_tries(f.waiter), ==, 1);
  /* The old code, typed right now, no longer works. */
  g_assert_cmpint(claim(&f, first, helper_key), ==, LL_ERROR_NOT_WAITING);
  g_assert_nonnull(strstr(f.claim_message, "check the digits"));
  g_assert_false(f.matched);
  g_assert_cmpmem(f.invitation->secret, 32, f.original_secret, 32);
  /* The new one does. */
  g_assert_cmpint(claim(&f, f.code, helper_key), ==, -1);
  wait_until(&f.matched, WAIT_MS);
  stop(&f);
}

static void test_expired_code(void)
{
  Fixture f = { 0 };
  start(&f, 1);
  g_autofree char *first = g_strdup(f.code);
  wait_until(&f.code_changed, WAIT_MS);
  g_assert_cmpint(f.last_why, ==, LL_ERROR_EXPIRED);
  guint8 helper_key[32] = { 7 };
  g_assert_cmpint(claim(&f, first, helper_key), ==, LL_ERROR_NOT_WAITING);
  g_assert_false(f.matched);
  stop(&f);
}

/* An attacker who somehow knows every nameplate as it appears guesses
 * the secret a thousand times: no guess gets in, each burns its code,
 * and the novice's right code still works afterwards. */
static void test_thousand_guesses(void)
{
  Fixture f = { 0 };
  start(&f, 600);
  guint8 attacker[32] = { 9 };
  int refused = 0;
  for (int i = 0; i < 1000; i++) {
    LlPairingCode shown;
    g_assert_true(ll_pairing_code_parse(f.code, &shown, NULL));
    char guess[LL_NAMEPLATE_MAX_DIGITS + LL_CODE_SECRET_DIGITS + 1], secret[7];
    /* A random guess, but never the secret itself: a guess that is right
     * one time in a million would make this test fail as often. */
    do
      ll_pairing_code_new_secret(secret);
    while (strcmp(secret, shown.secret) == 0);
    g_snprintf(guess, sizeof guess, "%s%s", shown.nameplate, secret);
    f.code_changed = FALSE;
    gint64 t0 = g_get_monotonic_time();
    int result = claim(&f, guess, attacker);
    if (result == LL_ERROR_WRONG_CODE)
      refused++;
    else
      g_test_message("guess %d: %d %s after %" G_GINT64_FORMAT " ms", i, result,
                     f.claim_message, (g_get_monotonic_time() - t0) / 1000);
    wait_until(&f.code_changed, WAIT_MS);
  }
  g_assert_cmpint(refused, ==, 1000);
  g_assert_false(f.matched);
  g_assert_cmpuint(ll_code_waiter_wrong_tries(f.waiter), ==, 1000);
  g_assert_cmpmem(f.invitation->secret, 32, f.original_secret, 32);
  guint8 helper_key[32] = { 1 };
  g_assert_cmpint(claim(&f, f.code, helper_key), ==, -1);
  wait_until(&f.matched, WAIT_MS);
  stop(&f);
}

/* A rendezvous that alters a PAKE message: the exchange fails, the
 * helper gets no invitation, and (for A and B) the novice never seals
 * it, keeps its secret and shows a fresh code. */
static void tampered(gconstpointer data)
{
  TamperWhat what = GPOINTER_TO_INT(data);
  Fixture f = { 0 };
  start_via(&f, 600, what);
  guint8 helper_key[32] = { 5 };
  int result = claim(&f, f.code, helper_key);
  g_assert_cmpuint(tamper_relay_altered(f.relay), ==, 1);
  g_assert_true(result == LL_ERROR_WRONG_CODE || result == LL_ERROR_PROTOCOL);
  g_assert_null(f.got);
  if (what == TAMPER_NOVICE_SECOND) {
    /* The sealed invitation was altered: it does not open. */
    g_assert_nonnull(strstr(f.claim_message, "may have altered it"));
    g_assert_true(f.matched);
  } else {
    wait_until(&f.code_changed, WAIT_MS);
    g_assert_false(f.matched);
    g_assert_cmpint(f.last_why, ==, LL_ERROR_WRONG_CODE);
    g_assert_cmpmem(f.invitation->secret, 32, f.original_secret, 32);
  }
  stop(&f);
}

int main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_assert_cmpint(sodium_init(), >=, 0);
  g_test_add_func("/codes/right-code", test_right_code);
  g_test_add_func("/codes/wrong-code", test_wrong_code);
  g_test_add_func("/codes/expired-code", test_expired_code);
  g_test_add_func("/codes/thousand-guesses", test_thousand_guesses);
  g_test_add_data_func("/codes/tampered/novice-first", GINT_TO_POINTER(TAMPER_NOVICE_FIRST),
                       tampered);
  g_test_add_data_func("/codes/tampered/helper-first", GINT_TO_POINTER(TAMPER_HELPER_FIRST),
                       tampered);
  g_test_add_data_func("/codes/tampered/sealed-invitation",
                       GINT_TO_POINTER(TAMPER_NOVICE_SECOND), tampered);
  return g_test_run();
}

/* The code exchange: CPace, confirmation and the sealed invitation
 * between a novice and a helper, with wrong codes and a rendezvous that
 * alters what it carries. */
#include "common/code_exchange.h"
#include "common/error.h"
#include <sodium.h>
#include <string.h>

typedef struct {
  LlPairingCode code;
  guint8 novice_key[32], helper_key[32];
  LlInvitation *invitation;
  guint8 original_secret[32];
} Fixture;

static void setup(Fixture *f, gconstpointer data)
{
  (void)data;
  g_assert_true(ll_pairing_code_parse("482-913-075", &f->code, NULL));
  randombytes_buf(f->novice_key, 32);
  randombytes_buf(f->helper_key, 32);
  f->invitation = ll_invitation_new("Ann", f->novice_key, g_get_real_time() / G_USEC_PER_SEC,
                                    3600);
  ll_invitation_add_endpoint(f->invitation, "192.0.2.7:4555");
  f->invitation->rendezvous_url = g_strdup("wss://rdv.example.org/lifeline");
  f->invitation->mailbox_id = g_strdup("mailbox");
  memcpy(f->original_secret, f->invitation->secret, 32);
}

static void teardown(Fixture *f, gconstpointer data)
{
  (void)data;
  ll_invitation_free(f->invitation);
}

/* What a rendezvous may do to a message on its way. */
typedef void (*Tamper)(guint8 *data, gsize len);

static GBytes *carry(GBytes *message, Tamper tamper)
{
  gsize n;
  const guint8 *d = g_bytes_get_data(message, &n);
  guint8 *copy = g_memdup2(d, n);
  if (tamper != NULL)
    tamper(copy, n);
  g_bytes_unref(message);
  return g_bytes_new_take(copy, n);
}

static LlCodeStep deliver(LlCodeExchange *to, GBytes *message, GBytes **reply, GError **error)
{
  gsize n;
  const guint8 *d = g_bytes_get_data(message, &n);
  return ll_code_exchange_receive(to, d, n, reply, error);
}

static void test_happy_path(Fixture *f, gconstpointer data)
{
  (void)data;
  g_autoptr(LlCodeExchange) novice = ll_code_exchange_new_novice(&f->code, f->novice_key);
  g_autoptr(LlCodeExchange) helper = ll_code_exchange_new_helper(&f->code, f->helper_key);
  g_autoptr(GError) error = NULL;
  GBytes *a = ll_code_exchange_first(novice), *b = NULL, *c = NULL, *none = NULL;
  g_assert_cmpint(deliver(helper, a, &b, &error), ==, LL_CODE_MORE);
  g_assert_nonnull(b);
  g_assert_cmpint(deliver(novice, b, &none, &error), ==, LL_CODE_CONFIRMED);
  g_assert_null(none);
  g_assert_cmpmem(ll_code_exchange_peer_key(novice), 32, f->helper_key, 32);
  c = ll_code_exchange_seal(novice, f->invitation, &error);
  g_assert_no_error(error);
  /* The invitation's secret is now the PAKE's, not the random one. */
  g_assert_true(memcmp(f->invitation->secret, f->original_secret, 32) != 0);
  g_assert_cmpint(deliver(helper, c, &none, &error), ==, LL_CODE_DONE);
  g_assert_no_error(error);
  g_autoptr(LlInvitation) got = ll_code_exchange_take_invitation(helper);
  g_assert_cmpstr(got->session_id, ==, f->invitation->session_id);
  g_assert_cmpmem(got->fingerprint, 32, f->novice_key, 32);
  g_assert_cmpmem(got->secret, 32, f->invitation->secret, 32);
  g_assert_cmpstr(got->mailbox_id, ==, "mailbox");
  g_assert_cmpuint(got->endpoints->len, ==, 1);
  g_bytes_unref(a);
  g_bytes_unref(b);
  g_bytes_unref(c);
}

static void test_two_runs_give_different_secrets(Fixture *f, gconstpointer data)
{
  (void)data;
  guint8 first[32];
  for (int run = 0; run < 2; run++) {
    g_autoptr(LlCodeExchange) novice = ll_code_exchange_new_novice(&f->code, f->novice_key);
    g_autoptr(LlCodeExchange) helper = ll_code_exchange_new_helper(&f->code, f->helper_key);
    GBytes *a = ll_code_exchange_first(novice), *b = NULL, *none = NULL;
    g_assert_cmpint(deliver(helper, a, &b, NULL), ==, LL_CODE_MORE);
    g_assert_cmpint(deliver(novice, b, &none, NULL), ==, LL_CODE_CONFIRMED);
    GBytes *c = ll_code_exchange_seal(novice, f->invitation, NULL);
    if (run == 0)
      memcpy(first, f->invitation->secret, 32);
    else
      g_assert_true(memcmp(first, f->invitation->secret, 32) != 0);
    g_bytes_unref(a);
    g_bytes_unref(b);
    g_bytes_unref(c);
  }
}

/* The helper types CODE_TEXT; the novice gave f->code. */
static void wrong_code(Fixture *f, const char *code_text)
{
  LlPairingCode typed;
  g_assert_true(ll_pairing_code_parse(code_text, &typed, NULL));
  g_autoptr(LlCodeExchange) novice = ll_code_exchange_new_novice(&f->code, f->novice_key);
  g_autoptr(LlCodeExchange) helper = ll_code_exchange_new_helper(&typed, f->helper_key);
  g_autoptr(GError) novice_error = NULL, helper_error = NULL;
  GBytes *a = ll_code_exchange_first(novice), *b = NULL, *w = NULL, *none = NULL;
  g_assert_cmpint(deliver(helper, a, &b, NULL), ==, LL_CODE_MORE);
  g_assert_cmpint(deliver(novice, b, &w, &novice_error), ==, LL_CODE_FAILED);
  g_assert_error(novice_error, LL_ERROR, LL_ERROR_WRONG_CODE);
  g_assert_nonnull(w);
  g_assert_cmpint(deliver(helper, w, &none, &helper_error), ==, LL_CODE_FAILED);
  g_assert_error(helper_error, LL_ERROR, LL_ERROR_WRONG_CODE);
  g_assert_null(ll_code_exchange_take_invitation(helper));
  /* The novice's secret was never touched. */
  g_assert_cmpmem(f->invitation->secret, 32, f->original_secret, 32);
  g_bytes_unref(a);
  g_bytes_unref(b);
  g_bytes_unref(w);
}

static void test_wrong_code(Fixture *f, gconstpointer data)
{
  (void)data;
  wrong_code(f, "482-913-076");
  /* The same secret under another nameplate is another code. */
  wrong_code(f, "483-913-075");
}

static void test_many_guesses(Fixture *f, gconstpointer data)
{
  (void)data;
  for (int i = 0; i < 200; i++) {
    char secret[7], text[16];
    do
      ll_pairing_code_new_secret(secret);
    while (strcmp(secret, f->code.secret) == 0);
    g_snprintf(text, sizeof text, "482%s", secret);
    wrong_code(f, text);
  }
}

static void flip_in_share(guint8 *d, gsize len) { (void)len; d[2 + 16 + 5] ^= 0x01; }
static void flip_sid(guint8 *d, gsize len) { (void)len; d[3] ^= 0x80; }
static void flip_last(guint8 *d, gsize len) { d[len - 1] ^= 0x01; }
static void flip_b_share(guint8 *d, gsize len) { (void)len; d[2 + 3] ^= 0x04; }
static void flip_b_key(guint8 *d, gsize len) { (void)len; d[2 + 32 + 1] ^= 0x01; }
static void flip_c_tag(guint8 *d, gsize len) { (void)len; d[2] ^= 0x01; }

/* A rendezvous alters message WHICH (0 A, 1 B, 2 C) with TAMPER: the side
 * that receives it next fails, and no invitation reaches the helper. */
static void tampered(Fixture *f, int which, Tamper tamper)
{
  g_autoptr(LlCodeExchange) novice = ll_code_exchange_new_novice(&f->code, f->novice_key);
  g_autoptr(LlCodeExchange) helper = ll_code_exchange_new_helper(&f->code, f->helper_key);
  g_autoptr(GError) error = NULL;
  GBytes *a = carry(ll_code_exchange_first(novice), which == 0 ? tamper : NULL);
  GBytes *b = NULL, *reply = NULL;
  LlCodeStep step = deliver(helper, a, &b, &error);
  g_bytes_unref(a);
  if (step == LL_CODE_FAILED)
    return;   /* an invalid share: refused at once */
  b = carry(b, which == 1 ? tamper : NULL);
  step = deliver(novice, b, &reply, &error);
  g_bytes_unref(b);
  if (which < 2) {
    g_assert_cmpint(step, ==, LL_CODE_FAILED);
    /* A changed share may not even be a point: refused as such. */
    g_assert_true(g_error_matches(error, LL_ERROR, LL_ERROR_WRONG_CODE) ||
                  g_error_matches(error, LL_ERROR, LL_ERROR_PROTOCOL));
    g_assert_nonnull(reply);   /* W: the helper is told */
    g_assert_cmpmem(f->invitation->secret, 32, f->original_secret, 32);
    g_bytes_unref(reply);
    return;
  }
  g_assert_cmpint(step, ==, LL_CODE_CONFIRMED);
  GBytes *c = carry(ll_code_exchange_seal(novice, f->invitation, NULL), tamper);
  g_assert_cmpint(deliver(helper, c, &reply, &error), ==, LL_CODE_FAILED);
  g_assert_error(error, LL_ERROR, LL_ERROR_WRONG_CODE);
  g_assert_null(ll_code_exchange_take_invitation(helper));
  g_bytes_unref(c);
}

static void test_tampering(Fixture *f, gconstpointer data)
{
  (void)data;
  tampered(f, 0, flip_in_share);
  tampered(f, 0, flip_sid);
  tampered(f, 0, flip_last);      /* the novice's key in A */
  tampered(f, 1, flip_b_share);
  tampered(f, 1, flip_b_key);
  tampered(f, 1, flip_last);      /* Tb */
  tampered(f, 2, flip_c_tag);
  tampered(f, 2, flip_last);      /* the sealed invitation */
}

static void test_invalid_share_refused(Fixture *f, gconstpointer data)
{
  (void)data;
  g_autoptr(LlCodeExchange) helper = ll_code_exchange_new_helper(&f->code, f->helper_key);
  guint8 a[2 + 16 + 32 + 32] = { 1, 1 };   /* Ya = the identity (all zero) */
  GBytes *reply = NULL;
  g_autoptr(GError) error = NULL;
  g_assert_cmpint(ll_code_exchange_receive(helper, a, sizeof a, &reply, &error), ==,
                  LL_CODE_FAILED);
  g_assert_error(error, LL_ERROR, LL_ERROR_PROTOCOL);
  g_assert_null(reply);
}

static void test_malformed(Fixture *f, gconstpointer data)
{
  (void)data;
  static const gsize lengths[] = { 0, 1, 2, 81, 83, 129, 131, 4097 };
  g_autofree guint8 *junk = g_malloc0(5000);
  junk[0] = 1;
  for (guint i = 0; i < G_N_ELEMENTS(lengths); i++) {
    g_autoptr(LlCodeExchange) novice = ll_code_exchange_new_novice(&f->code, f->novice_key);
    g_autoptr(LlCodeExchange) helper = ll_code_exchange_new_helper(&f->code, f->helper_key);
    GBytes *a = ll_code_exchange_first(novice), *reply = NULL;
    g_autoptr(GError) e1 = NULL, e2 = NULL;
    junk[1] = 2;
    g_assert_cmpint(ll_code_exchange_receive(novice, junk, lengths[i], &reply, &e1), ==,
                    LL_CODE_FAILED);
    g_clear_pointer(&reply, g_bytes_unref);
    junk[1] = 1;
    g_assert_cmpint(ll_code_exchange_receive(helper, junk, lengths[i], &reply, &e2), ==,
                    LL_CODE_FAILED);
    g_assert_null(reply);
    g_bytes_unref(a);
  }
}

static void test_code_text(void)
{
  LlPairingCode c;
  g_autoptr(GError) error = NULL;
  g_assert_true(ll_pairing_code_parse(" 482 913 075 ", &c, &error));
  g_assert_cmpstr(c.nameplate, ==, "482");
  g_assert_cmpstr(c.secret, ==, "913075");
  g_autofree char *shown = ll_pairing_code_format(&c);
  g_assert_cmpstr(shown, ==, "482-913-075");
  g_assert_true(ll_pairing_code_parse("4821.913.075", &c, NULL));
  g_assert_cmpstr(c.nameplate, ==, "4821");
  g_assert_false(ll_pairing_code_parse("482-913-07", &c, &error));
  g_assert_error(error, LL_ERROR, LL_ERROR_USAGE);
  g_assert_nonnull(strstr(error->message, "8 digits"));
  g_clear_error(&error);
  g_assert_false(ll_pairing_code_parse("482-913-07x", &c, &error));
  g_assert_nonnull(strstr(error->message, "only digits"));
  g_clear_error(&error);
  g_assert_false(ll_pairing_code_parse("1234567890123", &c, &error));
  g_assert_nonnull(strstr(error->message, "too many digits"));
  g_assert_true(ll_pairing_code_looks_like("482-913-075"));
  g_assert_false(ll_pairing_code_looks_like("invite.lifeline"));
  g_assert_false(ll_pairing_code_looks_like("--"));
  g_assert_true(ll_nameplate_is_valid("123456"));
  g_assert_false(ll_nameplate_is_valid("12"));
  g_assert_false(ll_nameplate_is_valid("1234567"));
  g_assert_false(ll_nameplate_is_valid("12a"));
  char secret[7];
  ll_pairing_code_new_secret(secret);
  g_assert_cmpuint(strlen(secret), ==, 6);
  g_assert_true(ll_pairing_code_looks_like(secret));
}

int main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_assert_cmpint(sodium_init(), >=, 0);
#define ADD(path, fn) g_test_add(path, Fixture, NULL, setup, fn, teardown)
  ADD("/code-exchange/happy-path", test_happy_path);
  ADD("/code-exchange/fresh-secret-each-run", test_two_runs_give_different_secrets);
  ADD("/code-exchange/wrong-code", test_wrong_code);
  ADD("/code-exchange/many-guesses", test_many_guesses);
  ADD("/code-exchange/tampering", test_tampering);
  ADD("/code-exchange/invalid-share", test_invalid_share_refused);
  ADD("/code-exchange/malformed", test_malformed);
  g_test_add_func("/code-exchange/code-text", test_code_text);
  return g_test_run();
}

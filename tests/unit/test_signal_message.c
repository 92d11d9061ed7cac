/* Rendezvous messages: round trips and every bound of the parser. */
#include "common/error.h"
#include "common/signal_message.h"
#include <string.h>

static LlSignalMessage *round_trip(const LlSignalMessage *m)
{
  g_autofree char *text = ll_signal_message_encode(m);
  g_autoptr(GError) error = NULL;
  LlSignalMessage *back = ll_signal_message_decode(text, strlen(text), &error);
  g_assert_no_error(error);
  g_assert_cmpint(back->type, ==, m->type);
  return back;
}

static void test_round_trips(void)
{
  g_autoptr(LlSignalMessage) opened = ll_signal_message_new(LL_SIGNAL_OPENED);
  opened->mailbox = g_strdup("abc");
  opened->ice.stun_host = g_strdup("203.0.113.1");
  opened->ice.stun_port = 3478;
  opened->ice.turn_host = g_strdup("203.0.113.2");
  opened->ice.turn_port = 3479;
  opened->ice.turn_username = g_strdup("1800000000:lifeline");
  opened->ice.turn_password = g_strdup("c2VjcmV0");
  g_autoptr(LlSignalMessage) o = round_trip(opened);
  g_assert_cmpstr(o->mailbox, ==, "abc");
  g_assert_cmpstr(o->ice.turn_username, ==, "1800000000:lifeline");
  g_assert_cmpuint(o->ice.stun_port, ==, 3478);
  g_assert_null(o->ice.turns_host);

  /* A relay reached only over TLS still carries the credentials. */
  g_autoptr(LlSignalMessage) tls_only = ll_signal_message_new(LL_SIGNAL_OPENED);
  tls_only->mailbox = g_strdup("abc");
  tls_only->ice.turns_host = g_strdup("relay.example.org");
  tls_only->ice.turns_port = 443;
  tls_only->ice.turn_username = g_strdup("1800000000:lifeline");
  tls_only->ice.turn_password = g_strdup("c2VjcmV0");
  g_autoptr(LlSignalMessage) t = round_trip(tls_only);
  g_assert_null(t->ice.turn_host);
  g_assert_cmpstr(t->ice.turns_host, ==, "relay.example.org");
  g_assert_cmpuint(t->ice.turns_port, ==, 443);
  g_assert_cmpstr(t->ice.turn_password, ==, "c2VjcmV0");

  g_autoptr(LlSignalMessage) cred = ll_signal_message_new(LL_SIGNAL_SIGNAL);
  cred->data_kind = LL_ICE_CREDENTIALS;
  cred->ufrag = g_strdup("uf");
  cred->pwd = g_strdup("pw");
  cred->peer = 7;
  cred->has_peer = TRUE;
  g_autoptr(LlSignalMessage) c = round_trip(cred);
  g_assert_cmpint(c->data_kind, ==, LL_ICE_CREDENTIALS);
  g_assert_true(c->has_peer);
  g_assert_cmpuint(c->peer, ==, 7);

  /* Why the rendezvous closed: known reasons survive, unknown ones read as OTHER. */
  g_autoptr(LlSignalMessage) gone = ll_signal_message_new(LL_SIGNAL_ERROR);
  gone->message = g_strdup("no such invitation or host here");
  gone->reason = LL_SIGNAL_ERROR_NOBODY_THERE;
  g_autoptr(LlSignalMessage) g = round_trip(gone);
  g_assert_cmpint(g->reason, ==, LL_SIGNAL_ERROR_NOBODY_THERE);
  g_autoptr(LlSignalMessage) plain = ll_signal_message_new(LL_SIGNAL_ERROR);
  plain->message = g_strdup("too many people are joining");
  g_autoptr(LlSignalMessage) p = round_trip(plain);
  g_assert_cmpint(p->reason, ==, LL_SIGNAL_ERROR_OTHER);
  const char *newer = "{\"type\": \"error\", \"message\": \"m\", \"reason\": \"moon-phase\"}";
  g_autoptr(GError) error = NULL;
  g_autoptr(LlSignalMessage) n = ll_signal_message_decode(newer, strlen(newer), &error);
  g_assert_no_error(error);
  g_assert_cmpint(n->reason, ==, LL_SIGNAL_ERROR_OTHER);

  g_autoptr(LlSignalMessage) done = ll_signal_message_new(LL_SIGNAL_SIGNAL);
  done->data_kind = LL_ICE_DONE;
  g_autoptr(LlSignalMessage) d = round_trip(done);
  g_assert_cmpint(d->data_kind, ==, LL_ICE_DONE);
  g_assert_false(d->has_peer);
}

static void expect_refused(const char *text)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LlSignalMessage) m = ll_signal_message_decode(text, strlen(text), &error);
  g_assert_null(m);
  g_assert_error(error, LL_ERROR, LL_ERROR_PROTOCOL);
}

static void test_refusals(void)
{
  expect_refused("");
  expect_refused("[]");
  expect_refused("{}");
  expect_refused("{\"type\": \"launch\"}");
  expect_refused("{\"type\": 3}");
  expect_refused("{\"type\": \"open\"}");
  expect_refused("{\"type\": \"open\", \"lifetime\": 0}");
  expect_refused("{\"type\": \"open\", \"lifetime\": 99999999999}");
  expect_refused("{\"type\": \"join\", \"mailbox\": 5}");
  expect_refused("{\"type\": \"join\", \"mailbox\": \"a\\nb\"}");
  expect_refused("{\"type\": \"signal\", \"data\": {}}");
  expect_refused("{\"type\": \"signal\", \"peer\": -1, \"data\": {\"done\": true}}");
  expect_refused("{\"type\": \"signal\", \"data\": {\"ufrag\": \"only\"}}");
  expect_refused("{\"type\": \"joined\", \"peer\": 1}");   /* no ice servers */
  /* A TLS relay without credentials, or on no port. */
  expect_refused("{\"type\": \"joined\", \"peer\": 1, \"ice\": "
                 "{\"turns-host\": \"r\", \"turns-port\": 443}}");
  expect_refused("{\"type\": \"joined\", \"peer\": 1, \"ice\": {\"turns-host\": \"r\", "
                 "\"turns-port\": 0, \"turn-username\": \"u\", \"turn-password\": \"p\"}}");
  expect_refused("{\"type\": \"register\"}");
  expect_refused("{\"type\": \"register\", \"mailbox\": \"not-a-host-id\"}");
  expect_refused("{\"type\": \"register\", \"mailbox\": \"k7qm-3xrd-pa9t\"}");
  g_autofree char *field = g_strnfill(LL_SIGNAL_MAX_FIELD + 1, 'c');
  g_autofree char *long_field = g_strdup_printf(
      "{\"type\": \"signal\", \"data\": {\"candidate\": \"%s\"}}", field);
  expect_refused(long_field);
  g_autofree char *huge = g_strnfill(LL_SIGNAL_MAX_BYTES + 1, ' ');
  expect_refused(huge);
}

/* A host id is written one way at the server, however it was typed. */
static void test_codes(void)
{
  g_autoptr(LlSignalMessage) open = ll_signal_message_new(LL_SIGNAL_OPEN);
  open->lifetime = 600;
  open->code = TRUE;
  g_autoptr(LlSignalMessage) o = round_trip(open);
  g_assert_true(o->code);
  g_assert_cmpint(o->lifetime, ==, 600);
  g_autoptr(LlSignalMessage) opened = ll_signal_message_new(LL_SIGNAL_OPENED);
  opened->mailbox = g_strdup("abc");
  opened->nameplate = g_strdup("482");
  g_autoptr(LlSignalMessage) d = round_trip(opened);
  g_assert_cmpstr(d->nameplate, ==, "482");
  g_autoptr(LlSignalMessage) claim = ll_signal_message_new(LL_SIGNAL_CLAIM);
  claim->nameplate = g_strdup("123456");
  g_autoptr(LlSignalMessage) c = round_trip(claim);
  g_assert_cmpstr(c->nameplate, ==, "123456");
  g_autoptr(LlSignalMessage) pake = ll_signal_message_new(LL_SIGNAL_SIGNAL);
  pake->data_kind = LL_ICE_PAKE;
  pake->pake = g_strdup("AQE");
  g_autoptr(LlSignalMessage) p = round_trip(pake);
  g_assert_cmpint(p->data_kind, ==, LL_ICE_PAKE);
  g_assert_cmpstr(p->pake, ==, "AQE");
  /* An ordinary open is no code. */
  g_autoptr(GError) error = NULL;
  const char *plain_text = "{\"type\":\"open\",\"lifetime\":60}";
  g_autoptr(LlSignalMessage) plain =
    ll_signal_message_decode(plain_text, strlen(plain_text), &error);
  g_assert_no_error(error);
  g_assert_false(plain->code);
  expect_refused("{\"type\":\"claim\"}");
  expect_refused("{\"type\":\"claim\",\"nameplate\":\"12\"}");
  expect_refused("{\"type\":\"claim\",\"nameplate\":\"1234567\"}");
  expect_refused("{\"type\":\"claim\",\"nameplate\":\"12a\"}");
  expect_refused("{\"type\":\"claim\",\"nameplate\":482}");
  expect_refused("{\"type\":\"open\",\"lifetime\":60,\"code\":1}");
  expect_refused("{\"type\":\"opened\",\"mailbox\":\"a\",\"nameplate\":\"x\",\"ice\":{}}");
  g_autofree char *big = g_strnfill(LL_SIGNAL_MAX_PAKE + 1, 'A');
  g_autofree char *huge = g_strdup_printf("{\"type\":\"signal\",\"data\":{\"pake\":\"%s\"}}", big);
  expect_refused(huge);
}

static void test_register_canonical(void)
{
  const char *text = "{\"type\": \"register\", \"mailbox\": \"K7QM 3XRD PA9T WE2F\", "
                     "\"certificate\": \"Y2VydA\", \"proof\": \"cHJvb2Y\"}";
  g_autoptr(GError) error = NULL;
  g_autoptr(LlSignalMessage) m = ll_signal_message_decode(text, strlen(text), &error);
  g_assert_no_error(error);
  g_assert_cmpint(m->type, ==, LL_SIGNAL_REGISTER);
  g_assert_cmpstr(m->mailbox, ==, "k7qm-3xrd-pa9t-we2f");
  g_autofree char *wire = ll_signal_message_encode(m);
  g_autoptr(LlSignalMessage) back = ll_signal_message_decode(wire, strlen(wire), &error);
  g_assert_cmpstr(back->mailbox, ==, "k7qm-3xrd-pa9t-we2f");
  g_assert_cmpstr(back->certificate, ==, "Y2VydA");
  g_assert_cmpstr(back->proof, ==, "cHJvb2Y");
  /* A registration without its proof, or with a certificate past the
   * bound, is refused; a challenge carries its nonce. */
  const char *unproven = "{\"type\": \"register\", \"mailbox\": \"K7QM 3XRD PA9T WE2F\"}";
  g_assert_null(ll_signal_message_decode(unproven, strlen(unproven), NULL));
  g_autofree char *big = g_strnfill(LL_SIGNAL_MAX_CERTIFICATE + 1, 'A');
  g_autofree char *too_big = g_strdup_printf(
      "{\"type\": \"register\", \"mailbox\": \"K7QM 3XRD PA9T WE2F\", "
      "\"certificate\": \"%s\", \"proof\": \"cHJvb2Y\"}", big);
  g_assert_null(ll_signal_message_decode(too_big, strlen(too_big), NULL));
  const char *challenge = "{\"type\": \"challenge\", \"nonce\": \"bm9uY2U\"}";
  g_autoptr(LlSignalMessage) c = ll_signal_message_decode(challenge, strlen(challenge), &error);
  g_assert_no_error(error);
  g_assert_cmpint(c->type, ==, LL_SIGNAL_CHALLENGE);
  g_assert_cmpstr(c->nonce, ==, "bm9uY2U");
  const char *renew = "{\"type\": \"renew\"}";
  g_autoptr(LlSignalMessage) r = ll_signal_message_decode(renew, strlen(renew), &error);
  g_assert_no_error(error);
  g_assert_cmpint(r->type, ==, LL_SIGNAL_RENEW);
}

/* An invitation's mailbox opened again: its id and token, both ways;
 * never without the token, never a code's. */
static void test_reopen(void)
{
  g_autoptr(LlSignalMessage) open = ll_signal_message_new(LL_SIGNAL_OPEN);
  open->lifetime = 3600;
  open->mailbox = g_strdup("mBx_1-2");
  open->token = g_strdup("tOk-en_42");
  g_autoptr(LlSignalMessage) o = round_trip(open);
  g_assert_cmpstr(o->mailbox, ==, "mBx_1-2");
  g_assert_cmpstr(o->token, ==, "tOk-en_42");
  g_autoptr(LlSignalMessage) opened = ll_signal_message_new(LL_SIGNAL_OPENED);
  opened->mailbox = g_strdup("abc");
  opened->token = g_strdup("secret_token");
  g_autoptr(LlSignalMessage) d = round_trip(opened);
  g_assert_cmpstr(d->token, ==, "secret_token");
  expect_refused("{\"type\":\"open\",\"lifetime\":60,\"mailbox\":\"abc\"}");
  expect_refused("{\"type\":\"open\",\"lifetime\":60,\"mailbox\":\"abc\",\"token\":\"\"}");
  expect_refused("{\"type\":\"open\",\"lifetime\":60,\"mailbox\":\"abc\",\"token\":\"a b\"}");
  expect_refused("{\"type\":\"open\",\"lifetime\":60,\"mailbox\":\"abc\",\"token\":7}");
  expect_refused("{\"type\":\"open\",\"lifetime\":60,\"code\":true,\"mailbox\":\"abc\","
                 "\"token\":\"t\"}");
  expect_refused("{\"type\":\"open\",\"lifetime\":60,\"mailbox\":\"\",\"token\":\"t\"}");
  g_autofree char *long_token = g_strnfill(LL_SIGNAL_MAX_TOKEN + 1, 'a');
  g_autofree char *too_long = g_strdup_printf(
      "{\"type\":\"open\",\"lifetime\":60,\"mailbox\":\"abc\",\"token\":\"%s\"}", long_token);
  expect_refused(too_long);
}

int main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/signal/round-trips", test_round_trips);
  g_test_add_func("/signal/refusals", test_refusals);
  g_test_add_func("/signal/register-canonical", test_register_canonical);
  g_test_add_func("/signal/codes", test_codes);
  g_test_add_func("/signal/reopen", test_reopen);
  return g_test_run();
}

/* Control messages: round trips, hostile payloads, and the secret proof. */
#include "common/control_message.h"
#include "common/error.h"
#include "common/secret_proof.h"
#include <sodium.h>
#include <string.h>

static LlControlMessage *round_trip(const LlControlMessage *m)
{
  g_autoptr(GBytes) wire = ll_control_message_encode(m);
  g_autoptr(GError) error = NULL;
  LlControlMessage *back = ll_control_message_decode(wire, &error);
  g_assert_no_error(error);
  g_assert_nonnull(back);
  g_assert_cmpint(back->type, ==, m->type);
  return back;
}

static void test_hello_round_trip(void)
{
  g_autoptr(LlControlMessage) m = ll_control_message_new(LL_MSG_HELLO);
  m->version = LL_PROTOCOL_VERSION;
  m->name = g_strdup("Bob the Helper");
  m->session_id = g_strdup("00112233445566778899aabbccddeeff");
  memset(m->proof, 0xab, sizeof m->proof);
  g_autoptr(LlControlMessage) back = round_trip(m);
  g_assert_cmpuint(back->version, ==, LL_PROTOCOL_VERSION);
  g_assert_cmpstr(back->name, ==, "Bob the Helper");
  g_assert_cmpstr(back->session_id, ==, m->session_id);
  g_assert_cmpmem(back->proof, LL_PROOF_BYTES, m->proof, LL_PROOF_BYTES);
}

static void test_other_round_trips(void)
{
  g_autoptr(LlControlMessage) refused = ll_control_message_new(LL_MSG_REFUSED);
  refused->reason = g_strdup("Alice said no");
  g_autoptr(LlControlMessage) r = round_trip(refused);
  g_assert_cmpstr(r->reason, ==, "Alice said no");

  g_autoptr(LlControlMessage) open = ll_control_message_new(LL_MSG_STREAM_OPEN);
  open->stream_id = 42;
  g_autoptr(LlControlMessage) o = round_trip(open);
  g_assert_cmpuint(o->stream_id, ==, 42);

  g_autoptr(LlControlMessage) offer = ll_control_message_new(LL_MSG_OFFER);
  offer->version = LL_PROTOCOL_VERSION;
  offer->name = g_strdup("Mary Jones");
  g_autoptr(LlControlMessage) of = round_trip(offer);
  g_assert_cmpuint(of->version, ==, LL_PROTOCOL_VERSION);
  g_assert_cmpstr(of->name, ==, "Mary Jones");

  g_autoptr(LlControlMessage) ping = ll_control_message_new(LL_MSG_PING);
  ping->stream_id = 77;
  g_autoptr(LlControlMessage) pi = round_trip(ping);
  g_assert_cmpint(pi->type, ==, LL_MSG_PING);
  g_assert_cmpuint(pi->stream_id, ==, 77);

  g_autoptr(LlControlMessage) waiting = ll_control_message_new(LL_MSG_WAITING);
  g_autoptr(LlControlMessage) w = round_trip(waiting);
  (void)w;
}

static void test_resume_round_trips(void)
{
  g_autoptr(LlControlMessage) accepted = ll_control_message_new(LL_MSG_ACCEPTED);
  accepted->name = g_strdup("Alice");
  accepted->session_id = g_strdup("a1b2");
  accepted->grace_s = 30;
  memset(accepted->resume_token, 0x5a, LL_RESUME_TOKEN_BYTES);
  g_autoptr(LlControlMessage) a = round_trip(accepted);
  g_assert_cmpuint(a->grace_s, ==, 30);
  g_assert_cmpstr(a->session_id, ==, "a1b2");
  g_assert_cmpmem(a->resume_token, LL_RESUME_TOKEN_BYTES, accepted->resume_token,
                  LL_RESUME_TOKEN_BYTES);

  g_autoptr(LlControlMessage) resume = ll_control_message_new(LL_MSG_RESUME);
  resume->session_id = g_strdup("0011");
  memset(resume->proof, 0xc3, LL_PROOF_BYTES);
  resume->received = G_GUINT64_CONSTANT(0x1122334455667788);
  g_autoptr(LlControlMessage) r = round_trip(resume);
  g_assert_cmpstr(r->session_id, ==, "0011");
  g_assert_cmpmem(r->proof, LL_PROOF_BYTES, resume->proof, LL_PROOF_BYTES);
  g_assert_cmpuint(r->received, ==, resume->received);

  g_autoptr(LlControlMessage) resumed = ll_control_message_new(LL_MSG_RESUMED);
  resumed->received = 12345;
  g_autoptr(LlControlMessage) d = round_trip(resumed);
  g_assert_cmpuint(d->received, ==, 12345);
}

static void test_terminal_escapes_are_neutralised(void)
{
  g_autoptr(LlControlMessage) m = ll_control_message_new(LL_MSG_ACCEPTED);
  m->grace_s = 30;
  m->name = g_strdup("Eve\x1b[2J\x1b]0;pwned\x07\nAllow? [y/N]");
  g_autoptr(LlControlMessage) back = round_trip(m);
  g_assert_null(strchr(back->name, '\x1b'));
  g_assert_null(strchr(back->name, '\n'));
  g_assert_null(strchr(back->name, '\x07'));
}

static void expect_protocol_error(GBytes *payload)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LlControlMessage) m = ll_control_message_decode(payload, &error);
  g_assert_null(m);
  g_assert_error(error, LL_ERROR, LL_ERROR_PROTOCOL);
}

static GBytes *variant_bytes(GVariant *v)
{
  g_variant_ref_sink(v);
  GBytes *b = g_variant_get_data_as_bytes(v);
  g_variant_unref(v);
  return b;
}

/* An "accepted" message with a resume token of TOKEN_LEN bytes and GRACE. */
static GBytes *accepted_wire(gsize token_len, guint32 grace)
{
  g_autofree guint8 *token = g_malloc0(token_len);
  GVariantBuilder fields;
  g_variant_builder_init(&fields, G_VARIANT_TYPE("a{sv}"));
  g_variant_builder_add(&fields, "{sv}", "name", g_variant_new_string("A"));
  g_variant_builder_add(&fields, "{sv}", "session-id", g_variant_new_string("00ff"));
  g_variant_builder_add(&fields, "{sv}", "resume-token",
                        g_variant_new_fixed_array(G_VARIANT_TYPE_BYTE, token, token_len, 1));
  g_variant_builder_add(&fields, "{sv}", "grace", g_variant_new_uint32(grace));
  return variant_bytes(g_variant_new("(sa{sv})", "accepted", &fields));
}

static void expect_protocol_error_bytes(GBytes *payload)
{
  expect_protocol_error(payload);
  g_bytes_unref(payload);
}

static void test_malformed(void)
{
  g_autoptr(GBytes) garbage = g_bytes_new_static("\xff\xfe garbage", 10);
  expect_protocol_error(garbage);
  g_autoptr(GBytes) empty = g_bytes_new_static("", 0);
  expect_protocol_error(empty);
  g_autoptr(GBytes) unknown = variant_bytes(g_variant_new_parsed("('launch-missiles', @a{sv} {})"));
  expect_protocol_error(unknown);
  /* hello without proof */
  g_autoptr(GBytes) no_proof = variant_bytes(g_variant_new_parsed(
      "('hello', {'version': <uint32 1>, 'name': <'x'>, 'session-id': <'ab'>})"));
  expect_protocol_error(no_proof);
  /* proof of the wrong length */
  g_autoptr(GBytes) short_proof = variant_bytes(g_variant_new_parsed(
      "('hello', {'version': <uint32 1>, 'name': <'x'>, 'session-id': <'ab'>, 'proof': <[byte 1, 2]>})"));
  expect_protocol_error(short_proof);
  /* an offer without a version */
  g_autoptr(GBytes) offer_no_version = variant_bytes(g_variant_new_parsed(
      "('offer', {'name': <'Mary'>})"));
  expect_protocol_error(offer_no_version);
  /* field of the wrong type */
  g_autoptr(GBytes) wrong_type = variant_bytes(g_variant_new_parsed(
      "('stream-open', {'stream': <'seven'>})"));
  expect_protocol_error(wrong_type);
  /* a name far over the bound */
  g_autofree char *long_name = g_strnfill(1000, 'a');
  g_autoptr(GBytes) too_long = variant_bytes(g_variant_new("(s@a{sv})", "accepted",
      g_variant_new_parsed("{'name': <%s>}", long_name)));
  expect_protocol_error(too_long);
  /* a grace period of zero, or beyond the bound; a token of the wrong size */
  expect_protocol_error_bytes(accepted_wire(LL_RESUME_TOKEN_BYTES, 0));
  expect_protocol_error_bytes(accepted_wire(LL_RESUME_TOKEN_BYTES, LL_MAX_GRACE_S + 1));
  expect_protocol_error_bytes(accepted_wire(2, 30));
  g_autoptr(GBytes) fine = accepted_wire(LL_RESUME_TOKEN_BYTES, LL_MAX_GRACE_S);
  g_autoptr(LlControlMessage) accepted = ll_control_message_decode(fine, NULL);
  g_assert_nonnull(accepted);
  g_autoptr(GBytes) resume_without_count = variant_bytes(g_variant_new_parsed(
      "('resumed', {'received': <uint32 7>})"));
  expect_protocol_error(resume_without_count);
}

static void test_monitors(void)
{
  g_autoptr(LlControlMessage) m = ll_control_message_new(LL_MSG_MONITORS);
  m->n_monitors = 2;
  m->monitors[0] = (LlMonitor){ "VNC-0", 0, 0, 800, 600 };
  m->monitors[1] = (LlMonitor){ "right \x1b[31m", 800, 0, 800, 600 };
  m->monitor = 2;
  g_autoptr(LlControlMessage) back = round_trip(m);
  g_assert_cmpuint(back->n_monitors, ==, 2);
  g_assert_cmpuint(back->monitor, ==, 2);
  g_assert_cmpstr(back->monitors[0].name, ==, "VNC-0");
  g_assert_cmpint(back->monitors[1].x, ==, 800);
  g_assert_cmpint(back->monitors[1].height, ==, 600);
  g_assert_null(strchr(back->monitors[1].name, '\x1b'));   /* no terminal escapes */
  g_autoptr(LlControlMessage) show = ll_control_message_new(LL_MSG_SHOW_MONITOR);
  show->monitor = 1;
  g_autoptr(LlControlMessage) s = round_trip(show);
  g_assert_cmpuint(s->monitor, ==, 1);
  /* Out of bounds: none, a shown one that is not there, sizes, too many. */
  g_autoptr(GBytes) none = variant_bytes(g_variant_new_parsed(
      "('monitors', {'monitors': <@a(siiii) []>, 'shown': <uint32 0>})"));
  expect_protocol_error(none);
  g_autoptr(GBytes) shown = variant_bytes(g_variant_new_parsed(
      "('monitors', {'monitors': <[('a', 0, 0, 10, 10)]>, 'shown': <uint32 2>})"));
  expect_protocol_error(shown);
  g_autoptr(GBytes) huge = variant_bytes(g_variant_new_parsed(
      "('monitors', {'monitors': <[('a', 0, 0, 100000, 10)]>, 'shown': <uint32 0>})"));
  expect_protocol_error(huge);
  g_autoptr(GBytes) negative = variant_bytes(g_variant_new_parsed(
      "('monitors', {'monitors': <[('a', -5, 0, 10, 10)]>, 'shown': <uint32 0>})"));
  expect_protocol_error(negative);
  for (int count = LL_MAX_MONITORS; count <= LL_MAX_MONITORS + 1; count++) {
    GVariantBuilder list, fields;
    g_variant_builder_init(&list, G_VARIANT_TYPE("a(siiii)"));
    for (int i = 0; i < count; i++)
      g_variant_builder_add(&list, "(siiii)", "m", i * 10, 0, 10, 10);
    g_variant_builder_init(&fields, G_VARIANT_TYPE("a{sv}"));
    g_variant_builder_add(&fields, "{sv}", "monitors", g_variant_builder_end(&list));
    g_variant_builder_add(&fields, "{sv}", "shown", g_variant_new_uint32(0));
    g_autoptr(GBytes) wire = variant_bytes(g_variant_new("(sa{sv})", "monitors", &fields));
    g_autoptr(LlControlMessage) decoded = ll_control_message_decode(wire, NULL);
    if (count <= LL_MAX_MONITORS)
      g_assert_nonnull(decoded);   /* the most there may be */
    else
      g_assert_null(decoded);      /* one too many */
  }
  g_autoptr(GBytes) far = variant_bytes(g_variant_new_parsed(
      "('show-monitor', {'monitor': <uint32 99>})"));
  expect_protocol_error(far);
}

static void test_truncated_prefixes(void)
{
  g_autoptr(LlControlMessage) m = ll_control_message_new(LL_MSG_BYE);
  m->reason = g_strdup("the novice ended the session");
  g_autoptr(GBytes) wire = ll_control_message_encode(m);
  gsize n = 0;
  const guint8 *p = g_bytes_get_data(wire, &n);
  for (gsize cut = 0; cut < n; cut++) {
    g_autoptr(GBytes) part = g_bytes_new(p, cut);
    g_autoptr(GError) error = NULL;
    g_autoptr(LlControlMessage) got = ll_control_message_decode(part, &error);
    /* GVariant reads a damaged message as defaults; either it is refused
     * or it decodes to a message whose fields are still in bounds. */
    if (got != NULL)
      g_assert_true(got->reason == NULL || strlen(got->reason) <= 4 * LL_MAX_REASON);
    else
      g_assert_error(error, LL_ERROR, LL_ERROR_PROTOCOL);
  }
}

static void test_secret_proof(void)
{
  guint8 secret[LL_INVITATION_SECRET_BYTES], other[LL_INVITATION_SECRET_BYTES];
  guint8 proof[LL_PROOF_BYTES];
  const guint8 binding[] = "binding-of-connection-one";
  const guint8 binding2[] = "binding-of-connection-two";
  randombytes_buf(secret, sizeof secret);
  memcpy(other, secret, sizeof other);
  other[0] ^= 1;
  ll_secret_proof_compute(secret, "sid", binding, sizeof binding, proof);
  g_assert_true(ll_secret_proof_verify(secret, "sid", binding, sizeof binding, proof));
  /* wrong secret, another connection, another session: all refused */
  g_assert_false(ll_secret_proof_verify(other, "sid", binding, sizeof binding, proof));
  g_assert_false(ll_secret_proof_verify(secret, "sid", binding2, sizeof binding2, proof));
  g_assert_false(ll_secret_proof_verify(secret, "sie", binding, sizeof binding, proof));
  /* moving a byte between the session id and the binding changes the proof */
  g_assert_false(ll_secret_proof_verify(secret, "sidb", binding + 1, sizeof binding - 1, proof));
}

int main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_assert_cmpint(sodium_init(), >=, 0);
  g_test_add_func("/control/hello-round-trip", test_hello_round_trip);
  g_test_add_func("/control/other-round-trips", test_other_round_trips);
  g_test_add_func("/control/resume-round-trips", test_resume_round_trips);
  g_test_add_func("/control/terminal-escapes", test_terminal_escapes_are_neutralised);
  g_test_add_func("/control/malformed", test_malformed);
  g_test_add_func("/control/truncated-prefixes", test_truncated_prefixes);
  g_test_add_func("/control/monitors", test_monitors);
  g_test_add_func("/control/secret-proof", test_secret_proof);
  return g_test_run();
}

/* Invitation text form, seal and unseal, links, and every refusal. */
#include "common/error.h"
#include "common/invitation.h"
#include "common/invitation_file.h"
#include "common/invitation_seal.h"
#include <glib/gstdio.h>
#include <sodium.h>
#include <string.h>

#define NOW 1800000000

static LlInvitation *sample(void)
{
  guint8 fp[LL_FINGERPRINT_BYTES];
  for (guint i = 0; i < sizeof fp; i++)
    fp[i] = i;
  LlInvitation *inv = ll_invitation_new("Alice Example", fp, NOW, 3600);
  ll_invitation_add_endpoint(inv, "192.168.1.20:40123");
  ll_invitation_add_endpoint(inv, "[fd00::20]:40123");
  return inv;
}

static void assert_same(const LlInvitation *a, const LlInvitation *b)
{
  g_assert_cmpstr(a->session_id, ==, b->session_id);
  g_assert_cmpstr(a->novice_name, ==, b->novice_name);
  g_assert_cmpmem(a->fingerprint, LL_FINGERPRINT_BYTES, b->fingerprint, LL_FINGERPRINT_BYTES);
  g_assert_cmpmem(a->secret, LL_INVITATION_SECRET_BYTES, b->secret, LL_INVITATION_SECRET_BYTES);
  g_assert_cmpint(a->created, ==, b->created);
  g_assert_cmpint(a->lifetime, ==, b->lifetime);
  g_assert_cmpuint(a->endpoints->len, ==, b->endpoints->len);
  for (guint i = 0; i < a->endpoints->len; i++)
    g_assert_cmpstr(g_ptr_array_index(a->endpoints, i), ==, g_ptr_array_index(b->endpoints, i));
}

static void test_round_trip(void)
{
  g_autoptr(LlInvitation) inv = sample();
  g_autoptr(GError) error = NULL;
  gsize len = 0;
  g_autofree char *text = ll_invitation_to_text(inv, &len);
  g_assert_cmpuint(strlen(text), ==, len);
  g_assert_nonnull(strstr(text, "[Lifeline Invitation]"));
  g_autoptr(LlInvitation) back = ll_invitation_from_text(text, len, &error);
  g_assert_no_error(error);
  assert_same(inv, back);
  g_assert_cmpuint(strlen(inv->session_id), ==, 32);
}

static void test_fresh_secrets_differ(void)
{
  g_autoptr(LlInvitation) a = sample();
  g_autoptr(LlInvitation) b = sample();
  g_assert_cmpstr(a->session_id, !=, b->session_id);
  g_assert_true(memcmp(a->secret, b->secret, LL_INVITATION_SECRET_BYTES) != 0);
}

static void expect_damaged(const char *text, gint code)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LlInvitation) inv = ll_invitation_from_text(text, strlen(text), &error);
  g_assert_null(inv);
  g_assert_error(error, LL_ERROR, code);
  g_test_message("refused: %s", error->message);
}

/* More rendezvous: read back in order; an invitation without them reads
 * as before; their list is bounded, and needs a first rendezvous. */
static void test_more_rendezvous(void)
{
  g_autoptr(LlInvitation) inv = sample();
  inv->rendezvous_url = g_strdup("wss://rdv1.example.org/lifeline");
  inv->mailbox_id = g_strdup("q1w2e3r4t5y6u7i8o9p0aa");
  const char *more[] = { "wss://rdv2.example.org/lifeline", "wss://rdv3.example.org/lifeline",
                         NULL };
  inv->rendezvous_more = g_strdupv((char **)more);
  gsize len = 0;
  g_autofree char *text = ll_invitation_to_text(inv, &len);
  g_autoptr(GError) error = NULL;
  g_autoptr(LlInvitation) back = ll_invitation_from_text(text, len, &error);
  g_assert_no_error(error);
  g_assert_cmpstr(back->rendezvous_url, ==, "wss://rdv1.example.org/lifeline");
  g_assert_cmpuint(g_strv_length(back->rendezvous_more), ==, 2);
  g_assert_cmpstr(back->rendezvous_more[1], ==, "wss://rdv3.example.org/lifeline");
  /* An older version's reading: the list is one more key it does not know,
   * outside the check. */
  g_autoptr(GKeyFile) kf = g_key_file_new();
  g_assert_true(g_key_file_load_from_data(kf, text, len, G_KEY_FILE_NONE, NULL));
  g_assert_true(g_key_file_remove_key(kf, "Lifeline Invitation", "rendezvous-more", NULL));
  g_autofree char *older = g_key_file_to_data(kf, &len, NULL);
  g_autoptr(LlInvitation) plain = ll_invitation_from_text(older, len, &error);
  g_assert_no_error(error);
  g_assert_null(plain->rendezvous_more);
  g_autoptr(GString) many = g_string_new(NULL);
  for (int i = 0; i <= LL_INVITATION_MAX_MORE_RENDEZVOUS; i++)
    g_string_append_printf(many, "wss://rdv%d.example.org/lifeline;", i);
  g_key_file_set_value(kf, "Lifeline Invitation", "rendezvous-more", many->str);
  g_autofree char *too_many = g_key_file_to_data(kf, &len, NULL);
  expect_damaged(too_many, LL_ERROR_DAMAGED);
}

static void test_truncated(void)
{
  g_autoptr(LlInvitation) inv = sample();
  gsize len = 0;
  g_autofree char *text = ll_invitation_to_text(inv, &len);
  /* Every cut shorter than the whole file must be refused. */
  for (gsize cut = 0; cut + 1 < len; cut += 7) {
    g_autofree char *part = g_strndup(text, cut);
    g_autoptr(GError) error = NULL;
    g_autoptr(LlInvitation) back = ll_invitation_from_text(part, cut, &error);
    g_assert_null(back);
    g_assert_error(error, LL_ERROR, LL_ERROR_DAMAGED);
  }
}

static char *replace_line(const char *text, const char *key, const char *new_line)
{
  g_auto(GStrv) lines = g_strsplit(text, "\n", -1);
  for (guint i = 0; lines[i]; i++)
    if (g_str_has_prefix(lines[i], key)) {
      g_free(lines[i]);
      lines[i] = g_strdup(new_line);
    }
  return g_strjoinv("\n", lines);
}

static void test_tampered(void)
{
  g_autoptr(LlInvitation) inv = sample();
  gsize len = 0;
  g_autofree char *text = ll_invitation_to_text(inv, &len);
  const char *edits[][2] = {
    { "novice-name=", "novice-name=Mallory" },
    { "endpoints=", "endpoints=203.0.113.9:40123;" },
    { "lifetime=", "lifetime=360000" },
    { "fingerprint=", "fingerprint=sha256:00" },
    { "secret=", "secret=AAAA" },
    { "check=", "check=00000000000000000000000000000000" },
    { "session-id=", "session-id=zz" },
  };
  for (guint i = 0; i < G_N_ELEMENTS(edits); i++) {
    g_autofree char *bad = replace_line(text, edits[i][0], edits[i][1]);
    expect_damaged(bad, LL_ERROR_DAMAGED);
  }
  expect_damaged("not an invitation at all", LL_ERROR_DAMAGED);
  expect_damaged("", LL_ERROR_DAMAGED);
  expect_damaged("[Lifeline Invitation]\nformat=1\n", LL_ERROR_DAMAGED);
}

static void test_wrong_version(void)
{
  g_autoptr(LlInvitation) inv = sample();
  gsize len = 0;
  g_autofree char *text = ll_invitation_to_text(inv, &len);
  g_autofree char *newer = replace_line(text, "format=", "format=2");
  g_autofree char *older = replace_line(text, "format=", "format=0");
  expect_damaged(newer, LL_ERROR_VERSION);
  expect_damaged(older, LL_ERROR_VERSION);
}

static void test_time_checks(void)
{
  g_autoptr(LlInvitation) inv = sample();
  g_autoptr(GError) e1 = NULL, e2 = NULL, e3 = NULL;
  g_assert_true(ll_invitation_check_time(inv, NOW + 10, NULL));
  g_assert_true(ll_invitation_check_time(inv, NOW - 60, NULL)); /* small clock skew */
  g_assert_false(ll_invitation_check_time(inv, NOW + 3600, &e1));
  g_assert_error(e1, LL_ERROR, LL_ERROR_EXPIRED);
  g_assert_nonnull(strstr(e1->message, "expired at"));
  g_assert_nonnull(strstr(e1->message, "ask for a new one"));
  g_assert_false(ll_invitation_check_time(inv, NOW - 3600, &e2));
  g_assert_error(e2, LL_ERROR, LL_ERROR_NOT_YET_VALID);
  g_assert_nonnull(strstr(e2->message, "not valid yet"));
  g_assert_true(ll_invitation_check_time(inv, NOW + 3599, &e3));
}

static void test_seal_round_trip(void)
{
  g_autoptr(LlInvitation) inv = sample();
  g_autoptr(GError) error = NULL;
  gsize len = 0, sealed_len = 0, plain_len = 0;
  g_autofree char *text = ll_invitation_to_text(inv, &len);
  g_autofree char *sealed = ll_invitation_seal(text, len, "correct horse", 13,
                                               ll_seal_cost_minimum(), &sealed_len, &error);
  g_assert_no_error(error);
  g_assert_true(ll_invitation_text_is_sealed(sealed, sealed_len));
  g_assert_false(ll_invitation_text_is_sealed(text, len));
  /* Nothing of the invitation shows through the seal. */
  g_assert_null(strstr(sealed, inv->session_id));
  g_assert_null(strstr(sealed, "Alice"));
  g_assert_null(strstr(sealed, "192.168"));
  g_autofree char *plain = ll_invitation_unseal(sealed, sealed_len, "correct horse", 13,
                                                &plain_len, &error);
  g_assert_no_error(error);
  g_assert_cmpmem(plain, plain_len, text, len);
}

static void test_seal_wrong_password(void)
{
  g_autoptr(LlInvitation) inv = sample();
  gsize len = 0, sealed_len = 0, plain_len = 0;
  g_autofree char *text = ll_invitation_to_text(inv, &len);
  g_autofree char *sealed = ll_invitation_seal(text, len, "right", 5, ll_seal_cost_minimum(),
                                               &sealed_len, NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *plain = ll_invitation_unseal(sealed, sealed_len, "wrong", 5, &plain_len, &error);
  g_assert_null(plain);
  g_assert_error(error, LL_ERROR, LL_ERROR_WRONG_PASSWORD);
  g_assert_cmpstr(error->message, ==, "wrong password or damaged invitation");
}

static void test_seal_tampered(void)
{
  g_autoptr(LlInvitation) inv = sample();
  gsize len = 0, sealed_len = 0, plain_len = 0;
  g_autofree char *text = ll_invitation_to_text(inv, &len);
  g_autofree char *sealed = ll_invitation_seal(text, len, "pw", 2, ll_seal_cost_minimum(),
                                               &sealed_len, NULL);
  /* Flip one character of the ciphertext. */
  char *c = strstr(sealed, "ciphertext=") + strlen("ciphertext=") + 10;
  *c = (*c == 'A') ? 'B' : 'A';
  g_autoptr(GError) error = NULL;
  g_autofree char *plain = ll_invitation_unseal(sealed, sealed_len, "pw", 2, &plain_len, &error);
  g_assert_null(plain);
  g_assert_error(error, LL_ERROR, LL_ERROR_WRONG_PASSWORD);

  /* The other cost Lifeline writes, swapped into the header, is caught by
   * the associated data. */
  g_autofree char *sealed2 = ll_invitation_seal(text, len, "pw", 2, ll_seal_cost_minimum(),
                                                &sealed_len, NULL);
  LlSealCost other = ll_seal_cost_default();
  g_autofree char *ops = g_strdup_printf("ops-limit=%" G_GUINT64_FORMAT, other.ops_limit);
  g_autofree char *mem = g_strdup_printf("mem-limit=%" G_GSIZE_FORMAT, other.mem_limit);
  g_autofree char *half = replace_line(sealed2, "ops-limit=", ops);
  g_autofree char *swapped = replace_line(half, "mem-limit=", mem);
  g_autoptr(GError) error2 = NULL;
  g_autofree char *plain2 = ll_invitation_unseal(swapped, strlen(swapped), "pw", 2, &plain_len,
                                                 &error2);
  g_assert_null(plain2);
  g_assert_error(error2, LL_ERROR, LL_ERROR_WRONG_PASSWORD);

  /* Any cost Lifeline never writes is refused before any work: the
   * hostile file of the report (ops 10, 1 GiB), one a little above ours,
   * one a little below, and nonsense. */
  const char *hostile_costs[][2] = {
    { "ops-limit=10", "mem-limit=1073741824" }, { "ops-limit=4", NULL },
    { "ops-limit=2", NULL }, { NULL, "mem-limit=268435457" },
    { NULL, "mem-limit=99999999999999" }, { "ops-limit=-1", NULL },
  };
  for (gsize i = 0; i < G_N_ELEMENTS(hostile_costs); i++) {
    g_autofree char *a = hostile_costs[i][0] != NULL
        ? replace_line(sealed2, "ops-limit=", hostile_costs[i][0]) : g_strdup(sealed2);
    g_autofree char *b = hostile_costs[i][1] != NULL
        ? replace_line(a, "mem-limit=", hostile_costs[i][1]) : g_strdup(a);
    g_autoptr(GError) error3 = NULL;
    g_autofree char *plain3 = ll_invitation_unseal(b, strlen(b), "pw", 2, &plain_len, &error3);
    g_assert_null(plain3);
    g_assert_error(error3, LL_ERROR, LL_ERROR_DAMAGED);
    g_assert_nonnull(strstr(error3->message, "password settings Lifeline never uses"));
  }
}

static void test_file_and_link(void)
{
  g_autoptr(LlInvitation) inv = sample();
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp("lifeline-test-XXXXXX", NULL);
  g_autofree char *path = g_build_filename(dir, "help.lifeline", NULL);
  g_assert_true(ll_invitation_save(inv, path, NULL, 0, ll_seal_cost_minimum(), &error));
  GStatBuf st;
  g_assert_cmpint(g_stat(path, &st), ==, 0);
  g_assert_cmpint(st.st_mode & 0777, ==, 0600);
  g_autoptr(LlInvitation) from_file = ll_invitation_load(path, NULL, 0, &error);
  g_assert_no_error(error);
  assert_same(inv, from_file);

  g_autofree char *link = ll_invitation_to_link(inv, NULL, 0, ll_seal_cost_minimum(), &error);
  g_assert_true(g_str_has_prefix(link, "lifeline:"));
  g_autoptr(LlInvitation) from_link = ll_invitation_load(link, NULL, 0, &error);
  g_assert_no_error(error);
  assert_same(inv, from_link);

  /* Sealed on disk: loading without a password asks for one. */
  g_assert_true(ll_invitation_save(inv, path, "pw", 2, ll_seal_cost_minimum(), &error));
  g_autoptr(GError) need = NULL;
  g_assert_null(ll_invitation_load(path, NULL, 0, &need));
  g_assert_error(need, LL_ERROR, LL_ERROR_WRONG_PASSWORD);
  g_assert_nonnull(strstr(need->message, "--password-file"));
  g_autoptr(LlInvitation) unsealed = ll_invitation_load(path, "pw", 2, &error);
  g_assert_no_error(error);
  assert_same(inv, unsealed);

  g_autoptr(GError) bad_link = NULL;
  g_assert_null(ll_invitation_load("lifeline:!!!notbase64", NULL, 0, &bad_link));
  g_assert_error(bad_link, LL_ERROR, LL_ERROR_DAMAGED);
  g_unlink(path);
  g_rmdir(dir);
}

static void test_password_file(void)
{
  g_autofree char *dir = g_dir_make_tmp("lifeline-test-XXXXXX", NULL);
  g_autofree char *path = g_build_filename(dir, "pw", NULL);
  gsize len = 0;
  g_assert_true(g_file_set_contents(path, "s3cret\r\nsecond line\n", -1, NULL));
  g_autofree char *pw = ll_password_read_file(path, &len, NULL);
  g_assert_cmpstr(pw, ==, "s3cret");
  g_assert_cmpuint(len, ==, 6);
  g_assert_true(g_file_set_contents(path, "\n", -1, NULL));
  g_autoptr(GError) error = NULL;
  g_assert_null(ll_password_read_file(path, &len, &error));
  g_assert_error(error, LL_ERROR, LL_ERROR_USAGE);
  g_unlink(path);
  g_rmdir(dir);
}

int main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_assert_cmpint(sodium_init(), >=, 0);
  g_test_add_func("/invitation/round-trip", test_round_trip);
  g_test_add_func("/invitation/fresh-secrets-differ", test_fresh_secrets_differ);
  g_test_add_func("/invitation/more-rendezvous", test_more_rendezvous);
  g_test_add_func("/invitation/truncated", test_truncated);
  g_test_add_func("/invitation/tampered", test_tampered);
  g_test_add_func("/invitation/wrong-version", test_wrong_version);
  g_test_add_func("/invitation/time-checks", test_time_checks);
  g_test_add_func("/invitation/seal-round-trip", test_seal_round_trip);
  g_test_add_func("/invitation/seal-wrong-password", test_seal_wrong_password);
  g_test_add_func("/invitation/seal-tampered", test_seal_tampered);
  g_test_add_func("/invitation/file-and-link", test_file_and_link);
  g_test_add_func("/invitation/password-file", test_password_file);
  return g_test_run();
}

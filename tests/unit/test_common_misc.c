/* Durations, fingerprints, text sanitising and the identity store. */
#include "common/duration.h"
#include "common/error.h"
#include "common/fingerprint.h"
#include "common/identity.h"
#include "common/text_sanitize.h"
#include <glib/gstdio.h>
#include <sodium.h>
#include <string.h>

static void test_duration(void)
{
  gint64 s = 0;
  g_assert_true(ll_duration_parse("30m", 86400, &s, NULL));
  g_assert_cmpint(s, ==, 1800);
  g_assert_true(ll_duration_parse("2h", 86400, &s, NULL));
  g_assert_cmpint(s, ==, 7200);
  g_assert_true(ll_duration_parse("1h30m", 86400, &s, NULL));
  g_assert_cmpint(s, ==, 5400);
  const char *bad[] = { "", "30", "m", "-5m", "5x", "0m", "1h 30m", "99999999999h" };
  for (guint i = 0; i < G_N_ELEMENTS(bad); i++) {
    g_autoptr(GError) error = NULL;
    g_assert_false(ll_duration_parse(bad[i], 86400, &s, &error));
    g_assert_error(error, LL_ERROR, LL_ERROR_USAGE);
  }
  g_autoptr(GError) error = NULL;
  g_assert_false(ll_duration_parse("2d", 86400, &s, &error));
  g_assert_nonnull(strstr(error->message, "longest allowed is 1 day"));
  g_autofree char *d = ll_duration_describe(5400);
  g_assert_cmpstr(d, ==, "1 hour 30 minutes");
}

static void test_fingerprint_text(void)
{
  guint8 fp[LL_FINGERPRINT_BYTES], back[LL_FINGERPRINT_BYTES];
  randombytes_buf(fp, sizeof fp);
  g_autofree char *text = ll_fingerprint_to_text(fp);
  g_assert_true(g_str_has_prefix(text, "sha256:"));
  g_assert_cmpuint(strlen(text), ==, 7 + 64);
  g_assert_true(ll_fingerprint_from_text(text, back));
  g_assert_cmpmem(fp, sizeof fp, back, sizeof back);
  g_assert_false(ll_fingerprint_from_text("sha256:1234", back));
  g_assert_false(ll_fingerprint_from_text(text + 7, back));
  g_autofree char *upper = g_ascii_strup(text + 7, -1);
  g_autofree char *mixed = g_strconcat("sha256:", upper, NULL);
  g_assert_true(ll_fingerprint_from_text(mixed, back));
}

static void test_sanitize(void)
{
  g_autofree char *a = ll_text_sanitize("Mary\x1b[31m Jones\r\n", 64);
  g_assert_cmpstr(a, ==, "Mary?[31m Jones??");
  g_autofree char *b = ll_text_sanitize("Zoë \xe2\x80\xae evil", 64);
  g_assert_cmpstr(b, ==, "Zoë ? evil");
  g_autofree char *c = ll_text_sanitize("abcdef", 3);
  g_assert_cmpstr(c, ==, "abc");
  g_autofree char *d = ll_text_sanitize("bad \xff utf8", 64);
  g_assert_true(g_utf8_validate(d, -1, NULL));
}

static void test_identity_created_once(void)
{
  g_autofree char *dir = g_dir_make_tmp("lifeline-id-XXXXXX", NULL);
  g_autofree char *sub = g_build_filename(dir, "lifeline", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(LlIdentity) first = ll_identity_load_or_create(sub, &error);
  g_assert_no_error(error);
  GStatBuf st;
  g_assert_cmpint(g_stat(first->path, &st), ==, 0);
  g_assert_cmpint(st.st_mode & 0777, ==, 0600);
  g_autoptr(LlIdentity) second = ll_identity_load_or_create(sub, &error);
  g_assert_no_error(error);
  g_assert_cmpmem(first->fingerprint, LL_FINGERPRINT_BYTES, second->fingerprint,
                  LL_FINGERPRINT_BYTES);

  /* A key file others can read is refused, with the fix in the message. */
  g_chmod(first->path, 0644);
  g_autoptr(GError) open_error = NULL;
  g_autoptr(LlIdentity) third = ll_identity_load_or_create(sub, &open_error);
  g_assert_null(third);
  g_assert_nonnull(strstr(open_error->message, "chmod 600"));
  g_unlink(first->path);
  g_rmdir(sub);
  g_rmdir(dir);
}

static void test_host_id(void)
{
  guint8 fp[LL_FINGERPRINT_BYTES], other[LL_FINGERPRINT_BYTES];
  randombytes_buf(fp, sizeof fp);
  memcpy(other, fp, sizeof other);
  other[9] ^= 0x01;   /* the last bit a host id covers */
  g_autofree char *id = ll_host_id_of(fp);
  g_assert_cmpuint(strlen(id), ==, 19);
  g_assert_true(id[4] == '-' && id[9] == '-' && id[14] == '-');
  LlKeyPin pin;
  g_assert_true(ll_key_pin_parse(id, &pin));
  g_assert_cmpuint(pin.len, ==, LL_HOST_ID_BYTES);
  g_assert_true(ll_key_pin_matches(&pin, fp));
  g_assert_false(ll_key_pin_matches(&pin, other));
  /* Read out loud and typed back: any case, spaces, O for 0, I and L for 1. */
  g_autofree char *typed = g_ascii_strup(id, -1);
  g_strdelimit(typed, "-", ' ');
  g_strdelimit(typed, "0", 'O');
  g_strdelimit(typed, "1", 'L');
  LlKeyPin again;
  g_assert_true(ll_key_pin_parse(typed, &again));
  g_assert_cmpmem(again.bytes, LL_HOST_ID_BYTES, pin.bytes, LL_HOST_ID_BYTES);
  const char *bad[] = { "", "k7qm-3xrd-pa9t", "k7qm-3xrd-pa9t-we2f-x", "k7qm-3xrd-pa9t-we2u",
                        "sha256:12" };
  for (guint i = 0; i < G_N_ELEMENTS(bad); i++)
    g_assert_false(ll_key_pin_parse(bad[i], &again));
  g_autofree char *full = ll_fingerprint_to_text(fp);
  g_assert_true(ll_key_pin_parse(full, &again));
  g_assert_cmpuint(again.len, ==, LL_FINGERPRINT_BYTES);
  g_assert_true(ll_key_pin_matches(&again, fp));
  g_assert_false(ll_key_pin_matches(&again, other));
}

int main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_assert_cmpint(sodium_init(), >=, 0);
  g_test_add_func("/common/duration", test_duration);
  g_test_add_func("/common/host-id", test_host_id);
  g_test_add_func("/common/fingerprint-text", test_fingerprint_text);
  g_test_add_func("/common/sanitize", test_sanitize);
  g_test_add_func("/common/identity-created-once", test_identity_created_once);
  return g_test_run();
}

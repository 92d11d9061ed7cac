/* Who may offer help: the policy decision on helper certificates made by
 * real CAs (common/org_ca.c) for real identities (common/identity.c). */
#include "common/helper_admission.h"
#include "common/identity.h"
#include "common/org_ca.h"
#include "common/x509_util.h"
#include <glib/gstdio.h>
#include <sodium.h>
#include <string.h>

typedef struct {
  char *dir;
  char *ca_path;
  char *other_ca_path;
  GBytes *signed_helper;      /* Mary: signed by Example IT for 30 days */
  GBytes *foreign_helper;     /* Olaf: signed by Other Corp */
  GBytes *plain_helper;       /* Sam: no organisation */
  char *mary_key, *sam_key;
} Fixture;

static GBytes *der_of(GTlsCertificate *certificate)
{
  g_autoptr(GByteArray) der = NULL;
  g_object_get(certificate, "certificate", &der, NULL);
  return g_bytes_new(der->data, der->len);
}

/* A helper identity in DIR/NAME, signed by the CA in CA_DIR when given. */
static GBytes *make_helper(Fixture *f, const char *name, const char *ca_dir, char **key_text)
{
  g_autofree char *id_dir = g_build_filename(f->dir, name, NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(LlIdentity) id = ll_identity_load_or_create(id_dir, &error);
  g_assert_no_error(error);
  g_assert_true(ll_identity_set_name(id, name, &error));
  if (ca_dir != NULL) {
    g_autofree char *request = ll_identity_export_request(id, &error);
    g_assert_no_error(error);
    LlSignedHelper s;
    g_assert_true(ll_org_ca_sign(ca_dir, request, strlen(request), 30, &s, &error));
    g_assert_no_error(error);
    g_assert_cmpstr(s.helper_name, ==, name);
    g_autofree char *mine = ll_fingerprint_to_text(id->fingerprint);
    g_assert_cmpstr(s.fingerprint, ==, mine);   /* signing keeps the key's fingerprint */
    g_assert_true(ll_identity_import_certificate(id, s.certificate_pem,
                                                 strlen(s.certificate_pem), &error));
    g_assert_no_error(error);
    g_assert_nonnull(id->organisation);
    ll_signed_helper_clear(&s);
  }
  if (key_text != NULL)
    *key_text = ll_fingerprint_to_text(id->fingerprint);
  return der_of(id->certificate);
}

static void fixture_set_up(Fixture *f, gconstpointer data)
{
  (void)data;
  f->dir = g_dir_make_tmp("ll-admission-XXXXXX", NULL);
  g_autofree char *ca = g_build_filename(f->dir, "example-ca", NULL);
  g_autofree char *other = g_build_filename(f->dir, "other-ca", NULL);
  g_assert_true(ll_org_ca_init(ca, "Example IT", NULL));
  g_assert_true(ll_org_ca_init(other, "Other Corp", NULL));
  f->ca_path = g_build_filename(ca, LL_CA_CERT_FILE, NULL);
  f->other_ca_path = g_build_filename(other, LL_CA_CERT_FILE, NULL);
  f->signed_helper = make_helper(f, "Mary Jones", ca, &f->mary_key);
  f->foreign_helper = make_helper(f, "Olaf", other, NULL);
  f->plain_helper = make_helper(f, "Sam", NULL, &f->sam_key);
}

static void remove_tree(const char *dir)
{
  g_autoptr(GDir) d = g_dir_open(dir, 0, NULL);
  const char *name;
  while (d != NULL && (name = g_dir_read_name(d)) != NULL) {
    g_autofree char *path = g_build_filename(dir, name, NULL);
    if (g_file_test(path, G_FILE_TEST_IS_DIR))
      remove_tree(path);
    else
      g_unlink(path);
  }
  g_rmdir(dir);
}

static void fixture_tear_down(Fixture *f, gconstpointer data)
{
  (void)data;
  remove_tree(f->dir);
  g_free(f->dir);
  g_free(f->ca_path);
  g_free(f->other_ca_path);
  g_bytes_unref(f->signed_helper);
  g_bytes_unref(f->foreign_helper);
  g_bytes_unref(f->plain_helper);
  g_free(f->mary_key);
  g_free(f->sam_key);
}

static LlPolicy *policy(const char *format, ...) G_GNUC_PRINTF(1, 2);
static LlPolicy *policy(const char *format, ...)
{
  va_list args;
  va_start(args, format);
  g_autofree char *text = g_strdup_vprintf(format, args);
  va_end(args);
  return ll_policy_parse(text, strlen(text), "test.conf", LL_POLICY_LOCAL);
}

static LlAdmitVerdict check(const LlPolicy *p, GBytes *der, gint64 now, LlAdmission *out)
{
  gsize len = 0;
  const guint8 *data = g_bytes_get_data(der, &len);
  ll_admission_check(p, data, len, now, out);
  return out->verdict;
}

static gint64 now(void)
{
  return g_get_real_time() / G_USEC_PER_SEC;
}

static void test_by_ca(Fixture *f, gconstpointer data)
{
  (void)data;
  g_autoptr(LlPolicy) p = policy("[offer]\nallow=true\nhelper-ca=%s\n", f->ca_path);
  LlAdmission a;
  g_assert_cmpint(check(p, f->signed_helper, now(), &a), ==, LL_ADMIT_YES);
  g_assert_cmpstr(a.name, ==, "Mary Jones");
  g_assert_cmpstr(a.organisation, ==, "Example IT");
  g_assert_null(a.reason);
  ll_admission_clear(&a);

  g_assert_cmpint(check(p, f->foreign_helper, now(), &a), ==, LL_ADMIT_OTHER_CA);
  g_assert_nonnull(strstr(a.reason, "not an authorized helper for this machine"));
  g_assert_nonnull(strstr(a.reason, "Other Corp"));
  ll_admission_clear(&a);

  g_assert_cmpint(check(p, f->plain_helper, now(), &a), ==, LL_ADMIT_NOT_LISTED);
  g_assert_cmpstr(a.reason, ==, "not an authorized helper for this machine");
  ll_admission_clear(&a);
}

static void test_expired_and_not_yet(Fixture *f, gconstpointer data)
{
  (void)data;
  g_autoptr(LlPolicy) p = policy("[offer]\nallow=true\nhelper-ca=%s\n", f->ca_path);
  LlAdmission a;
  g_assert_cmpint(check(p, f->signed_helper, now() + 31 * 86400, &a), ==, LL_ADMIT_EXPIRED);
  g_assert_nonnull(strstr(a.reason, "expired"));
  g_assert_nonnull(strstr(a.reason, "ask Example IT for a new one"));
  ll_admission_clear(&a);
  g_assert_cmpint(check(p, f->signed_helper, now() - 86400, &a), ==, LL_ADMIT_NOT_YET_VALID);
  ll_admission_clear(&a);
  g_assert_cmpint(check(p, f->signed_helper, now() + 29 * 86400, &a), ==, LL_ADMIT_YES);
  ll_admission_clear(&a);
}

static void test_by_fingerprint(Fixture *f, gconstpointer data)
{
  (void)data;
  g_autoptr(LlPolicy) p = policy("[offer]\nallow=true\nhelpers=%s\n", f->sam_key);
  LlAdmission a;
  g_assert_cmpint(check(p, f->plain_helper, now(), &a), ==, LL_ADMIT_YES);
  g_assert_null(a.organisation);
  ll_admission_clear(&a);
  g_assert_cmpint(check(p, f->signed_helper, now(), &a), ==, LL_ADMIT_OTHER_CA);
  ll_admission_clear(&a);
  /* Listed by key, the certificate's CA does not matter: Mary's is
   * signed and her key is listed. */
  g_autoptr(LlPolicy) q = policy("[offer]\nallow=true\nhelpers=%s;%s\n", f->sam_key, f->mary_key);
  g_assert_cmpint(check(q, f->signed_helper, now(), &a), ==, LL_ADMIT_YES);
  ll_admission_clear(&a);
}

static void test_offers_off(Fixture *f, gconstpointer data)
{
  (void)data;
  g_autoptr(LlPolicy) p = policy("[offer]\nallow=false\nhelpers=%s\nhelper-ca=%s\n", f->sam_key,
                                 f->ca_path);
  LlAdmission a;
  g_assert_cmpint(check(p, f->plain_helper, now(), &a), ==, LL_ADMIT_OFFERS_OFF);
  g_assert_cmpstr(a.reason, ==, "this machine does not accept offers of help");
  ll_admission_clear(&a);
  g_autoptr(LlPolicy) none = ll_policy_new_default();
  g_assert_cmpint(check(none, f->signed_helper, now(), &a), ==, LL_ADMIT_OFFERS_OFF);
  ll_admission_clear(&a);
}

static void test_garbage_certificate(Fixture *f, gconstpointer data)
{
  (void)data;
  g_autoptr(LlPolicy) p = policy("[offer]\nallow=true\nhelper-ca=%s\n", f->ca_path);
  guint8 junk[300];
  randombytes_buf(junk, sizeof junk);
  LlAdmission a;
  ll_admission_check(p, junk, sizeof junk, now(), &a);
  g_assert_cmpint(a.verdict, ==, LL_ADMIT_NOT_LISTED);
  ll_admission_clear(&a);
  ll_admission_check(p, junk, 0, now(), &a);
  g_assert_cmpint(a.verdict, ==, LL_ADMIT_NOT_LISTED);
  ll_admission_clear(&a);
}

static void test_user_list_narrows(Fixture *f, gconstpointer data)
{
  (void)data;
  g_autoptr(LlPolicy) machine = policy("[offer]\nallow=true\ncontrol=allow\nhelper-ca=%s\n",
                                       f->ca_path);
  g_autofree char *user_text = g_strdup_printf("[offer]\nhelpers=%s\n", f->sam_key);
  g_autoptr(LlPolicy) user = ll_policy_parse(user_text, strlen(user_text), "user.conf", LL_POLICY_NARROWING);
  g_autoptr(LlPolicy) p = ll_policy_narrow(machine, user);
  LlAdmission a;
  /* Mary has the machine's CA but the user lists only Sam; Sam is listed
   * by the user but not admitted by the machine. */
  g_assert_cmpint(check(p, f->signed_helper, now(), &a), !=, LL_ADMIT_YES);
  ll_admission_clear(&a);
  g_assert_cmpint(check(p, f->plain_helper, now(), &a), !=, LL_ADMIT_YES);
  ll_admission_clear(&a);
}

/* A certificate the CA in CA_DIR signed, for a fresh key, made directly
 * with GnuTLS: IS_CA and PURPOSE (NULL: none) as given. DER, owned. */
static GBytes *odd_certificate(const char *ca_dir, gboolean is_ca, const char *purpose)
{
  g_autofree char *key_path = g_build_filename(ca_dir, LL_CA_KEY_FILE, NULL);
  g_autofree char *cert_path = g_build_filename(ca_dir, LL_CA_CERT_FILE, NULL);
  gnutls_x509_privkey_t ca_key, key;
  gnutls_x509_crt_t ca_cert, crt;
  g_assert_true(ll_import_key_file(key_path, &ca_key, NULL));
  g_assert_true(ll_import_certificate_file(cert_path, &ca_cert, NULL));
  g_assert_true(ll_generate_p256_key(&key, NULL));
  g_assert_cmpint(gnutls_x509_crt_init(&crt), >=, 0);
  g_assert_true(ll_certificate_set_basics(crt, now() - 60, 86400, NULL));
  g_assert_cmpint(gnutls_x509_crt_set_dn_by_oid(crt, GNUTLS_OID_X520_COMMON_NAME, 0, "Odd", 3), >=, 0);
  g_assert_cmpint(gnutls_x509_crt_set_key(crt, key), >=, 0);
  g_assert_cmpint(gnutls_x509_crt_set_basic_constraints(crt, is_ca, -1), >=, 0);
  if (purpose != NULL)
    g_assert_cmpint(gnutls_x509_crt_set_key_purpose_oid(crt, purpose, 0), >=, 0);
  g_assert_cmpint(gnutls_x509_crt_sign2(crt, ca_cert, ca_key, GNUTLS_DIG_SHA256, 0), >=, 0);
  gnutls_datum_t der;
  g_assert_cmpint(gnutls_x509_crt_export2(crt, GNUTLS_X509_FMT_DER, &der), >=, 0);
  GBytes *out = g_bytes_new(der.data, der.size);
  gnutls_free(der.data);
  gnutls_x509_crt_deinit(crt);
  gnutls_x509_crt_deinit(ca_cert);
  gnutls_x509_privkey_deinit(key);
  gnutls_x509_privkey_deinit(ca_key);
  return out;
}

static void test_only_helper_certificates(Fixture *f, gconstpointer data)
{
  (void)data;
  g_autofree char *ca_dir = g_build_filename(f->dir, "example-ca", NULL);
  g_autoptr(LlPolicy) p = policy("[offer]\nallow=true\nhelper-ca=%s\n", f->ca_path);
  g_autoptr(GBytes) sub_ca = odd_certificate(ca_dir, TRUE, NULL);
  g_autoptr(GBytes) server = odd_certificate(ca_dir, FALSE, GNUTLS_KP_TLS_WWW_SERVER);
  g_autoptr(GBytes) client = odd_certificate(ca_dir, FALSE, GNUTLS_KP_TLS_WWW_CLIENT);
  LlAdmission a;
  g_assert_cmpint(check(p, sub_ca, now(), &a), ==, LL_ADMIT_NOT_LISTED);
  g_assert_nonnull(strstr(a.reason, "not a helper's"));
  ll_admission_clear(&a);
  g_assert_cmpint(check(p, server, now(), &a), ==, LL_ADMIT_NOT_LISTED);
  ll_admission_clear(&a);
  g_assert_cmpint(check(p, client, now(), &a), ==, LL_ADMIT_YES);
  ll_admission_clear(&a);
}

static void test_request_checks(Fixture *f, gconstpointer data)
{
  (void)data;
  g_autofree char *ca = g_build_filename(f->dir, "example-ca", NULL);
  g_autoptr(GError) error = NULL;
  LlSignedHelper s;
  g_assert_false(ll_org_ca_sign(ca, "garbage", 7, 30, &s, &error));
  g_assert_nonnull(strstr(error->message, "lifeline id --export"));
  g_clear_error(&error);
  /* A request someone altered (its name) no longer verifies. */
  g_autofree char *id_dir = g_build_filename(f->dir, "Eve", NULL);
  g_autoptr(LlIdentity) id = ll_identity_load_or_create(id_dir, NULL);
  g_assert_false(ll_identity_export_request(id, &error) != NULL);   /* no name yet */
  g_clear_error(&error);
  g_assert_true(ll_identity_set_name(id, "Eve", NULL));
  g_autofree char *request = ll_identity_export_request(id, NULL);
  gsize len = 0;
  g_autofree char *b64 = g_strndup(strchr(request, '\n') + 1,
                                   strstr(request, "-----END") - strchr(request, '\n') - 1);
  g_autofree guint8 *der = g_base64_decode(b64, &len);
  guint8 *name = memmem(der, len, "Eve", 3);
  g_assert_nonnull(name);
  name[0] = 'A';
  g_autofree char *b64_altered = g_base64_encode(der, len);
  g_autofree char *altered = g_strdup_printf("-----BEGIN NEW CERTIFICATE REQUEST-----\n%s\n"
                                             "-----END NEW CERTIFICATE REQUEST-----\n",
                                             b64_altered);
  g_assert_false(ll_org_ca_sign(ca, altered, strlen(altered), 30, &s, &error));
  g_assert_nonnull(strstr(error->message, "altered"));
  g_clear_error(&error);
  g_assert_false(ll_org_ca_sign(ca, request, strlen(request), 0, &s, &error));
  g_clear_error(&error);
  g_assert_false(ll_org_ca_init(ca, "Again", &error));
  g_assert_nonnull(strstr(error->message, "already holds a CA"));
  g_clear_error(&error);
  /* A certificate made for someone else's key is refused on import. */
  g_assert_true(ll_org_ca_sign(ca, request, strlen(request), 30, &s, &error));
  g_autofree char *sam_dir = g_build_filename(f->dir, "Sam", NULL);
  g_autoptr(LlIdentity) sam = ll_identity_load_or_create(sam_dir, NULL);
  g_assert_false(ll_identity_import_certificate(sam, s.certificate_pem,
                                                strlen(s.certificate_pem), &error));
  g_assert_nonnull(strstr(error->message, "another key"));
  ll_signed_helper_clear(&s);
}

int main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_assert_cmpint(sodium_init(), >=, 0);
#define ADD(path, fn) g_test_add(path, Fixture, NULL, fixture_set_up, fn, fixture_tear_down)
  ADD("/admission/by-ca", test_by_ca);
  ADD("/admission/expired-and-not-yet-valid", test_expired_and_not_yet);
  ADD("/admission/by-fingerprint", test_by_fingerprint);
  ADD("/admission/offers-off", test_offers_off);
  ADD("/admission/garbage-certificate", test_garbage_certificate);
  ADD("/admission/user-list-narrows", test_user_list_narrows);
  ADD("/admission/request-checks", test_request_checks);
  ADD("/admission/only-helper-certificates", test_only_helper_certificates);
  return g_test_run();
}

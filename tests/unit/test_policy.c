/* The machine policy: every key, defaults, malformed values, unknown keys,
 * fail-closed cases, file permissions and a user's narrowing file. */
#include "common/org_ca.h"
#include "common/policy.h"
#include <glib/gstdio.h>
#include <sodium.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define FP_A "sha256:" "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
#define FP_B "sha256:" "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"

static LlPolicy *parse(const char *text)
{
  return ll_policy_parse(text, strlen(text), "test.conf", LL_POLICY_LOCAL);
}

static char *temp_dir(void)
{
  char *dir = g_dir_make_tmp("ll-policy-XXXXXX", NULL);
  g_assert_nonnull(dir);
  return dir;
}

static char *write_file(const char *dir, const char *name, const char *text, int mode)
{
  char *path = g_build_filename(dir, name, NULL);
  g_assert_true(g_file_set_contents(path, text, -1, NULL));
  g_assert_cmpint(g_chmod(path, mode), ==, 0);
  return path;
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

static void test_defaults(void)
{
  g_autoptr(LlPolicy) p = ll_policy_load_file("/nonexistent/lifeline/policy.conf", LL_POLICY_LOCAL);
  g_assert_true(p->solicited_allowed);
  g_assert_false(p->solicited_view_only);
  g_assert_cmpint(p->max_lifetime_s, ==, LL_POLICY_MAX_LIFETIME_S);
  g_assert_false(p->offers_allowed);
  g_assert_null(p->solicited_problem);
  g_assert_null(p->offer_problem);
  g_autoptr(LlPolicy) empty = parse("");
  g_assert_true(empty->solicited_allowed);
  g_assert_false(empty->offers_allowed);
  g_assert_true(empty->offer_view_only);   /* offered help watches unless policy says allow */
}

static void test_every_key(void)
{
  g_autoptr(LlPolicy) p = parse("[solicited]\n"
                                "allow=true            # may this machine send invitations\n"
                                "control=view-only\n"
                                "max-lifetime=6h\n"
                                "[offer]\n"
                                "allow=true\n"
                                "control=allow\n"
                                "helpers=" FP_A ";" FP_B "\n");
  g_assert_true(p->solicited_allowed);
  g_assert_true(p->solicited_view_only);
  g_assert_cmpint(p->max_lifetime_s, ==, 6 * 3600);
  g_assert_true(p->offers_allowed);
  g_assert_false(p->offer_view_only);
  g_assert_cmpuint(p->admit.fingerprints->len, ==, 2);
  guint8 a[LL_FINGERPRINT_BYTES];
  g_assert_true(ll_fingerprint_from_text(FP_A, a));
  g_assert_true(ll_helper_sources_list(&p->admit, a));
  a[0] ^= 1;
  g_assert_false(ll_helper_sources_list(&p->admit, a));
  g_assert_null(p->offer_problem);
  g_assert_cmpuint(p->warnings->len, ==, 0);

  g_autoptr(LlPolicy) off = parse("[solicited]\nallow=false\n[offer]\nallow=no\n");
  g_assert_false(off->solicited_allowed);
  g_assert_null(off->solicited_problem);   /* the administrator's choice, not a problem */
  g_assert_false(off->offers_allowed);
}

static void test_malformed_values(void)
{
  const struct {
    const char *text;
    gboolean solicited, offers;
    const char *problem;
  } cases[] = {
    { "[solicited]\nallow=maybe\n", FALSE, FALSE, "allow must be true or false" },
    { "[solicited]\ncontrol=sometimes\n", FALSE, FALSE, "control must be allow or view-only" },
    { "[solicited]\nmax-lifetime=forever\n", FALSE, FALSE, "max-lifetime" },
    { "[solicited]\nmax-lifetime=30d\n", FALSE, FALSE, "at most 7d" },
    { "[offer]\nallow=true\nhelpers=sha256:1234\n", TRUE, FALSE, "not a fingerprint" },
    { "[offer]\nallow=1\ncontrol=full\nhelpers=" FP_A "\n", TRUE, FALSE, "control must be" },
    { "[offer]\nallow=perhaps\nhelpers=" FP_A "\n", TRUE, FALSE, "allow must be true or false" },
    { "[offer]\nallow=true\n", TRUE, FALSE, "names no helpers" },
    { "[offer]\nallow=true\nhelper-ca=/nonexistent/ca.pem\n", TRUE, FALSE, "cannot read" },
  };
  for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
    g_autoptr(LlPolicy) p = parse(cases[i].text);
    g_test_message("case %u: %s", i, cases[i].text);
    g_assert_cmpint(p->solicited_allowed, ==, cases[i].solicited);
    g_assert_cmpint(p->offers_allowed, ==, cases[i].offers);
    const char *problem = cases[i].solicited ? p->offer_problem : p->solicited_problem;
    g_assert_nonnull(problem);
    g_assert_nonnull(strstr(problem, cases[i].problem));
  }
}

static void test_does_not_parse(void)
{
  g_autoptr(LlPolicy) p = parse("[solicited\nallow=true\n");
  g_assert_false(p->solicited_allowed);
  g_assert_false(p->offers_allowed);
  g_assert_nonnull(strstr(p->solicited_problem, "does not parse"));
  g_autoptr(LlPolicy) binary = ll_policy_parse("\xff\xfe[x]\n", 5, "bin.conf", LL_POLICY_LOCAL);
  g_assert_false(binary->offers_allowed);
}

static void test_unknown_keys_warned(void)
{
  g_autoptr(LlPolicy) p = parse("[solicited]\nallow=true\ncolour=blue\n[printers]\nx=1\n"
                                "[offer]\nallow=true\nhelpers=" FP_A "\n");
  g_assert_true(p->solicited_allowed);
  g_assert_true(p->offers_allowed);
  g_assert_cmpuint(p->warnings->len, ==, 2);
  g_assert_nonnull(strstr(g_ptr_array_index(p->warnings, 0), "colour"));
  g_assert_nonnull(strstr(g_ptr_array_index(p->warnings, 1), "[printers]"));
}

static void test_permissions_fail_closed(void)
{
  g_autofree char *dir = temp_dir();
  const char *text = "[solicited]\nmax-lifetime=2h\n[offer]\nallow=true\nhelpers=" FP_A "\n";
  g_autofree char *good = write_file(dir, "good.conf", text, 0644);
  g_autoptr(LlPolicy) ok = ll_policy_load_file(good, LL_POLICY_LOCAL);
  g_assert_true(ok->offers_allowed);
  g_autofree char *loose = write_file(dir, "loose.conf", text, 0666);
  g_autoptr(LlPolicy) p = ll_policy_load_file(loose, LL_POLICY_LOCAL);
  g_assert_false(p->offers_allowed);
  g_assert_nonnull(strstr(p->offer_problem, "can be changed by other users"));
  /* [solicited] was readable: it stands. */
  g_assert_true(p->solicited_allowed);
  g_assert_cmpint(p->max_lifetime_s, ==, 7200);
  g_autofree char *group = write_file(dir, "group.conf", text, 0620);
  g_autoptr(LlPolicy) g = ll_policy_load_file(group, LL_POLICY_LOCAL);
  g_assert_false(g->offers_allowed);
  if (getuid() != 0) {
    g_autofree char *unreadable = write_file(dir, "unreadable.conf", text, 0000);
    g_autoptr(LlPolicy) u = ll_policy_load_file(unreadable, LL_POLICY_LOCAL);
    g_assert_false(u->offers_allowed);
    g_assert_false(u->solicited_allowed);
  }
  remove_tree(dir);
}

static void test_helper_ca(void)
{
  g_autofree char *dir = temp_dir();
  g_autofree char *ca_dir = g_build_filename(dir, "ca", NULL);
  g_assert_true(ll_org_ca_init(ca_dir, "Example IT", NULL));
  g_autofree char *ca_path = g_build_filename(ca_dir, LL_CA_CERT_FILE, NULL);
  g_autofree char *text = g_strdup_printf("[offer]\nallow=true\nhelper-ca=%s\n", ca_path);
  g_autoptr(LlPolicy) p = parse(text);
  g_assert_true(p->offers_allowed);
  g_assert_cmpuint(p->admit.cas->len, ==, 1);

  /* A writable CA file lets anyone add helpers: offers fail closed. */
  g_assert_cmpint(g_chmod(ca_path, 0666), ==, 0);
  g_autoptr(LlPolicy) loose = parse(text);
  g_assert_false(loose->offers_allowed);
  g_assert_nonnull(strstr(loose->offer_problem, "can be changed by other users"));
  g_assert_true(loose->solicited_allowed);

  /* A file that is not a CA certificate. */
  g_autofree char *junk = write_file(dir, "junk.pem", "not a certificate\n", 0644);
  g_autofree char *junk_text = g_strdup_printf("[offer]\nallow=true\nhelper-ca=%s\n", junk);
  g_autoptr(LlPolicy) j = parse(junk_text);
  g_assert_false(j->offers_allowed);
  g_assert_nonnull(strstr(j->offer_problem, "holds no certificate"));
  remove_tree(dir);
}

static void test_trust_of_paths(void)
{
  g_autofree char *dir = temp_dir();
  g_autofree char *ca_dir = g_build_filename(dir, "ca", NULL);
  g_assert_true(ll_org_ca_init(ca_dir, "Example IT", NULL));
  /* A relative CA path would be read from wherever the user started us. */
  g_autoptr(LlPolicy) relative = parse("[offer]\nallow=true\nhelper-ca=ca/ca-cert.pem\n");
  g_assert_false(relative->offers_allowed);
  g_assert_nonnull(strstr(relative->offer_problem, "absolute path"));
  /* A policy in a directory anyone may write to (not sticky) can be swapped. */
  g_autofree char *open_dir = g_build_filename(dir, "open", NULL);
  g_assert_cmpint(g_mkdir(open_dir, 0777), ==, 0);
  g_assert_cmpint(g_chmod(open_dir, 0777), ==, 0);
  g_autofree char *in_open = write_file(open_dir, "policy.conf",
                                        "[offer]\nallow=true\nhelpers=" FP_A "\n", 0644);
  g_autoptr(LlPolicy) swapped = ll_policy_load_file(in_open, LL_POLICY_LOCAL);
  g_assert_false(swapped->offers_allowed);
  g_assert_nonnull(strstr(swapped->offer_problem, "other users can change"));
  /* Sticky, like /tmp: others cannot replace it. */
  g_assert_cmpint(g_chmod(open_dir, 01777), ==, 0);
  g_autoptr(LlPolicy) sticky = ll_policy_load_file(in_open, LL_POLICY_LOCAL);
  g_assert_true(sticky->offers_allowed);
  /* The machine's file must be root's; a user's own file may be theirs. */
  if (getuid() == 0) {
    g_autofree char *theirs = write_file(dir, "theirs.conf",
                                         "[offer]\nallow=true\nhelpers=" FP_A "\n", 0644);
    g_assert_cmpint(chown(theirs, 65534, 65534), ==, 0);
    g_autoptr(LlPolicy) machine = ll_policy_load_file(theirs, LL_POLICY_MACHINE);
    g_assert_false(machine->offers_allowed);
    g_assert_nonnull(strstr(machine->offer_problem, "belongs to another user"));
    g_assert_true(machine->solicited_allowed);   /* readable: [solicited] stands */
  }
  remove_tree(dir);
}

static void test_user_narrows(void)
{
  g_autoptr(LlPolicy) machine = parse("[solicited]\nmax-lifetime=6h\n"
                                      "[offer]\nallow=true\ncontrol=allow\nhelpers=" FP_A ";" FP_B
                                      "\n");
  /* A user file that says nothing leaves the machine's policy as it is. */
  g_autoptr(LlPolicy) nothing = ll_policy_parse("", 0, "user.conf", LL_POLICY_NARROWING);
  g_autoptr(LlPolicy) same = ll_policy_narrow(machine, nothing);
  g_assert_true(same->offers_allowed);
  g_assert_false(same->offer_view_only);
  g_assert_cmpint(same->max_lifetime_s, ==, 6 * 3600);
  g_assert_true(ll_helper_sources_empty(&same->user_admit));

  /* Narrower settings win; wider ones cannot. */
  const char *user_text = "[solicited]\nmax-lifetime=7d\ncontrol=view-only\n"
                          "[offer]\ncontrol=view-only\nhelpers=" FP_B "\n";
  g_autoptr(LlPolicy) user = ll_policy_parse(user_text, strlen(user_text), "user.conf", LL_POLICY_NARROWING);
  g_autoptr(LlPolicy) n = ll_policy_narrow(machine, user);
  g_assert_cmpint(n->max_lifetime_s, ==, 6 * 3600);
  g_assert_true(n->solicited_view_only);
  g_assert_true(n->offer_view_only);
  g_assert_true(n->offers_allowed);
  guint8 b[LL_FINGERPRINT_BYTES];
  g_assert_true(ll_fingerprint_from_text(FP_B, b));
  g_assert_true(ll_helper_sources_list(&n->user_admit, b));

  const char *wider = "[solicited]\nallow=true\n[offer]\nallow=true\n";
  g_autoptr(LlPolicy) closed = parse("[solicited]\nallow=false\n");
  g_autoptr(LlPolicy) u2 = ll_policy_parse(wider, strlen(wider), "user.conf", LL_POLICY_NARROWING);
  g_autoptr(LlPolicy) n2 = ll_policy_narrow(closed, u2);
  g_assert_false(n2->solicited_allowed);
  g_assert_false(n2->offers_allowed);

  const char *off = "[offer]\nallow=false\n";
  g_autoptr(LlPolicy) u3 = ll_policy_parse(off, strlen(off), "user.conf", LL_POLICY_NARROWING);
  g_autoptr(LlPolicy) n3 = ll_policy_narrow(machine, u3);
  g_assert_false(n3->offers_allowed);
}

static void test_effective_reads_user_file(void)
{
  g_autofree char *dir = temp_dir();
  g_autofree char *machine = write_file(dir, "policy.conf",
                                        "[offer]\nallow=true\nhelpers=" FP_A "\n", 0644);
  g_autofree char *config = g_build_filename(dir, "config", "lifeline", NULL);
  g_assert_cmpint(g_mkdir_with_parents(config, 0700), ==, 0);
  g_autofree char *user = write_file(config, "policy.conf", "[offer]\nallow=false\n", 0600);
  g_autofree char *config_home = g_build_filename(dir, "config", NULL);
  g_setenv("XDG_CONFIG_HOME", config_home, TRUE);
  g_autoptr(LlPolicy) p = ll_policy_load_effective(machine);
  g_assert_false(p->offers_allowed);
  g_unlink(user);
  g_autoptr(LlPolicy) q = ll_policy_load_effective(machine);
  g_assert_true(q->offers_allowed);
  remove_tree(dir);
}

int main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_assert_cmpint(sodium_init(), >=, 0);
  g_test_add_func("/policy/defaults", test_defaults);
  g_test_add_func("/policy/every-key", test_every_key);
  g_test_add_func("/policy/malformed-values", test_malformed_values);
  g_test_add_func("/policy/does-not-parse", test_does_not_parse);
  g_test_add_func("/policy/unknown-keys-warned", test_unknown_keys_warned);
  g_test_add_func("/policy/permissions-fail-closed", test_permissions_fail_closed);
  g_test_add_func("/policy/helper-ca", test_helper_ca);
  g_test_add_func("/policy/trust-of-paths", test_trust_of_paths);
  g_test_add_func("/policy/user-narrows", test_user_narrows);
  g_test_add_func("/policy/effective-reads-user-file", test_effective_reads_user_file);
  return g_test_run();
}

/* The portal's restore token on disk: kept 0600 under XDG_STATE_HOME,
 * given back as written, and anything implausible (a huge file, control
 * characters, nothing) ignored rather than handed to the portal. */
#include <glib.h>
#include <glib/gstdio.h>
#include <sys/stat.h>
#include "novice/desktop/portal/portal_token.h"

static char *token_file(const char *state)
{
  return g_build_filename(state, "lifeline", "portal-restore-token", NULL);
}

static void test_keep_and_reject(void)
{
  g_autofree char *state = g_dir_make_tmp("lifeline-token-XXXXXX", NULL);
  g_setenv("XDG_STATE_HOME", state, TRUE);
  g_assert_null(ll_portal_token_load());
  ll_portal_token_save("8a2f6c1e-7f3b-4a52-9d1e-2b7c0e4f5a61");
  g_autofree char *path = token_file(state);
  GStatBuf st;
  g_assert_cmpint(g_stat(path, &st), ==, 0);
  g_assert_cmpint(st.st_mode & 0777, ==, 0600);
  g_autofree char *back = ll_portal_token_load();
  g_assert_cmpstr(back, ==, "8a2f6c1e-7f3b-4a52-9d1e-2b7c0e4f5a61");
  /* Written by someone else: control characters, too long, empty. */
  g_assert_true(g_file_set_contents(path, "abc\001def", -1, NULL));
  g_assert_null(ll_portal_token_load());
  g_autofree char *huge = g_strnfill(5000, 'a');
  g_assert_true(g_file_set_contents(path, huge, -1, NULL));
  g_assert_null(ll_portal_token_load());
  g_assert_true(g_file_set_contents(path, "", -1, NULL));
  g_assert_null(ll_portal_token_load());
  /* Forgotten: none saved, none loaded. */
  ll_portal_token_save(NULL);
  g_assert_false(g_file_test(path, G_FILE_TEST_EXISTS));
  g_autofree char *dir = g_path_get_dirname(path);
  g_rmdir(dir);
  g_rmdir(state);
}

int main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/portal-token/keep-and-reject", test_keep_and_reject);
  return g_test_run();
}

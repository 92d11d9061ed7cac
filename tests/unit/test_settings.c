/* lifeline.conf: what is read, what is left out and said, which file wins. */
#include "common/settings.h"
#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>

static LlSettings *parse(const char *text)
{
  return ll_settings_parse(text, strlen(text), "test.conf");
}

static void test_urls(void)
{
  g_autoptr(LlSettings) s = parse("[rendezvous]\nurls=rdv.example.org;rdv2.example.org:8443\n");
  g_assert_cmpstr(s->rendezvous_urls[0], ==, "wss://rdv.example.org/lifeline");
  g_assert_cmpstr(s->rendezvous_urls[1], ==, "ws://rdv2.example.org:8443/lifeline");
  g_assert_null(s->rendezvous_urls[2]);
  g_assert_cmpuint(s->problems->len, ==, 0);
  g_autofree char *chosen = ll_settings_rendezvous(s, NULL, NULL);
  g_assert_cmpstr(chosen, ==, "wss://rdv.example.org/lifeline");
  g_autoptr(GError) error = NULL;
  g_autofree char *typed = ll_settings_rendezvous(s, "other.example.org", &error);
  g_assert_cmpstr(typed, ==, "wss://other.example.org/lifeline");   /* the option wins */
  g_autofree char *bad = ll_settings_rendezvous(s, "ftp://x", &error);
  g_assert_null(bad);
  g_assert_nonnull(error);
}

static void test_problems_are_said(void)
{
  g_autoptr(LlSettings) s = parse("[rendezvous]\nurls=wss://bob:pw@rdv.example.org;good.example\n"
                                  "colour=blue\n[theme]\nx=1\n");
  g_assert_cmpstr(s->rendezvous_urls[0], ==, "wss://good.example/lifeline");
  g_assert_null(s->rendezvous_urls[1]);
  g_assert_cmpuint(s->problems->len, ==, 3);   /* the bad URL, colour, [theme] x */
  g_autoptr(LlSettings) broken = parse("this is not a key file");
  g_assert_null(broken->rendezvous_urls[0]);
  g_assert_cmpuint(broken->problems->len, ==, 1);
  GString *huge = g_string_new("[rendezvous]\nurls=");
  while (huge->len < 70 * 1024)
    g_string_append(huge, "rdv.example.org;");
  g_autoptr(LlSettings) big = ll_settings_parse(huge->str, huge->len, "big.conf");
  g_assert_null(big->rendezvous_urls[0]);
  g_assert_true(strstr(big->problems->pdata[0], "larger than") != NULL);
  g_string_free(huge, TRUE);
  g_autoptr(LlSettings) many = parse("[rendezvous]\nurls=a.example;b.example;c.example;d.example;"
                                     "e.example;f.example;g.example;h.example;i.example\n");
  g_assert_cmpuint(g_strv_length(many->rendezvous_urls), ==, 8);
  g_assert_cmpuint(many->problems->len, ==, 1);
}

static void test_the_persons_file_wins(void)
{
  g_autofree char *dir = g_dir_make_tmp("lifeline-settings-XXXXXX", NULL);
  g_autofree char *system = g_build_filename(dir, "system.conf", NULL);
  g_autofree char *config = g_build_filename(dir, "config", "lifeline", NULL);
  g_autofree char *mine = g_build_filename(config, "lifeline.conf", NULL);
  g_assert_true(g_file_set_contents(system, "[rendezvous]\nurls=machine.example\n", -1, NULL));
  g_assert_cmpint(g_mkdir_with_parents(config, 0700), ==, 0);
  g_autofree char *config_home = g_build_filename(dir, "config", NULL);
  g_setenv("XDG_CONFIG_HOME", config_home, TRUE);
  g_autoptr(LlSettings) machine_only = ll_settings_load(system);
  g_assert_cmpstr(machine_only->rendezvous_urls[0], ==, "wss://machine.example/lifeline");
  g_assert_cmpstr(machine_only->rendezvous_from, ==, system);
  g_assert_true(g_file_set_contents(mine, "[rendezvous]\nurls=mine.example\n", -1, NULL));
  g_autoptr(LlSettings) both = ll_settings_load(system);
  g_assert_cmpstr(both->rendezvous_urls[0], ==, "wss://mine.example/lifeline");
  g_assert_null(both->rendezvous_urls[1]);
  /* The app's "Change…": the person's choice saved, their other lines kept. */
  g_assert_true(g_file_set_contents(mine, "# mine\n[rendezvous]\nurls=old.example\n"
                                          "[later]\nkept=yes\n", -1, NULL));
  g_autofree char *saved = NULL;
  g_assert_true(ll_settings_save_rendezvous("  rdv.example.org:8443 ", &saved, NULL));
  g_assert_cmpstr(saved, ==, "ws://rdv.example.org:8443/lifeline");
  g_autoptr(LlSettings) changed = ll_settings_load(system);
  g_assert_cmpstr(changed->rendezvous_urls[0], ==, "ws://rdv.example.org:8443/lifeline");
  g_autofree char *text = NULL;
  g_assert_true(g_file_get_contents(mine, &text, NULL, NULL));
  g_assert_nonnull(strstr(text, "# mine"));
  g_assert_nonnull(strstr(text, "kept=yes"));
  g_autoptr(GError) error = NULL;
  g_autofree char *refused = NULL;
  g_assert_false(ll_settings_save_rendezvous("ftp://x", &refused, &error));
  g_assert_nonnull(error);
  g_autofree char *removed = NULL;
  g_assert_true(ll_settings_save_rendezvous("", &removed, NULL));   /* the machine's again */
  g_assert_null(removed);
  g_autoptr(LlSettings) back = ll_settings_load(system);
  g_assert_cmpstr(back->rendezvous_urls[0], ==, "wss://machine.example/lifeline");
  g_unlink(mine);
  g_autofree char *missing = g_build_filename(dir, "missing.conf", NULL);
  g_autoptr(LlSettings) nothing = ll_settings_load(missing);
  g_assert_null(nothing->rendezvous_urls[0]);
  g_assert_cmpuint(nothing->problems->len, ==, 0);
  /* A FIFO (or a device) is never read: it could block or never end. */
  g_autofree char *fifo = g_build_filename(dir, "fifo.conf", NULL);
  g_assert_cmpint(mkfifo(fifo, 0600), ==, 0);
  g_autoptr(LlSettings) piped = ll_settings_load(fifo);
  g_assert_null(piped->rendezvous_urls[0]);
  g_assert_nonnull(strstr(piped->problems->pdata[0], "not a regular file"));
  g_unlink(fifo);
  g_unlink(system);
  g_rmdir(config);
  g_rmdir(config_home);
  g_rmdir(dir);
}

int main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/settings/urls", test_urls);
  g_test_add_func("/settings/problems", test_problems_are_said);
  g_test_add_func("/settings/persons-file-wins", test_the_persons_file_wins);
  return g_test_run();
}

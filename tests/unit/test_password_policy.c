/* Which passwords may seal an invitation, and the ones Lifeline makes. */
#include "common/error.h"
#include "common/password_policy.h"
#include <string.h>

static void assert_refused(const char *password, const char *why)
{
  g_autoptr(GError) error = NULL;
  g_assert_false(ll_password_check(password, strlen(password), &error));
  g_assert_error(error, LL_ERROR, LL_ERROR_USAGE);
  if (strstr(error->message, why) == NULL)
    g_error("\"%s\" does not say \"%s\"", error->message, why);
  g_assert_nonnull(strstr(error->message, "four unrelated words"));   /* what would do */
}

static void test_refused(void)
{
  assert_refused("x", "too short");
  assert_refused("abc", "(3 characters)");
  assert_refused("ünïcødé-11c", "(11 characters)");   /* characters, not bytes */
  assert_refused("password123456", "too easy to guess");
  assert_refused("aaaaaaaaaaaaaaaa", "too easy to guess");
  assert_refused("elephantine12", "too easy to guess");
  g_autoptr(GError) error = NULL;
  g_assert_false(ll_password_check("\xff\xfe not text at all", 18, &error));
  g_assert_error(error, LL_ERROR, LL_ERROR_USAGE);
}

static void test_taken(void)
{
  const char *good[] = { "purple elephant 42", "correct horse battery staple",
                         "Tr0ub4dor&3xyz!" };
  for (gsize i = 0; i < G_N_ELEMENTS(good); i++) {
    g_autoptr(GError) error = NULL;
    g_assert_true(ll_password_check(good[i], strlen(good[i]), &error));
    g_assert_no_error(error);
  }
}

static void test_generated(void)
{
  g_autoptr(GError) error = NULL;
  guint count = ll_password_word_count(&error);
  g_assert_no_error(error);
  /* Four of at least 10,000 words: over 53 bits. */
  g_assert_cmpuint(count, >=, 10000);
  g_autofree char *a = ll_password_generate(&error);
  g_autofree char *b = ll_password_generate(&error);
  g_assert_no_error(error);
  g_auto(GStrv) words = g_strsplit(a, " ", -1);
  g_assert_cmpuint(g_strv_length(words), ==, LL_PASSWORD_WORDS);
  for (guint i = 0; words[i] != NULL; i++) {
    g_assert_cmpuint(strlen(words[i]), >=, 4);
    g_assert_cmpuint(strlen(words[i]), <=, 8);
    for (const char *c = words[i]; *c != '\0'; c++)
      g_assert_true(*c >= 'a' && *c <= 'z');
  }
  g_assert_cmpstr(a, !=, b);
  g_assert_true(ll_password_check(a, strlen(a), &error));   /* what it makes, it takes */
}

int main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/password/refused", test_refused);
  g_test_add_func("/password/taken", test_taken);
  g_test_add_func("/password/generated", test_generated);
  return g_test_run();
}

#include "common/password_policy.h"
#include "common/error.h"
#include <stddef.h>
#include <crack.h>
#include <sodium.h>
#include <string.h>

/* The word list may be big, but not without bound. */
#define MAX_WORD_LIST (16 * 1024 * 1024)
#define MIN_WORD 4
#define MAX_WORD 8

static const char *what_would_do =
    "use at least 12 characters, for example four unrelated words";

/* Cracklib's verdict, or NULL when it has no dictionary here. */
static const char *dictionary_verdict(const char *password)
{
  const char *dictionary = GetDefaultCracklibDict();
  g_autofree char *packed = g_strconcat(dictionary, ".pwd", NULL);
  if (!g_file_test(packed, G_FILE_TEST_EXISTS)) {
    g_info("no cracklib dictionary at %s: passwords are checked for length only", dictionary);
    return NULL;
  }
  return FascistCheck(password, dictionary);
}

gboolean ll_password_check(const char *password, gsize len, GError **error)
{
  if (!g_utf8_validate(password, len, NULL)) {
    g_set_error_literal(error, LL_ERROR, LL_ERROR_USAGE, "the password is not valid text");
    return FALSE;
  }
  glong chars = g_utf8_strlen(password, len);
  if (chars < LL_PASSWORD_MIN_CHARS) {
    g_set_error(error, LL_ERROR, LL_ERROR_USAGE,
                "that password is too short to protect an invitation (%ld characters); %s",
                chars, what_would_do);
    return FALSE;
  }
  g_autofree char *copy = g_strndup(password, len);
  const char *verdict = dictionary_verdict(copy);
  sodium_memzero(copy, len);
  if (verdict != NULL) {
    g_set_error(error, LL_ERROR, LL_ERROR_USAGE,
                "that password is too easy to guess (%s); %s", verdict, what_would_do);
    return FALSE;
  }
  return TRUE;
}

static gboolean usable_word(const char *word)
{
  gsize n = strlen(word);
  if (n < MIN_WORD || n > MAX_WORD)
    return FALSE;
  for (gsize i = 0; i < n; i++)
    if (word[i] < 'a' || word[i] > 'z')   /* no names, plurals with 's, accents */
      return FALSE;
  return TRUE;
}

/* The usable words of the list, NULL-terminated, pointing into *TEXT. */
static GPtrArray *read_words(char **text, GError **error)
{
  gsize size = 0;
  if (!g_file_get_contents(LL_PASSWORD_WORD_LIST, text, &size, NULL) || size > MAX_WORD_LIST) {
    g_set_error(error, LL_ERROR, LL_ERROR_FAILED,
                "there is no word list to make a password from (%s); install the wamerican "
                "package, or choose a password yourself", LL_PASSWORD_WORD_LIST);
    return NULL;
  }
  GPtrArray *words = g_ptr_array_new();
  char *save = NULL;
  for (char *w = strtok_r(*text, "\n", &save); w != NULL; w = strtok_r(NULL, "\n", &save))
    if (usable_word(w))
      g_ptr_array_add(words, w);
  return words;
}

guint ll_password_word_count(GError **error)
{
  g_autofree char *text = NULL;
  g_autoptr(GPtrArray) words = read_words(&text, error);
  return words != NULL ? words->len : 0;
}

char *ll_password_generate(GError **error)
{
  g_autofree char *text = NULL;
  g_autoptr(GPtrArray) words = read_words(&text, error);
  if (words == NULL)
    return NULL;
  if (words->len < 1024) {
    g_set_error(error, LL_ERROR, LL_ERROR_FAILED,
                "the word list %s has too few words to make a password from",
                LL_PASSWORD_WORD_LIST);
    return NULL;
  }
  /* Never one the check would refuse (cracklib may dislike a draw). */
  for (int attempt = 0; attempt < 20; attempt++) {
    GString *password = g_string_new(NULL);
    for (int i = 0; i < LL_PASSWORD_WORDS; i++)
      g_string_append_printf(password, "%s%s", i > 0 ? " " : "",
                             (const char *)words->pdata[randombytes_uniform(words->len)]);
    if (ll_password_check(password->str, password->len, NULL))
      return g_string_free(password, FALSE);
    sodium_memzero(password->str, password->len);
    g_string_free(password, TRUE);
  }
  g_set_error_literal(error, LL_ERROR, LL_ERROR_FAILED,
                      "no good password could be made from the word list; choose one yourself");
  return NULL;
}

#include "ui/password_prompt.h"
#include "common/error.h"
#include <bsd/readpassphrase.h>
#include <sodium.h>
#include <string.h>
#include <unistd.h>

#define MAX_PASSWORD 1024

gboolean ll_password_can_ask(void)
{
  return isatty(STDIN_FILENO);
}

char *ll_password_ask(const char *question, gsize *len, GError **error)
{
  char buffer[MAX_PASSWORD] = { 0 };
  char *password = NULL;
  if (!ll_password_can_ask() ||
      readpassphrase(question, buffer, sizeof buffer, RPP_REQUIRE_TTY) == NULL)
    g_set_error(error, LL_ERROR, LL_ERROR_USAGE,
                "there is no terminal to ask for the password on; give it with "
                "--password-file FILE");
  else if ((*len = strlen(buffer)) == 0)
    g_set_error(error, LL_ERROR, LL_ERROR_USAGE, "no password was typed");
  else
    password = g_strndup(buffer, *len);
  sodium_memzero(buffer, sizeof buffer);   /* on every path: a part may have been typed */
  return password;
}

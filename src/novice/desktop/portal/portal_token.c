#include "novice/desktop/portal/portal_token.h"
#include <errno.h>
#include <glib/gstdio.h>
#include <string.h>

/* Portals hand out UUIDs; anything far longer is not theirs. */
#define MAX_TOKEN 256

static char *token_path(void)
{
  return g_build_filename(g_get_user_state_dir(), "lifeline", "portal-restore-token", NULL);
}

static gboolean plausible(const char *token, gsize len)
{
  if (len == 0 || len > MAX_TOKEN)
    return FALSE;
  for (gsize i = 0; i < len; i++)
    if (!g_ascii_isgraph(token[i]))
      return FALSE;
  return TRUE;
}

char *ll_portal_token_load(void)
{
  g_autofree char *path = token_path();
  g_autofree char *text = NULL;
  gsize len = 0;
  if (!g_file_get_contents(path, &text, &len, NULL))
    return NULL;
  g_strchomp(text);
  if (!plausible(text, strlen(text))) {
    g_info("ignoring an unreadable portal restore token in %s", path);
    return NULL;
  }
  return g_steal_pointer(&text);
}

void ll_portal_token_save(const char *token)
{
  g_autofree char *path = token_path();
  if (token == NULL || !plausible(token, strlen(token))) {
    g_unlink(path);
    return;
  }
  g_autofree char *dir = g_path_get_dirname(path);
  g_autoptr(GError) error = NULL;
  if (g_mkdir_with_parents(dir, 0700) < 0 ||
      !g_file_set_contents_full(path, token, -1, G_FILE_SET_CONTENTS_CONSISTENT, 0600, &error))
    g_info("the portal's restore token could not be kept: %s",
           error != NULL ? error->message : g_strerror(errno));
}

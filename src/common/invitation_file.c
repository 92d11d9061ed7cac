#include "common/invitation_file.h"
#include "common/encoding.h"
#include "common/error.h"
#include <errno.h>
#include <sodium.h>
#include <string.h>

char *ll_password_read_file(const char *path, gsize *length, GError **error)
{
  g_autoptr(GError) local = NULL;
  g_autoptr(GFile) file = g_file_new_for_path(path);
  g_autoptr(GFileInputStream) in = g_file_read(file, NULL, &local);
  /* Only the first line counts: read no more than a long password's worth. */
  gsize cap = LL_PASSWORD_MAX + 2, len = 0;
  char *data = g_malloc0(cap + 1);
  if (in == NULL ||
      !g_input_stream_read_all(G_INPUT_STREAM(in), data, cap, &len, NULL, &local)) {
    g_free(data);
    g_set_error(error, LL_ERROR, LL_ERROR_USAGE, "cannot read the password file: %s",
                local->message);
    return NULL;
  }
  char *end = memchr(data, '\n', len);
  gsize line = end != NULL ? (gsize)(end - data) : len;
  if (line > 0 && data[line - 1] == '\r')
    line--;
  if (line == 0 || line > LL_PASSWORD_MAX) {
    sodium_memzero(data, cap);
    g_free(data);
    g_set_error(error, LL_ERROR, LL_ERROR_USAGE,
                line == 0 ? "the password file %s is empty; put the password on its first line"
                          : "the password in %s is too long", path);
    return NULL;
  }
  sodium_memzero(data + line, cap - line);
  *length = line;
  return data;
}

static char *render(const LlInvitation *inv, const char *password, gsize password_len,
                    LlSealCost cost, gsize *out_len, GError **error)
{
  gsize plain_len = 0;
  char *plain = ll_invitation_to_text(inv, &plain_len);
  if (password == NULL) {
    *out_len = plain_len;
    return plain;
  }
  char *sealed = ll_invitation_seal(plain, plain_len, password, password_len, cost, out_len, error);
  sodium_memzero(plain, plain_len);
  g_free(plain);
  return sealed;
}

gboolean ll_invitation_save(const LlInvitation *inv, const char *path, const char *password,
                            gsize password_len, LlSealCost cost, GError **error)
{
  gsize len = 0;
  g_autoptr(GError) local = NULL;
  char *data = render(inv, password, password_len, cost, &len, error);
  if (data == NULL)
    return FALSE;
  gboolean ok = g_file_set_contents_full(path, data, len, G_FILE_SET_CONTENTS_CONSISTENT,
                                         0600, &local);
  sodium_memzero(data, len);
  g_free(data);
  if (!ok)
    g_set_error(error, LL_ERROR, LL_ERROR_FAILED, "cannot write the invitation: %s",
                local->message);
  return ok;
}

char *ll_invitation_to_link(const LlInvitation *inv, const char *password, gsize password_len,
                            LlSealCost cost, GError **error)
{
  gsize len = 0;
  char *data = render(inv, password, password_len, cost, &len, error);
  if (data == NULL)
    return NULL;
  g_autofree char *encoded = ll_base64url_encode((const guint8 *)data, len);
  sodium_memzero(data, len);
  g_free(data);
  return g_strconcat(LL_LINK_SCHEME, encoded, NULL);
}

LlInvitation *ll_invitation_parse_any(const char *data, gsize length, const char *password,
                                      gsize password_len, GError **error)
{
  if (!ll_invitation_text_is_sealed(data, length))
    return ll_invitation_from_text(data, length, error);
  if (password == NULL) {
    g_set_error(error, LL_ERROR, LL_ERROR_WRONG_PASSWORD,
                "this invitation is protected by a password; ask the person who sent it "
                "for the password and give it with --password-file FILE");
    return NULL;
  }
  gsize plain_len = 0;
  char *plain = ll_invitation_unseal(data, length, password, password_len, &plain_len, error);
  if (plain == NULL)
    return NULL;
  LlInvitation *inv = ll_invitation_from_text(plain, plain_len, error);
  sodium_memzero(plain, plain_len);
  g_free(plain);
  return inv;
}

static char *read_link(const char *link, gsize *length, GError **error)
{
  const char *payload = link + strlen(LL_LINK_SCHEME);
  while (*payload == '/')
    payload++;
  g_autofree char *trimmed = g_strstrip(g_strdup(payload));
  char *data = (char *)ll_base64url_decode(trimmed, 2 * LL_INVITATION_MAX_TEXT, length);
  sodium_memzero(trimmed, strlen(trimmed));   /* the link carries the secret */
  if (data == NULL)
    g_set_error(error, LL_ERROR, LL_ERROR_DAMAGED,
                "this invitation link is damaged; copy the whole link again or ask for a new one");
  return data;
}

static char *read_file(const char *path, gsize *length, GError **error)
{
  g_autoptr(GError) local = NULL;
  g_autoptr(GFile) file = g_file_new_for_commandline_arg(path);
  g_autoptr(GFileInputStream) in = g_file_read(file, NULL, &local);
  if (in == NULL) {
    g_set_error(error, LL_ERROR, LL_ERROR_USAGE, "cannot open the invitation: %s",
                local->message);
    return NULL;
  }
  /* Read one byte more than allowed, to notice an oversized file without
   * reading all of it. */
  gsize cap = 2 * LL_INVITATION_MAX_TEXT + 1;
  char *data = g_malloc(cap + 1);
  if (!g_input_stream_read_all(G_INPUT_STREAM(in), data, cap, length, NULL, &local)) {
    g_free(data);
    g_set_error(error, LL_ERROR, LL_ERROR_USAGE, "cannot read the invitation: %s",
                local->message);
    return NULL;
  }
  if (*length == cap) {
    g_free(data);
    g_set_error(error, LL_ERROR, LL_ERROR_DAMAGED,
                "%s is far too large to be a Lifeline invitation", path);
    return NULL;
  }
  data[*length] = '\0';
  return data;
}

LlInvitation *ll_invitation_load(const char *path_or_link, const char *password,
                                 gsize password_len, GError **error)
{
  gsize len = 0;
  char *data = g_str_has_prefix(path_or_link, LL_LINK_SCHEME)
                   ? read_link(path_or_link, &len, error)
                   : read_file(path_or_link, &len, error);
  if (data == NULL)
    return NULL;
  LlInvitation *inv = ll_invitation_parse_any(data, len, password, password_len, error);
  sodium_memzero(data, len);
  g_free(data);
  return inv;
}

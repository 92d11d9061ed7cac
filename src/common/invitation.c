#include "common/invitation.h"
#include "common/encoding.h"
#include "common/error.h"
#include "common/text_sanitize.h"
#include <sodium.h>
#include <string.h>

#define GROUP "Lifeline Invitation"
#define CHECK_BYTES 16
#define MAX_ENDPOINT_TEXT 300
#define MAX_URL_TEXT 2048

LlInvitation *ll_invitation_new(const char *novice_name,
                                const guint8 fingerprint[LL_FINGERPRINT_BYTES],
                                gint64 created, gint64 lifetime)
{
  guint8 id[LL_INVITATION_ID_BYTES];
  LlInvitation *inv = g_new0(LlInvitation, 1);
  randombytes_buf(id, sizeof id);
  randombytes_buf(inv->secret, sizeof inv->secret);
  inv->session_id = ll_hex_encode(id, sizeof id);
  inv->novice_name = ll_text_sanitize(novice_name, LL_INVITATION_MAX_NAME);
  memcpy(inv->fingerprint, fingerprint, LL_FINGERPRINT_BYTES);
  inv->created = created;
  inv->lifetime = lifetime;
  inv->endpoints = g_ptr_array_new_with_free_func(g_free);
  return inv;
}

void ll_invitation_free(LlInvitation *inv)
{
  if (inv == NULL)
    return;
  sodium_memzero(inv->secret, sizeof inv->secret);
  g_free(inv->session_id);
  g_free(inv->novice_name);
  g_ptr_array_unref(inv->endpoints);
  g_free(inv->rendezvous_url);
  g_free(inv->mailbox_id);
  g_strfreev(inv->rendezvous_more);
  g_free(inv);
}

void ll_invitation_add_endpoint(LlInvitation *inv, const char *endpoint)
{
  g_ptr_array_add(inv->endpoints, g_strdup(endpoint));
}

gint64 ll_invitation_expires(const LlInvitation *inv)
{
  return inv->created + inv->lifetime;
}

/* The checksum covers every field in a fixed order, each length-prefixed,
 * so no two different invitations share an input. */
static void hash_field(crypto_generichash_state *st, const void *data, gsize len)
{
  guint8 prefix[4] = { len >> 24, len >> 16, len >> 8, len };
  crypto_generichash_update(st, prefix, sizeof prefix);
  crypto_generichash_update(st, data, len);
}

static void hash_string(crypto_generichash_state *st, const char *s)
{
  hash_field(st, s != NULL ? s : "", s != NULL ? strlen(s) : 0);
}

static void compute_check(const LlInvitation *inv, guint8 out[CHECK_BYTES])
{
  crypto_generichash_state st;
  g_autofree char *created = g_strdup_printf("%" G_GINT64_FORMAT, inv->created);
  g_autofree char *lifetime = g_strdup_printf("%" G_GINT64_FORMAT, inv->lifetime);

  crypto_generichash_init(&st, NULL, 0, CHECK_BYTES);
  hash_string(&st, "lifeline-invitation-v1");
  hash_string(&st, inv->session_id);
  hash_string(&st, inv->novice_name);
  hash_field(&st, inv->fingerprint, sizeof inv->fingerprint);
  hash_field(&st, inv->secret, sizeof inv->secret);
  hash_string(&st, created);
  hash_string(&st, lifetime);
  for (guint i = 0; i < inv->endpoints->len; i++)
    hash_string(&st, g_ptr_array_index(inv->endpoints, i));
  hash_string(&st, inv->rendezvous_url);
  hash_string(&st, inv->mailbox_id);
  crypto_generichash_final(&st, out, CHECK_BYTES);
  sodium_memzero(&st, sizeof st);   /* it has seen the secret */
}

char *ll_invitation_to_text(const LlInvitation *inv, gsize *length)
{
  g_autoptr(GKeyFile) kf = g_key_file_new();
  g_autofree char *fingerprint = ll_fingerprint_to_text(inv->fingerprint);
  g_autofree char *secret = ll_base64url_encode(inv->secret, sizeof inv->secret);
  guint8 check[CHECK_BYTES];
  compute_check(inv, check);
  g_autofree char *check_text = ll_hex_encode(check, sizeof check);

  g_key_file_set_comment(kf, NULL, NULL,
                         " Lifeline invitation. Open it with: lifeline join FILE\n"
                         " Anyone who has this file can ask to see the screen: keep it private.",
                         NULL);
  g_key_file_set_integer(kf, GROUP, "format", LL_INVITATION_FORMAT);
  g_key_file_set_string(kf, GROUP, "session-id", inv->session_id);
  g_key_file_set_string(kf, GROUP, "novice-name", inv->novice_name);
  g_key_file_set_string(kf, GROUP, "fingerprint", fingerprint);
  g_key_file_set_string(kf, GROUP, "secret", secret);
  g_key_file_set_int64(kf, GROUP, "created", inv->created);
  g_key_file_set_int64(kf, GROUP, "lifetime", inv->lifetime);
  g_key_file_set_string_list(kf, GROUP, "endpoints",
                             (const char *const *)inv->endpoints->pdata, inv->endpoints->len);
  if (inv->rendezvous_url != NULL)
    g_key_file_set_string(kf, GROUP, "rendezvous-url", inv->rendezvous_url);
  if (inv->mailbox_id != NULL)
    g_key_file_set_string(kf, GROUP, "mailbox-id", inv->mailbox_id);
  if (inv->rendezvous_more != NULL && inv->rendezvous_more[0] != NULL)
    g_key_file_set_string_list(kf, GROUP, "rendezvous-more",
                               (const char *const *)inv->rendezvous_more,
                               g_strv_length(inv->rendezvous_more));
  g_key_file_set_string(kf, GROUP, "check", check_text);
  sodium_memzero(secret, strlen(secret));
  return g_key_file_to_data(kf, length, NULL);
}

static gboolean damaged(GError **error, const char *detail)
{
  g_set_error(error, LL_ERROR, LL_ERROR_DAMAGED,
              "this invitation is damaged (%s); ask for a new one", detail);
  return FALSE;
}

static char *get_bounded_string(GKeyFile *kf, const char *key, gsize max, gboolean required,
                                GError **error)
{
  char *value = g_key_file_get_string(kf, GROUP, key, NULL);
  if (value == NULL) {
    if (required) {
      g_autofree char *detail = g_strdup_printf("%s is missing", key);
      damaged(error, detail);
    }
    return NULL;
  }
  if (strlen(value) > max || !g_utf8_validate(value, -1, NULL)) {
    g_autofree char *detail = g_strdup_printf("%s is not valid", key);
    g_free(value);
    damaged(error, detail);
    return NULL;
  }
  return value;
}

static gboolean check_format(GKeyFile *kf, GError **error)
{
  g_autoptr(GError) local = NULL;
  gint64 format = g_key_file_get_int64(kf, GROUP, "format", &local);
  if (local != NULL)
    return damaged(error, "no format version");
  if (format != LL_INVITATION_FORMAT) {
    g_set_error(error, LL_ERROR, LL_ERROR_VERSION,
                format > LL_INVITATION_FORMAT
                    ? "this invitation uses format %" G_GINT64_FORMAT
                      ", made by a newer Lifeline; please update Lifeline (this one reads format %d)"
                    : "this invitation uses format %" G_GINT64_FORMAT
                      ", which this Lifeline does not read (it reads format %d); ask for a new one",
                format, LL_INVITATION_FORMAT);
    return FALSE;
  }
  return TRUE;
}

static gboolean read_keys(GKeyFile *kf, LlInvitation *inv, GError **error)
{
  g_autofree char *fingerprint = NULL, *secret = NULL;
  g_autoptr(GError) local = NULL;
  gsize secret_len = 0;

  if (!(inv->session_id = get_bounded_string(kf, "session-id", 64, TRUE, error)) ||
      !(inv->novice_name = get_bounded_string(kf, "novice-name", 4 * LL_INVITATION_MAX_NAME, TRUE, error)) ||
      !(fingerprint = get_bounded_string(kf, "fingerprint", 128, TRUE, error)) ||
      !(secret = get_bounded_string(kf, "secret", 128, TRUE, error)))
    return FALSE;
  guint8 id[LL_INVITATION_ID_BYTES];
  if (!ll_hex_decode(inv->session_id, id, sizeof id))
    return damaged(error, "session-id is not valid");
  if (!ll_fingerprint_from_text(fingerprint, inv->fingerprint))
    return damaged(error, "fingerprint is not valid");
  g_autofree guint8 *raw = ll_base64url_decode(secret, LL_INVITATION_SECRET_BYTES, &secret_len);
  sodium_memzero(secret, strlen(secret));
  if (raw == NULL || secret_len != LL_INVITATION_SECRET_BYTES) {
    if (raw != NULL)
      sodium_memzero(raw, secret_len);
    return damaged(error, "secret is not valid");
  }
  memcpy(inv->secret, raw, LL_INVITATION_SECRET_BYTES);
  sodium_memzero(raw, secret_len);
  inv->created = g_key_file_get_int64(kf, GROUP, "created", &local);
  if (local != NULL || inv->created <= 0)
    return damaged(error, "created is not valid");
  inv->lifetime = g_key_file_get_int64(kf, GROUP, "lifetime", &local);
  if (local != NULL || inv->lifetime <= 0 || inv->lifetime > 366 * 86400)
    return damaged(error, "lifetime is not valid");
  return TRUE;
}

static gboolean read_endpoints(GKeyFile *kf, LlInvitation *inv, GError **error)
{
  gsize n = 0;
  g_auto(GStrv) list = g_key_file_get_string_list(kf, GROUP, "endpoints", &n, NULL);
  if (n > LL_INVITATION_MAX_ENDPOINTS)
    return damaged(error, "too many endpoints");
  for (gsize i = 0; i < n; i++) {
    if (strlen(list[i]) > MAX_ENDPOINT_TEXT || !g_utf8_validate(list[i], -1, NULL))
      return damaged(error, "an endpoint is not valid");
    ll_invitation_add_endpoint(inv, list[i]);
  }
  GError *local = NULL;
  inv->rendezvous_url = get_bounded_string(kf, "rendezvous-url", MAX_URL_TEXT, FALSE, &local);
  if (local == NULL)
    inv->mailbox_id = get_bounded_string(kf, "mailbox-id", 256, FALSE, &local);
  if (local != NULL) {
    g_propagate_error(error, local);
    return FALSE;
  }
  if (inv->endpoints->len == 0 && inv->rendezvous_url == NULL)
    return damaged(error, "it names no way to reach the computer");
  return TRUE;
}

/* Bounded like the first; each is checked as an address when used. */
static gboolean read_more_rendezvous(GKeyFile *kf, LlInvitation *inv, GError **error)
{
  gsize n = 0;
  g_auto(GStrv) list = g_key_file_get_string_list(kf, GROUP, "rendezvous-more", &n, NULL);
  if (list == NULL || n == 0)
    return TRUE;
  if (n > LL_INVITATION_MAX_MORE_RENDEZVOUS || inv->rendezvous_url == NULL)
    return damaged(error, "its list of rendezvous is not valid");
  for (gsize i = 0; i < n; i++)
    if (*list[i] == '\0' || strlen(list[i]) > MAX_URL_TEXT ||
        !g_utf8_validate(list[i], -1, NULL))
      return damaged(error, "a rendezvous address is not valid");
  inv->rendezvous_more = g_steal_pointer(&list);
  return TRUE;
}

static gboolean verify_check(GKeyFile *kf, const LlInvitation *inv, GError **error)
{
  g_autofree char *text = get_bounded_string(kf, "check", 64, TRUE, error);
  guint8 expected[CHECK_BYTES], found[CHECK_BYTES];
  if (text == NULL)
    return FALSE;
  if (!ll_hex_decode(text, found, sizeof found))
    return damaged(error, "check is not valid");
  compute_check(inv, expected);
  if (sodium_memcmp(expected, found, CHECK_BYTES) != 0)
    return damaged(error, "its contents were changed after it was made");
  return TRUE;
}

LlInvitation *ll_invitation_from_text(const char *text, gsize length, GError **error)
{
  g_autoptr(GKeyFile) kf = g_key_file_new();
  g_autoptr(LlInvitation) inv = g_new0(LlInvitation, 1);
  inv->endpoints = g_ptr_array_new_with_free_func(g_free);

  if (length > LL_INVITATION_MAX_TEXT) {
    damaged(error, "it is far too large");
    return NULL;
  }
  if (!g_utf8_validate(text, length, NULL) || memchr(text, '\0', length) != NULL) {
    damaged(error, "it is not text");
    return NULL;
  }
  if (!g_key_file_load_from_data(kf, text, length, G_KEY_FILE_NONE, NULL) ||
      !g_key_file_has_group(kf, GROUP)) {
    damaged(error, "it is not a Lifeline invitation");
    return NULL;
  }
  if (!check_format(kf, error) || !read_keys(kf, inv, error) ||
      !read_endpoints(kf, inv, error) || !read_more_rendezvous(kf, inv, error) ||
      !verify_check(kf, inv, error))
    return NULL;
  return g_steal_pointer(&inv);
}

char *ll_format_local_time(gint64 unix_time)
{
  g_autoptr(GDateTime) when = g_date_time_new_from_unix_local(unix_time);
  g_autoptr(GDateTime) now = g_date_time_new_now_local();
  if (when == NULL)
    return g_strdup("an unknown time");
  if (g_date_time_get_year(when) == g_date_time_get_year(now) &&
      g_date_time_get_day_of_year(when) == g_date_time_get_day_of_year(now))
    return g_date_time_format(when, "%H:%M");
  return g_date_time_format(when, "%-d %b %Y %H:%M");
}

gboolean ll_invitation_check_time(const LlInvitation *inv, gint64 now, GError **error)
{
  if (now + LL_INVITATION_CLOCK_SKEW < inv->created) {
    g_autofree char *when = ll_format_local_time(inv->created);
    g_set_error(error, LL_ERROR, LL_ERROR_NOT_YET_VALID,
                "this invitation is not valid yet: it says it was made at %s; "
                "check the clocks of both computers", when);
    return FALSE;
  }
  if (now >= ll_invitation_expires(inv)) {
    g_autofree char *when = ll_format_local_time(ll_invitation_expires(inv));
    g_set_error(error, LL_ERROR, LL_ERROR_EXPIRED,
                "this invitation expired at %s; ask for a new one", when);
    return FALSE;
  }
  return TRUE;
}

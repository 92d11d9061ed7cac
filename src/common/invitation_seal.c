#include "common/invitation_seal.h"
#include "common/encoding.h"
#include "common/error.h"
#include "common/invitation.h"
#include <sodium.h>
#include <string.h>

#define GROUP "Lifeline Sealed Invitation"
#define SEAL_FORMAT 1
#define KDF_NAME "argon2id13"
#define KEY_BYTES crypto_aead_xchacha20poly1305_ietf_KEYBYTES
#define NONCE_BYTES crypto_aead_xchacha20poly1305_ietf_NPUBBYTES
#define SALT_BYTES crypto_pwhash_SALTBYTES

LlSealCost ll_seal_cost_default(void)
{
  return (LlSealCost){ crypto_pwhash_OPSLIMIT_MODERATE, crypto_pwhash_MEMLIMIT_MODERATE };
}

LlSealCost ll_seal_cost_minimum(void)
{
  return (LlSealCost){ crypto_pwhash_OPSLIMIT_MIN, crypto_pwhash_MEMLIMIT_MIN };
}

/* Only the costs Lifeline itself writes are taken: a hostile file must not
 * make us burn seconds or gigabytes (ops 10 with 1 GiB took 10 s and 1 GiB
 * per open when any cost up to those was taken). */
static gboolean cost_is_ours(LlSealCost cost)
{
  LlSealCost ours[] = { ll_seal_cost_default(), ll_seal_cost_minimum() };
  for (gsize i = 0; i < G_N_ELEMENTS(ours); i++)
    if (cost.ops_limit == ours[i].ops_limit && cost.mem_limit == ours[i].mem_limit)
      return TRUE;
  return FALSE;
}

gboolean ll_invitation_text_is_sealed(const char *text, gsize length)
{
  g_autofree char *copy = g_strndup(text, MIN(length, 512));
  return strstr(copy, "[" GROUP "]") != NULL;
}

/* The header fields are authenticated as associated data, so nobody can
 * swap in a weaker cost or another salt without the seal failing. */
static char *associated_data(LlSealCost cost, const char *salt_text)
{
  return g_strdup_printf("lifeline-sealed-v%d|%s|%" G_GUINT64_FORMAT "|%" G_GSIZE_FORMAT "|%s",
                         SEAL_FORMAT, KDF_NAME, cost.ops_limit, cost.mem_limit, salt_text);
}

static gboolean derive_key(guint8 key[KEY_BYTES], const char *password, gsize password_len,
                           const guint8 salt[SALT_BYTES], LlSealCost cost, GError **error)
{
  if (crypto_pwhash(key, KEY_BYTES, password, password_len, salt, cost.ops_limit,
                    cost.mem_limit, crypto_pwhash_ALG_ARGON2ID13) != 0) {
    g_set_error(error, LL_ERROR, LL_ERROR_FAILED,
                "not enough memory to open password-protected invitations");
    return FALSE;
  }
  return TRUE;
}

char *ll_invitation_seal(const char *plain, gsize plain_len, const char *password,
                         gsize password_len, LlSealCost cost, gsize *sealed_len,
                         GError **error)
{
  guint8 salt[SALT_BYTES], nonce[NONCE_BYTES], key[KEY_BYTES];
  randombytes_buf(salt, sizeof salt);
  randombytes_buf(nonce, sizeof nonce);
  if (!derive_key(key, password, password_len, salt, cost, error))
    return NULL;

  g_autofree char *salt_text = ll_base64url_encode(salt, sizeof salt);
  g_autofree char *nonce_text = ll_base64url_encode(nonce, sizeof nonce);
  g_autofree char *ad = associated_data(cost, salt_text);
  gsize cipher_len = plain_len + crypto_aead_xchacha20poly1305_ietf_ABYTES;
  g_autofree guint8 *cipher = g_malloc(cipher_len);
  unsigned long long written = 0;
  crypto_aead_xchacha20poly1305_ietf_encrypt(cipher, &written, (const guint8 *)plain, plain_len,
                                             (const guint8 *)ad, strlen(ad), NULL, nonce, key);
  sodium_memzero(key, sizeof key);
  g_autofree char *cipher_text = ll_base64url_encode(cipher, written);

  g_autoptr(GKeyFile) kf = g_key_file_new();
  g_key_file_set_comment(kf, NULL, NULL,
                         " Lifeline invitation, protected by a password.\n"
                         " Open it with: lifeline join --password-file FILE THIS-FILE",
                         NULL);
  g_key_file_set_integer(kf, GROUP, "format", SEAL_FORMAT);
  g_key_file_set_string(kf, GROUP, "kdf", KDF_NAME);
  g_key_file_set_uint64(kf, GROUP, "ops-limit", cost.ops_limit);
  g_key_file_set_uint64(kf, GROUP, "mem-limit", cost.mem_limit);
  g_key_file_set_string(kf, GROUP, "salt", salt_text);
  g_key_file_set_string(kf, GROUP, "nonce", nonce_text);
  g_key_file_set_string(kf, GROUP, "ciphertext", cipher_text);
  return g_key_file_to_data(kf, sealed_len, NULL);
}

static gboolean envelope_damaged(GError **error, const char *detail)
{
  g_set_error(error, LL_ERROR, LL_ERROR_DAMAGED,
              "this password-protected invitation is damaged (%s); ask for a new one", detail);
  return FALSE;
}

typedef struct {
  LlSealCost cost;
  char *salt_text;
  guint8 salt[SALT_BYTES];
  guint8 nonce[NONCE_BYTES];
  guint8 *cipher;
  gsize cipher_len;
} Envelope;

static void envelope_clear(Envelope *env)
{
  g_free(env->salt_text);
  g_free(env->cipher);
}

static gboolean read_fixed(GKeyFile *kf, const char *key, guint8 *out, gsize len)
{
  g_autofree char *text = g_key_file_get_string(kf, GROUP, key, NULL);
  gsize got = 0;
  if (text == NULL)
    return FALSE;
  g_autofree guint8 *raw = ll_base64url_decode(text, len, &got);
  if (raw == NULL || got != len)
    return FALSE;
  memcpy(out, raw, len);
  return TRUE;
}

static gboolean read_envelope(GKeyFile *kf, Envelope *env, GError **error)
{
  g_autoptr(GError) local = NULL;
  g_autofree char *kdf = g_key_file_get_string(kf, GROUP, "kdf", NULL);
  gint64 format = g_key_file_get_int64(kf, GROUP, "format", NULL);
  if (format != SEAL_FORMAT || g_strcmp0(kdf, KDF_NAME) != 0) {
    g_set_error(error, LL_ERROR, LL_ERROR_VERSION,
                "this invitation is protected in a way this Lifeline does not know; "
                "please update Lifeline");
    return FALSE;
  }
  env->cost.ops_limit = g_key_file_get_uint64(kf, GROUP, "ops-limit", &local);
  if (local == NULL)
    env->cost.mem_limit = g_key_file_get_uint64(kf, GROUP, "mem-limit", &local);
  if (local != NULL || !cost_is_ours(env->cost))
    return envelope_damaged(error, "it asks for password settings Lifeline never uses");
  env->salt_text = g_key_file_get_string(kf, GROUP, "salt", NULL);
  if (env->salt_text == NULL || !read_fixed(kf, "salt", env->salt, SALT_BYTES) ||
      !read_fixed(kf, "nonce", env->nonce, NONCE_BYTES))
    return envelope_damaged(error, "salt or nonce is missing");
  g_autofree char *cipher_text = g_key_file_get_string(kf, GROUP, "ciphertext", NULL);
  if (cipher_text == NULL)
    return envelope_damaged(error, "the sealed contents are missing");
  env->cipher = ll_base64url_decode(cipher_text, LL_INVITATION_MAX_TEXT, &env->cipher_len);
  if (env->cipher == NULL || env->cipher_len < crypto_aead_xchacha20poly1305_ietf_ABYTES)
    return envelope_damaged(error, "the sealed contents are not readable");
  return TRUE;
}

char *ll_invitation_unseal(const char *sealed, gsize sealed_len, const char *password,
                           gsize password_len, gsize *plain_len, GError **error)
{
  g_autoptr(GKeyFile) kf = g_key_file_new();
  Envelope env = { 0 };
  guint8 key[KEY_BYTES];
  char *plain = NULL;

  if (sealed_len > 2 * LL_INVITATION_MAX_TEXT ||
      !g_key_file_load_from_data(kf, sealed, sealed_len, G_KEY_FILE_NONE, NULL) ||
      !g_key_file_has_group(kf, GROUP)) {
    envelope_damaged(error, "it is not a Lifeline invitation");
    return NULL;
  }
  if (read_envelope(kf, &env, error) &&
      derive_key(key, password, password_len, env.salt, env.cost, error)) {
    g_autofree char *ad = associated_data(env.cost, env.salt_text);
    unsigned long long out_len = 0;
    plain = g_malloc(env.cipher_len + 1);
    if (crypto_aead_xchacha20poly1305_ietf_decrypt((guint8 *)plain, &out_len, NULL, env.cipher,
                                                   env.cipher_len, (const guint8 *)ad,
                                                   strlen(ad), env.nonce, key) != 0) {
      g_clear_pointer(&plain, g_free);
      g_set_error(error, LL_ERROR, LL_ERROR_WRONG_PASSWORD, "wrong password or damaged invitation");
    } else {
      plain[out_len] = '\0';
      *plain_len = out_len;
    }
    sodium_memzero(key, sizeof key);
  }
  envelope_clear(&env);
  return plain;
}

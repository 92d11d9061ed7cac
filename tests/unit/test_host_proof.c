/* A host's proof that its host id is its own, as the rendezvous checks it. */
#include "common/error.h"
#include "common/fingerprint.h"
#include "common/host_proof.h"
#include <glib/gstdio.h>
#include <string.h>

static LlIdentity *identity_in(const char *dir, const char *name)
{
  g_autofree char *path = g_build_filename(dir, name, NULL);
  g_autoptr(GError) error = NULL;
  LlIdentity *id = ll_identity_load_or_create(path, &error);
  g_assert_no_error(error);
  return id;
}

static void remove_identity(const char *dir, const char *name)
{
  g_autofree char *sub = g_build_filename(dir, name, NULL);
  g_autoptr(GDir) d = g_dir_open(sub, 0, NULL);
  const char *entry;
  while (d != NULL && (entry = g_dir_read_name(d)) != NULL) {
    g_autofree char *file = g_build_filename(sub, entry, NULL);
    g_unlink(file);
  }
  g_rmdir(sub);
}

static void test_host_proof(void)
{
  g_autofree char *dir = g_dir_make_tmp("lifeline-proof-XXXXXX", NULL);
  g_autoptr(LlIdentity) key = identity_in(dir, "host");
  g_autoptr(LlIdentity) other = identity_in(dir, "other");
  g_autofree char *host_id = ll_host_id_of(key->fingerprint);
  g_autofree char *other_id = ll_host_id_of(other->fingerprint);
  g_autofree char *nonce = ll_host_nonce_new();
  g_autofree char *nonce2 = ll_host_nonce_new();
  g_assert_cmpstr(nonce, !=, nonce2);
  g_autofree char *cert = NULL, *proof = NULL;
  g_autoptr(GError) error = NULL;
  g_assert_true(ll_host_proof_make(key, host_id, nonce, &cert, &proof, &error));
  g_assert_true(ll_host_proof_check(host_id, nonce, cert, proof, &error));
  g_assert_no_error(error);
  /* Another connection's nonce (a replay), another id, another key's
   * certificate, a damaged proof: all refused. */
  g_assert_false(ll_host_proof_check(host_id, nonce2, cert, proof, NULL));
  g_assert_false(ll_host_proof_check(other_id, nonce, cert, proof, NULL));
  g_autofree char *other_cert = NULL, *other_proof = NULL;
  g_assert_true(ll_host_proof_make(other, host_id, nonce, &other_cert, &other_proof, NULL));
  g_assert_false(ll_host_proof_check(host_id, nonce, other_cert, other_proof, &error));
  g_assert_error(error, LL_ERROR, LL_ERROR_WRONG_KEY);
  g_assert_false(ll_host_proof_check(host_id, nonce, cert, other_proof, NULL));
  g_autofree char *damaged = g_strdup(proof);
  damaged[3] = damaged[3] == 'A' ? 'B' : 'A';
  g_assert_false(ll_host_proof_check(host_id, nonce, cert, damaged, NULL));
  g_assert_false(ll_host_proof_check(host_id, nonce, "not base64!", proof, NULL));
  remove_identity(dir, "host");
  remove_identity(dir, "other");
  g_rmdir(dir);
}

int main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/host-proof/sign-and-check", test_host_proof);
  return g_test_run();
}

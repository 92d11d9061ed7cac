/* libFuzzer target: the code exchange as a hostile peer, or a rendezvous
 * that rewrites messages, drives it; and codes as people type them. The
 * first byte picks what is fuzzed, the rest is messages, each after a
 * two-byte length. Nothing may crash, and no invitation may come out of
 * messages that did not come from a novice with the code. */
#include "common/code_exchange.h"
#include <sodium.h>
#include <stdint.h>
#include <string.h>

static const guint8 NOVICE_KEY[32] = { 1 }, HELPER_KEY[32] = { 2 };

static void fuzz_code_text(const uint8_t *data, size_t size)
{
  g_autofree char *text = g_strndup((const char *)data, size);
  LlPairingCode code;
  g_autoptr(GError) error = NULL;
  if (ll_pairing_code_parse(text, &code, &error)) {
    g_assert_true(ll_nameplate_is_valid(code.nameplate));
    g_autofree char *shown = ll_pairing_code_format(&code);
    LlPairingCode again;
    g_assert_true(ll_pairing_code_parse(shown, &again, NULL));
    g_assert_cmpmem(&code, sizeof code, &again, sizeof again);
  } else {
    g_assert_nonnull(error);
  }
}

/* Feeds the messages in DATA to X until it stops asking for more. */
static LlCodeStep feed(LlCodeExchange *x, const uint8_t *data, size_t size)
{
  LlCodeStep step = LL_CODE_MORE;
  while (size >= 2 && step == LL_CODE_MORE) {
    size_t n = MIN((size_t)(data[0] << 8 | data[1]), size - 2);
    GBytes *reply = NULL;
    step = ll_code_exchange_receive(x, data + 2, n, &reply, NULL);
    if (reply != NULL)
      g_bytes_unref(reply);
    data += 2 + n;
    size -= 2 + n;
  }
  return step;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  if (size < 1 || sodium_init() < 0)
    return 0;
  LlPairingCode code;
  g_assert_true(ll_pairing_code_parse("482913075", &code, NULL));
  guint8 mode = data[0] % 3;
  if (mode == 0) {
    fuzz_code_text(data + 1, size - 1);
    return 0;
  }
  g_autoptr(LlCodeExchange) x = mode == 1 ? ll_code_exchange_new_novice(&code, NOVICE_KEY)
                                          : ll_code_exchange_new_helper(&code, HELPER_KEY);
  if (mode == 1)
    g_bytes_unref(ll_code_exchange_first(x));
  /* Without the novice's confirmation tag nothing can open. */
  g_assert_cmpint(feed(x, data + 1, size - 1), !=, LL_CODE_DONE);
  g_assert_null(ll_code_exchange_take_invitation(x));
  return 0;
}

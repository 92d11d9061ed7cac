/* libFuzzer target, stateful: the novice's control arbiter driven by a
 * sequence of the helper's control messages and the novice's answers and
 * stops, in any order. Each step is one byte: its low 3 bits choose an
 * event, the rest its argument; a helper message step is followed by a
 * length byte and that many bytes of control-channel payload. After every
 * step the arbiter's promises must hold: input and the helper's clipboard
 * only while control is granted, and control only after the novice's yes. */
#include "common/control_message.h"
#include "novice/control_arbiter.h"
#include <stdint.h>

typedef struct {
  gboolean asked;                /* a question is before the novice */
  gboolean novice_said_yes;      /* since the last end */
  gboolean granted;              /* as the arbiter told the session */
} Seen;

static void on_ask(gpointer data) { ((Seen *)data)->asked = TRUE; }
static void on_withdrawn(gpointer data) { ((Seen *)data)->asked = FALSE; }
static void on_deny(const char *reason, gpointer data)
{
  g_assert_nonnull(reason);
  ((Seen *)data)->asked = FALSE;
}
static void on_granted(gpointer data)
{
  Seen *seen = data;
  g_assert_true(seen->novice_said_yes);   /* never granted without the yes */
  seen->granted = TRUE;
}
static void on_ended(LlControlEnd by, gpointer data)
{
  Seen *seen = data;
  g_assert_nonnull(ll_control_end_name(by));
  seen->granted = FALSE;
  seen->novice_said_yes = FALSE;
}

static const LlControlActions actions = {
  .ask = on_ask, .withdrawn = on_withdrawn, .deny = on_deny, .granted = on_granted,
  .ended = on_ended,
};

/* A control-channel payload from the helper: what the session would do. */
static void helper_says(LlControlArbiter *a, const uint8_t *bytes, size_t len)
{
  g_autoptr(GBytes) payload = g_bytes_new(bytes, len);
  g_autoptr(LlControlMessage) m = ll_control_message_decode(payload, NULL);
  if (m == NULL)
    return;
  if (m->type == LL_MSG_CONTROL_REQUEST)
    ll_control_arbiter_request(a);
  else if (m->type == LL_MSG_CONTROL_RELEASE)
    ll_control_arbiter_end(a, LL_CONTROL_END_RELEASE);
  else if (m->type == LL_MSG_BYE)
    ll_control_arbiter_end(a, LL_CONTROL_END_DROP);
}

static void check(LlControlArbiter *a, Seen *seen)
{
  gboolean granted = ll_control_arbiter_state(a) == LL_CONTROL_GRANTED;
  g_assert_cmpint(granted, ==, seen->granted);
  g_assert_cmpint(ll_control_arbiter_input_allowed(a), ==, granted);
  g_assert_cmpint(ll_control_arbiter_clipboard_from_helper_allowed(a), ==, granted);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  Seen seen = { 0 };
  gboolean view_only = size > 0 && (data[0] & 1);
  LlControlArbiter *a = ll_control_arbiter_new(view_only ? "view-only by policy" : NULL,
                                               "Alice", &actions, &seen);
  for (size_t i = size > 0 ? 1 : 0; i < size; i++) {
    guint8 step = data[i];
    switch (step & 7) {
    case 0: ll_control_arbiter_request(a); break;
    case 1:
      seen.novice_said_yes = ll_control_arbiter_state(a) == LL_CONTROL_ASKING;
      ll_control_arbiter_answer(a, TRUE);
      break;
    case 2: ll_control_arbiter_answer(a, FALSE); break;
    case 3: ll_control_arbiter_end(a, (LlControlEnd)((step >> 3) % 5)); break;
    default: {
      size_t len = i + 1 < size ? data[i + 1] : 0;
      len = MIN(len, size - MIN(size, i + 2));
      helper_says(a, data + MIN(size, i + 2), len);
      i += 1 + len;
      break;
    }
    }
    check(a, &seen);
  }
  ll_control_arbiter_end(a, LL_CONTROL_END_DROP);
  check(a, &seen);
  ll_control_arbiter_free(a);
  return 0;
}

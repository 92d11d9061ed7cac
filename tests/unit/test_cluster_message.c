/* The messages between rendezvous instances (rendezvous/cluster_message.h):
 * each type round-trips with exactly its fields; anything malformed,
 * out of range or oversized is refused with an error. */
#include "rendezvous/cluster_message.h"
#include <string.h>

static LlClusterMessage *round_trip(const LlClusterMessage *m)
{
  g_autofree char *text = ll_cluster_message_encode(m);
  g_autoptr(GError) error = NULL;
  LlClusterMessage *back = ll_cluster_message_decode(text, strlen(text), &error);
  g_assert_no_error(error);
  g_assert_nonnull(back);
  g_assert_cmpint(back->type, ==, m->type);
  return back;
}

static void test_each_type(void)
{
  g_autoptr(LlClusterMessage) enter = ll_cluster_message_new(LL_CLUSTER_ENTER);
  enter->mailbox = g_strdup("mbx");
  enter->from = g_strdup("0123456789abcdef");
  enter->ref = G_MAXUINT32;
  enter->claim = TRUE;
  enter->peer = 7;   /* not an ENTER field: not carried */
  g_autoptr(LlClusterMessage) e = round_trip(enter);
  g_assert_cmpstr(e->mailbox, ==, "mbx");
  g_assert_cmpstr(e->from, ==, "0123456789abcdef");
  g_assert_cmpuint(e->ref, ==, G_MAXUINT32);
  g_assert_true(e->claim);
  g_assert_cmpuint(e->peer, ==, 0);

  g_autoptr(LlClusterMessage) closed = ll_cluster_message_new(LL_CLUSTER_CLOSED);
  closed->ref = 3;
  closed->reason = LL_SIGNAL_ERROR_NOBODY_THERE;
  closed->text = g_strdup("the person who invited you is gone");
  g_autoptr(LlClusterMessage) c = round_trip(closed);
  g_assert_cmpint(c->reason, ==, LL_SIGNAL_ERROR_NOBODY_THERE);
  g_assert_cmpstr(c->text, ==, "the person who invited you is gone");
  g_assert_null(c->mailbox);

  g_autoptr(LlClusterMessage) to = ll_cluster_message_new(LL_CLUSTER_TO_NOVICE);
  to->mailbox = g_strdup("m");
  to->from = g_strdup("i");
  to->peer = 2;
  to->text = g_strdup("{\"type\":\"signal\",\"data\":{\"candidate\":\"c \\\"q\\\"\"}}");
  g_autoptr(LlClusterMessage) t = round_trip(to);
  g_assert_cmpstr(t->text, ==, to->text);
  g_assert_cmpuint(t->peer, ==, 2);

  for (LlClusterType type = LL_CLUSTER_ENTERED; type <= LL_CLUSTER_TAKEOVER; type++) {
    g_autoptr(LlClusterMessage) m = ll_cluster_message_new(type);
    g_autoptr(LlClusterMessage) back = round_trip(m);
    (void)back;
  }
}

static void refused(const char *text, gssize length)
{
  g_autoptr(GError) error = NULL;
  gsize n = length < 0 ? strlen(text) : (gsize)length;
  g_autoptr(LlClusterMessage) m = ll_cluster_message_decode(text, n, &error);
  g_assert_null(m);
  g_assert_nonnull(error);
  g_assert_nonnull(strstr(error->message, "bad message from another instance"));
}

static void test_malformed(void)
{
  refused("", -1);
  refused("[]", -1);
  refused("{\"t\":\"nonsense\"}", -1);
  refused("{\"t\":7}", -1);
  refused("{\"t\":\"enter\",\"mailbox\":\"m\",\"from\":\"i\",\"ref\":1}", -1);   /* no claim */
  refused("{\"t\":\"entered\",\"mailbox\":\"m\",\"from\":\"i\",\"ref\":-1,\"peer\":1}", -1);
  refused("{\"t\":\"entered\",\"mailbox\":\"m\",\"from\":\"i\",\"ref\":4294967296,\"peer\":1}",
          -1);
  refused("{\"t\":\"closed\",\"ref\":1,\"reason\":99,\"text\":\"x\"}", -1);
  refused("{\"t\":\"takeover\",\"mailbox\":5}", -1);
  static const char nul[] = "{\"t\":\"takeover\",\"mailbox\":\"a\0b\"}";
  refused(nul, sizeof nul - 1);
  g_autofree char *from = g_strnfill(LL_CLUSTER_MAX_INSTANCE + 1, 'f');
  g_autofree char *long_from = g_strdup_printf(
      "{\"t\":\"left\",\"mailbox\":\"m\",\"from\":\"%s\",\"peer\":1}", from);
  refused(long_from, -1);
  g_autofree char *text = g_strnfill(LL_SIGNAL_MAX_BYTES + 1, 'x');
  g_autofree char *long_text = g_strdup_printf("{\"t\":\"to-helper\",\"ref\":1,\"text\":\"%s\"}",
                                               text);
  refused(long_text, -1);
  g_autofree char *huge = g_strnfill(LL_CLUSTER_MAX_BYTES + 1, ' ');
  refused(huge, -1);
}

int main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/cluster-message/each-type", test_each_type);
  g_test_add_func("/cluster-message/malformed", test_malformed);
  return g_test_run();
}

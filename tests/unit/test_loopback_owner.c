/* Who owns the far end of a loopback connection: the helper's viewer port
 * lets in only the helper's own account. */
#include <glib.h>
#include "helper/loopback_owner.h"
#include <arpa/inet.h>
#include <unistd.h>

static struct sockaddr_in address(const char *ip, guint16 port)
{
  struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(port) };
  g_assert_cmpint(inet_pton(AF_INET, ip, &a.sin_addr), ==, 1);
  return a;
}

/* Lines as Linux 6 prints them; the viewer's socket is 127.0.0.1:40000
 * -> 127.0.0.1:5901 (0x9C40, 0x170D), owned by 65534. */
static const char *table =
    "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  "
    "timeout inode\n"
    "   0: 0100007F:170D 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 "
    "1001 1 0000000000000000 100 0 0 10 0\n"
    "   1: 0100007F:170D 0100007F:9C40 01 00000000:00000000 00:00000000 00000000     0        0 "
    "1002 1 0000000000000000 20 4 30 10 -1\n"
    "   2: 0100007F:9C40 0100007F:170D 01 00000000:00000000 00:00000000 00000000 65534        0 "
    "1003 1 0000000000000000 20 4 30 10 -1\n";

static void test_table(void)
{
  struct sockaddr_in us = address("127.0.0.1", 5901), viewer = address("127.0.0.1", 40000);
  uid_t uid = 0;
  g_assert_true(ll_loopback_owner_in_table(table, &us, &viewer, &uid));
  g_assert_cmpuint(uid, ==, 65534);
  /* Our own end of it is not the viewer's. */
  g_assert_true(ll_loopback_owner_in_table(table, &viewer, &us, &uid));
  g_assert_cmpuint(uid, ==, 0);
  struct sockaddr_in other = address("127.0.0.1", 40001);
  g_assert_false(ll_loopback_owner_in_table(table, &us, &other, &uid));
  g_assert_false(ll_loopback_owner_in_table("", &us, &viewer, &uid));
  g_assert_false(ll_loopback_owner_in_table("header only\n   2: 0100007F:9C40 0100007F:170D 01",
                                            &us, &viewer, &uid));
}

/* A real connection of ours, through the kernel's socket diagnostics. */
static void test_own_connection(void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSocketListener) listener = g_socket_listener_new();
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback(G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) any = g_inet_socket_address_new(loopback, 0);
  g_autoptr(GSocketAddress) bound = NULL;
  g_assert_true(g_socket_listener_add_address(listener, any, G_SOCKET_TYPE_STREAM,
                                              G_SOCKET_PROTOCOL_TCP, NULL, &bound, &error));
  g_autoptr(GSocketClient) client = g_socket_client_new();
  g_autoptr(GSocketConnection) out = g_socket_client_connect(client, G_SOCKET_CONNECTABLE(bound),
                                                             NULL, &error);
  g_assert_no_error(error);
  g_assert_nonnull(out);
  g_autoptr(GSocketConnection) in = g_socket_listener_accept(listener, NULL, NULL, &error);
  g_assert_no_error(error);
  uid_t uid = (uid_t)-1;
  g_assert_true(ll_loopback_owner(in, &uid, &error));
  g_assert_no_error(error);
  g_assert_cmpuint(uid, ==, geteuid());
  /* And through this kernel's own /proc/net/tcp, the fallback. */
  int fd = g_socket_get_fd(g_socket_connection_get_socket(in));
  struct sockaddr_in near, far;
  socklen_t near_len = sizeof near, far_len = sizeof far;
  g_assert_cmpint(getsockname(fd, (struct sockaddr *)&near, &near_len), ==, 0);
  g_assert_cmpint(getpeername(fd, (struct sockaddr *)&far, &far_len), ==, 0);
  g_autofree char *proc = NULL;
  g_assert_true(g_file_get_contents("/proc/net/tcp", &proc, NULL, NULL));
  uid = (uid_t)-1;
  g_assert_true(ll_loopback_owner_in_table(proc, &near, &far, &uid));
  g_assert_cmpuint(uid, ==, geteuid());
}

int main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/loopback-owner/proc-table", test_table);
  g_test_add_func("/loopback-owner/own-connection", test_own_connection);
  return g_test_run();
}

#include "helper/loopback_owner.h"
#include "common/error.h"
#include <errno.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* How long the kernel may take to answer. */
#define ANSWER_TIMEOUT_S 1

typedef struct {
  struct nlmsghdr header;
  struct inet_diag_req_v2 request;
} Query;

static gboolean ends_of(GSocketConnection *connection, struct sockaddr_in *near,
                        struct sockaddr_in *far)
{
  int fd = g_socket_get_fd(g_socket_connection_get_socket(connection));
  socklen_t near_len = sizeof *near, far_len = sizeof *far;
  return getsockname(fd, (struct sockaddr *)near, &near_len) == 0 &&
         getpeername(fd, (struct sockaddr *)far, &far_len) == 0 &&
         near->sin_family == AF_INET && far->sin_family == AF_INET;
}

/* The far end's own socket: its source is our peer, its destination us. */
static gboolean ask(int nl, const struct sockaddr_in *near, const struct sockaddr_in *far)
{
  Query q;
  memset(&q, 0, sizeof q);
  q.header.nlmsg_len = sizeof q;
  q.header.nlmsg_type = SOCK_DIAG_BY_FAMILY;
  q.header.nlmsg_flags = NLM_F_REQUEST;
  q.request.sdiag_family = AF_INET;
  q.request.sdiag_protocol = IPPROTO_TCP;
  q.request.idiag_states = ~0u;
  q.request.id.idiag_sport = far->sin_port;
  q.request.id.idiag_dport = near->sin_port;
  memcpy(q.request.id.idiag_src, &far->sin_addr, sizeof far->sin_addr);
  memcpy(q.request.id.idiag_dst, &near->sin_addr, sizeof near->sin_addr);
  q.request.id.idiag_cookie[0] = q.request.id.idiag_cookie[1] = INET_DIAG_NOCOOKIE;
  struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };
  return sendto(nl, &q, sizeof q, 0, (struct sockaddr *)&kernel, sizeof kernel) ==
         (ssize_t)sizeof q;
}

/* The answer's uid; FALSE with errno set for an error, another message,
 * or a short one. */
static gboolean read_answer(int nl, uid_t *uid)
{
  union {
    struct nlmsghdr header;
    char bytes[8192];
  } answer;
  ssize_t n = recv(nl, &answer, sizeof answer, 0);
  if (n < 0)
    return FALSE;
  struct nlmsghdr *h = &answer.header;
  errno = EPROTO;
  if (n < (ssize_t)sizeof(struct nlmsghdr) || !NLMSG_OK(h, (size_t)n))
    return FALSE;
  if (h->nlmsg_type == NLMSG_ERROR && h->nlmsg_len >= NLMSG_LENGTH(sizeof(struct nlmsgerr))) {
    const struct nlmsgerr *e = NLMSG_DATA(h);
    errno = e->error < 0 ? -e->error : EPROTO;   /* ENOENT: no such socket */
    return FALSE;
  }
  if (h->nlmsg_type != SOCK_DIAG_BY_FAMILY ||
      h->nlmsg_len < NLMSG_LENGTH(sizeof(struct inet_diag_msg)))
    return FALSE;
  const struct inet_diag_msg *msg = NLMSG_DATA(h);
  *uid = msg->idiag_uid;
  return TRUE;
}

static gboolean ask_kernel(const struct sockaddr_in *near, const struct sockaddr_in *far,
                           uid_t *uid)
{
  int nl = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
  struct timeval timeout = { ANSWER_TIMEOUT_S, 0 };
  gboolean ok = nl >= 0 &&
                setsockopt(nl, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout) == 0 &&
                ask(nl, near, far) && read_answer(nl, uid);
  int saved = errno;
  if (nl >= 0)
    close(nl);
  errno = saved;
  return ok;
}

/* The same from /proc/net/tcp, where a kernel without socket diagnostics
 * (inet_diag not built, nor loadable in a container) still lists every
 * socket of this network namespace with its owner: the line whose local
 * end is the peer and whose remote end is us. */
gboolean ll_loopback_owner_in_table(const char *table, const struct sockaddr_in *near,
                                    const struct sockaddr_in *far, uid_t *uid)
{
  /* The kernel prints each address as its 32 bits in memory order. */
  g_autofree char *want = g_strdup_printf(
      "%08X:%04X %08X:%04X", (unsigned)far->sin_addr.s_addr, (unsigned)ntohs(far->sin_port),
      (unsigned)near->sin_addr.s_addr, (unsigned)ntohs(near->sin_port));
  g_auto(GStrv) lines = g_strsplit(table, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++) {      /* the header matches nothing */
    /* "sl local rem st tx:rx tr:when retrnsmt uid ..." */
    g_auto(GStrv) f = g_strsplit_set(g_strstrip(lines[i]), " ", -1);
    guint n = 0;
    const char *field[8] = { 0 };
    for (guint k = 0; f[k] != NULL && n < G_N_ELEMENTS(field); k++)
      if (*f[k] != '\0')
        field[n++] = f[k];
    g_autofree char *ends = n == 8 ? g_strdup_printf("%s %s", field[1], field[2]) : NULL;
    guint64 owner;
    if (ends != NULL && g_ascii_strcasecmp(ends, want) == 0 &&
        g_ascii_string_to_unsigned(field[7], 10, 0, G_MAXUINT32, &owner, NULL)) {
      *uid = (uid_t)owner;
      return TRUE;
    }
  }
  errno = ENOENT;
  return FALSE;
}

static gboolean ask_proc(const struct sockaddr_in *near, const struct sockaddr_in *far,
                         uid_t *uid)
{
  g_autofree char *table = NULL;
  if (!g_file_get_contents("/proc/net/tcp", &table, NULL, NULL))
    return FALSE;
  return ll_loopback_owner_in_table(table, near, far, uid);
}

gboolean ll_loopback_owner(GSocketConnection *connection, uid_t *uid, GError **error)
{
  struct sockaddr_in near, far;
  if (!ends_of(connection, &near, &far)) {
    g_set_error_literal(error, LL_ERROR, LL_ERROR_FAILED,
                        "the viewer's connection is not one on this computer");
    return FALSE;
  }
  if (ask_kernel(&near, &far, uid))
    return TRUE;
  int saved = errno;
  g_debug("socket diagnostics: %s; reading /proc/net/tcp", g_strerror(saved));
  if (ask_proc(&near, &far, uid))
    return TRUE;
  g_set_error(error, LL_ERROR, LL_ERROR_FAILED,
              "cannot tell which account the viewer belongs to (%s), so it may not attach",
              g_strerror(saved));
  return FALSE;
}

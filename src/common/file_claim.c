#include "common/file_claim.h"
#include "common/error.h"
#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <sys/file.h>
#include <unistd.h>

gboolean ll_file_is_claimed(const char *path)
{
  int fd = g_open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW, 0);
  if (fd < 0)
    return FALSE;   /* not there (or not ours to read): nobody waits with it */
  gboolean claimed = flock(fd, LOCK_SH | LOCK_NB) != 0 && errno == EWOULDBLOCK;
  close(fd);
  return claimed;
}

int ll_file_claim(const char *path, GError **error)
{
  int fd = g_open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW, 0);
  if (fd < 0) {
    int e = errno;
    g_set_error(error, LL_ERROR, LL_ERROR_FAILED, "cannot open %s: %s", path, g_strerror(e));
    return -1;
  }
  if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
    close(fd);
    g_set_error(error, LL_ERROR, LL_ERROR_FAILED,
                "%s is in use by another \"lifeline invite\" that is still waiting", path);
    return -1;
  }
  return fd;
}

void ll_file_release(int claim)
{
  if (claim >= 0)
    close(claim);
}

#include "novice/desktop/shared_picture.h"
#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

typedef struct {
  guint8 *base;
  gsize size;
  int fd;
} Shared;

static GMutex lock;
static GArray *shared;   /* of Shared, under lock */

static guint8 *map_memfd(gsize size, int *fd_out)
{
  int fd = memfd_create("lifeline-picture", MFD_CLOEXEC | MFD_ALLOW_SEALING);
  if (fd < 0)
    return NULL;
  guint8 *map = MAP_FAILED;
  if (ftruncate(fd, size) == 0)
    map = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  /* After our own writable mapping, none other: the worker maps it
   * read-only, and can neither resize it nor seal it otherwise. */
  if (map == MAP_FAILED ||
      fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_FUTURE_WRITE | F_SEAL_SEAL)
          != 0) {
    if (map != MAP_FAILED)
      munmap(map, size);
    close(fd);
    return NULL;
  }
  *fd_out = fd;
  return map;
}

guint8 *ll_shared_picture_new(gsize size)
{
  size = MAX(size, 1);
  int fd = -1;
  guint8 *map = map_memfd(size, &fd);
  if (map == NULL)
    return g_malloc0(size);
  g_mutex_lock(&lock);
  if (shared == NULL)
    shared = g_array_new(FALSE, FALSE, sizeof(Shared));
  g_array_append_val(shared, ((Shared){ map, size, fd }));
  g_mutex_unlock(&lock);
  return map;
}

/* The index of the shared picture holding POINTER, or -1; under lock. */
static int find(const guint8 *pointer)
{
  for (guint i = 0; shared != NULL && i < shared->len; i++) {
    const Shared *s = &g_array_index(shared, Shared, i);
    if (pointer >= s->base && pointer < s->base + s->size)
      return i;
  }
  return -1;
}

void ll_shared_picture_free(guint8 *picture)
{
  if (picture == NULL)
    return;
  g_mutex_lock(&lock);
  int i = find(picture);
  Shared s = { 0 };
  if (i >= 0) {
    s = g_array_index(shared, Shared, i);
    g_array_remove_index_fast(shared, i);
  }
  g_mutex_unlock(&lock);
  if (i < 0) {
    g_free(picture);
    return;
  }
  munmap(s.base, s.size);
  close(s.fd);
}

int ll_shared_picture_fd(const guint8 *pointer, gsize *offset, gsize *size)
{
  g_mutex_lock(&lock);
  int i = find(pointer), fd = -1;
  if (i >= 0) {
    const Shared *s = &g_array_index(shared, Shared, i);
    fd = fcntl(s->fd, F_DUPFD_CLOEXEC, 0);
    *offset = pointer - s->base;
    *size = s->size;
  }
  g_mutex_unlock(&lock);
  return fd;
}

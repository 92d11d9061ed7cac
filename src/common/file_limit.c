#include "common/file_limit.h"
#include <sys/resource.h>

void ll_raise_file_limit(void)
{
  struct rlimit limit;
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0 || limit.rlim_cur >= limit.rlim_max)
    return;
  rlim_t before = limit.rlim_cur;
  limit.rlim_cur = limit.rlim_max;
  if (setrlimit(RLIMIT_NOFILE, &limit) == 0)
    g_info("open files: %llu allowed (was %llu)", (unsigned long long)limit.rlim_cur,
           (unsigned long long)before);
}

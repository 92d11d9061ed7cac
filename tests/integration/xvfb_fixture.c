#include "xvfb_fixture.h"
#include <glib.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

static GPid xvfb_pid;
static char display[32];

static void stop_xvfb(void)
{
  if (xvfb_pid > 0) {
    kill(xvfb_pid, SIGTERM);
    waitpid(xvfb_pid, NULL, 0);
    xvfb_pid = 0;
  }
}

static void stop_on_abort(int sig)
{
  stop_xvfb();
  signal(sig, SIG_DFL);
  raise(sig);
}

const char *xvfb_fixture_display(void)
{
  if (xvfb_pid > 0)
    return display;
  int fds[2];
  g_assert_cmpint(pipe(fds), ==, 0);
  g_autofree char *fd_text = g_strdup_printf("%d", fds[1]);
  char *argv[] = { "Xvfb", "-displayfd", fd_text, "-screen", "0", "640x480x24", "-nolisten",
                   "tcp", "-noreset", NULL };
  g_autoptr(GError) error = NULL;
  gboolean ok = g_spawn_async(NULL, argv, NULL,
                              G_SPAWN_SEARCH_PATH | G_SPAWN_DO_NOT_REAP_CHILD |
                                  G_SPAWN_LEAVE_DESCRIPTORS_OPEN | G_SPAWN_STDOUT_TO_DEV_NULL |
                                  G_SPAWN_STDERR_TO_DEV_NULL,
                              NULL, NULL, &xvfb_pid, &error);
  close(fds[1]);
  g_assert_no_error(error);
  g_assert_true(ok);
  atexit(stop_xvfb);
  signal(SIGABRT, stop_on_abort);
  char number[16] = { 0 };
  ssize_t n = read(fds[0], number, sizeof number - 1);
  close(fds[0]);
  g_assert_cmpint(n, >, 0);
  g_snprintf(display, sizeof display, ":%d", atoi(number));
  return display;
}

/* The RFB worker's sandbox, entered in a child process of this test: it
 * cannot open the identity file, reach the desktop's socket, run a
 * program, start a process, signal another one or type into a terminal;
 * it can still use what it was given and start threads (libvncserver's
 * viewers). */
#include "novice/rfb_worker/worker_sandbox.h"
#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <signal.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

static char *dir, *identity, *desktop_socket;
static int listener = -1;

static gpointer nothing(gpointer data) { return data; }

static void enter(void)
{
  LlSandboxExtras extras;
  g_autoptr(GError) error = NULL;
  g_assert_true(ll_worker_sandbox_enter(&extras, &error));
  g_assert_no_error(error);
  g_test_message("Landlock: %s", (extras & LL_SANDBOX_LANDLOCK) ? "yes" : "not in this kernel");
}

static void sandboxed_cannot(void)
{
  int given = memfd_create("picture", MFD_CLOEXEC);
  g_assert_cmpint(ftruncate(given, 4096), ==, 0);
  enter();
  /* The identity file, and files at all. */
  g_assert_cmpint(open(identity, O_RDONLY), ==, -1);
  g_assert_cmpint(openat(AT_FDCWD, "/etc/passwd", O_RDONLY), ==, -1);
  g_assert_cmpint(open(dir, O_RDONLY | O_DIRECTORY), ==, -1);
  g_assert_cmpint(mkdir("/tmp/lifeline-sandbox-escape", 0700), ==, -1);
  /* The desktop's socket (an X server's, a compositor's, the bus). */
  g_assert_cmpint(socket(AF_UNIX, SOCK_STREAM, 0), ==, -1);
  g_assert_cmpint(socket(AF_INET, SOCK_STREAM, 0), ==, -1);
  int pair[2];
  g_assert_cmpint(socketpair(AF_UNIX, SOCK_STREAM, 0, pair), ==, -1);
  /* Programs and processes. */
  char *argv[] = { "/bin/true", NULL };
  g_assert_cmpint(execv("/bin/true", argv), ==, -1);
  g_assert_cmpint(fork(), ==, -1);
  g_assert_cmpint(kill(getppid(), 0), ==, -1);
  g_assert_cmpint(errno, ==, EPERM);
  char c = 'x';
  g_assert_cmpint(ioctl(STDERR_FILENO, TIOCSTI, &c), ==, -1);
  g_assert_cmpint(errno, ==, EPERM);
  /* What it was given still works, and so do threads. */
  void *map = mmap(NULL, 4096, PROT_READ, MAP_SHARED, given, 0);
  g_assert_true(map != MAP_FAILED);
  g_assert_cmpint(((volatile guint8 *)map)[0], ==, 0);
  GThread *t = g_thread_new("viewer", nothing, map);
  g_assert_true(g_thread_join(t) == map);
  g_assert_cmpint(kill(getpid(), 0), ==, 0);
}

static void test_sandbox(void)
{
  if (g_test_subprocess()) {
    sandboxed_cannot();
    return;
  }
  g_test_trap_subprocess(NULL, 20 * G_USEC_PER_SEC, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed();
}

static void set_up(void)
{
  dir = g_dir_make_tmp("lifeline-sandbox-XXXXXX", NULL);
  identity = g_build_filename(dir, "identity.pem", NULL);
  g_assert_true(g_file_set_contents(identity, "not a key, but the file the key is in", -1, NULL));
  desktop_socket = g_build_filename(dir, "desktop", NULL);
  listener = socket(AF_UNIX, SOCK_STREAM, 0);
  struct sockaddr_un a = { .sun_family = AF_UNIX };
  g_strlcpy(a.sun_path, desktop_socket, sizeof a.sun_path);
  g_assert_cmpint(bind(listener, (struct sockaddr *)&a, sizeof a), ==, 0);
  g_assert_cmpint(listen(listener, 1), ==, 0);
}

static void tear_down(void)
{
  close(listener);
  g_unlink(desktop_socket);
  g_unlink(identity);
  g_rmdir(dir);
}

int main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  /* The files exist for the child too: it is this program again. */
  const char *inherited = g_getenv("LIFELINE_SANDBOX_TEST_DIR");
  if (inherited == NULL) {
    set_up();
    g_setenv("LIFELINE_SANDBOX_TEST_DIR", dir, TRUE);
  } else {
    dir = g_strdup(inherited);
    identity = g_build_filename(dir, "identity.pem", NULL);
  }
  g_test_add_func("/worker-sandbox/cannot", test_sandbox);
  int result = g_test_run();
  if (inherited == NULL)
    tear_down();
  return result;
}

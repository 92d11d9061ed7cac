#include "novice/rfb_worker/worker_sandbox.h"
#include "common/error.h"
#include <errno.h>
#include <linux/landlock.h>
#include <sched.h>
#include <seccomp.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

/* Landlock's ruleset as newer kernels take it (Debian 12's headers stop
 * at ABI 2): the kernel reads as much of it as it knows, and the rest is
 * zero where an older kernel would not understand it. */
typedef struct {
  guint64 handled_access_fs;
  guint64 handled_access_net;   /* ABI 4 */
  guint64 scoped;               /* ABI 6 */
} Ruleset;

#define FS_RIGHTS_V1 ((1ULL << 13) - 1)   /* EXECUTE .. MAKE_SYM */
#define FS_REFER (1ULL << 13)             /* ABI 2 */
#define FS_TRUNCATE (1ULL << 14)          /* ABI 3 */
#define FS_IOCTL_DEV (1ULL << 15)         /* ABI 5 */
#define NET_BIND_TCP (1ULL << 0)
#define NET_CONNECT_TCP (1ULL << 1)
#define SCOPE_ABSTRACT_UNIX_SOCKET (1ULL << 0)
#define SCOPE_SIGNAL (1ULL << 1)

static Ruleset ruleset_for(long abi)
{
  Ruleset r = { .handled_access_fs = FS_RIGHTS_V1 };
  if (abi >= 2)
    r.handled_access_fs |= FS_REFER;
  if (abi >= 3)
    r.handled_access_fs |= FS_TRUNCATE;
  if (abi >= 5)
    r.handled_access_fs |= FS_IOCTL_DEV;
  if (abi >= 4)
    r.handled_access_net = NET_BIND_TCP | NET_CONNECT_TCP;
  if (abi >= 6)
    r.scoped = SCOPE_ABSTRACT_UNIX_SOCKET | SCOPE_SIGNAL;
  return r;
}

/* Every right handled and none granted: no path can be used at all.
 * FALSE where the kernel has no Landlock (seccomp still holds). */
static gboolean enter_landlock(void)
{
  long abi = syscall(SYS_landlock_create_ruleset, NULL, 0, LANDLOCK_CREATE_RULESET_VERSION);
  if (abi < 1)
    return FALSE;
  Ruleset r = ruleset_for(abi);
  gsize size = abi >= 6 ? sizeof r : abi >= 4 ? 2 * sizeof(guint64) : sizeof(guint64);
  int fd = syscall(SYS_landlock_create_ruleset, &r, size, 0);
  if (fd < 0)
    return FALSE;
  gboolean ok = syscall(SYS_landlock_restrict_self, fd, 0) == 0;
  close(fd);
  return ok;
}

#if defined(__SANITIZE_ADDRESS__)
#define LL_ADDRESS_SANITIZER 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define LL_ADDRESS_SANITIZER 1
#endif
#endif

#ifdef LL_ADDRESS_SANITIZER
/* LeakSanitizer's check at exit stops the world with ptrace and a clone
 * and reads /proc/self/maps: all of which the sandbox refuses. Once
 * sandboxed, a sanitizer build skips that check (memory errors are still
 * caught); leaks in the worker go unchecked in those builds. */
static gboolean sandboxed;
int __lsan_is_turned_off(void);
int __lsan_is_turned_off(void) { return sandboxed; }
#define NOTE_SANDBOXED() (sandboxed = TRUE)
#else
#define NOTE_SANDBOXED() ((void)0)
#endif

static const int refused_calls[] = {
  /* files: opened, made, changed */
  SCMP_SYS(open), SCMP_SYS(openat), SCMP_SYS(openat2), SCMP_SYS(creat), SCMP_SYS(open_by_handle_at),
  SCMP_SYS(name_to_handle_at), SCMP_SYS(truncate), SCMP_SYS(mknod), SCMP_SYS(mknodat),
  SCMP_SYS(link), SCMP_SYS(linkat), SCMP_SYS(symlink), SCMP_SYS(symlinkat), SCMP_SYS(unlink),
  SCMP_SYS(unlinkat), SCMP_SYS(rename), SCMP_SYS(renameat), SCMP_SYS(renameat2),
  SCMP_SYS(mkdir), SCMP_SYS(mkdirat), SCMP_SYS(rmdir), SCMP_SYS(chmod), SCMP_SYS(fchmodat),
  SCMP_SYS(chown), SCMP_SYS(lchown), SCMP_SYS(fchownat), SCMP_SYS(chdir), SCMP_SYS(chroot),
  SCMP_SYS(mount), SCMP_SYS(umount2), SCMP_SYS(pivot_root), SCMP_SYS(fsopen),
  SCMP_SYS(fsmount), SCMP_SYS(open_tree), SCMP_SYS(move_mount),
  /* the network, and the X server's or the session bus's sockets */
  SCMP_SYS(socket), SCMP_SYS(socketpair), SCMP_SYS(connect), SCMP_SYS(bind),
  SCMP_SYS(listen), SCMP_SYS(accept), SCMP_SYS(accept4),
  /* programs and processes */
  SCMP_SYS(execve), SCMP_SYS(execveat), SCMP_SYS(fork), SCMP_SYS(vfork),
  SCMP_SYS(ptrace), SCMP_SYS(process_vm_readv), SCMP_SYS(process_vm_writev),
  SCMP_SYS(pidfd_open), SCMP_SYS(pidfd_getfd), SCMP_SYS(pidfd_send_signal),
  SCMP_SYS(setns), SCMP_SYS(unshare), SCMP_SYS(setsid), SCMP_SYS(setpgid),
  /* the kernel's other doors */
  SCMP_SYS(bpf), SCMP_SYS(perf_event_open), SCMP_SYS(userfaultfd), SCMP_SYS(keyctl),
  SCMP_SYS(add_key), SCMP_SYS(request_key), SCMP_SYS(init_module), SCMP_SYS(finit_module),
  SCMP_SYS(delete_module), SCMP_SYS(kexec_load), SCMP_SYS(kexec_file_load),
  SCMP_SYS(reboot), SCMP_SYS(swapon), SCMP_SYS(swapoff), SCMP_SYS(personality),
  SCMP_SYS(io_uring_setup), SCMP_SYS(io_uring_enter), SCMP_SYS(io_uring_register),
  SCMP_SYS(acct), SCMP_SYS(quotactl), SCMP_SYS(syslog), SCMP_SYS(uselib),
};

/* libseccomp's SCMP_A0() and friends, spelled out: clang warns about
 * the fields their compound literals leave out. */
static struct scmp_arg_cmp arg(unsigned int index, enum scmp_compare op, scmp_datum_t a,
                               scmp_datum_t b)
{
  return (struct scmp_arg_cmp){ .arg = index, .op = op, .datum_a = a, .datum_b = b };
}

static gboolean add_rules(scmp_filter_ctx f)
{
  const guint32 refuse = SCMP_ACT_ERRNO(EPERM);
  for (gsize i = 0; i < G_N_ELEMENTS(refused_calls); i++)
    if (refused_calls[i] >= 0 && seccomp_rule_add(f, refuse, refused_calls[i], 0) != 0)
      return FALSE;
  /* Threads yes, processes no: clone only with CLONE_THREAD; clone3's
   * flags are out of reach (a pointer), so glibc is told to use clone. */
  if (seccomp_rule_add(f, refuse, SCMP_SYS(clone), 1,
                       arg(0, SCMP_CMP_MASKED_EQ, CLONE_THREAD, 0)) != 0 ||
      seccomp_rule_add(f, SCMP_ACT_ERRNO(ENOSYS), SCMP_SYS(clone3), 0) != 0)
    return FALSE;
  /* Signals only to itself (abort, the sanitizers' reports). */
  pid_t self = getpid();
  if (seccomp_rule_add(f, refuse, SCMP_SYS(kill), 1, arg(0, SCMP_CMP_NE, self, 0)) != 0 ||
      seccomp_rule_add(f, refuse, SCMP_SYS(tgkill), 1, arg(0, SCMP_CMP_NE, self, 0)) != 0 ||
      seccomp_rule_add(f, refuse, SCMP_SYS(tkill), 0) != 0)
    return FALSE;
  /* Nothing typed into the terminal it inherited. */
  return seccomp_rule_add(f, refuse, SCMP_SYS(ioctl), 1, arg(1, SCMP_CMP_EQ, TIOCSTI, 0)) == 0 &&
         seccomp_rule_add(f, refuse, SCMP_SYS(ioctl), 1, arg(1, SCMP_CMP_EQ, TIOCLINUX, 0)) == 0;
}

static gboolean enter_seccomp(void)
{
  scmp_filter_ctx f = seccomp_init(SCMP_ACT_ALLOW);
  if (f == NULL)
    return FALSE;
  gboolean ok = add_rules(f) && seccomp_load(f) == 0;
  seccomp_release(f);
  return ok;
}

gboolean ll_worker_sandbox_enter(LlSandboxExtras *extras, GError **error)
{
  *extras = 0;
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) {
    g_set_error(error, LL_ERROR, LL_ERROR_FAILED, "cannot set no_new_privs: %s",
                g_strerror(errno));
    return FALSE;
  }
  if (enter_landlock())
    *extras |= LL_SANDBOX_LANDLOCK;
  NOTE_SANDBOXED();
  if (!enter_seccomp()) {
    g_set_error_literal(error, LL_ERROR, LL_ERROR_FAILED,
                        "cannot install the system call filter (seccomp)");
    return FALSE;
  }
  return TRUE;
}

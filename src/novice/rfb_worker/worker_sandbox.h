/* What the RFB worker may still do once it has its connection: nothing
 * but serve the descriptors it was given. Entered before the first byte
 * from a helper is parsed:
 * - no_new_privs (nothing it runs gains privileges);
 * - Landlock, where the kernel has it: no file system access at all, no
 *   TCP bind or connect, no abstract Unix sockets outside its own domain
 *   (the X server listens on one), no signals to other processes;
 * - a seccomp filter (libseccomp) whatever the kernel's Landlock: no files
 *   opened or changed, no sockets made or connected, no programs run, no
 *   processes started (threads only), no tracing, no signals to others,
 *   no characters pushed into a terminal (TIOCSTI), no namespaces,
 *   mounts, keys, BPF or kernel modules. */
#pragma once
#include <glib.h>

typedef enum {
  LL_SANDBOX_LANDLOCK = 1 << 0,   /* the kernel enforced the Landlock rules too */
} LlSandboxExtras;

/* FALSE with a sentence if the filter could not be installed: the worker
 * must not serve anyone then. */
gboolean ll_worker_sandbox_enter(LlSandboxExtras *extras, GError **error);

/* A scratch directory for a fuzz target's fixed state (an identity, a
 * CA), removed when the process exits. */
#pragma once
#include <glib.h>
#include <glib/gstdio.h>
#include <stdlib.h>

static char *fuzz_scratch_dir;

static void fuzz_scratch_remove(const char *path)
{
  g_autoptr(GDir) dir = g_dir_open(path, 0, NULL);
  const char *name;
  while (dir != NULL && (name = g_dir_read_name(dir)) != NULL) {
    g_autofree char *child = g_build_filename(path, name, NULL);
    if (g_file_test(child, G_FILE_TEST_IS_DIR) && !g_file_test(child, G_FILE_TEST_IS_SYMLINK))
      fuzz_scratch_remove(child);
    else
      g_unlink(child);
  }
  g_rmdir(path);
}

static void fuzz_scratch_at_exit(void)
{
  fuzz_scratch_remove(fuzz_scratch_dir);
}

static const char *fuzz_scratch(void)
{
  if (fuzz_scratch_dir == NULL) {
    fuzz_scratch_dir = g_dir_make_tmp("lifeline-fuzz-XXXXXX", NULL);
    g_assert_nonnull(fuzz_scratch_dir);
    atexit(fuzz_scratch_at_exit);
  }
  return fuzz_scratch_dir;
}

/* Replays committed fuzz corpora through one target's
 * LLVMFuzzerTestOneInput without libFuzzer, so every build (the sanitizer
 * one in CI) runs each input found so far: one TAP line per file.
 * usage: replay-TARGET DIR... */
#include <glib.h>
#include <stdint.h>
#include <stdio.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int compare_paths(gconstpointer a, gconstpointer b);

static GPtrArray *inputs_in(const char *dir)
{
  GPtrArray *paths = g_ptr_array_new_with_free_func(g_free);
  g_autoptr(GDir) d = g_dir_open(dir, 0, NULL);
  const char *name;
  while (d != NULL && (name = g_dir_read_name(d)) != NULL)
    g_ptr_array_add(paths, g_build_filename(dir, name, NULL));
  g_ptr_array_sort(paths, compare_paths);
  return paths;
}

static int compare_paths(gconstpointer a, gconstpointer b)
{
  return g_strcmp0(*(char *const *)a, *(char *const *)b);
}

int main(int argc, char **argv)
{
  g_autoptr(GPtrArray) all = g_ptr_array_new_with_free_func(g_free);
  for (int i = 1; i < argc; i++) {
    g_autoptr(GPtrArray) some = inputs_in(argv[i]);
    for (guint j = 0; j < some->len; j++)
      g_ptr_array_add(all, g_strdup(g_ptr_array_index(some, j)));
  }
  g_ptr_array_sort(all, compare_paths);
  if (all->len == 0) {
    printf("1..0 # no corpus\n");
    return 1;
  }
  printf("1..%u\n", all->len);
  for (guint i = 0; i < all->len; i++) {
    const char *path = g_ptr_array_index(all, i);
    g_autofree char *contents = NULL;
    gsize len = 0;
    if (!g_file_get_contents(path, &contents, &len, NULL)) {
      printf("not ok %u %s (unreadable)\n", i + 1, path);
      continue;
    }
    LLVMFuzzerTestOneInput((const uint8_t *)contents, len);
    g_autofree char *name = g_path_get_basename(path);
    printf("ok %u %s\n", i + 1, name);
    fflush(stdout);
  }
  return 0;
}

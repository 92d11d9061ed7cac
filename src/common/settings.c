#include "common/settings.h"
#include "common/rendezvous_url.h"
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <glib/gstdio.h>

#define MAX_SETTINGS_BYTES (64 * 1024)
#define MAX_RENDEZVOUS_URLS 8

static char *persons_file(void)
{
  return g_build_filename(g_get_user_config_dir(), "lifeline", "lifeline.conf", NULL);
}

static LlSettings *settings_new(void)
{
  LlSettings *s = g_new0(LlSettings, 1);
  s->rendezvous_urls = g_new0(char *, 1);
  s->problems = g_ptr_array_new_with_free_func(g_free);
  return s;
}

/* The [rendezvous] urls of KF, replacing what an earlier file said. */
static void read_rendezvous(LlSettings *s, GKeyFile *kf, const char *name)
{
  if (!g_key_file_has_key(kf, "rendezvous", "urls", NULL))
    return;
  gsize n = 0;
  g_auto(GStrv) urls = g_key_file_get_string_list(kf, "rendezvous", "urls", &n, NULL);
  GPtrArray *kept = g_ptr_array_new();
  for (gsize i = 0; urls != NULL && i < n && kept->len < MAX_RENDEZVOUS_URLS; i++) {
    g_autoptr(GError) error = NULL;
    char *url = ll_rendezvous_url_normalize(urls[i], &error);
    if (url != NULL)
      g_ptr_array_add(kept, url);
    else
      g_ptr_array_add(s->problems, g_strdup_printf("%s: a rendezvous left out: %s", name,
                                                   error->message));
  }
  if (n > MAX_RENDEZVOUS_URLS)
    g_ptr_array_add(s->problems, g_strdup_printf("%s: only the first %d rendezvous are used",
                                                 name, MAX_RENDEZVOUS_URLS));
  g_ptr_array_add(kept, NULL);
  g_strfreev(s->rendezvous_urls);
  s->rendezvous_urls = (char **)g_ptr_array_free(kept, FALSE);
  g_free(s->rendezvous_from);
  s->rendezvous_from = g_strdup(name);
}

static void warn_unknown(LlSettings *s, GKeyFile *kf, const char *name)
{
  g_auto(GStrv) groups = g_key_file_get_groups(kf, NULL);
  for (char **g = groups; g != NULL && *g != NULL; g++) {
    g_auto(GStrv) keys = g_key_file_get_keys(kf, *g, NULL, NULL);
    for (char **k = keys; k != NULL && *k != NULL; k++)
      if (g_strcmp0(*g, "rendezvous") != 0 || g_strcmp0(*k, "urls") != 0)
        g_ptr_array_add(s->problems, g_strdup_printf("%s: [%s] %s is not a setting; ignored",
                                                     name, *g, *k));
  }
}

static void merge_text(LlSettings *s, const char *text, gsize length, const char *name)
{
  g_autoptr(GKeyFile) kf = g_key_file_new();
  g_autoptr(GError) error = NULL;
  if (length > MAX_SETTINGS_BYTES) {
    g_ptr_array_add(s->problems, g_strdup_printf("%s is larger than %d KiB; ignored", name,
                                                 MAX_SETTINGS_BYTES / 1024));
    return;
  }
  if (!g_key_file_load_from_data(kf, text, length, G_KEY_FILE_NONE, &error)) {
    g_ptr_array_add(s->problems, g_strdup_printf("%s cannot be read (%s); ignored", name,
                                                 error->message));
    return;
  }
  warn_unknown(s, kf, name);
  read_rendezvous(s, kf, name);
}

/* At most MAX_SETTINGS_BYTES + 1 of a regular file (not a FIFO or a
 * device that never ends): NULL and a problem otherwise, NULL alone when
 * the file is not there. */
static char *read_bounded(LlSettings *s, const char *path, gsize *length)
{
  int fd = g_open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK, 0);
  struct stat st;
  if (fd < 0) {
    int e = errno;
    if (e != ENOENT)
      g_ptr_array_add(s->problems, g_strdup_printf("cannot open %s: %s; ignored", path,
                                                   g_strerror(e)));
    return NULL;
  }
  if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    g_ptr_array_add(s->problems, g_strdup_printf("%s is not a regular file; ignored", path));
    close(fd);
    return NULL;
  }
  char *text = g_malloc(MAX_SETTINGS_BYTES + 2);
  gssize n = read(fd, text, MAX_SETTINGS_BYTES + 1);
  close(fd);
  *length = n > 0 ? (gsize)n : 0;
  text[*length] = '\0';
  return text;
}

static void merge_file(LlSettings *s, const char *path)
{
  gsize length = 0;
  g_autofree char *text = read_bounded(s, path, &length);
  if (text != NULL)
    merge_text(s, text, length, path);   /* past the limit: said there */
}

LlSettings *ll_settings_parse(const char *text, gsize length, const char *name)
{
  LlSettings *s = settings_new();
  merge_text(s, text, length, name);
  return s;
}

LlSettings *ll_settings_load(const char *system_path)
{
  LlSettings *s = settings_new();
  const char *override = g_getenv("LIFELINE_SYSTEM_SETTINGS");
  merge_file(s, system_path != NULL ? system_path
                : override != NULL && *override != '\0' ? override : LL_SETTINGS_SYSTEM_PATH);
  g_autofree char *mine = persons_file();
  merge_file(s, mine);
  return s;
}

char *ll_settings_rendezvous(const LlSettings *s, const char *option, GError **error)
{
  if (option != NULL)
    return ll_rendezvous_url_normalize(option, error);
  return g_strdup(s != NULL ? s->rendezvous_urls[0] : NULL);
}

char **ll_settings_choose_rendezvous_all(const char *option, GError **error)
{
  if (option != NULL) {   /* the command line wins; the files need not be read */
    char *url = ll_rendezvous_url_normalize(option, error);
    if (url == NULL)
      return NULL;
    char **one = g_new0(char *, 2);
    one[0] = url;
    return one;
  }
  g_autoptr(LlSettings) s = ll_settings_load(NULL);
  for (guint i = 0; i < s->problems->len; i++)
    g_warning("%s", (const char *)s->problems->pdata[i]);
  for (char **url = s->rendezvous_urls; *url != NULL; url++)
    g_info("the rendezvous %s, from %s", *url, s->rendezvous_from);
  return g_strdupv(s->rendezvous_urls);
}

char *ll_settings_choose_rendezvous(const char *option, GError **error)
{
  g_auto(GStrv) all = ll_settings_choose_rendezvous_all(option, error);
  return all != NULL ? g_strdup(all[0]) : NULL;
}

gboolean ll_settings_save_rendezvous(const char *typed, char **saved, GError **error)
{
  g_autofree char *url = NULL;
  g_autofree char *trimmed = g_strstrip(g_strdup(typed != NULL ? typed : ""));
  *saved = NULL;
  if (*trimmed != '\0' && (url = ll_rendezvous_url_normalize(trimmed, error)) == NULL)
    return FALSE;
  g_autofree char *path = persons_file();
  g_autoptr(GKeyFile) kf = g_key_file_new();
  /* Keep the person's other settings and comments; never replace a file
   * that cannot be read (its lines would be lost). */
  g_autoptr(GError) unreadable = NULL;
  if (!g_key_file_load_from_file(kf, path, G_KEY_FILE_KEEP_COMMENTS, &unreadable) &&
      !g_error_matches(unreadable, G_FILE_ERROR, G_FILE_ERROR_NOENT)) {
    g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
                "%s cannot be read (%s); mend or remove it first", path, unreadable->message);
    return FALSE;
  }
  if (url != NULL) {
    const char *urls[] = { url, NULL };
    g_key_file_set_string_list(kf, "rendezvous", "urls", urls, 1);
  } else {
    g_key_file_remove_key(kf, "rendezvous", "urls", NULL);
  }
  g_autofree char *dir = g_path_get_dirname(path);
  if (g_mkdir_with_parents(dir, 0700) != 0) {
    int e = errno;
    g_set_error(error, G_FILE_ERROR, g_file_error_from_errno(e), "cannot create %s: %s", dir,
                g_strerror(e));
    return FALSE;
  }
  if (!g_key_file_save_to_file(kf, path, error))
    return FALSE;
  *saved = g_steal_pointer(&url);
  return TRUE;
}

void ll_settings_free(LlSettings *s)
{
  if (s == NULL)
    return;
  g_strfreev(s->rendezvous_urls);
  g_free(s->rendezvous_from);
  g_ptr_array_unref(s->problems);
  g_free(s);
}

#include "common/policy.h"
#include "common/duration.h"
#include "common/error.h"
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define SOLICITED "solicited"
#define OFFER "offer"
#define MAX_POLICY_BYTES (256 * 1024)
#define MAX_CA_BYTES (256 * 1024)
#define MAX_CA_CERTIFICATES 16

static const char *const solicited_keys[] = { "allow", "control", "max-lifetime", NULL };
static const char *const offer_keys[] = { "allow", "control", "helpers", "helper-ca", NULL };

static void sources_init(LlHelperSources *s)
{
  s->fingerprints = g_array_new(FALSE, FALSE, sizeof(LlFingerprint));
  s->cas = g_ptr_array_new_with_free_func((GDestroyNotify)g_bytes_unref);
}

static void sources_clear(LlHelperSources *s)
{
  g_array_unref(s->fingerprints);
  g_ptr_array_unref(s->cas);
}

static void sources_copy(LlHelperSources *to, const LlHelperSources *from)
{
  g_array_append_vals(to->fingerprints, from->fingerprints->data, from->fingerprints->len);
  for (guint i = 0; i < from->cas->len; i++)
    g_ptr_array_add(to->cas, g_bytes_ref(g_ptr_array_index(from->cas, i)));
}

gboolean ll_helper_sources_empty(const LlHelperSources *s)
{
  return s->fingerprints->len == 0 && s->cas->len == 0;
}

gboolean ll_helper_sources_list(const LlHelperSources *s, const guint8 f[LL_FINGERPRINT_BYTES])
{
  for (guint i = 0; i < s->fingerprints->len; i++)
    if (memcmp(g_array_index(s->fingerprints, LlFingerprint, i).bytes, f,
               LL_FINGERPRINT_BYTES) == 0)
      return TRUE;
  return FALSE;
}

LlPolicy *ll_policy_new_default(void)
{
  LlPolicy *p = g_new0(LlPolicy, 1);
  p->solicited_allowed = TRUE;
  p->max_lifetime_s = LL_POLICY_MAX_LIFETIME_S;
  p->offers_allowed = FALSE;
  sources_init(&p->admit);
  sources_init(&p->user_admit);
  p->warnings = g_ptr_array_new_with_free_func(g_free);
  return p;
}

void ll_policy_free(LlPolicy *p)
{
  if (p == NULL)
    return;
  g_free(p->solicited_problem);
  g_free(p->offer_problem);
  sources_clear(&p->admit);
  sources_clear(&p->user_admit);
  g_ptr_array_unref(p->warnings);
  g_free(p);
}

static void solicited_off(LlPolicy *p, char *why)
{
  p->solicited_allowed = FALSE;
  if (p->solicited_problem == NULL)
    p->solicited_problem = why;
  else
    g_free(why);
}

static void offers_off(LlPolicy *p, char *why)
{
  p->offers_allowed = FALSE;
  if (p->offer_problem == NULL)
    p->offer_problem = why;
  else
    g_free(why);
}

/* GKeyFile has no comments after a value, but people write them
 * ("allow=true   # may this machine..."): cut them off. */
static char *raw_value(GKeyFile *kf, const char *group, const char *key)
{
  char *value = g_key_file_get_value(kf, group, key, NULL);
  if (value == NULL)
    return NULL;
  for (char *c = value; *c != '\0'; c++) {
    if (*c == '#' && (c == value || g_ascii_isspace(c[-1]))) {
      *c = '\0';
      break;
    }
  }
  return g_strstrip(value);
}

/* TRUE with *OUT set when the key is absent (OUT untouched) or valid. */
static gboolean read_boolean(GKeyFile *kf, const char *group, const char *key, gboolean *out)
{
  g_autofree char *v = raw_value(kf, group, key);
  if (v == NULL)
    return TRUE;
  if (g_ascii_strcasecmp(v, "true") == 0 || g_ascii_strcasecmp(v, "yes") == 0 ||
      strcmp(v, "1") == 0)
    *out = TRUE;
  else if (g_ascii_strcasecmp(v, "false") == 0 || g_ascii_strcasecmp(v, "no") == 0 ||
           strcmp(v, "0") == 0)
    *out = FALSE;
  else
    return FALSE;
  return TRUE;
}

static gboolean read_control(GKeyFile *kf, const char *group, gboolean *view_only)
{
  g_autofree char *v = raw_value(kf, group, "control");
  if (v == NULL)
    return TRUE;
  if (strcmp(v, "allow") == 0)
    *view_only = FALSE;
  else if (strcmp(v, "view-only") == 0)
    *view_only = TRUE;
  else
    return FALSE;
  return TRUE;
}

static void warn_unknown_keys(LlPolicy *p, GKeyFile *kf, const char *origin)
{
  g_auto(GStrv) groups = g_key_file_get_groups(kf, NULL);
  for (guint g = 0; groups[g] != NULL; g++) {
    const char *const *known = strcmp(groups[g], SOLICITED) == 0 ? solicited_keys
                               : strcmp(groups[g], OFFER) == 0   ? offer_keys
                                                                 : NULL;
    if (known == NULL) {
      g_ptr_array_add(p->warnings, g_strdup_printf("%s: unknown section [%s] ignored", origin,
                                                   groups[g]));
      continue;
    }
    g_auto(GStrv) keys = g_key_file_get_keys(kf, groups[g], NULL, NULL);
    for (guint k = 0; keys != NULL && keys[k] != NULL; k++)
      if (!g_strv_contains(known, keys[k]))
        g_ptr_array_add(p->warnings, g_strdup_printf("%s: unknown setting %s in [%s] ignored",
                                                     origin, keys[k], groups[g]));
  }
}

static void read_solicited(LlPolicy *p, GKeyFile *kf, const char *origin)
{
  g_autofree char *lifetime = raw_value(kf, SOLICITED, "max-lifetime");
  if (!read_boolean(kf, SOLICITED, "allow", &p->solicited_allowed))
    solicited_off(p, g_strdup_printf("%s: [solicited] allow must be true or false", origin));
  if (!read_control(kf, SOLICITED, &p->solicited_view_only))
    solicited_off(p, g_strdup_printf("%s: [solicited] control must be allow or view-only",
                                     origin));
  if (lifetime != NULL &&
      !ll_duration_parse(lifetime, LL_POLICY_MAX_LIFETIME_S, &p->max_lifetime_s, NULL))
    solicited_off(p, g_strdup_printf("%s: [solicited] max-lifetime \"%s\" is not a duration "
                                     "like 6h (at most 7d)", origin, lifetime));
}

static gboolean add_helper(LlPolicy *p, const char *text)
{
  LlFingerprint f;
  if (!ll_fingerprint_from_text(text, f.bytes))
    return FALSE;
  g_array_append_val(p->admit.fingerprints, f);
  return TRUE;
}

static void read_helpers(LlPolicy *p, GKeyFile *kf, const char *origin)
{
  g_autofree char *list = raw_value(kf, OFFER, "helpers");
  if (list == NULL)
    return;
  g_auto(GStrv) items = g_strsplit(list, ";", -1);
  for (guint i = 0; items[i] != NULL; i++) {
    char *item = g_strstrip(items[i]);
    if (*item != '\0' && !add_helper(p, item))
      offers_off(p, g_strdup_printf("%s: [offer] helpers has \"%s\", which is not a "
                                    "fingerprint like sha256:<64 hex digits>", origin, item));
  }
}

/* Every certificate of the PEM file; it must be a CA certificate. */
static gboolean read_ca_certificates(LlPolicy *p, const char *path, const char *text,
                                     gsize length, char **why)
{
  gnutls_x509_crt_t *list = NULL;
  unsigned int count = 0;
  gnutls_datum_t pem = { (unsigned char *)text, (unsigned int)length };
  int rc = gnutls_x509_crt_list_import2(&list, &count, &pem, GNUTLS_X509_FMT_PEM, 0);
  if (rc < 0 || count == 0) {
    *why = g_strdup_printf("helper-ca %s holds no certificate (%s)", path,
                           rc < 0 ? gnutls_strerror(rc) : "empty");
    return FALSE;
  }
  gboolean ok = count <= MAX_CA_CERTIFICATES;
  if (!ok)
    *why = g_strdup_printf("helper-ca %s holds more than %d certificates", path,
                           MAX_CA_CERTIFICATES);
  for (unsigned int i = 0; i < count; i++) {
    unsigned int critical = 0;
    gnutls_datum_t der = { NULL, 0 };
    if (ok && gnutls_x509_crt_get_basic_constraints(list[i], &critical, NULL, NULL) <= 0) {
      *why = g_strdup_printf("helper-ca %s holds a certificate that is not a CA's", path);
      ok = FALSE;
    }
    if (ok && gnutls_x509_crt_export2(list[i], GNUTLS_X509_FMT_DER, &der) >= 0)
      g_ptr_array_add(p->admit.cas, g_bytes_new(der.data, der.size));
    gnutls_free(der.data);
    gnutls_x509_crt_deinit(list[i]);
  }
  gnutls_free(list);
  return ok;
}

/* Whoever may write a policy file, its CA, or the directory holding them
 * decides who gets in: only root, or for a user's own file also its owner.
 * The checks are made on the file actually opened, and it is read within
 * MAX bytes. */
static gboolean owner_may_write(uid_t owner, LlPolicyLevel level)
{
  return owner == 0 || (level != LL_POLICY_MACHINE && owner == getuid());
}

static gboolean check_directory(const char *path, LlPolicyLevel level, char **why)
{
  g_autofree char *dir = g_path_get_dirname(path);
  GStatBuf st;
  if (g_stat(dir, &st) != 0) {
    *why = g_strdup_printf("cannot examine %s", dir);
    return FALSE;
  }
  /* A sticky directory (like /tmp) lets nobody replace another's file. */
  if (!owner_may_write(st.st_uid, level) ||
      ((st.st_mode & (S_IWGRP | S_IWOTH)) != 0 && (st.st_mode & S_ISVTX) == 0)) {
    *why = g_strdup_printf("%s is in %s, which other users can change", path, dir);
    return FALSE;
  }
  return TRUE;
}

static gboolean check_file(int fd, const char *path, LlPolicyLevel level, gsize max, char **why)
{
  struct stat st;
  if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    *why = g_strdup_printf("%s is not a regular file", path);
    return FALSE;
  }
  if (!owner_may_write(st.st_uid, level)) {
    *why = g_strdup_printf("%s belongs to another user (uid %u); only root%s may own it", path,
                           (unsigned)st.st_uid, level == LL_POLICY_MACHINE ? "" : " or you");
    return FALSE;
  }
  if ((st.st_mode & (S_IWGRP | S_IWOTH)) != 0) {
    *why = g_strdup_printf("%s can be changed by other users; run \"chmod go-w %s\"", path,
                           path);
    return FALSE;
  }
  if ((guint64)st.st_size > max) {
    *why = g_strdup_printf("%s is too large (over %" G_GSIZE_FORMAT " bytes)", path, max);
    return FALSE;
  }
  return check_directory(path, level, why);
}

static gboolean read_trusted_file(const char *path, LlPolicyLevel level, gsize max, char **text,
                                  gsize *length, char **why)
{
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    int saved = errno;
    *why = g_strdup_printf("cannot read %s: %s", path, g_strerror(saved));
    return FALSE;
  }
  gboolean ok = check_file(fd, path, level, max, why);
  if (ok) {
    char *buffer = g_malloc(max + 1);
    gssize n = read(fd, buffer, max + 1);
    ok = n >= 0 && (gsize)n <= max;
    if (ok) {
      buffer[n] = '\0';
      *text = buffer;
      *length = (gsize)n;
    } else {
      *why = g_strdup_printf("cannot read %s whole", path);
      g_free(buffer);
    }
  }
  close(fd);
  return ok;
}

static void read_helper_ca(LlPolicy *p, GKeyFile *kf, const char *origin, LlPolicyLevel level)
{
  g_autofree char *path = raw_value(kf, OFFER, "helper-ca");
  g_autofree char *text = NULL;
  char *why = NULL;
  gsize length = 0;
  if (path == NULL || *path == '\0')
    return;
  if (!g_path_is_absolute(path)) {
    /* Relative to what? The current directory is the user's to choose. */
    offers_off(p, g_strdup_printf("%s: helper-ca %s must be an absolute path", origin, path));
  } else if (!read_trusted_file(path, level, MAX_CA_BYTES, &text, &length, &why)) {
    offers_off(p, g_strdup_printf("%s: helper-ca: %s", origin, why));
    g_free(why);
  } else if (!read_ca_certificates(p, path, text, length, &why)) {
    offers_off(p, g_strdup_printf("%s: %s", origin, why));
    g_free(why);
  }
}

static void read_offer(LlPolicy *p, GKeyFile *kf, const char *origin, LlPolicyLevel level)
{
  gboolean allowed = p->offers_allowed;
  if (!read_boolean(kf, OFFER, "allow", &allowed))
    offers_off(p, g_strdup_printf("%s: [offer] allow must be true or false", origin));
  else
    p->offers_allowed = allowed;
  if (!read_control(kf, OFFER, &p->offer_view_only))
    offers_off(p, g_strdup_printf("%s: [offer] control must be allow or view-only", origin));
  read_helpers(p, kf, origin);
  read_helper_ca(p, kf, origin, level);
  if (p->offer_problem != NULL)
    p->offers_allowed = FALSE;
  if (p->offers_allowed && level != LL_POLICY_NARROWING && ll_helper_sources_empty(&p->admit))
    offers_off(p, g_strdup_printf("%s: offers are allowed but [offer] names no helpers and "
                                  "no helper-ca", origin));
}

LlPolicy *ll_policy_parse(const char *text, gsize length, const char *origin,
                          LlPolicyLevel level)
{
  LlPolicy *p = ll_policy_new_default();
  /* Offered help is view-only unless policy says allow; a user's file
   * starts from what the machine allows. */
  p->offers_allowed = level == LL_POLICY_NARROWING;
  p->offer_view_only = level != LL_POLICY_NARROWING;
  g_autoptr(GKeyFile) kf = g_key_file_new();
  g_autoptr(GError) error = NULL;
  if (length > MAX_POLICY_BYTES || !g_key_file_load_from_data(kf, text, length,
                                                               G_KEY_FILE_NONE, &error)) {
    solicited_off(p, g_strdup_printf("%s does not parse (%s)", origin,
                                     error != NULL ? error->message : "too large"));
    offers_off(p, g_strdup_printf("%s does not parse", origin));
    return p;
  }
  warn_unknown_keys(p, kf, origin);
  read_solicited(p, kf, origin);
  read_offer(p, kf, origin, level);
  return p;
}

LlPolicy *ll_policy_load_file(const char *path, LlPolicyLevel level)
{
  g_autofree char *text = NULL;
  char *why = NULL;
  gsize length = 0;
  if (!g_file_test(path, G_FILE_TEST_EXISTS))
    return level == LL_POLICY_NARROWING ? ll_policy_parse("", 0, path, level)
                                        : ll_policy_new_default();
  if (read_trusted_file(path, level, MAX_POLICY_BYTES, &text, &length, &why))
    return ll_policy_parse(text, length, path, level);
  /* Not to be trusted for offers. [solicited] stands when the file could
   * be read at all (it only restricts this machine's own user). */
  g_autofree char *loose = NULL;
  gsize loose_len = 0;
  gboolean readable = g_file_get_contents(path, &loose, &loose_len, NULL) &&
                      loose_len <= MAX_POLICY_BYTES;
  LlPolicy *p = readable ? ll_policy_parse(loose, loose_len, path, level)
                         : ll_policy_new_default();
  if (!readable)
    solicited_off(p, g_strdup(why));
  offers_off(p, why);
  return p;
}

static gpointer copy_string(gconstpointer text, gpointer unused)
{
  (void)unused;
  return g_strdup(text);
}

LlPolicy *ll_policy_narrow(const LlPolicy *machine, const LlPolicy *user)
{
  LlPolicy *out = ll_policy_new_default();
  out->solicited_allowed = machine->solicited_allowed && user->solicited_allowed;
  out->solicited_view_only = machine->solicited_view_only || user->solicited_view_only;
  out->max_lifetime_s = MIN(machine->max_lifetime_s, user->max_lifetime_s);
  out->solicited_problem = g_strdup(machine->solicited_problem != NULL ? machine->solicited_problem
                                                                       : user->solicited_problem);
  out->offers_allowed = machine->offers_allowed && user->offers_allowed;
  out->offer_view_only = machine->offer_view_only || user->offer_view_only;
  out->offer_problem = g_strdup(machine->offer_problem != NULL ? machine->offer_problem
                                                               : user->offer_problem);
  sources_copy(&out->admit, &machine->admit);
  sources_copy(&out->user_admit, &machine->user_admit);
  sources_copy(&out->user_admit, &user->admit);
  g_ptr_array_extend(out->warnings, machine->warnings, copy_string, NULL);
  g_ptr_array_extend(out->warnings, user->warnings, copy_string, NULL);
  return out;
}

LlPolicy *ll_policy_load_effective(const char *path)
{
  gboolean machine_file = g_file_test(LL_POLICY_DEFAULT_PATH, G_FILE_TEST_EXISTS);
  g_autoptr(LlPolicy) policy = NULL;
  if (path != NULL && machine_file) {
    /* A machine policy exists: --policy cannot widen it. */
    g_autoptr(LlPolicy) machine = ll_policy_load_file(LL_POLICY_DEFAULT_PATH, LL_POLICY_MACHINE);
    g_autoptr(LlPolicy) given = ll_policy_load_file(path, LL_POLICY_NARROWING);
    policy = ll_policy_narrow(machine, given);
  } else if (path != NULL) {
    policy = ll_policy_load_file(path, LL_POLICY_LOCAL);
  } else {
    policy = ll_policy_load_file(LL_POLICY_DEFAULT_PATH, LL_POLICY_MACHINE);
  }
  g_autofree char *user_path =
      g_build_filename(g_get_user_config_dir(), "lifeline", "policy.conf", NULL);
  if (!g_file_test(user_path, G_FILE_TEST_EXISTS))
    return g_steal_pointer(&policy);
  g_autoptr(LlPolicy) user = ll_policy_load_file(user_path, LL_POLICY_NARROWING);
  return ll_policy_narrow(policy, user);
}

gboolean ll_policy_check_invitation(const LlPolicy *policy, gint64 *lifetime, gboolean *cut,
                                    gboolean *view_only, GError **error)
{
  if (policy->solicited_problem != NULL) {
    g_set_error(error, LL_ERROR, LL_ERROR_REFUSED,
                "invitations are turned off because this computer's help policy has a problem "
                "(%s); ask your administrator", policy->solicited_problem);
    return FALSE;
  }
  if (!policy->solicited_allowed) {
    g_set_error(error, LL_ERROR, LL_ERROR_REFUSED,
                "your administrator has turned off invitations on this computer; ask them "
                "for help another way");
    return FALSE;
  }
  *cut = *lifetime > policy->max_lifetime_s;
  if (*cut)
    *lifetime = policy->max_lifetime_s;
  *view_only = *view_only || policy->solicited_view_only;
  return TRUE;
}

void ll_policy_log_problems(const LlPolicy *p, const char *origin)
{
  if (p->solicited_problem != NULL)
    g_warning("invitations are turned off: %s", p->solicited_problem);
  if (p->offer_problem != NULL)
    g_warning("offers of help are refused: %s", p->offer_problem);
  for (guint i = 0; i < p->warnings->len; i++)
    g_warning("%s", (const char *)g_ptr_array_index(p->warnings, i));
  g_debug("policy from %s: invitations %s%s, offers %s%s", origin,
          p->solicited_allowed ? "allowed" : "off", p->solicited_view_only ? " (view only)" : "",
          p->offers_allowed ? "allowed" : "off", p->offer_view_only ? " (view only)" : "");
}

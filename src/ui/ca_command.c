/* `lifeline ca`: a help desk's helper CA. `init` creates it; `sign`
 * signs a helper's exported identity. */
#include "common/invitation.h"
#include "common/org_ca.h"
#include "ui/commands.h"
#include "ui/terminal.h"
#include "common/error.h"
#include <stdio.h>
#include <string.h>

static const char usage[] =
    "Usage:\n"
    "  lifeline ca init DIR --name ORGANISATION\n"
    "  lifeline ca sign DIR --identity FILE [--days N] [--out FILE]\n"
    "\n"
    "A helper CA stands for a help desk: machines whose policy trusts its\n"
    "certificate (helper-ca in /etc/lifeline/policy.conf) accept offers of help\n"
    "from every helper it signed, while the helper's certificate is valid.\n"
    "Run \"lifeline ca init --help\" or \"lifeline ca sign --help\" for details.\n";

static int ca_init(int argc, char **argv)
{
  g_autofree char *name = NULL;
  g_autoptr(GError) error = NULL;
  const GOptionEntry entries[] = {
    { "name", 'n', 0, G_OPTION_ARG_STRING, &name, "The organisation's name, as helped people will see it", "NAME" },
    { NULL, 0, 0, 0, NULL, NULL, NULL },
  };
  g_autoptr(GOptionContext) ctx = g_option_context_new("DIR - create a helper CA in DIR");
  g_option_context_add_main_entries(ctx, entries, NULL);
  if (!g_option_context_parse(ctx, &argc, &argv, &error) || argc != 2 || name == NULL) {
    g_printerr("lifeline ca init: %s\n",
               error != NULL ? error->message : "give a directory and --name ORGANISATION");
    return 2;
  }
  if (!ll_org_ca_init(argv[1], name, &error)) {
    g_printerr("lifeline ca init: %s\n", error->message);
    return error->code == LL_ERROR_USAGE ? 2 : 1;
  }
  ll_say("Created the helper CA of %s in %s.", name, argv[1]);
  ll_say("Copy %s/" LL_CA_CERT_FILE " to /etc/lifeline/helpers-ca.pem on the machines your "
         "helpers may offer help to; keep %s/" LL_CA_KEY_FILE " secret.", argv[1], argv[1]);
  return 0;
}

static char *default_output(const char *identity_path)
{
  g_autofree char *dir = g_path_get_dirname(identity_path);
  g_autofree char *base = g_path_get_basename(identity_path);
  char *dot = strrchr(base, '.');
  if (dot != NULL && dot != base)
    *dot = '\0';
  g_autofree char *name = g_strconcat(base, ".crt", NULL);
  return g_build_filename(dir, name, NULL);
}

static gboolean sign_and_write(const char *dir, const char *identity_path, int days,
                               const char *out, GError **error)
{
  g_autofree char *request = NULL;
  gsize length = 0;
  LlSignedHelper s;
  if (!g_file_get_contents(identity_path, &request, &length, error) ||
      !ll_org_ca_sign(dir, request, length, days, &s, error))
    return FALSE;
  gboolean ok = g_file_set_contents_full(out, s.certificate_pem, -1,
                                         G_FILE_SET_CONTENTS_CONSISTENT, 0644, error);
  if (ok) {
    g_autofree char *until = ll_format_local_time(s.expires);
    ll_say("Signed %s (%s) as a helper of %s until %s: %s", s.helper_name, s.fingerprint,
           s.organisation, until, out);
    ll_say("Send %s to the helper; they install it with \"lifeline id --import-cert\".", out);
  }
  ll_signed_helper_clear(&s);
  return ok;
}

static int ca_sign(int argc, char **argv)
{
  g_autofree char *identity = NULL;
  g_autofree char *out = NULL;
  int days = 365;
  g_autoptr(GError) error = NULL;
  const GOptionEntry entries[] = {
    { "identity", 'i', 0, G_OPTION_ARG_FILENAME, &identity, "The helper's identity, from \"lifeline id --export\"", "FILE" },
    { "days", 'd', 0, G_OPTION_ARG_INT, &days, "How long the certificate is valid (default: 365)", "N" },
    { "out", 'o', 0, G_OPTION_ARG_FILENAME, &out, "Where to write the certificate (default: the identity's name with .crt)", "FILE" },
    { NULL, 0, 0, 0, NULL, NULL, NULL },
  };
  g_autoptr(GOptionContext) ctx = g_option_context_new("DIR - sign a helper's identity with the CA in DIR");
  g_option_context_add_main_entries(ctx, entries, NULL);
  if (!g_option_context_parse(ctx, &argc, &argv, &error) || argc != 2 || identity == NULL) {
    g_printerr("lifeline ca sign: %s\n",
               error != NULL ? error->message : "give the CA directory and --identity FILE");
    return 2;
  }
  if (out == NULL)
    out = default_output(identity);
  if (g_strcmp0(out, identity) == 0) {
    g_printerr("lifeline ca sign: the certificate would overwrite the identity; give --out FILE\n");
    return 2;
  }
  if (!sign_and_write(argv[1], identity, days, out, &error)) {
    g_printerr("lifeline ca sign: %s\n", error->message);
    return g_error_matches(error, LL_ERROR, LL_ERROR_USAGE) ? 2 : 1;
  }
  return 0;
}

int ll_ca_command(int argc, char **argv)
{
  if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
    fputs(usage, argc < 2 ? stderr : stdout);
    return argc < 2 ? 2 : 0;
  }
  ll_logging_init(FALSE);
  /* "Usage: lifeline ca init [OPTION…] DIR" in the subcommand's --help. */
  if (strcmp(argv[1], "init") == 0 || strcmp(argv[1], "sign") == 0) {
    g_autofree char *name = g_strdup_printf("lifeline ca %s", argv[1]);
    g_set_prgname(name);
  }
  if (strcmp(argv[1], "init") == 0)
    return ca_init(argc - 1, argv + 1);
  if (strcmp(argv[1], "sign") == 0)
    return ca_sign(argc - 1, argv + 1);
  g_printerr("lifeline ca: unknown command \"%s\"\n\n%s", argv[1], usage);
  return 2;
}

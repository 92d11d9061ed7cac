/* `lifeline id`: this account's key, the name it carries, and the
 * organisation certificate a help desk signed for it. */
#include "common/identity.h"
#include "common/invitation.h"
#include "ui/commands.h"
#include "ui/terminal.h"
#include <string.h>

typedef struct {
  char *name;
  char *export_path;
  char *import_path;
} IdOptions;

static void show(const LlIdentity *identity)
{
  g_autofree char *fingerprint = ll_fingerprint_to_text(identity->fingerprint);
  g_autofree char *name = ll_default_person_name(NULL, identity);
  ll_say("%s", fingerprint);
  ll_say("%s", name);
  if (identity->organisation != NULL) {
    g_autofree char *until = ll_format_local_time(identity->organisation_expires);
    gboolean expired = identity->organisation_expires <= g_get_real_time() / G_USEC_PER_SEC;
    ll_say("helper of %s, certificate %s %s", identity->organisation,
           expired ? "expired at" : "valid until", until);
  }
}

static gboolean export_request(LlIdentity *identity, const char *path, GError **error)
{
  g_autofree char *request = ll_identity_export_request(identity, error);
  if (request == NULL ||
      !g_file_set_contents_full(path, request, -1, G_FILE_SET_CONTENTS_CONSISTENT, 0644, error))
    return FALSE;
  ll_say("Wrote your identity to %s. Send it to your help desk; they sign it with "
         "\"lifeline ca sign\" and send you back a certificate for \"lifeline id --import-cert\".",
         path);
  return TRUE;
}

static gboolean import_certificate(LlIdentity *identity, const char *path, GError **error)
{
  g_autofree char *pem = NULL;
  gsize length = 0;
  if (!g_file_get_contents(path, &pem, &length, error))
    return FALSE;
  if (!ll_identity_import_certificate(identity, pem, length, error))
    return FALSE;
  g_autofree char *until = ll_format_local_time(identity->organisation_expires);
  ll_say("Installed: you now help as a helper of %s, until %s.", identity->organisation, until);
  return TRUE;
}

static int run(const IdOptions *o, GError **error)
{
  g_autoptr(LlIdentity) identity = ll_identity_load_or_create(NULL, error);
  if (identity == NULL)
    return 1;
  if (o->name != NULL && !ll_identity_set_name(identity, o->name, error))
    return 2;
  if (o->import_path != NULL && !import_certificate(identity, o->import_path, error))
    return 1;
  if (o->export_path != NULL)
    return export_request(identity, o->export_path, error) ? 0 : 1;
  show(identity);
  return 0;
}

int ll_id_command(int argc, char **argv)
{
  IdOptions o = { 0 };
  g_autoptr(GError) error = NULL;
  const GOptionEntry entries[] = {
    { "name", 'n', 0, G_OPTION_ARG_STRING, &o.name, "Set the name the people you help see, like \"Mary Jones\"", "NAME" },
    { "export", 0, 0, G_OPTION_ARG_FILENAME, &o.export_path, "Write this identity (key and name, nothing secret) to FILE for your help desk to sign", "FILE" },
    { "import-cert", 0, 0, G_OPTION_ARG_FILENAME, &o.import_path, "Install the certificate your help desk signed for you", "FILE" },
    { NULL, 0, 0, 0, NULL, NULL, NULL },
  };
  g_autoptr(GOptionContext) ctx = g_option_context_new("- show or set who you are to others");
  g_option_context_set_summary(ctx,
      "Prints this account's key fingerprint on the first line, exactly as policy files\n"
      "list helpers, then the name it carries. The key is created on first use in\n"
      "$XDG_DATA_HOME/lifeline/.");
  g_option_context_set_description(ctx, "Exit status: 0 done, 1 failed, 2 wrong usage.");
  g_option_context_add_main_entries(ctx, entries, NULL);
  int code = 2;
  if (!g_option_context_parse(ctx, &argc, &argv, &error)) {
    code = 2;
  } else if (argc > 1) {
    g_set_error(&error, G_OPTION_ERROR, G_OPTION_ERROR_FAILED, "unexpected argument \"%s\"",
                argv[1]);
  } else {
    ll_logging_init(FALSE);
    code = run(&o, &error);
  }
  if (error != NULL)
    g_printerr("lifeline id: %s\n", error->message);
  g_free(o.name);
  g_free(o.export_path);
  g_free(o.import_path);
  return error != NULL && code == 0 ? 1 : code;
}

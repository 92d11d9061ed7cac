/* The `lifeline` command: dispatches to its subcommands. */
#include "ui/app/app.h"
#include "ui/commands.h"
#include <glib.h>
#include <locale.h>
#include <signal.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

static const char usage[] =
    "Usage: lifeline COMMAND [OPTIONS]\n"
    "\n"
    "Remote help for Linux desktops.\n"
    "\n"
    "Commands:\n"
    "  app           open the desktop application (also: lifeline alone, in a desktop)\n"
    "  invite        ask someone to help you: share this desktop with one helper\n"
    "  join FILE     help someone who sent you an invitation\n"
    "  log           show the audit log of sessions on this account\n"
    "  host          let your help desk offer help to this desktop\n"
    "  offer HOST    offer help to a computer running \"lifeline host\"\n"
    "  id            show or set your key and the name others see\n"
    "  ca            run a help desk's helper CA (init, sign)\n"
    "  rendezvous    run a server that lets people behind NAT routers connect\n"
    "\n"
    "Run \"lifeline COMMAND --help\" for the options of a command.\n"
    "Options: --help, --version\n";

/* `lifeline host --gui`: the same host, asking with the app's dialogs. */
static gboolean wants_gui(int argc, char **argv)
{
  for (int i = 2; i < argc; i++)
    if (strcmp(argv[i], "--gui") == 0)
      return TRUE;
  return FALSE;
}

static int run_gui_host(int argc, char **argv)
{
  g_autoptr(GPtrArray) args = g_ptr_array_new();
  g_ptr_array_add(args, "lifeline host");
  g_ptr_array_add(args, "--host");
  for (int i = 2; i < argc; i++)
    if (strcmp(argv[i], "--gui") != 0)
      g_ptr_array_add(args, argv[i]);
  g_ptr_array_add(args, NULL);
  return ll_app_run((int)args->len - 1, (char **)args->pdata);
}

int main(int argc, char **argv)
{
  setlocale(LC_ALL, "");
  /* A peer that vanishes must not kill us with SIGPIPE mid-write. */
  signal(SIGPIPE, SIG_IGN);
  if (sodium_init() < 0) {
    fputs("lifeline: the cryptography library failed to start\n", stderr);
    return 1;
  }
  if (argc < 2) {
    /* Alone in a graphical session: the desktop application. */
    if (g_getenv("DISPLAY") != NULL || g_getenv("WAYLAND_DISPLAY") != NULL)
      return ll_app_run(argc, argv);
    fputs(usage, stderr);
    return 2;
  }
  const char *command = argv[1];
  if (strcmp(command, "--help") == 0 || strcmp(command, "-h") == 0 ||
      strcmp(command, "help") == 0) {
    fputs(usage, stdout);
    return 0;
  }
  if (strcmp(command, "--version") == 0) {
    printf("lifeline %s\n", LIFELINE_VERSION);
    return 0;
  }
  /* "Usage: lifeline invite [OPTION…]" in each command's --help; the app
   * keeps "lifeline", which its window and desktop file are known by. */
  gboolean graphical = strcmp(command, "app") == 0 ||
                       (strcmp(command, "host") == 0 && wants_gui(argc, argv));
  g_autofree char *name = graphical ? g_strdup("lifeline") : g_strdup_printf("lifeline %s", command);
  g_set_prgname(name);
  if (strcmp(command, "app") == 0)
    return ll_app_run(argc - 1, argv + 1);
  if (strcmp(command, "invite") == 0)
    return ll_invite_command(argc - 1, argv + 1);
  if (strcmp(command, "join") == 0)
    return ll_join_command(argc - 1, argv + 1);
  if (strcmp(command, "log") == 0)
    return ll_log_command(argc - 1, argv + 1);
  if (strcmp(command, "host") == 0)
    return wants_gui(argc, argv) ? run_gui_host(argc, argv) : ll_host_command(argc - 1, argv + 1);
  if (strcmp(command, "offer") == 0)
    return ll_offer_command(argc - 1, argv + 1);
  if (strcmp(command, "id") == 0)
    return ll_id_command(argc - 1, argv + 1);
  if (strcmp(command, "ca") == 0)
    return ll_ca_command(argc - 1, argv + 1);
  if (strcmp(command, "rendezvous") == 0)
    return ll_rendezvous_command(argc - 1, argv + 1);
  fprintf(stderr, "lifeline: unknown command \"%s\"\n\n%s", command, usage);
  return 2;
}

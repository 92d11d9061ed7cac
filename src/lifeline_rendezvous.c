/* The `lifeline-rendezvous` server program: `lifeline rendezvous` built
 * without the desktop, the app and the helper's side, so that a server
 * needs none of their libraries. */
#include "ui/commands.h"
#include <glib.h>
#include <locale.h>
#include <signal.h>
#include <sodium.h>
#include <stdio.h>

int main(int argc, char **argv)
{
  setlocale(LC_ALL, "");
  /* A client that vanishes must not kill the server with SIGPIPE. */
  signal(SIGPIPE, SIG_IGN);
  if (sodium_init() < 0) {
    fputs("lifeline-rendezvous: the cryptography library failed to start\n", stderr);
    return 1;
  }
  g_set_prgname("lifeline-rendezvous");
  return ll_rendezvous_command(argc, argv);
}

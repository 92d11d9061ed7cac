/* The text-mode commands. Each parses its own options and returns the
 * process exit code: 0 done, 1 failed or refused, 2 wrong usage. */
#pragma once
#include "common/identity.h"

int ll_invite_command(int argc, char **argv);
int ll_join_command(int argc, char **argv);
int ll_log_command(int argc, char **argv);
int ll_rendezvous_command(int argc, char **argv);
int ll_id_command(int argc, char **argv);
int ll_host_command(int argc, char **argv);
int ll_offer_command(int argc, char **argv);
int ll_ca_command(int argc, char **argv);

/* The name shown to the other person: NAME if given, else the name set
 * with `lifeline id --name` (IDENTITY may be NULL), else the account's
 * full name, else its login. */
char *ll_default_person_name(const char *name, const LlIdentity *identity);

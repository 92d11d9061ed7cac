/* Lifeline's settings, which a help desk or a distribution ships so that
 * people need no options: /etc/lifeline/lifeline.conf for the machine,
 * ~/.config/lifeline/lifeline.conf ($XDG_CONFIG_HOME) for one person, the
 * person's file overriding the machine's key by key (GKeyFile).
 *
 *   [rendezvous]
 *   urls=rdv.example.org;rdv2.example.org:8443
 *
 * A URL is written as `--rendezvous` takes it (rendezvous_url.h). What
 * cannot be read is left out with a sentence for the log; a setting never
 * stops a command that does not need it. (Not the policy, which says what
 * this machine allows: policy.h.) */
#pragma once
#include <glib.h>

#define LL_SETTINGS_SYSTEM_PATH "/etc/lifeline/lifeline.conf"

typedef struct {
  char **rendezvous_urls;    /* normalised; empty when none is configured */
  char *rendezvous_from;     /* the file they came from, for messages; NULL when none */
  GPtrArray *problems;       /* sentences: what was left out and why */
} LlSettings;

/* SYSTEM_PATH NULL: LL_SETTINGS_SYSTEM_PATH (LIFELINE_SYSTEM_SETTINGS, when
 * set, stands in for it: for tests and for trying a file out). */
LlSettings *ll_settings_load(const char *system_path);
/* From KeyFile text, as if it were the file NAME (for tests and fuzzing). */
LlSettings *ll_settings_parse(const char *text, gsize length, const char *name);
/* The rendezvous to use: OPTION when given (normalised, or NULL with
 * ERROR when it is no rendezvous address), else the first configured one,
 * else NULL (no error). */
char *ll_settings_rendezvous(const LlSettings *settings, const char *option, GError **error);
/* Loads the settings, warns of their problems (the log), and returns
 * ll_settings_rendezvous of them: what every command that can use a
 * rendezvous calls. */
char *ll_settings_choose_rendezvous(const char *option, GError **error);
/* Every rendezvous to try, in order: OPTION alone when given (NULL with
 * ERROR when it is no rendezvous address), else all the settings name
 * (an empty list when none). */
char **ll_settings_choose_rendezvous_all(const char *option, GError **error);
/* Saves TYPED (as a person types a rendezvous address) as the only
 * rendezvous of the person's own lifeline.conf, keeping its other lines;
 * NULL or empty removes the person's choice, so the machine's counts
 * again. Returns the normalised URL saved (NULL when removed); FALSE with
 * ERROR for an address that is none, or a file that cannot be written. */
gboolean ll_settings_save_rendezvous(const char *typed, char **saved, GError **error);
void ll_settings_free(LlSettings *settings);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(LlSettings, ll_settings_free)

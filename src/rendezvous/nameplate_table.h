/* The rendezvous' nameplates: the short public part of a code, which
 * names a novice's waiting code mailbox. Each is handed out at random
 * among those neither in use nor released in the last COOLDOWN seconds,
 * so a helper who types an old code never reaches someone else's new
 * one. Three digits while at most a tenth of them are taken, then four,
 * up to six: codes stay short until the rendezvous is busy. */
#pragma once
#include <glib.h>

typedef struct LlNameplates LlNameplates;

LlNameplates *ll_nameplates_new(gint64 cooldown_s);
void ll_nameplates_free(LlNameplates *table);
/* A fresh nameplate (owned by the table until released) now naming
 * VALUE; NULL when every length is too full. NOW in seconds. */
const char *ll_nameplates_add(LlNameplates *table, gpointer value, gint64 now);
/* NAMEPLATE (in use) names VALUE from now on. */
void ll_nameplates_set(LlNameplates *table, const char *nameplate, gpointer value);
/* What NAMEPLATE names, or NULL. */
gpointer ll_nameplates_lookup(LlNameplates *table, const char *nameplate);
/* NAMEPLATE is no longer in use (claimed, expired or closed); it is not
 * handed out again before NOW + cooldown. */
void ll_nameplates_release(LlNameplates *table, const char *nameplate, gint64 now);
guint ll_nameplates_in_use(LlNameplates *table);
/* Released nameplates still cooling down. */
guint ll_nameplates_cooling(LlNameplates *table);

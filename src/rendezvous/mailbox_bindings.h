/* Which token each invitation's mailbox is bound to, at this instance:
 * kept for the mailbox's whole lifetime, also after its novice's
 * connection is gone, so that in the moment before the novice opens it
 * again nobody else can (every helper knows the mailbox's id). At most
 * MOST are kept; when more come, the oldest go. Only hashes of tokens. */
#pragma once
#include <glib.h>

#define LL_TOKEN_HASH_BYTES 32

typedef struct LlMailboxBindings LlMailboxBindings;

LlMailboxBindings *ll_mailbox_bindings_new(guint most);
void ll_mailbox_bindings_free(LlMailboxBindings *bindings);
/* MAILBOX is bound to HASH until UNTIL (seconds, as NOW). */
void ll_mailbox_bindings_keep(LlMailboxBindings *bindings, const char *mailbox,
                              const guint8 hash[LL_TOKEN_HASH_BYTES], gint64 until, gint64 now);
/* May MAILBOX be opened with HASH at NOW: bound to it, or to none? */
gboolean ll_mailbox_bindings_allow(LlMailboxBindings *bindings, const char *mailbox,
                                   const guint8 hash[LL_TOKEN_HASH_BYTES], gint64 now);
guint ll_mailbox_bindings_count(LlMailboxBindings *bindings);

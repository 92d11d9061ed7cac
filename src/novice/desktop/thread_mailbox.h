/* Calls from a capture thread to its owner on the owner's main context,
 * which never reach an owner that is gone: the owner closes the mailbox
 * (on that context) before it goes, and whatever is still on its way is
 * dropped there. */
#pragma once
#include <glib.h>

typedef struct LlMailbox LlMailbox;

typedef void (*LlMailboxFn)(gpointer owner, gpointer data);

/* For OWNER, delivering on CONTEXT (NULL: the default). */
LlMailbox *ll_mailbox_new(GMainContext *context, gpointer owner);
/* From any thread: FN(owner, DATA) soon on the context, unless closed by
 * then; DATA goes to FREE_DATA (if not NULL) either way. */
void ll_mailbox_post(LlMailbox *mailbox, LlMailboxFn fn, gpointer data, GDestroyNotify free_data);
/* On the context: nothing more is delivered; the mailbox goes once the
 * last post on its way has been dropped. */
void ll_mailbox_close(LlMailbox *mailbox);

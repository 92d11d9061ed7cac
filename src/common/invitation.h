/* The invitation: what a helper needs to reach a novice and prove it was
 * invited. Its text form is a small GKeyFile (see DESIGN.md); a checksum
 * over its fields catches damage in transit (truncation, a mangled line). */
#pragma once
#include <glib.h>
#include "common/fingerprint.h"

#define LL_INVITATION_FORMAT 1
#define LL_INVITATION_SECRET_BYTES 32
#define LL_INVITATION_ID_BYTES 16
#define LL_INVITATION_MAX_TEXT (64 * 1024)
#define LL_INVITATION_MAX_ENDPOINTS 32
#define LL_INVITATION_MAX_NAME 64
#define LL_INVITATION_MAX_MORE_RENDEZVOUS 8
/* A clock may be this far ahead of the other before we call it wrong. */
#define LL_INVITATION_CLOCK_SKEW (5 * 60)

typedef struct {
  char *session_id;                 /* 32 lowercase hex digits */
  char *novice_name;
  guint8 fingerprint[LL_FINGERPRINT_BYTES];
  guint8 secret[LL_INVITATION_SECRET_BYTES];
  gint64 created;                   /* Unix time, seconds */
  gint64 lifetime;                  /* seconds */
  GPtrArray *endpoints;             /* "HOST:PORT" or "[V6]:PORT" strings */
  char *rendezvous_url;             /* NULL when none */
  char *mailbox_id;                 /* NULL when none */
  /* More rendezvous where the mailbox may be found, tried in turn after
   * rendezvous_url (instances of one rendezvous, where the novice opens it
   * again when it loses one); NULL or NULL-terminated. Not covered by the
   * check, so that older versions still read the invitation. */
  char **rendezvous_more;
} LlInvitation;

/* A fresh invitation with a random session id and secret. */
LlInvitation *ll_invitation_new(const char *novice_name,
                                const guint8 fingerprint[LL_FINGERPRINT_BYTES],
                                gint64 created, gint64 lifetime);
void ll_invitation_free(LlInvitation *invitation);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(LlInvitation, ll_invitation_free)

void ll_invitation_add_endpoint(LlInvitation *invitation, const char *endpoint);
gint64 ll_invitation_expires(const LlInvitation *invitation);

/* The text form, NUL-terminated. Holds the secret: wipe it when done. */
char *ll_invitation_to_text(const LlInvitation *invitation, gsize *length);
/* Parses the text form; checks structure, format version and checksum, not
 * time. Errors: LL_ERROR_DAMAGED, LL_ERROR_VERSION. */
LlInvitation *ll_invitation_from_text(const char *text, gsize length, GError **error);
/* Is the invitation usable at NOW? LL_ERROR_EXPIRED or
 * LL_ERROR_NOT_YET_VALID with a sentence naming the time. */
gboolean ll_invitation_check_time(const LlInvitation *invitation, gint64 now,
                                  GError **error);
/* "14:05" (today) or "23 Nov 14:05": local time for messages. */
char *ll_format_local_time(gint64 unix_time);

/* Messages between Lifeline and its rendezvous server: JSON objects over
 * a WebSocket. The rendezvous forwards ICE signalling between a novice's
 * mailbox and the helpers who join it; it never sees session contents.
 * Every message is parsed and checked here (size, types, lengths) before
 * anyone acts on it.
 *
 *   novice -> server  {"type":"open","lifetime":SECONDS}  (with "code":true: a code's
 *                     mailbox, which gets a short nameplate too; see common/pairing_code.h)
 *   novice -> server  {"type":"open","lifetime":SECONDS,"mailbox":ID,"token":B64}
 *                     (an invitation's mailbox again, after the rendezvous was lost: at
 *                     the same rendezvous or another; only with the token "opened" gave)
 *   server -> anyone  {"type":"challenge","nonce":B64}  (first, on every connection)
 *   host   -> server  {"type":"register","mailbox":HOST-ID,"certificate":B64,"proof":B64}
 *                     (`lifeline host`: a mailbox named by its host id, for as long as it
 *                     stays connected; the proof signs the id and the nonce with the key
 *                     of the certificate, whose fingerprint the id is: common/host_proof.h)
 *   server -> novice  {"type":"opened","mailbox":ID,"ice":{...}}  (also for a host; for
 *                     an invitation's mailbox also "token":B64, its key to open it again)
 *   host   -> server  {"type":"renew"}  (fresh relay credentials: "opened" again,
 *                     same mailbox, same connection, so the id is never free)
 *   helper -> server  {"type":"join","mailbox":ID}
 *   helper -> server  {"type":"claim","nameplate":DIGITS}  (a code's mailbox: "joined",
 *                     and the nameplate is burnt, so each code gets one attempt)
 *   server -> helper  {"type":"joined","peer":N,"ice":{...}}
 *   server -> novice  {"type":"peer","peer":N}  /  {"type":"peer-left","peer":N}
 *   either way        {"type":"signal","peer":N,"data":{ICE}}  (helpers omit peer)
 *   server -> anyone  {"type":"error","message":TEXT}  (then closes)
 *
 * "ice" carries the STUN server and, when configured, TURN credentials.
 * ICE data is one of {"ufrag":..,"pwd":..}, {"candidate":SDP-LINE},
 * {"done":true}, or a code exchange's message {"pake":B64} (common/code_exchange.h). */
#pragma once
#include <glib.h>

#define LL_SIGNAL_MAX_BYTES (8 * 1024)
#define LL_SIGNAL_MAX_FIELD 512
/* A host's certificate in a registration (DER, base64url). */
#define LL_SIGNAL_MAX_CERTIFICATE 4096
/* A code exchange's message (at most LL_CODE_MESSAGE_MAX bytes), base64url. */
#define LL_SIGNAL_MAX_PAKE 5500
/* An invitation's mailbox token: random bytes, and its base64url bound. */
#define LL_SIGNAL_TOKEN_BYTES 16
#define LL_SIGNAL_MAX_TOKEN 64

typedef enum {
  LL_SIGNAL_OPEN,
  LL_SIGNAL_OPENED,
  LL_SIGNAL_JOIN,
  LL_SIGNAL_JOINED,
  LL_SIGNAL_PEER,
  LL_SIGNAL_PEER_LEFT,
  LL_SIGNAL_SIGNAL,
  LL_SIGNAL_ERROR,
  LL_SIGNAL_REGISTER,
  LL_SIGNAL_RENEW,
  LL_SIGNAL_CHALLENGE,
  LL_SIGNAL_CLAIM,
} LlSignalType;

/* Why the rendezvous closed a connection, where a client acts on it:
 * NOBODY_THERE, no such invitation, host or code (or it just went away);
 * EXPIRED, the mailbox's time is over. */
typedef enum {
  LL_SIGNAL_ERROR_OTHER, LL_SIGNAL_ERROR_NOBODY_THERE, LL_SIGNAL_ERROR_EXPIRED,
} LlSignalErrorReason;

typedef enum {
  LL_ICE_NONE, LL_ICE_CREDENTIALS, LL_ICE_CANDIDATE, LL_ICE_DONE,
  LL_ICE_PAKE,              /* not ICE: a code exchange's message */
} LlIceDataKind;

typedef struct {
  char *stun_host;          /* may be NULL */
  guint16 stun_port;
  char *turn_host;          /* NULL when no relay is configured */
  guint16 turn_port;
  char *turns_host;         /* the relay over TLS (turns:), NULL when none */
  guint16 turns_port;
  char *turn_username;      /* for both, when either is set */
  char *turn_password;
} LlIceServers;

typedef struct {
  LlSignalType type;
  gint64 lifetime;          /* OPEN */
  gboolean code;            /* OPEN: a code's mailbox */
  char *nameplate;          /* OPENED for a code, CLAIM */
  char *pake;               /* SIGNAL: a code exchange's message, base64url */
  char *mailbox;            /* OPENED, JOIN, REGISTER (a host id, checked) */
  guint32 peer;             /* JOINED, PEER, PEER_LEFT, SIGNAL (from the novice) */
  gboolean has_peer;
  LlIceServers ice;         /* OPENED, JOINED */
  LlIceDataKind data_kind;  /* SIGNAL */
  char *ufrag, *pwd;        /* SIGNAL credentials */
  char *candidate;          /* SIGNAL candidate */
  char *message;            /* ERROR */
  LlSignalErrorReason reason; /* ERROR ("reason"; absent or unknown: OTHER) */
  char *nonce;              /* CHALLENGE */
  char *certificate;        /* REGISTER: the host's, DER in base64url */
  char *proof;              /* REGISTER */
  char *token;              /* OPENED (an invitation's), OPEN again (wiped when freed) */
} LlSignalMessage;

void ll_ice_servers_copy(LlIceServers *to, const LlIceServers *from);
void ll_ice_servers_clear(LlIceServers *servers);

LlSignalMessage *ll_signal_message_new(LlSignalType type);
void ll_signal_message_free(LlSignalMessage *message);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(LlSignalMessage, ll_signal_message_free)

char *ll_signal_message_encode(const LlSignalMessage *message);
/* LL_ERROR_PROTOCOL for anything too large, malformed or out of bounds. */
LlSignalMessage *ll_signal_message_decode(const char *text, gsize length, GError **error);

/* Typed messages of the control channel. On the wire each is a GVariant
 * of type (sa{sv}): the message kind and its fields. GVariant is safe on
 * untrusted bytes; every field is then checked for type and bounds here,
 * so the rest of Lifeline only sees well-formed messages. */
#pragma once
#include <glib.h>
#include "common/monitor.h"

#define LL_PROTOCOL_VERSION 1
#define LL_MAX_PEER_NAME 64      /* characters */
#define LL_MAX_REASON 300        /* characters */
#define LL_PROOF_BYTES 32
#define LL_RESUME_TOKEN_BYTES 32
/* Longest grace period a novice may offer for a lost connection. */
#define LL_MAX_GRACE_S 3600

typedef enum {
  LL_MSG_HELLO,         /* helper -> novice: version, name, session id, proof */
  LL_MSG_WAITING,       /* novice -> helper: the novice is being asked */
  LL_MSG_ACCEPTED,      /* novice -> helper: yes; carries the novice's name */
  LL_MSG_REFUSED,       /* novice -> helper: no, with a reason */
  LL_MSG_STREAM_OPEN,   /* helper -> novice: a viewer attached; open an RFB stream */
  LL_MSG_STREAM_CLOSE,  /* either way: that RFB stream ended */
  LL_MSG_BYE,           /* either way: the session ends, with a reason */
  LL_MSG_CONTROL_REQUEST,  /* helper -> novice: may I control keyboard and mouse? */
  LL_MSG_CONTROL_GRANTED,  /* novice -> helper: yes, your input now reaches the desktop */
  LL_MSG_CONTROL_DENIED,   /* novice -> helper: no, with a reason */
  LL_MSG_CONTROL_RELEASE,  /* helper -> novice: I give control back */
  LL_MSG_CONTROL_ENDED,    /* novice -> helper: control is over; "by" says why */
  LL_MSG_RESUME,        /* helper -> novice, first on a new connection: carry on the
                         * session; session id, proof made with the resume token,
                         * bytes received so far */
  LL_MSG_RESUMED,       /* novice -> helper: carrying on; bytes received so far */
  LL_MSG_OFFER,         /* helper -> host, instead of HELLO: offers help without an
                         * invitation; version, name. The host's policy judges the
                         * helper's certificate. */
  LL_MSG_PING,          /* either way: answer with PONG and the same id (round trips) */
  LL_MSG_PONG,
  LL_MSG_MONITORS,      /* novice -> helper: the desktop's monitors, and which is shown */
  LL_MSG_SHOW_MONITOR,  /* helper -> novice: show only monitor N (0: the whole desktop) */
} LlMessageType;

typedef struct {
  LlMessageType type;
  guint32 version;                   /* HELLO, OFFER */
  char *name;                        /* HELLO, OFFER, ACCEPTED: sanitized */
  char *session_id;                  /* HELLO, RESUME, ACCEPTED */
  guint8 proof[LL_PROOF_BYTES];      /* HELLO, RESUME */
  guint8 resume_token[LL_RESUME_TOKEN_BYTES];   /* ACCEPTED: a secret for RESUME proofs */
  guint32 grace_s;                   /* ACCEPTED: how long a lost connection may take to
                                      * come back; 1 to LL_MAX_GRACE_S */
  guint64 received;                  /* RESUME, RESUMED: bytes of frames received */
  char *reason;                      /* REFUSED, BYE: sanitized */
  guint32 stream_id;                 /* STREAM_OPEN, STREAM_CLOSE; PING, PONG: the ping's id */
  char *by;                          /* CONTROL_ENDED: "esc", "pointer", "stop", "release", "drop" */
  guint n_monitors;                  /* MONITORS: 1 to LL_MAX_MONITORS */
  LlMonitor monitors[LL_MAX_MONITORS];
  guint32 monitor;                   /* MONITORS: the one shown; SHOW_MONITOR: the one
                                      * wanted; 0 the whole desktop, else 1 to n_monitors */
} LlControlMessage;

LlControlMessage *ll_control_message_new(LlMessageType type);
void ll_control_message_free(LlControlMessage *message);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(LlControlMessage, ll_control_message_free)

const char *ll_message_type_name(LlMessageType type);
GBytes *ll_control_message_encode(const LlControlMessage *message);
/* LL_ERROR_PROTOCOL for anything malformed, unknown or out of bounds. */
LlControlMessage *ll_control_message_decode(GBytes *payload, GError **error);

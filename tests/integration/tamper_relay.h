/* A rendezvous in the middle that alters what it carries: a WebSocket
 * server on loopback that passes every connection on to the real
 * rendezvous and flips one character inside the PAKE messages it is
 * told to alter. Every other message passes as it is. */
#pragma once
#include <glib.h>

typedef enum {
  TAMPER_NOVICE_FIRST = 1,    /* the first PAKE message from a novice (A) */
  TAMPER_HELPER_FIRST,        /* the first from a helper (B) */
  TAMPER_NOVICE_SECOND,       /* the second from a novice (C, the sealed invitation) */
} TamperWhat;

typedef struct TamperRelay TamperRelay;

TamperRelay *tamper_relay_new(const char *upstream_url, TamperWhat what);
/* ws://127.0.0.1:PORT/lifeline, to give the clients. */
const char *tamper_relay_url(TamperRelay *relay);
/* How many messages it altered. */
guint tamper_relay_altered(TamperRelay *relay);
void tamper_relay_free(TamperRelay *relay);

/* A rendezvous address as a person types it, made into the WebSocket URL
 * Lifeline connects to:
 *   rdv.example.org            wss://rdv.example.org/lifeline  (port 443)
 *   rdv.example.org:443        wss://rdv.example.org:443/lifeline
 *   rdv.example.org:3478       ws://rdv.example.org:3478/lifeline
 *                              (another port without a scheme: plain, as
 *                              `lifeline rendezvous` serves without a
 *                              certificate; the session is end-to-end TLS
 *                              either way)
 *   wss://rdv.example.org      wss://rdv.example.org/lifeline
 *   https://rdv.example.org/x  wss://rdv.example.org/x
 *   ws://10.0.0.5:3478         ws://10.0.0.5:3478/lifeline
 * GUri does the parsing; anything it cannot read, another scheme, user
 * information, a query or a fragment is refused with a sentence. */
#pragma once
#include <glib.h>

#define LL_RENDEZVOUS_PATH "/lifeline"
#define LL_RENDEZVOUS_MAX_URL 1024

char *ll_rendezvous_url_normalize(const char *typed, GError **error);

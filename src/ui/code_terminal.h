/* `lifeline invite --code` in a terminal: the code to read out, a fresh
 * one (with why) whenever the last is used up, and the helper's key
 * pinned once a helper typed it right. Lines scripts rely on:
 *   Tell your helper this code: 482-913-075
 *   Someone typed a wrong code. That code no longer works.
 *   Your helper typed the code. Waiting for them to connect. */
#pragma once
#include "novice/code_waiter.h"
#include "novice/novice_host.h"

/* The sentence for `--code` without any rendezvous. */
#define LL_CODE_NEEDS_RENDEZVOUS \
  "a code needs a rendezvous server, and none is set: give one with --rendezvous " \
  "rdv.example.org, or ask your help desk to name one in /etc/lifeline/lifeline.conf"

/* Starts showing codes for INVITATION (which, like HOST, must outlive it). */
LlCodeWaiter *ll_code_terminal_start(LlNoviceHost *host, const char *rendezvous_url,
                                     LlInvitation *invitation);

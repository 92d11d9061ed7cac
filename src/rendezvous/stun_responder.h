/* Answers STUN Binding requests on a UDP port, so a deployment needs no
 * third-party STUN server: clients learn the address their NAT gives them
 * (their server-reflexive candidate). Uses libnice's STUN library. */
#pragma once
#include <gio/gio.h>

typedef struct LlStunResponder LlStunResponder;

LlStunResponder *ll_stun_responder_new(GInetSocketAddress *address, GError **error);
void ll_stun_responder_free(LlStunResponder *responder);
guint64 ll_stun_responder_answered(LlStunResponder *responder);

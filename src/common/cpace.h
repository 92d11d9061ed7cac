/* CPace, the balanced PAKE of draft-irtf-cfrg-cpace (version 21), with
 * the group ristretto255 and SHA-512 (the draft's CPaceRistretto255
 * suite), in the initiator-responder setting, built on libsodium's
 * ristretto255 and SHA-512. The functions follow the draft's names so
 * that each can be checked against its test vectors (tests/unit). The
 * explicit key confirmation of section 10.4 is here too.
 *
 * Who is A and B, what PRS, CI, sid and the associated data are, and
 * what ISK keys afterwards is the caller's protocol (common/code_exchange.h). */
#pragma once
#include <glib.h>

#define LL_CPACE_POINT_BYTES 32
#define LL_CPACE_SCALAR_BYTES 32
#define LL_CPACE_ISK_BYTES 64
#define LL_CPACE_TAG_BYTES 64
/* The largest PRS, CI, sid or associated data taken (the draft allows
 * any length; ours are a few dozen bytes). */
#define LL_CPACE_MAX_INPUT 1024

/* The draft's generator_string(G.DSI, PRS, CI, sid, H.s_in_bytes). */
GByteArray *ll_cpace_generator_string(const guint8 *prs, gsize prs_len, const guint8 *ci,
                                      gsize ci_len, const guint8 *sid, gsize sid_len);
/* G.calculate_generator: the encoded generator g for PRS, CI and sid. */
void ll_cpace_generator(const guint8 *prs, gsize prs_len, const guint8 *ci, gsize ci_len,
                        const guint8 *sid, gsize sid_len, guint8 g[LL_CPACE_POINT_BYTES]);
/* G.sample_scalar: a fresh secret scalar (wipe it after use). */
void ll_cpace_sample_scalar(guint8 y[LL_CPACE_SCALAR_BYTES]);
/* G.scalar_mult_vfy(y, X) with the abort on the neutral element: FALSE
 * when X is no valid encoding or y*X is the identity. Also computes a
 * share Y = y*g from the generator. */
gboolean ll_cpace_scalar_mult_vfy(const guint8 y[LL_CPACE_SCALAR_BYTES],
                                  const guint8 x[LL_CPACE_POINT_BYTES],
                                  guint8 out[LL_CPACE_POINT_BYTES]);
/* lv_cat(Y, AD): one party's message as the transcript holds it. */
GByteArray *ll_cpace_lv_message(const guint8 y[LL_CPACE_POINT_BYTES], const guint8 *ad,
                                gsize ad_len);
/* ISK = H.hash(lv_cat(G.DSI || "_ISK", sid, K) || transcript_ir(Ya,ADa,Yb,ADb)). */
void ll_cpace_isk(const guint8 *sid, gsize sid_len, const guint8 k[LL_CPACE_POINT_BYTES],
                  const guint8 ya[LL_CPACE_POINT_BYTES], const guint8 *ada, gsize ada_len,
                  const guint8 yb[LL_CPACE_POINT_BYTES], const guint8 *adb, gsize adb_len,
                  guint8 isk[LL_CPACE_ISK_BYTES]);
/* Section 10.4: Tx = HMAC-SHA-512(H.hash("CPaceMac" || sid || ISK), lv_cat(Yx, ADx)). */
void ll_cpace_confirmation_tag(const guint8 *sid, gsize sid_len,
                               const guint8 isk[LL_CPACE_ISK_BYTES],
                               const guint8 y[LL_CPACE_POINT_BYTES], const guint8 *ad,
                               gsize ad_len, guint8 tag[LL_CPACE_TAG_BYTES]);

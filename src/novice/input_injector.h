/* Puts the helper's keyboard and pointer events into the novice's X
 * server with XTest, on a display connection of its own. It remembers
 * what it holds down so control can end without a stuck key or button,
 * and remembers the Esc it injected (one at a time, for a quarter of a
 * second) so the Esc watch can tell it from the novice's own. XTest gives
 * both the same source device, so the source cannot tell them apart. */
#pragma once
#include <glib.h>

typedef struct LlInputInjector LlInputInjector;

LlInputInjector *ll_input_injector_open(const char *display_name, GError **error);
void ll_input_injector_free(LlInputInjector *injector);

void ll_input_injector_key(LlInputInjector *injector, gboolean down, guint32 keysym);
/* BUTTONS: RFB button mask (bit 0 = button 1 ... bit 7 = button 8). */
void ll_input_injector_pointer(LlInputInjector *injector, int buttons, int x, int y);
/* Lets go of every key and button the helper still holds. */
void ll_input_injector_release_all(LlInputInjector *injector);
/* TRUE (and forgets it) when an Esc press seen on the display was ours. */
gboolean ll_input_injector_claim_escape(LlInputInjector *injector);
void ll_input_injector_forget_escapes(LlInputInjector *injector);

/* Puts the helper's keyboard and pointer events into the novice's X
 * server with XTest, on a display connection of its own. It remembers
 * what it holds down so control can end without a stuck key or button,
 * and remembers the Esc it injected (one at a time, for a quarter of a
 * second) so the Esc watch can tell it from the novice's own. XTest gives
 * both the same source device, so the source cannot tell them apart. */
#pragma once
#include <glib.h>

typedef struct LlX11Input LlX11Input;

LlX11Input *ll_x11_input_open(const char *display_name, GError **error);
void ll_x11_input_free(LlX11Input *injector);

void ll_x11_input_key(LlX11Input *injector, gboolean down, guint32 keysym);
/* BUTTONS: RFB button mask (bit 0 = button 1 ... bit 7 = button 8). */
void ll_x11_input_pointer(LlX11Input *injector, int buttons, int x, int y);
/* Lets go of every key and button the helper still holds. */
void ll_x11_input_release_all(LlX11Input *injector);
/* TRUE (and forgets it) when an Esc press seen on the display was ours. */
gboolean ll_x11_input_claim_escape(LlX11Input *injector);
void ll_x11_input_forget_escapes(LlX11Input *injector);

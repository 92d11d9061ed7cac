/* What the helper holds down (keys, pointer buttons), for backends whose
 * input arrives as separate key, button and wheel events (GNOME, wlroots,
 * the portal): RFB's button mask turned into presses and releases, and
 * everything let go at once when control ends. */
#pragma once
#include <glib.h>

typedef struct {
  void (*key)(guint32 keysym, gboolean down, gpointer user_data);
  void (*button)(guint32 evdev_code, gboolean down, gpointer user_data);
  /* STEPS wheel clicks on AXIS (0 vertical, 1 horizontal; down/right > 0). */
  void (*scroll)(guint axis, int steps, gpointer user_data);
} LlHeldInputSink;

typedef struct {
  GHashTable *keys_down;         /* keysyms */
  int buttons;                   /* the RFB mask */
} LlHeldInput;

void ll_held_input_init(LlHeldInput *held);
void ll_held_input_clear(LlHeldInput *held);
/* A key goes down or up; a key never pressed is not let go. */
void ll_held_input_key(LlHeldInput *held, guint32 keysym, gboolean down,
                       const LlHeldInputSink *sink, gpointer user_data);
/* The RFB button mask is now MASK: presses, releases and wheel clicks. */
void ll_held_input_buttons(LlHeldInput *held, int mask, const LlHeldInputSink *sink,
                           gpointer user_data);
void ll_held_input_release_all(LlHeldInput *held, const LlHeldInputSink *sink,
                               gpointer user_data);

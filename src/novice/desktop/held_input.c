#include "novice/desktop/held_input.h"
#include <linux/input-event-codes.h>

/* RFB button mask bits that are buttons, and the evdev codes they press. */
static const struct { int bit; guint32 code; } buttons[] = {
  { 1 << 0, BTN_LEFT }, { 1 << 1, BTN_MIDDLE }, { 1 << 2, BTN_RIGHT }, { 1 << 7, BTN_SIDE },
};
/* RFB wheel bits: one click each, on axis 0 (vertical) or 1. */
static const struct { int bit; guint axis; int steps; } wheel[] = {
  { 1 << 3, 0, -1 }, { 1 << 4, 0, 1 }, { 1 << 5, 1, -1 }, { 1 << 6, 1, 1 },
};

void ll_held_input_init(LlHeldInput *held)
{
  held->keys_down = g_hash_table_new(NULL, NULL);
  held->buttons = 0;
}

void ll_held_input_clear(LlHeldInput *held)
{
  g_clear_pointer(&held->keys_down, g_hash_table_unref);
}

void ll_held_input_key(LlHeldInput *held, guint32 keysym, gboolean down,
                       const LlHeldInputSink *sink, gpointer user_data)
{
  if (down)
    g_hash_table_add(held->keys_down, GUINT_TO_POINTER(keysym));
  else if (!g_hash_table_remove(held->keys_down, GUINT_TO_POINTER(keysym)))
    return;                      /* never pressed: nothing to let go */
  sink->key(keysym, down, user_data);
}

void ll_held_input_buttons(LlHeldInput *held, int mask, const LlHeldInputSink *sink,
                           gpointer user_data)
{
  int changed = mask ^ held->buttons;
  for (gsize i = 0; i < G_N_ELEMENTS(buttons); i++)
    if (changed & buttons[i].bit)
      sink->button(buttons[i].code, (mask & buttons[i].bit) != 0, user_data);
  for (gsize i = 0; i < G_N_ELEMENTS(wheel); i++)
    if ((changed & mask) & wheel[i].bit)
      sink->scroll(wheel[i].axis, wheel[i].steps, user_data);
  held->buttons = mask;
}

void ll_held_input_release_all(LlHeldInput *held, const LlHeldInputSink *sink,
                               gpointer user_data)
{
  GHashTableIter iter;
  gpointer keysym;
  g_hash_table_iter_init(&iter, held->keys_down);
  while (g_hash_table_iter_next(&iter, &keysym, NULL))
    sink->key(GPOINTER_TO_UINT(keysym), FALSE, user_data);
  g_hash_table_remove_all(held->keys_down);
  for (gsize i = 0; i < G_N_ELEMENTS(buttons); i++)
    if (held->buttons & buttons[i].bit)
      sink->button(buttons[i].code, FALSE, user_data);
  held->buttons = 0;
}

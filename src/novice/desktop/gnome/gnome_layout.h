/* GNOME's monitor layout, read from Mutter's DisplayConfig.GetCurrentState
 * reply: the logical monitors (place, size after scale and rotation, and
 * the connector that names each), the box around all of them (the whole
 * desktop, which a screen cast of that area shows), and the layout's
 * serial, which changes whenever the layout does. The reply comes from
 * another program: every count and size is bounded here. */
#pragma once
#include <glib.h>
#include "common/monitor.h"

typedef struct {
  guint32 serial;
  guint n_monitors;
  LlMonitor monitors[LL_MAX_MONITORS];   /* relative to the box, primary first */
  int x, y, width, height;               /* the box, in Mutter's layout */
} LlGnomeLayout;

/* The type of the reply GetCurrentState sends. */
#define LL_GNOME_STATE_TYPE "(ua((ssss)a(siiddada{sv})a{sv})a(iiduba(ssss)a{sv})a{sv})"

/* FALSE with a sentence when STATE holds no usable monitor. */
gboolean ll_gnome_layout_parse(GVariant *state, LlGnomeLayout *layout, GError **error);
/* The same monitors in the same places (the serial aside). */
gboolean ll_gnome_layout_equal(const LlGnomeLayout *a, const LlGnomeLayout *b);

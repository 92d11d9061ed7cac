#include "novice/desktop/gnome/gnome_layout.h"
#include "common/error.h"
#include <math.h>
#include <string.h>

/* DisplayConfig's layout modes: sizes scaled down by each monitor's scale
 * (logical), or in device pixels (physical). */
#define LAYOUT_LOGICAL 1

/* The size of CONNECTOR's current mode in MONITORS. */
static gboolean current_mode(GVariant *monitors, const char *connector, int *width, int *height)
{
  GVariantIter it;
  g_autoptr(GVariant) spec = NULL, modes = NULL, props = NULL;
  g_variant_iter_init(&it, monitors);
  while (g_variant_iter_next(&it, "(@(ssss)@a(siiddada{sv})@a{sv})", &spec, &modes, &props)) {
    const char *name;
    g_variant_get_child(spec, 0, "&s", &name);
    gboolean match = strcmp(name, connector) == 0;
    for (gsize i = 0; match && i < g_variant_n_children(modes); i++) {
      g_autoptr(GVariant) mode = g_variant_get_child_value(modes, i);
      g_autoptr(GVariant) mode_props = g_variant_get_child_value(mode, 6);
      gboolean current = FALSE;
      if (g_variant_lookup(mode_props, "is-current", "b", &current) && current) {
        g_variant_get_child(mode, 1, "i", width);
        g_variant_get_child(mode, 2, "i", height);
        return TRUE;
      }
    }
    g_clear_pointer(&spec, g_variant_unref);
    g_clear_pointer(&modes, g_variant_unref);
    g_clear_pointer(&props, g_variant_unref);
  }
  return FALSE;
}

static gboolean side_fits(int v)
{
  return v > 0 && v <= LL_MAX_MONITOR_SIDE;
}

/* One logical monitor into M (place and size in the layout); FALSE when it
 * has no current mode or is out of bounds. */
static gboolean read_logical(GVariant *logical, GVariant *monitors, guint32 layout_mode,
                             LlMonitor *m, gboolean *primary)
{
  gint32 x, y;
  double scale;
  guint32 transform;
  g_autoptr(GVariant) parts = NULL, props = NULL;
  g_variant_get(logical, "(iidub@a(ssss)@a{sv})", &x, &y, &scale, &transform, primary, &parts,
                &props);
  if (g_variant_n_children(parts) == 0)
    return FALSE;
  g_autoptr(GVariant) first = g_variant_get_child_value(parts, 0);
  const char *connector;
  g_variant_get_child(first, 0, "&s", &connector);
  int width, height;
  if (!current_mode(monitors, connector, &width, &height) || !side_fits(width) ||
      !side_fits(height))
    return FALSE;
  if (transform % 2 == 1) {      /* turned by 90 or 270 degrees */
    int turned = width;
    width = height;
    height = turned;
  }
  if (layout_mode == LAYOUT_LOGICAL && scale >= 0.5 && scale <= 4.0) {
    width = (int)lround(width / scale);
    height = (int)lround(height / scale);
  }
  if (abs(x) > LL_MAX_MONITOR_SIDE || abs(y) > LL_MAX_MONITOR_SIDE || !side_fits(width) ||
      !side_fits(height))
    return FALSE;
  g_autofree char *name = g_utf8_make_valid(connector, -1);
  memset(m, 0, sizeof *m);
  g_utf8_strncpy(m->name, name, LL_MAX_MONITOR_NAME);
  m->x = x;
  m->y = y;
  m->width = width;
  m->height = height;
  return TRUE;
}

/* The box around the monitors; the monitors then relative to it. */
static gboolean box_around(LlGnomeLayout *l, GError **error)
{
  int x0 = G_MAXINT, y0 = G_MAXINT, x1 = G_MININT, y1 = G_MININT;
  for (guint i = 0; i < l->n_monitors; i++) {
    x0 = MIN(x0, l->monitors[i].x);
    y0 = MIN(y0, l->monitors[i].y);
    x1 = MAX(x1, l->monitors[i].x + l->monitors[i].width);
    y1 = MAX(y1, l->monitors[i].y + l->monitors[i].height);
  }
  if (!side_fits(x1 - x0) || !side_fits(y1 - y0)) {
    g_set_error_literal(error, LL_ERROR, LL_ERROR_DISPLAY,
                        "GNOME's screens together are larger than Lifeline can share");
    return FALSE;
  }
  l->x = x0;
  l->y = y0;
  l->width = x1 - x0;
  l->height = y1 - y0;
  for (guint i = 0; i < l->n_monitors; i++) {
    l->monitors[i].x -= x0;
    l->monitors[i].y -= y0;
  }
  return TRUE;
}

gboolean ll_gnome_layout_equal(const LlGnomeLayout *a, const LlGnomeLayout *b)
{
  if (a->n_monitors != b->n_monitors || a->x != b->x || a->y != b->y ||
      a->width != b->width || a->height != b->height)
    return FALSE;
  for (guint i = 0; i < a->n_monitors; i++) {
    const LlMonitor *m = &a->monitors[i], *n = &b->monitors[i];
    if (strcmp(m->name, n->name) != 0 || m->x != n->x || m->y != n->y ||
        m->width != n->width || m->height != n->height)
      return FALSE;
  }
  return TRUE;
}

gboolean ll_gnome_layout_parse(GVariant *state, LlGnomeLayout *l, GError **error)
{
  memset(l, 0, sizeof *l);
  if (!g_variant_is_of_type(state, G_VARIANT_TYPE(LL_GNOME_STATE_TYPE))) {
    g_set_error_literal(error, LL_ERROR, LL_ERROR_DISPLAY,
                        "GNOME described its screens in a way Lifeline does not understand");
    return FALSE;
  }
  g_autoptr(GVariant) monitors = NULL, logicals = NULL, props = NULL;
  g_variant_get(state, "(u@a((ssss)a(siiddada{sv})a{sv})@a(iiduba(ssss)a{sv})@a{sv})",
                &l->serial, &monitors, &logicals, &props);
  guint32 layout_mode = LAYOUT_LOGICAL;
  g_variant_lookup(props, "layout-mode", "u", &layout_mode);
  gsize count = MIN(g_variant_n_children(logicals), (gsize)LL_MAX_MONITORS);
  for (gsize i = 0; i < count; i++) {
    g_autoptr(GVariant) logical = g_variant_get_child_value(logicals, i);
    LlMonitor m;
    gboolean primary = FALSE;
    if (!read_logical(logical, monitors, layout_mode, &m, &primary))
      continue;
    if (primary && l->n_monitors > 0) {   /* the primary one first */
      memmove(&l->monitors[1], &l->monitors[0], l->n_monitors * sizeof m);
      l->monitors[0] = m;
    } else {
      l->monitors[l->n_monitors] = m;
    }
    l->n_monitors++;
  }
  if (l->n_monitors == 0) {
    g_set_error_literal(error, LL_ERROR, LL_ERROR_DISPLAY, "GNOME says it shows no screen");
    return FALSE;
  }
  return box_around(l, error);
}

#include "novice/desktop/wlroots/wl_globals.h"
#include "common/error.h"
#include "novice/desktop/wlroots/wl_source.h"
#include <string.h>

/* The globals worth remembering, by interface name. */
static LlWlGlobal *slot_for(LlWlGlobals *g, const char *interface)
{
  static const struct { const char *name; gsize offset; } slots[] = {
    { "wl_shm", G_STRUCT_OFFSET(LlWlGlobals, shm) },
    { "wl_seat", G_STRUCT_OFFSET(LlWlGlobals, seat) },
    { "zwlr_screencopy_manager_v1", G_STRUCT_OFFSET(LlWlGlobals, screencopy) },
    { "zxdg_output_manager_v1", G_STRUCT_OFFSET(LlWlGlobals, xdg_output) },
    { "zwlr_virtual_pointer_manager_v1", G_STRUCT_OFFSET(LlWlGlobals, virtual_pointer) },
    { "zwp_virtual_keyboard_manager_v1", G_STRUCT_OFFSET(LlWlGlobals, virtual_keyboard) },
    { "zwlr_data_control_manager_v1", G_STRUCT_OFFSET(LlWlGlobals, data_control) },
  };
  for (gsize i = 0; i < G_N_ELEMENTS(slots); i++)
    if (strcmp(interface, slots[i].name) == 0)
      return G_STRUCT_MEMBER_P(g, slots[i].offset);
  return NULL;
}

static void on_global(void *data, struct wl_registry *registry, uint32_t name,
                      const char *interface, uint32_t version)
{
  LlWlGlobals *g = data;
  (void)registry;
  if (strcmp(interface, "wl_output") == 0) {
    if (g->output_added != NULL)
      g->output_added(g, name, version, g->user_data);
    return;
  }
  LlWlGlobal *slot = slot_for(g, interface);
  if (slot != NULL && slot->name == 0) {   /* the first seat is the one */
    slot->name = name;
    slot->version = version;
  }
}

static void on_global_remove(void *data, struct wl_registry *registry, uint32_t name)
{
  LlWlGlobals *g = data;
  (void)registry;
  if (g->output_removed != NULL)
    g->output_removed(name, g->user_data);
}

static const struct wl_registry_listener registry_listener = {
  .global = on_global, .global_remove = on_global_remove,
};

LlWlGlobals *ll_wl_globals_new(struct wl_display *display, const LlWlGlobals *callbacks,
                               GError **error)
{
  LlWlGlobals *g = g_new0(LlWlGlobals, 1);
  if (callbacks != NULL) {
    g->output_added = callbacks->output_added;
    g->output_removed = callbacks->output_removed;
    g->user_data = callbacks->user_data;
  }
  g->registry = wl_display_get_registry(display);
  wl_registry_add_listener(g->registry, &registry_listener, g);
  if (!ll_wl_roundtrip(display, error)) {
    ll_wl_globals_free(g);
    return NULL;
  }
  return g;
}

void ll_wl_globals_free(LlWlGlobals *g)
{
  if (g == NULL)
    return;
  if (g->registry != NULL)
    wl_registry_destroy(g->registry);
  g_free(g);
}

void *ll_wl_globals_bind(LlWlGlobals *g, const LlWlGlobal *global,
                         const struct wl_interface *interface, guint32 max_version)
{
  g_return_val_if_fail(global->name != 0, NULL);
  return wl_registry_bind(g->registry, global->name, interface,
                          MIN(global->version, max_version));
}

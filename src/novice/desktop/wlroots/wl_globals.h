/* The globals a wlroots compositor offers that Lifeline's backend uses,
 * read from a connection's registry (which keeps listening: outputs come
 * and go). */
#pragma once
#include <glib.h>
#include <wayland-client.h>

typedef struct {
  guint32 name;                  /* 0: not offered */
  guint32 version;
} LlWlGlobal;

typedef struct LlWlGlobals LlWlGlobals;

struct LlWlGlobals {
  struct wl_registry *registry;
  LlWlGlobal shm, seat, screencopy, xdg_output, virtual_pointer, virtual_keyboard, data_control;
  /* Outputs as they come and go (on the connection's dispatching thread). */
  void (*output_added)(LlWlGlobals *globals, guint32 name, guint32 version,
                       gpointer user_data);
  void (*output_removed)(guint32 name, gpointer user_data);
  gpointer user_data;
};

/* Reads DISPLAY's globals (one round trip), reporting outputs to the
 * callbacks set in TEMPLATE (which may be NULL). */
LlWlGlobals *ll_wl_globals_new(struct wl_display *display, const LlWlGlobals *callbacks,
                               GError **error);
void ll_wl_globals_free(LlWlGlobals *globals);
/* Binds GLOBAL at the lower of its version and MAX_VERSION. */
void *ll_wl_globals_bind(LlWlGlobals *globals, const LlWlGlobal *global,
                         const struct wl_interface *interface, guint32 max_version);

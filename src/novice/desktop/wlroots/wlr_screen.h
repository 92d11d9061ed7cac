/* The screen of a wlroots compositor (sway, Hyprland, river, labwc):
 * every output copied with wlr-screencopy into one framebuffer laid out as
 * the compositor lays out its outputs (xdg-output), on a capture thread
 * with its own Wayland connection. Each copy after the first waits for the
 * compositor's damage (copy_with_damage), so a still screen costs nothing
 * and only what changed is copied. */
#pragma once
#include <glib.h>
#include "common/monitor.h"
#include "novice/desktop/screen_feed.h"

typedef struct LlWlrScreen LlWlrScreen;

typedef struct {
  /* On the capture thread, while feeding: pixels changed. */
  void (*damaged)(int x, int y, int width, int height, gpointer user_data);
  /* On the capture thread: the picture is now FRAMEBUFFER in FORMAT (the
   * first one, and whenever outputs come, go, move or change size); the
   * previous one is freed once this returns. */
  void (*resized)(const LlScreenFormat *format, guint8 *framebuffer, gpointer user_data);
  /* On the main context: every output has been copied once. */
  void (*ready)(gpointer user_data);
  /* On the main context: the screen can no longer be read; WHY says why. */
  void (*ended)(const GError *why, gpointer user_data);
} LlWlrScreenEvents;

/* Starts reading DISPLAY_NAME's outputs (NULL: $WAYLAND_DISPLAY); the
 * main context is the caller's thread-default one. */
LlWlrScreen *ll_wlr_screen_new(const char *display_name, const LlWlrScreenEvents *events,
                               gpointer user_data);
/* The outputs, where they lie in the picture; returns how many. */
guint ll_wlr_screen_monitors(LlWlrScreen *screen, LlMonitor *monitors);
/* Runs FN(DATA) soon on the capture thread, in order with the copies. */
void ll_wlr_screen_invoke(LlWlrScreen *screen, void (*fn)(gpointer data), gpointer data);
/* Whether damaged is called (the outputs are copied either way). */
void ll_wlr_screen_set_feeding(LlWlrScreen *screen, gboolean feeding);
/* Stops the thread: no callback runs once this returns. */
void ll_wlr_screen_free(LlWlrScreen *screen);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(LlWlrScreen, ll_wlr_screen_free)

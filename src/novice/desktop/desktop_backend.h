/* What a desktop backend provides: a table of functions picked at run
 * time (like neatvnc's struct screencopy_impl), and the calls it makes
 * back into the desktop. For backends only; the session uses desktop.h. */
#pragma once
#include "novice/desktop/desktop.h"

typedef struct {
  LlDesktopKind kind;
  /* Fills PROBE (kind already set) or fails with a sentence. */
  gboolean (*probe)(const LlDesktopChoice *choice, LlDesktopProbe *probe, GError **error);
  /* Opens onto DESKTOP (its backend set) and completes TASK with TRUE,
   * or with an error; the backend's state goes in desktop->impl. */
  void (*open)(LlDesktop *desktop, const LlDesktopChoice *choice, GTask *task);
  gboolean (*start_screen)(LlDesktop *desktop, GError **error);
  void (*stop_screen)(LlDesktop *desktop);
  gboolean (*start_input)(LlDesktop *desktop, GError **error);
  void (*key)(LlDesktop *desktop, gboolean down, guint32 keysym);
  void (*pointer)(LlDesktop *desktop, int buttons, int x, int y);
  void (*release_all)(LlDesktop *desktop);
  void (*watch_stop)(LlDesktop *desktop, gboolean active);
  void (*clipboard_set)(LlDesktop *desktop, const char *text, gsize len);
  /* Optional: the monitors (as ll_desktop_monitors); NULL: one, all of it. */
  guint (*monitors)(LlDesktop *desktop, LlMonitor *monitors);
  /* Optional: runs FN soon on the capture thread, the feed's (NULL: FN
   * runs at once, the feed being the caller's). */
  void (*on_capture_thread)(LlDesktop *desktop, void (*fn)(LlDesktop *desktop));
  /* Optional: the key the desktop bound to end control ("Meta+Esc"),
   * now; NULL: none (LL_STOP_SHORTCUT is then not among the ways). */
  const char *(*stop_shortcut)(LlDesktop *desktop);
  /* Frees desktop->impl (the screen is stopped already). */
  void (*close)(LlDesktop *desktop);
} LlDesktopBackend;

struct LlDesktop {
  const LlDesktopBackend *backend;
  gpointer impl;
  LlDesktopCaps caps;
  LlStopWays stop_ways;
  GMutex picture_lock;           /* FORMAT, FRAMEBUFFER, the view; once screen_started */
  LlScreenFormat format;         /* of the whole desktop */
  guint8 *framebuffer;           /* owned by the backend */
  /* What the feed shows: all of it (SHOWN 0) or one monitor's area. */
  guint shown;
  int view_x, view_y, view_width, view_height;
  guint wanted;                  /* the monitor asked for, until the capture thread shows it */
  LlMonitor wanted_area;
  LlScreenFeed feed;             /* zero until started */
  gpointer feed_data;
  gboolean screen_started;
  gboolean input_started;
  LlDesktopEvents events;
  gpointer events_data;
};

extern const LlDesktopBackend ll_x11_desktop_backend;
extern const LlDesktopBackend ll_gnome_desktop_backend;
extern const LlDesktopBackend ll_wlr_desktop_backend;
extern const LlDesktopBackend ll_portal_desktop_backend;
extern const LlDesktopBackend ll_fake_desktop_backend;

/* For backends, on their capture thread. */
void ll_desktop_feed_damage(LlDesktop *desktop, int x, int y, int width, int height);
/* The picture is now FRAMEBUFFER in FORMAT; the old one may go once this
 * returns. */
void ll_desktop_feed_resize(LlDesktop *desktop, const LlScreenFormat *format,
                            guint8 *framebuffer);

/* For backends, on the main context that opened the desktop. */
void ll_desktop_emit_stopped(LlDesktop *desktop, LlDesktopStop why);
void ll_desktop_emit_copied(LlDesktop *desktop, const char *text, gsize len);
void ll_desktop_emit_closed(LlDesktop *desktop, const GError *why);

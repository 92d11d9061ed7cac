/* The desktop interface: everything the novice's session needs from the
 * desktop it shares, behind one type, whatever runs it (X11, GNOME's
 * Mutter, an xdg-desktop-portal, a wlroots compositor, or a fake for
 * tests). Nothing else in Lifeline talks to a display server.
 *
 *  - probe: which backend would be used here, what it can do, and a
 *    sentence saying why not when nothing can share this desktop;
 *  - open (asynchronous: a portal may show its own dialog first);
 *  - a screen source that feeds a consumer (screen_feed.h);
 *  - an input sink: keysyms, the pointer, release everything;
 *  - the clipboard, as text, both ways;
 *  - the novice's stop signal, and the desktop ending the sharing.
 *
 * Events and input calls belong to the thread that opened the desktop
 * (its thread-default main context); only the screen feed runs on the
 * desktop's own capture thread. */
#pragma once
#include <gio/gio.h>
#include "common/monitor.h"
#include "novice/desktop/screen_feed.h"

/* Largest clipboard text taken from or given to a desktop. */
#define LL_MAX_CLIPBOARD (256 * 1024)


typedef enum {
  LL_DESKTOP_AUTO,       /* pick what fits the session this runs in */
  LL_DESKTOP_X11,
  LL_DESKTOP_GNOME,      /* Mutter's remote desktop service (GNOME on Wayland) */
  LL_DESKTOP_WLROOTS,    /* wlr-screencopy and virtual input (sway, Hyprland, river) */
  LL_DESKTOP_PORTAL,     /* xdg-desktop-portal RemoteDesktop + ScreenCast (KDE Plasma) */
  LL_DESKTOP_FAKE,       /* in-process, for tests: never chosen by auto */
} LlDesktopKind;

typedef enum {
  LL_DESKTOP_CAN_INPUT = 1 << 0,       /* keyboard and pointer from the helper */
  LL_DESKTOP_CAN_CLIPBOARD = 1 << 1,
} LlDesktopCaps;

/* The ways the novice can end control on this desktop. A front end turns
 * them into words (ll_desktop_stop_ways_describe). */
typedef enum {
  LL_STOP_ESC_ANYWHERE = 1 << 0,   /* Esc on the keyboard, whatever has focus (X11) */
  LL_STOP_POINTER_MOVED = 1 << 1,  /* moving the real mouse (Wayland: nobody sees the keys) */
  LL_STOP_DESKTOP_INDICATOR = 1 << 2,  /* the desktop's own sharing indicator ends it all */
  LL_STOP_SHORTCUT = 1 << 3,       /* a key the desktop bound for Lifeline (KDE: Meta+Esc) */
} LlStopWays;

/* What ended control from the desktop's side. */
typedef enum {
  LL_DESKTOP_STOP_ESC,             /* the novice pressed Esc, or the stop shortcut */
  LL_DESKTOP_STOP_POINTER,         /* the novice moved the mouse away from the helper's */
} LlDesktopStop;

typedef struct {
  LlDesktopKind kind;            /* LL_DESKTOP_AUTO: choose */
  const char *x11_display;       /* NULL: $DISPLAY */
  gpointer fake;                 /* LL_DESKTOP_FAKE: the LlFakeDesktop to open */
  guint open_timeout_s;          /* 0: LL_DESKTOP_OPEN_TIMEOUT_S */
} LlDesktopChoice;

/* How long opening may take (a portal may wait for the novice's click)
 * before it fails with a sentence. */
#define LL_DESKTOP_OPEN_TIMEOUT_S 120

typedef struct {
  LlDesktopKind kind;            /* what open would use */
  LlDesktopCaps caps;
  LlStopWays stop_ways;
  guint monitors;                /* how many the desktop has now (at least 1) */
  char *description;             /* "the X11 display :0" */
} LlDesktopProbe;

typedef struct LlDesktop LlDesktop;

typedef struct {
  /* The novice's stop signal: control must end now. */
  void (*stopped)(LlDesktop *desktop, LlDesktopStop why, gpointer user_data);
  /* The novice copied text (UTF-8, at most LL_MAX_CLIPBOARD bytes). */
  void (*copied)(LlDesktop *desktop, const char *text, gsize len, gpointer user_data);
  /* The desktop stopped the sharing (its own indicator, the compositor
   * going away): nothing more can be shown. WHY says so in a sentence. */
  void (*closed)(LlDesktop *desktop, const GError *why, gpointer user_data);
} LlDesktopEvents;

/* "auto", "x11": what --desktop takes. LL_ERROR_USAGE otherwise. */
gboolean ll_desktop_kind_parse(const char *text, LlDesktopKind *kind, GError **error);
const char *ll_desktop_kind_name(LlDesktopKind kind);
/* The --desktop option's help text, listing the choices. */
const char *ll_desktop_option_help(void);

/* Whether CHOICE can be shared here, without opening a session on it.
 * NULL with LL_ERROR_DISPLAY and a sentence naming what runs here and
 * what would work when not. */
LlDesktopProbe *ll_desktop_probe(const LlDesktopChoice *choice, GError **error);
void ll_desktop_probe_free(LlDesktopProbe *probe);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(LlDesktopProbe, ll_desktop_probe_free)

/* Opens CHOICE: call only once the novice agreed to share. The first
 * picture is ready when it completes; after CHOICE's open timeout it
 * fails with LL_ERROR_DISPLAY (a desktop opened later is closed at once). */
void ll_desktop_open_async(const LlDesktopChoice *choice, GCancellable *cancellable,
                           GAsyncReadyCallback callback, gpointer user_data);
LlDesktop *ll_desktop_open_finish(GAsyncResult *result, GError **error);
/* Ends the sharing (and everything below), releasing any held keys. */
void ll_desktop_free(LlDesktop *desktop);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(LlDesktop, ll_desktop_free)

LlDesktopKind ll_desktop_kind(LlDesktop *desktop);
LlDesktopCaps ll_desktop_caps(LlDesktop *desktop);
LlStopWays ll_desktop_stop_ways(LlDesktop *desktop);
/* With LL_STOP_SHORTCUT among the ways: the key, as the desktop says it
 * ("Meta+Esc"); else NULL. */
const char *ll_desktop_stop_shortcut(LlDesktop *desktop);
void ll_desktop_set_events(LlDesktop *desktop, const LlDesktopEvents *events,
                           gpointer user_data);

/* The picture now: its framebuffer, and its format in FORMAT. Valid
 * until the feed's resized (or the desktop is freed). From any thread. */
guint8 *ll_desktop_picture(LlDesktop *desktop, LlScreenFormat *format);

/* The desktop's monitors now, into MONITORS (room for LL_MAX_MONITORS);
 * returns how many (one covering everything where it has no others). */
guint ll_desktop_monitors(LlDesktop *desktop, LlMonitor *monitors);
/* Shows only monitor NUMBER (1 to the count) of ll_desktop_monitors, or
 * the whole desktop (0): the feed is resized to it, and input lands in
 * it. FALSE with a sentence when there is no such monitor. */
gboolean ll_desktop_show_monitor(LlDesktop *desktop, guint number, GError **error);
/* 0: the whole desktop; otherwise the monitor shown (or about to be: the
 * feed changes on the capture thread). */
guint ll_desktop_shown_monitor(LlDesktop *desktop);
/* Starts feeding changes to FEED, on the capture thread, until
 * ll_desktop_stop_screen or free (after which FEED is not called). */
gboolean ll_desktop_start_screen(LlDesktop *desktop, const LlScreenFeed *feed,
                                 gpointer user_data, GError **error);
void ll_desktop_stop_screen(LlDesktop *desktop);

/* Readies input (the first time control is granted: a session that only
 * watches never opens it). FALSE with a sentence when the desktop cannot
 * take the helper's input. */
gboolean ll_desktop_start_input(LlDesktop *desktop, GError **error);
void ll_desktop_key(LlDesktop *desktop, gboolean down, guint32 keysym);
/* BUTTONS: the RFB button mask (bits 0-2 buttons 1-3, 3-6 the wheel's
 * four directions, 7 button 8); X, Y in the picture's pixels. */
void ll_desktop_pointer(LlDesktop *desktop, int buttons, int x, int y);
/* Lets go of every key and button the helper still holds. */
void ll_desktop_release_all(LlDesktop *desktop);
/* While ACTIVE, the novice's stop signal is watched for (events.stopped). */
void ll_desktop_watch_stop(LlDesktop *desktop, gboolean active);

/* Makes TEXT the desktop's clipboard, as if the novice had copied it. */
void ll_desktop_clipboard_set(LlDesktop *desktop, const char *text, gsize len);

/* Every way in WAYS that ends control, then OWN (the front end's own:
 * "type /stop here"; NULL: none, and "" if there is nothing), as a phrase for a prompt ("..., to take it back"):
 * "press Esc" (Esc anywhere says it all), "press Meta+Esc, move your
 * mouse, or type /stop here". SHORTCUT: the key of LL_STOP_SHORTCUT. */
char *ll_desktop_stop_phrase(LlStopWays ways, const char *shortcut, const char *own);

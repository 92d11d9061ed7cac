/* The novice's stop key on desktops whose portal binds global shortcuts
 * (org.freedesktop.portal.GlobalShortcuts: KDE Plasma 5.27 and later):
 * a shortcut that Lifeline asks to be Meta+Esc, pressed wherever the
 * keyboard is, ends the helper's control. The desktop decides the key
 * in the end (its dialog, or the novice's own settings), so the prompt
 * names what the portal says it bound.
 *
 * Not plain Esc: a global shortcut takes the key from every program, and
 * the helper's own Esc (sent through the portal as a key press) would
 * trigger it too. */
#pragma once
#include <gio/gio.h>

typedef struct LlPortalShortcut LlPortalShortcut;

typedef struct {
  /* Binding answered, once: bound (ll_portal_shortcut_trigger says what)
   * or not (no shortcut portal, refused, or no answer in time). */
  void (*answered)(gpointer user_data);
  /* The novice pressed the shortcut. */
  void (*activated)(gpointer user_data);
} LlPortalShortcutEvents;

/* Binds the shortcut in a session of its own on BUS (the remote desktop
 * session's connection: both end with it). VERSION: the portal's
 * GlobalShortcuts version (0: none; answered at once, from the main
 * loop). */
LlPortalShortcut *ll_portal_shortcut_new(GDBusConnection *bus, guint32 version,
                                         const LlPortalShortcutEvents *events,
                                         gpointer user_data);
/* Closes its session: the desktop lets the key go. */
void ll_portal_shortcut_free(LlPortalShortcut *shortcut);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(LlPortalShortcut, ll_portal_shortcut_free)

/* "Meta+Esc", as the desktop describes the key it bound; NULL while
 * none is. */
const char *ll_portal_shortcut_trigger(LlPortalShortcut *shortcut);

/* The trigger description for shortcut ID in SHORTCUTS (a(sa{sv}), the
 * portal's answer), or NULL; bounded and printable, for a prompt. */
char *ll_portal_shortcut_find_trigger(GVariant *shortcuts, const char *id);

/* One call of the xdg-desktop-portal that answers later (CreateSession,
 * SelectSources, Start: the portal may show the novice a dialog first):
 * the method's Request object and its Response signal, awaited. */
#pragma once
#include <gio/gio.h>

#define LL_PORTAL_NAME "org.freedesktop.portal.Desktop"
#define LL_PORTAL_PATH "/org/freedesktop/portal/desktop"
#define LL_PORTAL_REMOTE_DESKTOP "org.freedesktop.portal.RemoteDesktop"
#define LL_PORTAL_SCREEN_CAST "org.freedesktop.portal.ScreenCast"
#define LL_PORTAL_SESSION "org.freedesktop.portal.Session"
#define LL_PORTAL_GLOBAL_SHORTCUTS "org.freedesktop.portal.GlobalShortcuts"

/* A fresh handle token ("lifeline_7"), for the options of one call. */
char *ll_portal_token(void);
/* Ends OPTIONS with a fresh handle_token in them; *token says which. */
GVariant *ll_portal_options_with_token(GVariantBuilder *options, char **token);

/* Calls INTERFACE.METHOD(PARAMS) on the portal; PARAMS' options hold
 * handle_token TOKEN. Completes with the Response's results (a{sv}), or
 * with an error saying in a sentence what happened (the novice cancelled
 * the portal's dialog: LL_ERROR_REFUSED). */
void ll_portal_request_async(GDBusConnection *bus, const char *interface, const char *method,
                             GVariant *params, const char *token, GCancellable *cancellable,
                             GAsyncReadyCallback callback, gpointer user_data);
GVariant *ll_portal_request_finish(GAsyncResult *result, GError **error);

/* The portal's property INTERFACE.NAME as a number (its "version", what
 * it offers); 0 with ERROR when it cannot be read, 0 if not a number. */
guint32 ll_portal_property_u(GDBusConnection *bus, const char *interface, const char *name,
                             GError **error);

#include "novice/desktop/session_bus.h"

char *ll_session_bus_address(GError **error)
{
  const char *runtime = g_get_user_runtime_dir();
  g_autofree char *socket = g_build_filename(runtime, "bus", NULL);
  if (g_getenv("DBUS_SESSION_BUS_ADDRESS") == NULL && !g_file_test(socket, G_FILE_TEST_EXISTS)) {
    g_set_error_literal(error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "no session bus");
    return NULL;
  }
  return g_dbus_address_get_for_bus_sync(G_BUS_TYPE_SESSION, NULL, error);
}

GDBusConnection *ll_session_bus_connect_sync(const char *address, GError **error)
{
  return g_dbus_connection_new_for_address_sync(
      address, G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT |
      G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION, NULL, NULL, error);
}

static gboolean bus_says(GDBusConnection *bus, const char *method, GVariant *params,
                         const char *type, const char *name, GError **error)
{
  g_autoptr(GVariant) reply =
      g_dbus_connection_call_sync(bus, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                                  "org.freedesktop.DBus", method, params, G_VARIANT_TYPE(type),
                                  G_DBUS_CALL_FLAGS_NONE, LL_SESSION_BUS_CALL_TIMEOUT_MS, NULL,
                                  error);
  if (reply == NULL)
    return FALSE;
  if (g_str_equal(type, "(b)")) {
    gboolean owned = FALSE;
    g_variant_get(reply, "(b)", &owned);
    return owned;
  }
  g_autofree const char **names = NULL;
  g_variant_get(reply, "(^a&s)", &names);
  return g_strv_contains(names, name);
}

gboolean ll_session_bus_has(GDBusConnection *bus, const char *name, gboolean activatable_too,
                            GError **error)
{
  if (bus_says(bus, "NameHasOwner", g_variant_new("(s)", name), "(b)", name, error))
    return TRUE;
  if (!activatable_too || (error != NULL && *error != NULL))
    return FALSE;
  return bus_says(bus, "ListActivatableNames", NULL, "(as)", name, error);
}

/* Durations people type: "30m", "2h", "1h30m", "90s", "1d". */
#pragma once
#include <glib.h>

/* Parses TEXT into seconds. Fails on anything else (no unit, unknown unit,
 * zero, or more than MAX_SECONDS) with a message that shows the right form. */
gboolean ll_duration_parse(const char *text, gint64 max_seconds,
                           gint64 *out_seconds, GError **error);

/* "1 hour", "30 minutes", "1 hour 30 minutes": for messages to people. */
char *ll_duration_describe(gint64 seconds);

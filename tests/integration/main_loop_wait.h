/* Waiting in tests that drive the main loop by hand. */
#pragma once
#include <glib.h>

/* Iterates the main loop until *CONDITION is TRUE; fails the test after
 * TIMEOUT_MS. */
void wait_until(const gboolean *condition, guint timeout_ms);
/* Iterates the main loop for MS milliseconds. */
void spin(guint ms);

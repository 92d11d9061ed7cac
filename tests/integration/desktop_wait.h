/* Opening a desktop where nothing else runs the main loop: test programs
 * and the benchmark's direct RFB server. */
#pragma once
#include "novice/desktop/desktop.h"

/* Opens CHOICE, iterating the thread-default main context until it is
 * open or fails (at the latest after the open timeout). */
LlDesktop *desktop_open_wait(const LlDesktopChoice *choice, GError **error);

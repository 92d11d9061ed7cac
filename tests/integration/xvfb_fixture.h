/* A private Xvfb for in-process tests: started on a display number it
 * picks itself (-displayfd), stopped by PID at exit, even after a failed
 * assertion. */
#pragma once

/* Starts Xvfb once; returns its display name (":N"). Aborts the test
 * program if Xvfb cannot start. */
const char *xvfb_fixture_display(void);

/* The desktop application: `lifeline app`, or `lifeline` alone in a
 * graphical session. One window: choose "Get help" or "Help someone". */
#pragma once

/* Runs the application; returns the exit status. */
int ll_app_run(int argc, char **argv);

/* A monitor of the novice's desktop, as the desktop layer finds it and
 * the control channel carries it to the helper. */
#pragma once
#include <glib.h>

/* Most monitors a desktop is said to have (more are not offered). */
#define LL_MAX_MONITORS 16
#define LL_MAX_MONITOR_NAME 32       /* characters */
/* Bounds of a monitor's place and size, in pixels. */
#define LL_MAX_MONITOR_SIDE 32768

typedef struct {
  char name[LL_MAX_MONITOR_NAME * 4 + 1];   /* "HDMI-1", as the desktop calls it; UTF-8 */
  int x, y, width, height;                  /* in the whole desktop's pixels */
} LlMonitor;

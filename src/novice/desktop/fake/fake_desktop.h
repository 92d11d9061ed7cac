/* A desktop that exists only in memory, for tests of the session: a
 * picture the test draws on, and a record of every input the helper's
 * side put into it. Open it through the desktop interface with
 * LL_DESKTOP_FAKE and the LlDesktopChoice's fake pointing at one of
 * these; it is the test's, and outlives every session opened on it. */
#pragma once
#include <glib.h>
#include "common/monitor.h"

typedef struct LlFakeDesktop LlFakeDesktop;

LlFakeDesktop *ll_fake_desktop_new(int width, int height);
void ll_fake_desktop_free(LlFakeDesktop *fake);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(LlFakeDesktop, ll_fake_desktop_free)

/* Paints a rectangle with 0xRRGGBB and reports it changed. */
void ll_fake_desktop_fill(LlFakeDesktop *fake, int x, int y, int width, int height,
                          guint32 rgb);
/* 0xRRGGBB at (X, Y). */
guint32 ll_fake_desktop_pixel(LlFakeDesktop *fake, int x, int y);

/* The novice's stop signal (Esc on a real desktop). FALSE when nothing
 * watches for it (control is not granted), as a real Esc would do nothing. */
gboolean ll_fake_desktop_press_stop(LlFakeDesktop *fake);
/* The novice copies TEXT. */
void ll_fake_desktop_copy(LlFakeDesktop *fake, const char *text);
/* The desktop ends the sharing by itself, saying MESSAGE. */
void ll_fake_desktop_close(LlFakeDesktop *fake, const char *message);

/* Every input so far, a line each: "key down 0x61", "key up 0x61",
 * "pointer 1 10 20" (buttons x y), "release all". */
const char *ll_fake_desktop_input_log(LlFakeDesktop *fake);
/* What was last put on the clipboard (NULL: nothing). */
const char *ll_fake_desktop_clipboard(LlFakeDesktop *fake);
/* A session has the desktop open. */
gboolean ll_fake_desktop_in_use(LlFakeDesktop *fake);

/* The next opens fail with MESSAGE (NULL: they succeed again). */
void ll_fake_desktop_fail_open(LlFakeDesktop *fake, const char *message);
/* Opens wait, as a portal's dialog would, until finish_open. */
void ll_fake_desktop_hold_open(LlFakeDesktop *fake);
void ll_fake_desktop_finish_open(LlFakeDesktop *fake);
/* The desktop takes no input (a desktop that only lets itself be watched). */
void ll_fake_desktop_refuse_input(LlFakeDesktop *fake);
/* The desktop has these N monitors (none: one, all of it). */
void ll_fake_desktop_set_monitors(LlFakeDesktop *fake, const LlMonitor *monitors, guint n);

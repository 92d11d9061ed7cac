/* How the desktop interface picks a backend, and what it says when
 * nothing here can be shared: --desktop values, and the automatic choice
 * from the session's environment (no display server is started). */
#include "common/error.h"
#include "novice/desktop/desktop.h"
#include "novice/desktop/fake/fake_desktop.h"
#include "desktop_wait.h"
#include <string.h>

static void test_kind_parse(void)
{
  LlDesktopKind kind = LL_DESKTOP_FAKE;
  g_autoptr(GError) error = NULL;
  g_assert_true(ll_desktop_kind_parse("auto", &kind, &error));
  g_assert_cmpint(kind, ==, LL_DESKTOP_AUTO);
  g_assert_true(ll_desktop_kind_parse("X11", &kind, &error));
  g_assert_cmpint(kind, ==, LL_DESKTOP_X11);
  g_assert_cmpstr(ll_desktop_kind_name(kind), ==, "x11");
  g_assert_true(ll_desktop_kind_parse("gnome", &kind, &error));
  g_assert_cmpint(kind, ==, LL_DESKTOP_GNOME);
  /* The fake is for tests: never a choice a person can make. */
  g_assert_false(ll_desktop_kind_parse("fake", &kind, &error));
  g_assert_error(error, LL_ERROR, LL_ERROR_USAGE);
  g_assert_cmpstr(error->message, ==, "--desktop takes one of auto, x11, gnome, wlroots, portal, not \"fake\"");
  g_clear_error(&error);
  g_assert_false(ll_desktop_kind_parse("", &kind, &error));
  g_assert_error(error, LL_ERROR, LL_ERROR_USAGE);
}

static void clear_session_environment(void)
{
  g_unsetenv("WAYLAND_DISPLAY");
  g_unsetenv("DISPLAY");
  g_unsetenv("XDG_SESSION_TYPE");
  g_unsetenv("XDG_CURRENT_DESKTOP");
  g_unsetenv("XDG_SESSION_DESKTOP");
  /* A bus with nobody on it: no GNOME to find, and no autolaunch. */
  g_setenv("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/lifeline-test-bus", TRUE);
}

static void assert_probe_fails(const char *expected_part)
{
  g_autoptr(GError) error = NULL;
  LlDesktopChoice choice = { .kind = LL_DESKTOP_AUTO };
  g_autoptr(LlDesktopProbe) probe = ll_desktop_probe(&choice, &error);
  g_assert_null(probe);
  g_assert_error(error, LL_ERROR, LL_ERROR_DISPLAY);
  if (strstr(error->message, expected_part) == NULL)
    g_error("\"%s\" does not say \"%s\"", error->message, expected_part);
}

static void test_auto_without_a_session(void)
{
  clear_session_environment();
  assert_probe_fails("neither WAYLAND_DISPLAY nor DISPLAY is set");
}

/* XWayland (DISPLAY is set there too) would show only X programs. */
static void test_auto_never_takes_xwayland(void)
{
  clear_session_environment();
  g_setenv("DISPLAY", ":99", TRUE);
  g_setenv("WAYLAND_DISPLAY", "wayland-lifeline-test-none", TRUE);
  g_setenv("XDG_CURRENT_DESKTOP", "Weston", TRUE);
  assert_probe_fails("Wayland session of Weston");
  g_unsetenv("WAYLAND_DISPLAY");
  g_setenv("XDG_SESSION_TYPE", "wayland", TRUE);
  assert_probe_fails("Wayland session of Weston");
  assert_probe_fails("choose an X11 session at the login screen");
  /* The X11 session to pick, as the login screen names it. */
  g_setenv("XDG_CURRENT_DESKTOP", "KDE", TRUE);
  assert_probe_fails("choose \"Plasma (X11)\" at the login screen");
  g_setenv("XDG_CURRENT_DESKTOP", "ubuntu:GNOME", TRUE);
  assert_probe_fails("choose \"GNOME on Xorg\" at the login screen");
  clear_session_environment();
}

static void test_x11_display_that_is_not_there(void)
{
  clear_session_environment();
  g_autoptr(GError) error = NULL;
  LlDesktopChoice choice = { .kind = LL_DESKTOP_X11, .x11_display = ":7391" };
  g_autoptr(LlDesktopProbe) probe = ll_desktop_probe(&choice, &error);
  g_assert_null(probe);
  g_assert_error(error, LL_ERROR, LL_ERROR_DISPLAY);
  g_assert_cmpstr(error->message, ==, "cannot open the display \":7391\"; is the desktop running?");
}

static void test_fake_probe(void)
{
  g_autoptr(LlFakeDesktop) fake = ll_fake_desktop_new(8, 8);
  g_autoptr(GError) error = NULL;
  LlDesktopChoice choice = { .kind = LL_DESKTOP_FAKE, .fake = fake };
  g_autoptr(LlDesktopProbe) probe = ll_desktop_probe(&choice, &error);
  g_assert_no_error(error);
  g_assert_cmpint(probe->kind, ==, LL_DESKTOP_FAKE);
  g_assert_true(probe->caps & LL_DESKTOP_CAN_INPUT);
  g_assert_cmpint(probe->stop_ways, ==, LL_STOP_ESC_ANYWHERE);
  ll_fake_desktop_refuse_input(fake);
  g_autoptr(LlDesktopProbe) watch_only = ll_desktop_probe(&choice, &error);
  g_assert_false(watch_only->caps & LL_DESKTOP_CAN_INPUT);
  ll_fake_desktop_fail_open(fake, "locked");
  g_assert_null(ll_desktop_probe(&choice, &error));
  g_assert_error(error, LL_ERROR, LL_ERROR_DISPLAY);
  g_assert_cmpstr(error->message, ==, "locked");
}

static void assert_phrase(LlStopWays ways, const char *shortcut, const char *expected)
{
  g_autofree char *phrase = ll_desktop_stop_phrase(ways, shortcut, "type /stop here");
  g_assert_cmpstr(phrase, ==, expected);
}

/* What a prompt names, for every desktop's ways of ending control. */
static void test_stop_phrase(void)
{
  assert_phrase(LL_STOP_ESC_ANYWHERE, NULL, "press Esc");   /* X11: says it all */
  assert_phrase(LL_STOP_ESC_ANYWHERE | LL_STOP_SHORTCUT, "Meta+Esc", "press Esc");
  assert_phrase(0, NULL, "type /stop here");                 /* wlroots */
  assert_phrase(LL_STOP_DESKTOP_INDICATOR, NULL, "type /stop here");
  assert_phrase(LL_STOP_POINTER_MOVED | LL_STOP_DESKTOP_INDICATOR, NULL,
                "move your mouse or type /stop here");      /* GNOME */
  assert_phrase(LL_STOP_SHORTCUT | LL_STOP_DESKTOP_INDICATOR, "Meta+Esc",
                "press Meta+Esc or type /stop here");       /* KDE, no pointer metadata */
  assert_phrase(LL_STOP_SHORTCUT | LL_STOP_POINTER_MOVED, "Meta+Esc",
                "press Meta+Esc, move your mouse, or type /stop here");
  assert_phrase(LL_STOP_SHORTCUT, NULL, "type /stop here");  /* nothing bound */
}

/* A desktop that never finishes opening (a portal dialog nobody answers)
 * fails after its deadline, and is closed if it opens later. */
static void test_open_has_a_deadline(void)
{
  g_autoptr(LlFakeDesktop) fake = ll_fake_desktop_new(8, 8);
  g_autoptr(GError) error = NULL;
  ll_fake_desktop_hold_open(fake);
  LlDesktopChoice choice = { .kind = LL_DESKTOP_FAKE, .fake = fake, .open_timeout_s = 1 };
  gint64 start = g_get_monotonic_time();
  g_assert_null(desktop_open_wait(&choice, &error));
  g_assert_cmpint(g_get_monotonic_time() - start, >=, G_USEC_PER_SEC);
  g_assert_error(error, LL_ERROR, LL_ERROR_DISPLAY);
  g_assert_cmpstr(error->message, ==, "the desktop did not start sharing within 1 second; "
                                      "try again");
  ll_fake_desktop_finish_open(fake);   /* too late: closed as soon as it is handed back */
  gint64 deadline = g_get_monotonic_time() + 10 * G_USEC_PER_SEC;
  while (ll_fake_desktop_in_use(fake)) {
    g_assert_cmpint(g_get_monotonic_time(), <, deadline);
    g_main_context_iteration(NULL, TRUE);
  }
  /* Not held, it opens. */
  g_clear_error(&error);
  g_autoptr(LlDesktop) desktop = desktop_open_wait(&choice, &error);
  g_assert_no_error(error);
  g_assert_true(ll_fake_desktop_in_use(fake));
  g_clear_pointer(&desktop, ll_desktop_free);
  g_assert_false(ll_fake_desktop_in_use(fake));
}

typedef struct {
  int resized, width, height, stride;
  guint8 *framebuffer;
  GString *damage;
} Feed;

static void on_damaged(int x, int y, int width, int height, gpointer data)
{
  Feed *f = data;
  g_string_append_printf(f->damage, "%d,%d %dx%d;", x, y, width, height);
}

static void on_resized(const LlScreenFormat *format, guint8 *framebuffer, gpointer data)
{
  Feed *f = data;
  f->resized++;
  f->width = format->width;
  f->height = format->height;
  f->stride = format->stride;
  f->framebuffer = framebuffer;
}

/* One monitor of two: the feed shows its part of the picture, changes
 * elsewhere are not fed, input lands in it; 0 shows everything again. */
static void test_monitor_view(void)
{
  g_autoptr(LlFakeDesktop) fake = ll_fake_desktop_new(200, 100);
  LlMonitor monitors[2] = { { "left", 0, 0, 120, 100 }, { "right", 120, 20, 80, 80 } };
  ll_fake_desktop_set_monitors(fake, monitors, 2);
  LlDesktopChoice choice = { .kind = LL_DESKTOP_FAKE, .fake = fake };
  g_autoptr(GError) error = NULL;
  g_autoptr(LlDesktop) desktop = desktop_open_wait(&choice, &error);
  g_assert_no_error(error);
  LlMonitor got[LL_MAX_MONITORS];
  g_assert_cmpuint(ll_desktop_monitors(desktop, got), ==, 2);
  g_assert_cmpstr(got[1].name, ==, "right");
  Feed feed = { .damage = g_string_new(NULL) };
  LlScreenFeed callbacks = { .damaged = on_damaged, .resized = on_resized };
  g_assert_true(ll_desktop_start_screen(desktop, &callbacks, &feed, &error));
  LlScreenFormat whole;
  guint8 *base = ll_desktop_picture(desktop, &whole);
  g_assert_true(ll_desktop_show_monitor(desktop, 2, &error));
  g_assert_cmpuint(ll_desktop_shown_monitor(desktop), ==, 2);
  g_assert_cmpint(feed.resized, ==, 1);
  g_assert_cmpint(feed.width, ==, 80);
  g_assert_cmpint(feed.height, ==, 80);
  g_assert_cmpint(feed.stride, ==, 200 * 4);
  g_assert_true(feed.framebuffer == base + 20 * whole.stride + 120 * 4);
  g_string_truncate(feed.damage, 0);
  ll_fake_desktop_fill(fake, 10, 10, 20, 20, 0xff0000);    /* on the left monitor */
  ll_fake_desktop_fill(fake, 110, 10, 20, 20, 0x00ff00);   /* across the edge */
  g_assert_cmpstr(feed.damage->str, ==, "0,0 10x10;");
  g_assert_true(ll_desktop_start_input(desktop, &error));
  ll_desktop_pointer(desktop, 0, 5, 6);
  ll_desktop_pointer(desktop, 0, 500, 500);                  /* past its edge */
  g_assert_nonnull(strstr(ll_fake_desktop_input_log(fake), "pointer 0 125 26\n"));
  g_assert_nonnull(strstr(ll_fake_desktop_input_log(fake), "pointer 0 199 99\n"));
  /* No monitor 3; 0 is everything again. */
  g_assert_false(ll_desktop_show_monitor(desktop, 3, &error));
  g_assert_error(error, LL_ERROR, LL_ERROR_USAGE);
  g_clear_error(&error);
  g_assert_true(ll_desktop_show_monitor(desktop, 0, &error));
  g_assert_cmpint(feed.width, ==, 200);
  g_assert_true(feed.framebuffer == base);
  ll_desktop_stop_screen(desktop);
  g_string_free(feed.damage, TRUE);
}

int main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/desktop-choice/kind-parse", test_kind_parse);
  g_test_add_func("/desktop-choice/auto-without-a-session", test_auto_without_a_session);
  g_test_add_func("/desktop-choice/auto-never-takes-xwayland", test_auto_never_takes_xwayland);
  g_test_add_func("/desktop-choice/x11-display-not-there", test_x11_display_that_is_not_there);
  g_test_add_func("/desktop-choice/fake-probe", test_fake_probe);
  g_test_add_func("/desktop-choice/stop-phrase", test_stop_phrase);
  g_test_add_func("/desktop-choice/open-has-a-deadline", test_open_has_a_deadline);
  g_test_add_func("/desktop-choice/monitor-view", test_monitor_view);
  return g_test_run();
}

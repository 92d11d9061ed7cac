/* The parts of a Wayland screen source that need no compositor: copying
 * frames by tiles, telling the novice's mouse from the helper's, and the
 * pixel formats taken from PipeWire, where each monitor's stream goes in
 * the whole picture, the keys a wlroots keymap types
 * keysyms with. */
#include <glib.h>
#include "common/error.h"
#include "novice/desktop/pipewire/pw_mosaic.h"
#include "novice/desktop/pipewire/pw_screen.h"
#include "novice/desktop/pointer_watch.h"
#include "novice/desktop/tile_diff.h"
#include "novice/desktop/gnome/gnome_layout.h"
#include "novice/desktop/wlroots/wlr_keymap.h"
#include <xkbcommon/xkbcommon-keysyms.h>
#include <spa/param/video/raw.h>
#include <string.h>

typedef struct { int v[4]; } Rect;

typedef struct {
  GArray *rects;                 /* of Rect: x, y, width, height */
} Seen;

static void on_changed(int x, int y, int width, int height, gpointer data)
{
  Seen *seen = data;
  int rect[4] = { x, y, width, height };
  g_array_append_vals(seen->rects, rect, 1);
}

static Seen diff(guint8 *dst, const guint8 *src, int width, int height)
{
  Seen seen = { g_array_new(FALSE, FALSE, sizeof(Rect)) };
  ll_tile_diff_copy(dst, width * 4, src, width * 4, width, height, on_changed, &seen);
  return seen;
}

static void test_tile_diff(void)
{
  const int width = 200, height = 130;   /* not multiples of the tile size */
  g_autofree guint8 *dst = g_malloc0(width * height * 4);
  g_autofree guint8 *src = g_malloc0(width * height * 4);
  Seen seen = diff(dst, src, width, height);
  g_assert_cmpuint(seen.rects->len, ==, 0);
  g_array_unref(seen.rects);
  /* One pixel in the last, partial tile of the last row. */
  src[((height - 1) * width + width - 1) * 4] = 7;
  seen = diff(dst, src, width, height);
  g_assert_cmpuint(seen.rects->len, ==, 1);
  Rect r = g_array_index(seen.rects, Rect, 0);
  g_assert_cmpint(r.v[0], ==, 192);
  g_assert_cmpint(r.v[1], ==, 128);
  g_assert_cmpint(r.v[2], ==, 8);
  g_assert_cmpint(r.v[3], ==, 2);
  g_assert_cmpmem(dst, width * height * 4, src, width * height * 4);
  g_array_unref(seen.rects);
  /* Two neighbouring tiles in the first row are one rectangle; a third
   * further on is another. */
  src[(10 * width + 10) * 4 + 1] = 1;
  src[(20 * width + 70) * 4 + 2] = 2;
  src[(30 * width + 195) * 4] = 3;
  seen = diff(dst, src, width, height);
  g_assert_cmpuint(seen.rects->len, ==, 2);
  r = g_array_index(seen.rects, Rect, 0);
  g_assert_cmpint(r.v[0], ==, 0);
  g_assert_cmpint(r.v[2], ==, 128);
  g_assert_cmpint(r.v[3], ==, 64);
  r = g_array_index(seen.rects, Rect, 1);
  g_assert_cmpint(r.v[0], ==, 192);
  g_assert_cmpint(r.v[2], ==, 8);
  g_assert_cmpmem(dst, width * height * 4, src, width * height * 4);
  g_array_unref(seen.rects);
  /* The same frame again changes nothing. */
  seen = diff(dst, src, width, height);
  g_assert_cmpuint(seen.rects->len, ==, 0);
  g_array_unref(seen.rects);
}

static void test_tile_diff_strides(void)
{
  /* A source with padding at the end of each row, as PipeWire's are. */
  const int width = 70, height = 3, src_stride = 300;
  g_autofree guint8 *dst = g_malloc0(width * height * 4);
  g_autofree guint8 *src = g_malloc0(src_stride * height);
  memset(src, 0xab, src_stride * height);
  Seen seen = { g_array_new(FALSE, FALSE, sizeof(Rect)) };
  guint64 pixels = ll_tile_diff_copy(dst, width * 4, src, src_stride, width, height,
                                     on_changed, &seen);
  g_assert_cmpuint(pixels, ==, width * height);
  g_assert_cmpuint(seen.rects->len, ==, 1);
  for (int i = 0; i < width * height * 4; i++)
    g_assert_cmpuint(dst[i], ==, 0xab);
  g_array_unref(seen.rects);
}

static void test_pointer_watch_helper_moves(void)
{
  LlPointerWatch w;
  ll_pointer_watch_reset(&w, TRUE, 16, 16);
  g_assert_false(ll_pointer_watch_seen(&w, 16, 16));
  ll_pointer_watch_helper_moved(&w, 200, 100);
  ll_pointer_watch_helper_moved(&w, 400, 200);
  /* On its way there (where it was, an older move of the helper's): not
   * the novice. */
  g_assert_false(ll_pointer_watch_seen(&w, 16, 16));
  g_assert_false(ll_pointer_watch_seen(&w, 200, 100));
  g_assert_false(ll_pointer_watch_seen(&w, 401, 199));   /* arrived, within the slack */
  /* Now away from where the helper left it: the novice's hand. */
  g_assert_true(ll_pointer_watch_seen(&w, 440, 200));
}

/* The compositor never showed the helper's last move (Mutter leaves out
 * moves that come quickly): the novice's hand still counts. */
static void test_pointer_watch_helper_move_never_shown(void)
{
  LlPointerWatch w;
  ll_pointer_watch_reset(&w, TRUE, 16, 16);
  ll_pointer_watch_helper_moved(&w, 400, 300);
  g_assert_true(ll_pointer_watch_seen(&w, 440, 300));
  /* A drag of more moves than are remembered: the oldest are forgotten. */
  ll_pointer_watch_reset(&w, TRUE, 0, 0);
  for (int i = 1; i <= LL_POINTER_WATCH_RECENT + 4; i++)
    ll_pointer_watch_helper_moved(&w, i * 10, 0);
  g_assert_false(ll_pointer_watch_seen(&w, 100, 0));
  g_assert_true(ll_pointer_watch_seen(&w, 0, 0));
}

static void test_pointer_watch_novice_moves_first(void)
{
  LlPointerWatch w;
  ll_pointer_watch_reset(&w, TRUE, 16, 16);
  g_assert_true(ll_pointer_watch_seen(&w, 30, 16));
  /* Not seen before watching: the first position seen is where it is. */
  ll_pointer_watch_reset(&w, FALSE, 0, 0);
  g_assert_false(ll_pointer_watch_seen(&w, 500, 500));
  g_assert_false(ll_pointer_watch_seen(&w, 502, 498));
  g_assert_true(ll_pointer_watch_seen(&w, 503, 500));
}

static void test_pointer_watch_new_move_waits_again(void)
{
  LlPointerWatch w;
  ll_pointer_watch_reset(&w, TRUE, 0, 0);
  ll_pointer_watch_helper_moved(&w, 10, 10);
  g_assert_false(ll_pointer_watch_seen(&w, 10, 10));
  ll_pointer_watch_helper_moved(&w, 50, 50);
  /* Still at the helper's previous position: the new move is on its way. */
  g_assert_false(ll_pointer_watch_seen(&w, 10, 10));
  g_assert_false(ll_pointer_watch_seen(&w, 50, 50));
  g_assert_true(ll_pointer_watch_seen(&w, 10, 10));
}

static void test_pixel_formats(void)
{
  int r, g, b;
  g_assert_true(ll_pw_format_shifts(SPA_VIDEO_FORMAT_BGRx, &r, &g, &b));
  g_assert_cmpint(r, ==, 16);
  g_assert_cmpint(g, ==, 8);
  g_assert_cmpint(b, ==, 0);
  g_assert_true(ll_pw_format_shifts(SPA_VIDEO_FORMAT_RGBA, &r, &g, &b));
  g_assert_cmpint(r, ==, 0);
  g_assert_cmpint(b, ==, 16);
  g_assert_true(ll_pw_format_shifts(SPA_VIDEO_FORMAT_xRGB, &r, &g, &b));
  g_assert_cmpint(r, ==, 8);
  g_assert_cmpint(b, ==, 24);
  g_assert_false(ll_pw_format_shifts(SPA_VIDEO_FORMAT_NV12, &r, &g, &b));
  g_assert_false(ll_pw_format_shifts(SPA_VIDEO_FORMAT_RGB, &r, &g, &b));
}

/* Mutter 43's reply with two virtual monitors (mutter --headless
 * --virtual-monitor 1280x800 --virtual-monitor 1024x768), as captured. */
static const char *two_monitors =
    "(uint32 2, [(('Meta-0', 'MetaVendor', 'MetaVirtualMonitor', '0x00'), "
    "[('1280x800@60.000', 1280, 800, 60.0, 1.0, [1.0], {'is-current': <true>, "
    "'is-preferred': <true>})], {'is-builtin': <false>}), "
    "(('Meta-1', 'MetaVendor', 'MetaVirtualMonitor', '0x01'), "
    "[('1024x768@60.000', 1024, 768, 60.0, 1.0, [1.0], {'is-current': <true>})], {})], "
    "[(0, 0, 1.0, uint32 0, false, [('Meta-0', 'MetaVendor', 'MetaVirtualMonitor', '0x00')], "
    "@a{sv} {}), (1280, 0, 1.0, 0, true, [('Meta-1', 'MetaVendor', 'MetaVirtualMonitor', "
    "'0x01')], {})], {'layout-mode': <uint32 2>})";

static GVariant *parsed(const char *text)
{
  g_autoptr(GError) error = NULL;
  GVariant *v = g_variant_parse(G_VARIANT_TYPE(LL_GNOME_STATE_TYPE), text, NULL, NULL, &error);
  g_assert_no_error(error);
  return v;
}

static void test_gnome_layout(void)
{
  g_autoptr(GVariant) state = parsed(two_monitors);
  LlGnomeLayout l;
  g_autoptr(GError) error = NULL;
  g_assert_true(ll_gnome_layout_parse(state, &l, &error));
  g_assert_cmpuint(l.serial, ==, 2);
  g_assert_cmpuint(l.n_monitors, ==, 2);
  g_assert_cmpint(l.width, ==, 2304);
  g_assert_cmpint(l.height, ==, 800);
  /* The primary one (Meta-1 here) comes first. */
  g_assert_cmpstr(l.monitors[0].name, ==, "Meta-1");
  g_assert_cmpint(l.monitors[0].x, ==, 1280);
  g_assert_cmpint(l.monitors[0].width, ==, 1024);
  g_assert_cmpstr(l.monitors[1].name, ==, "Meta-0");
  g_assert_cmpint(l.monitors[1].height, ==, 800);
}

static void test_gnome_layout_scaled_and_turned(void)
{
  /* Logical layout: a 2560x1600 monitor at scale 2 is 1280x800; one
   * turned by 90 degrees (transform 1) is taller than wide; the box starts
   * where the leftmost monitor does. */
  g_autoptr(GVariant) state = parsed(
      "(uint32 9, [(('eDP-1', 'v', 'p', 's'), [('m', 2560, 1600, 60.0, 2.0, [2.0], "
      "{'is-current': <true>})], @a{sv} {}), (('DP-2', 'v', 'p', 's'), [('m', 1920, 1080, "
      "60.0, 1.0, [1.0], {'is-current': <true>})], {})], "
      "[(-1080, 0, 1.0, uint32 1, false, [('DP-2', 'v', 'p', 's')], @a{sv} {}), "
      "(0, 0, 2.0, 0, true, [('eDP-1', 'v', 'p', 's')], {})], {'layout-mode': <uint32 1>})");
  LlGnomeLayout l;
  g_assert_true(ll_gnome_layout_parse(state, &l, NULL));
  g_assert_cmpstr(l.monitors[0].name, ==, "eDP-1");
  g_assert_cmpint(l.monitors[0].width, ==, 1280);
  g_assert_cmpint(l.monitors[0].height, ==, 800);
  g_assert_cmpint(l.monitors[0].x, ==, 1080);
  g_assert_cmpint(l.monitors[1].width, ==, 1080);
  g_assert_cmpint(l.monitors[1].height, ==, 1920);
  g_assert_cmpint(l.monitors[1].x, ==, 0);
  g_assert_cmpint(l.x, ==, -1080);
  g_assert_cmpint(l.width, ==, 2360);
  g_assert_cmpint(l.height, ==, 1920);
}

static void test_gnome_layout_hostile(void)
{
  LlGnomeLayout l;
  g_autoptr(GError) error = NULL;
  /* Of another type altogether. */
  g_autoptr(GVariant) wrong = g_variant_new_parsed("(uint32 1, 'no')");
  g_variant_ref_sink(wrong);
  g_assert_false(ll_gnome_layout_parse(wrong, &l, &error));
  g_clear_error(&error);
  /* No current mode, and a monitor of absurd size: nothing usable. */
  g_autoptr(GVariant) none = parsed(
      "(uint32 1, [(('A', 'v', 'p', 's'), [('m', 800, 600, 60.0, 1.0, [1.0], @a{sv} {})], "
      "@a{sv} {}), (('B', 'v', 'p', 's'), [('m', 99999999, 600, 60.0, 1.0, [1.0], "
      "{'is-current': <true>})], {})], [(0, 0, 1.0, uint32 0, true, [('A', 'v', 'p', 's')], "
      "@a{sv} {}), (0, 0, 1.0, 0, false, [('B', 'v', 'p', 's')], {}), "
      "(0, 0, 1.0, 0, false, @a(ssss) [], {})], @a{sv} {})");
  g_assert_false(ll_gnome_layout_parse(none, &l, &error));
  g_assert_error(error, LL_ERROR, LL_ERROR_DISPLAY);
  g_clear_error(&error);
  /* Monitors far apart: a box too large to share. */
  g_autoptr(GVariant) apart = parsed(
      "(uint32 1, [(('A', 'v', 'p', 's'), [('m', 800, 600, 60.0, 1.0, [1.0], "
      "{'is-current': <true>})], @a{sv} {})], [(-30000, 0, 1.0, uint32 0, true, "
      "[('A', 'v', 'p', 's')], @a{sv} {}), (30000, 0, 1.0, 0, false, [('A', 'v', 'p', 's')], "
      "{})], @a{sv} {})");
  g_assert_false(ll_gnome_layout_parse(apart, &l, &error));
}

/* On a US layout: letters, their capitals, shifted symbols, modifiers
 * themselves; a keysym it has no key for is refused, not mistyped. */
static void test_wlr_keymap(void)
{
  g_setenv("XKB_DEFAULT_LAYOUT", "us", TRUE);
  g_autoptr(GError) error = NULL;
  g_autoptr(LlWlrKeymap) km = ll_wlr_keymap_new(&error);
  g_assert_no_error(error);
  xkb_mod_mask_t shift = ll_wlr_keymap_mod(km, XKB_MOD_NAME_SHIFT);
  xkb_mod_mask_t control = ll_wlr_keymap_mod(km, XKB_MOD_NAME_CTRL);
  g_assert_cmpuint(shift, !=, 0);
  xkb_keycode_t a, big_a, one, exclam, shift_key;
  xkb_mod_mask_t a_mods, big_a_mods, one_mods, exclam_mods, shift_mods;
  g_assert_true(ll_wlr_keymap_find(km, XKB_KEY_a, &a, &a_mods));
  g_assert_true(ll_wlr_keymap_find(km, XKB_KEY_A, &big_a, &big_a_mods));
  g_assert_cmpuint(a, ==, 38);                 /* evdev KEY_A + 8 */
  g_assert_cmpuint(big_a, ==, a);
  g_assert_cmpuint(a_mods, ==, 0);
  g_assert_cmpuint(big_a_mods, ==, shift);
  g_assert_true(ll_wlr_keymap_find(km, XKB_KEY_1, &one, &one_mods));
  g_assert_true(ll_wlr_keymap_find(km, XKB_KEY_exclam, &exclam, &exclam_mods));
  g_assert_cmpuint(exclam, ==, one);
  g_assert_cmpuint(exclam_mods, ==, shift);
  g_assert_true(ll_wlr_keymap_find(km, XKB_KEY_Shift_L, &shift_key, &shift_mods));
  g_assert_cmpuint(shift_key, ==, 50);         /* evdev KEY_LEFTSHIFT + 8 */
  g_assert_true(ll_wlr_keymap_find(km, XKB_KEY_Return, &one, &one_mods));
  g_assert_false(ll_wlr_keymap_find(km, 0x1004e2d, &one, &one_mods));   /* a CJK ideograph */
  /* What is held while the key goes down: the level's own modifiers,
   * with Control (not a level's) kept. */
  g_assert_cmpuint(ll_wlr_keymap_mods_for(km, 0, big_a_mods), ==, shift);
  g_assert_cmpuint(ll_wlr_keymap_mods_for(km, shift, a_mods), ==, 0);
  g_assert_cmpuint(ll_wlr_keymap_mods_for(km, control, big_a_mods), ==, control | shift);
  g_assert_cmpuint(ll_wlr_keymap_mods_for(km, control | shift, a_mods), ==, control);
}

/* Monitors placed by the layout, each as large as its stream. */
static void test_mosaic_layout(void)
{
  LlPwMosaicPart parts[2] = { { 1, -1, 0, 0, 1280, 800 }, { 2, -1, 1280, 0, 1024, 768 } };
  int sizes[4] = { 1280, 800, 1024, 768 };
  LlMonitor places[2];
  int width, height;
  g_assert_true(ll_pw_mosaic_layout(parts, sizes, 2, places, &width, &height));
  g_assert_cmpint(width, ==, 2304);
  g_assert_cmpint(height, ==, 800);
  g_assert_cmpint(places[1].x, ==, 1280);
  g_assert_cmpint(places[1].y, ==, 0);
  g_assert_cmpint(places[1].width, ==, 1024);
  /* A layout in logical pixels, both monitors at scale 2: the streams are
   * twice as large, and so are their places. */
  int scaled[4] = { 2560, 1600, 2048, 1536 };
  g_assert_true(ll_pw_mosaic_layout(parts, scaled, 2, places, &width, &height));
  g_assert_cmpint(places[1].x, ==, 2560);
  g_assert_cmpint(width, ==, 4608);
  g_assert_cmpint(height, ==, 1600);
  /* One below the other, the primary one second. */
  LlPwMosaicPart stacked[2] = { { 1, -1, 0, 768, 1280, 800 }, { 2, -1, 0, 0, 1024, 768 } };
  g_assert_true(ll_pw_mosaic_layout(stacked, sizes, 2, places, &width, &height));
  g_assert_cmpint(places[0].y, ==, 768);
  g_assert_cmpint(width, ==, 1280);
  g_assert_cmpint(height, ==, 1568);
}

/* What no picture may be: too large, empty, or out of place. */
static void test_mosaic_layout_bounds(void)
{
  LlMonitor places[2];
  int width, height;
  LlPwMosaicPart far[2] = { { 1, -1, 0, 0, 1280, 800 }, { 2, -1, 16000, 0, 1024, 768 } };
  int sizes[4] = { 1280, 800, 1024, 768 };
  g_assert_false(ll_pw_mosaic_layout(far, sizes, 2, places, &width, &height));
  LlPwMosaicPart tiny[1] = { { 1, -1, 100, 0, 1, 1 } };   /* a 1-pixel monitor as 16384 */
  int huge[2] = { 16384, 16384 };
  g_assert_false(ll_pw_mosaic_layout(tiny, huge, 1, places, &width, &height));
  LlPwMosaicPart unknown[1] = { { 1, -1, 20, 0, 0, 0 } };   /* placed as its stream is */
  g_assert_true(ll_pw_mosaic_layout(unknown, sizes, 1, places, &width, &height));
  g_assert_cmpint(places[0].x, ==, 20);
  g_assert_cmpint(width, ==, 1300);
  LlPwMosaicPart left[1] = { { 1, -1, -10, 0, 1280, 800 } };
  g_assert_false(ll_pw_mosaic_layout(left, sizes, 1, places, &width, &height));
  int none[2] = { 0, 800 };
  g_assert_false(ll_pw_mosaic_layout(far, none, 1, places, &width, &height));
  g_assert_false(ll_pw_mosaic_layout(far, sizes, 0, places, &width, &height));
  int whole[2] = { 16384, 16384 };
  LlPwMosaicPart one[1] = { { 1, -1, 0, 0, 16384, 16384 } };
  g_assert_true(ll_pw_mosaic_layout(one, whole, 1, places, &width, &height));
}

int main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/tile-diff/regions", test_tile_diff);
  g_test_add_func("/tile-diff/strides", test_tile_diff_strides);
  g_test_add_func("/pointer-watch/helper-moves", test_pointer_watch_helper_moves);
  g_test_add_func("/pointer-watch/novice-moves-first", test_pointer_watch_novice_moves_first);
  g_test_add_func("/pointer-watch/helper-move-never-shown",
                  test_pointer_watch_helper_move_never_shown);
  g_test_add_func("/pointer-watch/new-move-waits-again", test_pointer_watch_new_move_waits_again);
  g_test_add_func("/pipewire/pixel-formats", test_pixel_formats);
  g_test_add_func("/pipewire/mosaic-layout", test_mosaic_layout);
  g_test_add_func("/pipewire/mosaic-layout-bounds", test_mosaic_layout_bounds);
  g_test_add_func("/gnome-layout/two-monitors", test_gnome_layout);
  g_test_add_func("/gnome-layout/scaled-and-turned", test_gnome_layout_scaled_and_turned);
  g_test_add_func("/gnome-layout/hostile", test_gnome_layout_hostile);
  g_test_add_func("/wlr-keymap/us", test_wlr_keymap);
  return g_test_run();
}

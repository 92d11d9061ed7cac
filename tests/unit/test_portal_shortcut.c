/* What a desktop's GlobalShortcuts portal says it bound, as a prompt
 * shows it: the key of Lifeline's own shortcut only, printable and short,
 * or nothing. */
#include "novice/desktop/portal/portal_shortcut.h"

static GVariant *shortcuts(const char *id, const char *trigger)
{
  GVariantBuilder props;
  g_variant_builder_init(&props, G_VARIANT_TYPE("a{sv}"));
  g_variant_builder_add(&props, "{sv}", "description", g_variant_new_string("anything"));
  if (trigger != NULL)
    g_variant_builder_add(&props, "{sv}", "trigger_description", g_variant_new_string(trigger));
  GVariantBuilder list;
  g_variant_builder_init(&list, G_VARIANT_TYPE("a(sa{sv})"));
  g_variant_builder_add(&list, "(s@a{sv})", "other", g_variant_new_parsed("@a{sv} {}"));
  g_variant_builder_add(&list, "(s@a{sv})", id, g_variant_builder_end(&props));
  return g_variant_ref_sink(g_variant_builder_end(&list));
}

static void assert_trigger(const char *id, const char *trigger, const char *expected)
{
  g_autoptr(GVariant) list = shortcuts(id, trigger);
  g_autofree char *found = ll_portal_shortcut_find_trigger(list, "stop-control");
  g_assert_cmpstr(found, ==, expected);
}

static void test_found(void)
{
  assert_trigger("stop-control", "Meta+Esc", "Meta+Esc");
  assert_trigger("stop-control", "Strg+Umschalt+Entf", "Strg+Umschalt+Entf");
  assert_trigger("stop-control", "⌘+Échap", "⌘+Échap");
}

static void test_not_bound(void)
{
  assert_trigger("stop-control", "", NULL);          /* the desktop bound nothing */
  assert_trigger("stop-control", NULL, NULL);        /* it did not say */
  assert_trigger("something-else", "Meta+Esc", NULL);
  g_assert_null(ll_portal_shortcut_find_trigger(NULL, "stop-control"));
  g_autoptr(GVariant) wrong = g_variant_ref_sink(g_variant_new_parsed("[('stop-control', 1)]"));
  g_assert_null(ll_portal_shortcut_find_trigger(wrong, "stop-control"));
}

/* A hostile or broken portal cannot put a terminal escape or a page of
 * text into the novice's prompt. */
static void test_unprintable_or_long(void)
{
  assert_trigger("stop-control", "Meta+\033[2JEsc", NULL);
  assert_trigger("stop-control", "Meta+Esc\n", NULL);
  assert_trigger("stop-control", "Meta+\xc2\x9b" "2JEsc", NULL);   /* U+009B, a C1 CSI */
  g_autofree char *long_text = g_strnfill(65, 'x');
  assert_trigger("stop-control", long_text, NULL);
  g_autofree char *longest = g_strnfill(64, 'x');
  assert_trigger("stop-control", longest, longest);
}

int main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/portal-shortcut/found", test_found);
  g_test_add_func("/portal-shortcut/not-bound", test_not_bound);
  g_test_add_func("/portal-shortcut/unprintable-or-long", test_unprintable_or_long);
  return g_test_run();
}

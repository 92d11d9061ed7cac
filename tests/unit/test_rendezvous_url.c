/* What a person types as a rendezvous address, and the URL it becomes. */
#include <string.h>
#include "common/rendezvous_url.h"
#include "common/error.h"

static void expect(const char *typed, const char *url)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *got = ll_rendezvous_url_normalize(typed, &error);
  g_assert_no_error(error);
  g_assert_cmpstr(got, ==, url);
}

static void expect_refused(const char *typed, const char *part)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *got = ll_rendezvous_url_normalize(typed, &error);
  g_assert_null(got);
  g_assert_error(error, LL_ERROR, LL_ERROR_USAGE);
  g_assert_nonnull(strstr(error->message, part));
}

static void test_typed(void)
{
  expect("rdv.example.org", "wss://rdv.example.org/lifeline");
  expect("  rdv.example.org\n", "wss://rdv.example.org/lifeline");
  expect("rdv.example.org:443", "wss://rdv.example.org:443/lifeline");
  expect("rdv.example.org:3478", "ws://rdv.example.org:3478/lifeline");
  expect("wss://rdv.example.org", "wss://rdv.example.org/lifeline");
  expect("wss://rdv.example.org/", "wss://rdv.example.org/lifeline");
  expect("WSS://rdv.example.org:8443", "wss://rdv.example.org:8443/lifeline");
  expect("https://rdv.example.org/help/lifeline", "wss://rdv.example.org/help/lifeline");
  expect("http://10.0.0.5:3478", "ws://10.0.0.5:3478/lifeline");
  expect("ws://10.0.0.5:3478/lifeline", "ws://10.0.0.5:3478/lifeline");
  expect("[fd00::5]:3478", "ws://[fd00::5]:3478/lifeline");
  expect("ws://[fd00::5]:3478", "ws://[fd00::5]:3478/lifeline");
  expect("Bücher.example", "wss://xn--bcher-kva.example/lifeline");
}

static void test_refused(void)
{
  expect_refused("", "no rendezvous address");
  expect_refused("   ", "no rendezvous address");
  expect_refused("ftp://rdv.example.org", "only ws://");
  expect_refused("wss://", "names no server");
  expect_refused("wss://bob:secret@rdv.example.org", "parts");
  expect_refused("rdv.example.org/?x=1", "parts");
  expect_refused("wss://rdv.example.org/#top", "parts");
  expect_refused("rdv.example.org:99999", "cannot be read");
  expect_refused("wss://[fd00::5", "cannot be read");
  expect_refused("wss://rdv%02example", "names no server");
  expect_refused("rdv_example.org", "names no server");
  g_autofree char *long_one = g_strnfill(LL_RENDEZVOUS_MAX_URL + 1, 'a');
  expect_refused(long_one, "too long");
}

int main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/rendezvous-url/typed", test_typed);
  g_test_add_func("/rendezvous-url/refused", test_refused);
  return g_test_run();
}

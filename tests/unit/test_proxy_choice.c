/* Which proxy the environment names, and what it leaves out. */
#include "net/proxy_choice.h"

static void clear_environment(void)
{
  const char *names[] = { "https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY", "no_proxy",
                          "NO_PROXY", "http_proxy", "HTTP_PROXY" };
  for (gsize i = 0; i < G_N_ELEMENTS(names); i++)
    g_unsetenv(names[i]);
}

static char *first_proxy(const char *uri)
{
  g_autoptr(GProxyResolver) r = ll_proxy_resolver_new();
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) proxies = g_proxy_resolver_lookup(r, uri, NULL, &error);
  g_assert_no_error(error);
  g_assert_nonnull(proxies);
  return g_strdup(proxies[0]);
}

static void expect(const char *uri, const char *proxy)
{
  g_autofree char *got = first_proxy(uri);
  g_assert_cmpstr(got, ==, proxy);
}

static void test_environment(void)
{
  clear_environment();
  g_setenv("https_proxy", "proxy.example.org:3128", TRUE);   /* as people write it */
  expect("wss://rdv.example.org/lifeline", "http://proxy.example.org:3128");
  expect("tcp://relay.example.org:443", "http://proxy.example.org:3128");
  g_setenv("no_proxy", "localhost, .corp.example", TRUE);
  expect("wss://rdv.corp.example/lifeline", "direct://");
  expect("wss://localhost:8443/lifeline", "direct://");
  expect("wss://rdv.example.org/lifeline", "http://proxy.example.org:3128");
  clear_environment();
  g_setenv("HTTPS_PROXY", "http://user:pw@10.0.0.1:8080", TRUE);
  expect("wss://rdv.example.org/lifeline", "http://user:pw@10.0.0.1:8080");
  clear_environment();
  g_setenv("all_proxy", "http://10.0.0.2:3128", TRUE);
  expect("wss://rdv.example.org/lifeline", "http://10.0.0.2:3128");
  /* https_proxy wins over all_proxy; an empty one counts as unset. */
  g_setenv("https_proxy", "http://10.0.0.3:3128", TRUE);
  expect("wss://rdv.example.org/lifeline", "http://10.0.0.3:3128");
  g_setenv("https_proxy", "", TRUE);
  expect("wss://rdv.example.org/lifeline", "http://10.0.0.2:3128");
  clear_environment();
}

static void test_nothing_set_is_the_desktops_choice(void)
{
  clear_environment();
  g_autoptr(GProxyResolver) r = ll_proxy_resolver_new();
  g_assert_true(r == g_proxy_resolver_get_default());
}

int main(int argc, char **argv)
{
  /* GIO's dummy resolver stands for the desktop's here: libproxy's starts
   * threads that may still be starting when the test exits, which
   * LeakSanitizer reports (pthread_getattr_np) though nothing leaked. */
  g_setenv("GIO_USE_PROXY_RESOLVER", "dummy", TRUE);
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/proxy-choice/environment", test_environment);
  g_test_add_func("/proxy-choice/default", test_nothing_set_is_the_desktops_choice);
  return g_test_run();
}

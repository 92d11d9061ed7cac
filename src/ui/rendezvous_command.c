/* `lifeline rendezvous`: the signalling, STUN and TURN-credential server. */
#include "common/duration.h"
#include "common/error.h"
#include "common/file_limit.h"
#include "common/invitation_file.h"
#include "rendezvous/rendezvous_server.h"
#include "ui/commands.h"
#include "ui/terminal.h"
#include <sodium.h>
#include <string.h>

typedef struct {
  char *listen;
  char *tls_cert, *tls_key;
  char **turn_urls;
  char *turn_secret_file, *turn_ttl;
  char *code_lifetime;
  int code_tries;
  int per_address;
  int threads;
  char *redis, *redis_password_file;
  gboolean verbose;
} Options;

static gboolean parse_listen(const char *text, LlRendezvousConfig *c, GError **error)
{
  const char *colon = strrchr(text, ':');
  char *end = NULL;
  guint64 port = colon != NULL ? g_ascii_strtoull(colon + 1, &end, 10) : 0;
  if (colon == NULL || end == colon + 1 || *end != '\0' || port > 65535) {
    g_set_error(error, LL_ERROR, LL_ERROR_USAGE, "--listen wants ADDRESS:PORT, like 0.0.0.0:3478");
    return FALSE;
  }
  c->listen_address = g_strndup(text, colon - text);
  if (c->listen_address[0] == '[')   /* [v6]:port */
    c->listen_address = g_strndup(text + 1, colon - text - 2);
  c->port = port;
  return TRUE;
}

/* One --turn-url: turn:HOST:PORT (UDP and TCP) or turns:HOST:PORT (TLS). */
static gboolean parse_turn_url(const char *url, LlRendezvousConfig *c, GError **error)
{
  gboolean tls = g_str_has_prefix(url, "turns:");
  const char *hostport = tls ? url + 6 : g_str_has_prefix(url, "turn:") ? url + 5 : NULL;
  const char *colon = hostport != NULL ? strrchr(hostport, ':') : NULL;
  char *end = NULL;
  guint64 port = colon != NULL ? g_ascii_strtoull(colon + 1, &end, 10) : 0;
  char **host = tls ? &c->turns_host : &c->turn_host;
  if (colon == NULL || colon == hostport || end == colon + 1 || *end != '\0' || port == 0 ||
      port > 65535) {
    g_set_error(error, LL_ERROR, LL_ERROR_USAGE,
                "give a relay as --turn-url turn:HOST:PORT, or turns:HOST:PORT for its TLS "
                "listener; \"%s\" is not one", url);
    return FALSE;
  }
  if (*host != NULL) {
    g_set_error(error, LL_ERROR, LL_ERROR_USAGE, "give at most one %s relay; \"%s\" is a second",
                tls ? "turns:" : "turn:", url);
    return FALSE;
  }
  *host = g_strndup(hostport, colon - hostport);
  *(tls ? &c->turns_port : &c->turn_port) = port;
  return TRUE;
}

static gboolean parse_turn(const Options *o, LlRendezvousConfig *c, GError **error)
{
  if (o->turn_urls == NULL)
    return TRUE;
  for (char **url = o->turn_urls; *url != NULL; url++)
    if (!parse_turn_url(*url, c, error))
      return FALSE;
  if (o->turn_secret_file == NULL) {
    g_set_error(error, LL_ERROR, LL_ERROR_USAGE,
                "a relay needs coturn's secret: add --turn-secret-file FILE");
    return FALSE;
  }
  c->turn_secret = ll_password_read_file(o->turn_secret_file, &c->turn_secret_len, error);
  if (c->turn_secret == NULL)
    return FALSE;
  return o->turn_ttl == NULL || ll_duration_parse(o->turn_ttl, 24 * 3600, &c->turn_ttl, error);
}

/* How long codes wait, and how fast one address may try them; how many
 * connections one address may hold. */
static gboolean parse_codes(const Options *o, LlRendezvousConfig *c, GError **error)
{
  if (o->per_address < 0 || o->per_address > 1000000) {
    g_set_error(error, LL_ERROR, LL_ERROR_USAGE,
                "--connections-per-address wants a number from 1 to 1000000");
    return FALSE;
  }
  if (o->per_address > 0)
    c->max_connections_per_address = o->per_address;
  if (o->code_tries < 0 || o->code_tries > 100000) {
    g_set_error(error, LL_ERROR, LL_ERROR_USAGE,
                "--code-tries wants a number of tries a minute, from 1 to 100000");
    return FALSE;
  }
  if (o->code_tries > 0)
    c->claims_per_address_per_minute = o->code_tries;
  return o->code_lifetime == NULL ||
         ll_duration_parse(o->code_lifetime, 600, &c->max_code_lifetime, error);
}

/* How many threads may carry connections (rendezvous/connection_threads.h). */
static gboolean parse_threads(const Options *o, LlRendezvousConfig *c, GError **error)
{
  if (o->threads < 0 || o->threads > 1024) {
    g_set_error(error, LL_ERROR, LL_ERROR_USAGE, "--threads wants a number from 1 to 1024");
    return FALSE;
  }
  if (o->threads > 0)
    c->most_connection_threads = o->threads;
  return TRUE;
}

/* Several instances sharing their state through Redis. */
static gboolean parse_redis(const Options *o, LlRendezvousConfig *c, GError **error)
{
  if (o->redis_password_file != NULL && o->redis == NULL) {
    g_set_error(error, LL_ERROR, LL_ERROR_USAGE,
                "--redis-password-file goes with --redis ADDRESS");
    return FALSE;
  }
  c->redis_address = g_strdup(o->redis);
  if (o->redis_password_file == NULL)
    return TRUE;
  gsize length = 0;
  c->redis_password = ll_password_read_file(o->redis_password_file, &length, error);
  return c->redis_password != NULL;
}

static gboolean load_tls(const Options *o, LlRendezvousConfig *c, GError **error)
{
  if (o->tls_cert == NULL && o->tls_key == NULL)
    return TRUE;
  if (o->tls_cert == NULL || o->tls_key == NULL) {
    g_set_error(error, LL_ERROR, LL_ERROR_USAGE, "give both --tls-cert and --tls-key");
    return FALSE;
  }
  c->tls = g_tls_certificate_new_from_files(o->tls_cert, o->tls_key, error);
  return c->tls != NULL;
}

static gboolean on_signal(gpointer data)
{
  g_main_loop_quit(data);
  return G_SOURCE_CONTINUE;
}

int ll_rendezvous_command(int argc, char **argv)
{
  Options o = { 0 };
  const GOptionEntry entries[] = {
    { "listen", 'l', 0, G_OPTION_ARG_STRING, &o.listen, "Listen on ADDRESS:PORT (TCP for WebSocket, UDP for STUN; default 0.0.0.0:3478)", "ADDRESS:PORT" },
    { "tls-cert", 0, 0, G_OPTION_ARG_FILENAME, &o.tls_cert, "Serve wss:// with this certificate (PEM)", "FILE" },
    { "tls-key", 0, 0, G_OPTION_ARG_FILENAME, &o.tls_key, "The certificate's private key (PEM)", "FILE" },
    { "turn-url", 0, 0, G_OPTION_ARG_STRING_ARRAY, &o.turn_urls, "Offer this coturn relay: turn:relay.example.org:3478, and again for its TLS listener, turns:relay.example.org:443", "URL" },
    { "turn-secret-file", 0, 0, G_OPTION_ARG_FILENAME, &o.turn_secret_file, "coturn's static-auth-secret, on the first line of FILE", "FILE" },
    { "turn-ttl", 0, 0, G_OPTION_ARG_STRING, &o.turn_ttl, "How long TURN credentials stay valid (default 1h)", "TIME" },
    { "code-lifetime", 0, 0, G_OPTION_ARG_STRING, &o.code_lifetime, "How long a code waits at most (default and longest 10m)", "TIME" },
    { "code-tries", 0, 0, G_OPTION_ARG_INT, &o.code_tries, "How many codes one address may try a minute (default 10)", "N" },
    { "connections-per-address", 0, 0, G_OPTION_ARG_INT, &o.per_address, "How many connections one address may hold (default 32; more where many computers share one public address, as behind an office's router)", "N" },
    { "threads", 0, 0, G_OPTION_ARG_INT, &o.threads, "Carry connections on at most N threads (default 64; another starts whenever each holds 256)", "N" },
    { "redis", 0, 0, G_OPTION_ARG_STRING, &o.redis, "Share hosts, mailboxes, codes and limits with the other instances through this Redis: HOST:PORT or a socket's path", "ADDRESS" },
    { "redis-password-file", 0, 0, G_OPTION_ARG_FILENAME, &o.redis_password_file, "Redis' password, on the first line of FILE", "FILE" },
    { "verbose", 'v', 0, G_OPTION_ARG_NONE, &o.verbose, "Log in detail", NULL },
    { NULL, 0, 0, 0, NULL, NULL, NULL },
  };
  g_autoptr(GOptionContext) ctx = g_option_context_new("- run a rendezvous server");
  g_option_context_set_summary(ctx,
      "Lets novices and helpers behind NAT routers find each other: mailboxes for\n"
      "invitations, ICE signalling, STUN answers and TURN credentials. It never sees\n"
      "what the two people share. Prints \"listening: ws://ADDRESS:PORT/lifeline\".");
  g_option_context_add_main_entries(ctx, entries, NULL);
  g_autoptr(GError) error = NULL;
  LlRendezvousConfig config;
  ll_rendezvous_config_defaults(&config);
  int code = 2;
  if (g_option_context_parse(ctx, &argc, &argv, &error) &&
      parse_listen(o.listen != NULL ? o.listen : "0.0.0.0:3478", &config, &error) &&
      parse_turn(&o, &config, &error) && parse_codes(&o, &config, &error) &&
      parse_threads(&o, &config, &error) && parse_redis(&o, &config, &error) &&
      load_tls(&o, &config, &error)) {
    ll_logging_init_server(o.verbose);
    ll_raise_file_limit();
    code = 1;
    LlRendezvousServer *server = ll_rendezvous_server_new(&config, &error);
    if (server != NULL) {
      g_autoptr(GMainLoop) loop = g_main_loop_new(NULL, FALSE);
      ll_say("listening: %s://%s:%u/lifeline", config.tls != NULL ? "wss" : "ws",
             config.listen_address, ll_rendezvous_server_port(server));
      ll_run_until_quit(loop, on_signal, loop);
      ll_rendezvous_server_free(server);
      ll_say("stopped");
      code = 0;
    }
  }
  if (error != NULL)
    g_printerr("%s: %s\n", g_get_prgname(), error->message);
  if (config.turn_secret != NULL)
    sodium_memzero(config.turn_secret, config.turn_secret_len);
  g_free(config.turn_secret);
  g_free(config.turn_host);
  g_free(config.turns_host);
  g_free(config.listen_address);
  g_free(config.redis_address);
  if (config.redis_password != NULL)
    sodium_memzero(config.redis_password, strlen(config.redis_password));
  g_free(config.redis_password);
  g_clear_object(&config.tls);
  g_free(o.listen); g_free(o.tls_cert); g_free(o.tls_key);
  g_strfreev(o.turn_urls); g_free(o.turn_secret_file); g_free(o.turn_ttl);
  g_free(o.code_lifetime);
  g_free(o.redis); g_free(o.redis_password_file);
  return code;
}

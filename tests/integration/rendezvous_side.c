#include "rendezvous_side.h"
#include <gio/gio.h>
#include <glib/gstdio.h>
#include <string.h>
#include "main_loop_wait.h"

static void s_opened(LlRendezvousClient *c, const char *mailbox, const LlIceServers *ice, gpointer d)
{
  Side *s = d;
  (void)c;
  g_free(s->mailbox);
  s->mailbox = g_strdup(mailbox);
  ll_ice_servers_clear(&s->ice);
  ll_ice_servers_copy(&s->ice, ice);
  s->opened++;
}

static void s_joined(LlRendezvousClient *c, guint32 peer, const LlIceServers *ice, gpointer d)
{
  Side *s = d;
  (void)c;
  s->peer = peer;
  ll_ice_servers_copy(&s->ice, ice);
}

static void s_peer(LlRendezvousClient *c, guint32 peer, gpointer d)
{
  (void)c;
  ((Side *)d)->last_peer_seen = peer;
}

static void s_signal(LlRendezvousClient *c, guint32 peer, const LlSignalMessage *m, gpointer d)
{
  Side *s = d;
  (void)c;
  s->signals++;
  s->last_signal_peer = peer;
  g_free(s->last_candidate);
  s->last_candidate = g_strdup(m->candidate);
  g_free(s->last_pake);
  s->last_pake = g_strdup(m->pake);
}

static void s_closed(LlRendezvousClient *c, const GError *why, gpointer d)
{
  Side *s = d;
  (void)c;
  s->closed = TRUE;
  s->closed_why = g_strdup(why != NULL ? why->message : "");
  s->closed_code = why != NULL ? why->code : -1;
}

static void s_peer_left(LlRendezvousClient *c, guint32 peer, gpointer d)
{
  (void)c;
  ((Side *)d)->last_peer_left = peer;
}

const LlRendezvousEvents side_events = {
  .opened = s_opened, .joined = s_joined, .peer = s_peer, .peer_left = s_peer_left,
  .signal = s_signal, .closed = s_closed,
};

void side_clear(Side *s)
{
  g_free(s->mailbox);
  g_free(s->last_candidate);
  g_free(s->closed_why);
  g_free(s->last_pake);
  ll_ice_servers_clear(&s->ice);
}

char *url_for(guint16 port)
{
  return g_strdup_printf("ws://127.0.0.1:%u/lifeline", port);
}

LlSignalMessage *candidate(const char *text)
{
  LlSignalMessage *m = ll_signal_message_new(LL_SIGNAL_SIGNAL);
  m->data_kind = LL_ICE_CANDIDATE;
  m->candidate = g_strdup(text);
  return m;
}

void rm_rf(const char *dir)
{
  g_autoptr(GFile) top = g_file_new_for_path(dir);
  g_autoptr(GFileEnumerator) e = g_file_enumerate_children(top, "standard::name",
                                                           G_FILE_QUERY_INFO_NONE, NULL, NULL);
  GFileInfo *info;
  while (e != NULL && (info = g_file_enumerator_next_file(e, NULL, NULL)) != NULL) {
    g_autoptr(GFile) child = g_file_get_child(top, g_file_info_get_name(info));
    g_autofree char *path = g_file_get_path(child);
    if (g_file_test(path, G_FILE_TEST_IS_DIR))
      rm_rf(path);
    else
      g_unlink(path);
    g_object_unref(info);
  }
  g_rmdir(dir);
}

LlIdentity *identity_in(const char *dir, const char *name)
{
  g_autofree char *path = g_build_filename(dir, name, NULL);
  g_autoptr(GError) error = NULL;
  LlIdentity *id = ll_identity_load_or_create(path, &error);
  g_assert_no_error(error);
  return id;
}

void claim_fails(const char *url, const char *nameplate, int code, const char *why)
{
  Side guess = { 0 };
  LlRendezvousClient *c = ll_rendezvous_client_new(url, &side_events, &guess);
  ll_rendezvous_client_claim(c, nameplate);
  wait_until(&guess.closed, 5000);
  g_assert_cmpint(guess.closed_code, ==, code);
  g_assert_nonnull(strstr(guess.closed_why, why));
  g_assert_cmpuint(guess.peer, ==, 0);
  ll_rendezvous_client_free(c);
  side_clear(&guess);
}

/* What one rendezvous instance does with the others, through Redis
 * (rendezvous/cluster.h): a helper here whose novice is there, and the
 * reverse; codes claimed anywhere; registrations taken over. While Redis
 * is away, every instance serves alone what it holds. */
#include "rendezvous/server_parts.h"
#include <sodium.h>
#include "common/error.h"
#include <string.h>

#define ENTER_DEADLINE_S 5
#define SWEEP_S 2
#define REFRESH_S 3600

static const char LOST[] = "the rendezvous lost touch with the server of the person you help; "
                           "try again";

/* What an answer from Redis comes back to: a client, by its id (it may
 * have gone meanwhile). */
typedef struct {
  LlRendezvousServer *server;
  guint32 client;
  char *mailbox;
} Ask;

static Ask *ask_new(Client *c, const char *mailbox)
{
  Ask *a = g_new0(Ask, 1);
  a->server = c->server;
  a->client = c->id;
  a->mailbox = g_strdup(mailbox);
  return a;
}

/* The client still waiting for this answer, or NULL; frees ASK. */
static Client *ask_take(Ask *a)
{
  Client *c = a->server->freeing ? NULL : ll_rv_client(a->server, a->client);
  g_free(a->mailbox);
  g_free(a);
  if (c == NULL || !c->waiting)
    return NULL;
  c->waiting = FALSE;
  return c;
}

static void closed_with(Client *c, LlSignalErrorReason reason, const char *why)
{
  ll_rv_close(c, SOUP_WEBSOCKET_CLOSE_NORMAL, reason, why);
}

gboolean ll_rv_cluster_shared(LlRendezvousServer *s)
{
  return s->cluster != NULL && ll_cluster_shared(s->cluster);
}

/* ---- mailboxes here, known to all ---- */

void ll_rv_cluster_publish(LlRendezvousServer *s, Mailbox *mb, gboolean fresh)
{
  if (!ll_rv_cluster_shared(s) || mb->kind == MAILBOX_CODE)
    return;
  /* An invitation's is its novice's wherever it opens it (its token). */
  ll_cluster_publish_mailbox(s->cluster, mb->id, mb->lifetime,
                             mb->has_token ? mb->token_hash : NULL, fresh);
}

void ll_rv_cluster_forget(LlRendezvousServer *s, Mailbox *mb)
{
  if (ll_rv_cluster_shared(s) && mb->kind != MAILBOX_CODE)
    ll_cluster_forget_mailbox(s->cluster, mb->id);
}

/* ---- a helper here, its novice elsewhere ---- */

static gboolean on_enter_deadline(gpointer data)
{
  Client *c = data;
  c->wait_deadline = 0;
  c->waiting = FALSE;
  closed_with(c, LL_SIGNAL_ERROR_OTHER, LOST);
  return G_SOURCE_REMOVE;
}

/* Asks OWNER to let helper C into MAILBOX ("entered" or "refused"). */
static void enter_remote(Client *c, const char *owner, const char *mailbox, gboolean claim)
{
  LlRendezvousServer *s = c->server;
  c->remote_owner = g_strdup(owner);
  c->remote_mailbox = g_strdup(mailbox);
  c->waiting = TRUE;
  c->wait_deadline = g_timeout_add_seconds(ENTER_DEADLINE_S, on_enter_deadline, c);
  g_autoptr(LlClusterMessage) m = ll_cluster_message_new(LL_CLUSTER_ENTER);
  m->mailbox = g_strdup(mailbox);
  m->from = g_strdup(ll_cluster_instance(s->cluster));
  m->ref = c->id;
  m->claim = claim;
  ll_cluster_send(s->cluster, owner, m);
}

static void on_found(const char *owner, gboolean failed, gpointer data)
{
  Ask *a = data;
  g_autofree char *mailbox = g_strdup(a->mailbox);
  Client *c = ask_take(a);
  if (c == NULL)
    return;
  if (failed)
    closed_with(c, LL_SIGNAL_ERROR_OTHER, LOST);
  else if (owner == NULL || strcmp(owner, ll_cluster_instance(c->server->cluster)) == 0)
    closed_with(c, LL_SIGNAL_ERROR_NOBODY_THERE, LL_RV_NOBODY);
  else
    enter_remote(c, owner, mailbox, FALSE);
}

gboolean ll_rv_cluster_join(Client *c, const char *mailbox)
{
  LlRendezvousServer *s = c->server;
  if (!ll_rv_cluster_shared(s) ||
      !ll_cluster_find_mailbox(s->cluster, mailbox, on_found, ask_new(c, mailbox)))
    return FALSE;
  c->waiting = TRUE;
  return TRUE;
}

static void on_claimed(LlClusterClaim result, const char *owner, const char *mailbox,
                       gpointer data)
{
  Ask *a = data;
  g_autofree char *nameplate = g_strdup(a->mailbox);
  Client *c = ask_take(a);
  if (c == NULL)
    return;
  LlRendezvousServer *s = c->server;
  if (result == LL_CLUSTER_CLAIM_LIMITED) {
    ll_rv_claims_exceeded(c);
  } else if (result == LL_CLUSTER_CLAIM_FAILED) {
    closed_with(c, LL_SIGNAL_ERROR_OTHER, LOST);
  } else if (result == LL_CLUSTER_CLAIM_NONE) {
    ll_rv_claim_here(c, nameplate);   /* perhaps handed out while Redis was away */
  } else if (strcmp(owner, ll_cluster_instance(s->cluster)) != 0) {
    g_info("%s claimed a code", c->address);
    enter_remote(c, owner, mailbox, TRUE);
  } else {
    Mailbox *mb = g_hash_table_lookup(s->mailboxes, mailbox);
    if (mb == NULL || mb->kind != MAILBOX_CODE || mb->nameplate == NULL) {
      closed_with(c, LL_SIGNAL_ERROR_NOBODY_THERE,
                  "no such code here (it may have expired, or been used already)");
      return;
    }
    g_clear_pointer(&mb->nameplate, g_free);   /* burnt in Redis by the claim */
    g_info("%s claimed a code", c->address);
    ll_rv_enter_local(c, mb);
  }
}

gboolean ll_rv_cluster_claim(Client *c, const char *nameplate)
{
  LlRendezvousServer *s = c->server;
  const LlRendezvousConfig *cfg = &s->config;
  if (!ll_rv_cluster_shared(s) ||
      !ll_cluster_claim(s->cluster, c->address, nameplate,
                        (guint)cfg->claims_per_address_per_minute, (guint)cfg->claims_per_minute,
                        cfg->nameplate_cooldown, on_claimed, ask_new(c, nameplate)))
    return FALSE;
  c->waiting = TRUE;
  return TRUE;
}

static void on_nameplate(const char *nameplate, gboolean failed, gpointer data)
{
  Ask *a = data;
  LlRendezvousServer *s = a->server;
  g_autofree char *mailbox = g_strdup(a->mailbox);
  Client *c = ask_take(a);
  if (c == NULL || c->owns == NULL || g_strcmp0(c->owns->id, mailbox) != 0) {
    /* The code's novice went away meanwhile: nobody waits behind it. */
    if (nameplate != NULL && !s->freeing && s->cluster != NULL)
      ll_cluster_release_nameplate(s->cluster, nameplate, mailbox, s->config.nameplate_cooldown);
    return;
  }
  if (failed) {
    ll_rv_give_local_nameplate(c, c->owns);   /* Redis went: this instance alone */
    return;
  }
  if (nameplate == NULL) {
    ll_rv_mailbox_close(c->server, c->owns);
    ll_rv_close(c, SOUP_WEBSOCKET_CLOSE_SERVER_ERROR, LL_SIGNAL_ERROR_OTHER,
                "too many codes are waiting here; try again in a minute");
    return;
  }
  Mailbox *mb = c->owns;
  mb->nameplate = g_strdup(nameplate);
  mb->nameplate_shared = TRUE;
  g_autoptr(LlSignalMessage) opened = ll_signal_message_new(LL_SIGNAL_OPENED);
  opened->mailbox = g_strdup(mb->id);
  opened->nameplate = g_strdup(nameplate);
  ll_rv_fill_ice(c, &opened->ice);
  ll_rv_send(c, opened);
}

gboolean ll_rv_cluster_add_nameplate(Client *c, Mailbox *mb)
{
  LlRendezvousServer *s = c->server;
  if (!ll_rv_cluster_shared(s) ||
      !ll_cluster_add_nameplate(s->cluster, mb->id, mb->lifetime, s->config.nameplate_cooldown,
                                on_nameplate, ask_new(c, mb->id)))
    return FALSE;
  c->waiting = TRUE;
  return TRUE;
}

void ll_rv_cluster_to_novice(Client *c, const LlSignalMessage *m)
{
  LlRendezvousServer *s = c->server;
  g_autoptr(LlClusterMessage) out = ll_cluster_message_new(LL_CLUSTER_TO_NOVICE);
  out->mailbox = g_strdup(c->remote_mailbox);
  out->from = g_strdup(ll_cluster_instance(s->cluster));
  out->peer = c->peer;
  out->text = ll_signal_message_encode(m);
  ll_cluster_send(s->cluster, c->remote_owner, out);
}

void ll_rv_cluster_client_left(Client *c)
{
  LlRendezvousServer *s = c->server;
  if (c->peer == 0 || s->cluster == NULL)
    return;   /* never let in: an "entered" to come is answered then */
  g_autoptr(LlClusterMessage) m = ll_cluster_message_new(LL_CLUSTER_LEFT);
  m->mailbox = g_strdup(c->remote_mailbox);
  m->from = g_strdup(ll_cluster_instance(s->cluster));
  m->peer = c->peer;
  ll_cluster_send(s->cluster, c->remote_owner, m);
}

/* ---- a novice here, its helper elsewhere ---- */

void ll_rv_cluster_helper_closed(LlRendezvousServer *s, const Helper *h,
                                 LlSignalErrorReason reason, const char *message)
{
  if (s->cluster == NULL)
    return;
  g_autoptr(LlClusterMessage) m = ll_cluster_message_new(LL_CLUSTER_CLOSED);
  m->ref = h->ref;
  m->reason = reason;
  m->text = g_strdup(message);
  ll_cluster_send(s->cluster, h->instance, m);
}

void ll_rv_cluster_to_helper(LlRendezvousServer *s, const Helper *h, const LlSignalMessage *m)
{
  g_autoptr(LlClusterMessage) out = ll_cluster_message_new(LL_CLUSTER_TO_HELPER);
  out->ref = h->ref;
  out->text = ll_signal_message_encode(m);
  ll_cluster_send(s->cluster, h->instance, out);
}

static void refuse(LlRendezvousServer *s, const LlClusterMessage *in, LlSignalErrorReason reason,
                   const char *why)
{
  g_autoptr(LlClusterMessage) m = ll_cluster_message_new(LL_CLUSTER_REFUSED);
  m->ref = in->ref;
  m->reason = reason;
  m->text = g_strdup(why);
  ll_cluster_send(s->cluster, in->from, m);
}

/* Another instance's helper asks into a mailbox here: the same rules as
 * for one of ours (a code's mailbox only through its claimed nameplate). */
static void on_enter(LlRendezvousServer *s, const LlClusterMessage *in)
{
  Mailbox *mb = g_hash_table_lookup(s->mailboxes, in->mailbox);
  gboolean code = mb != NULL && mb->kind == MAILBOX_CODE;
  if (mb == NULL || code != in->claim || (code && mb->nameplate == NULL)) {
    refuse(s, in, LL_SIGNAL_ERROR_NOBODY_THERE,
           code || in->claim ? "no such code here (it may have expired, or been used already)"
                             : LL_RV_NOBODY);
    return;
  }
  if (g_hash_table_size(mb->helpers) >= LL_RV_MAX_HELPERS_PER_MAILBOX) {
    refuse(s, in, LL_SIGNAL_ERROR_OTHER, "too many people are joining");
    return;
  }
  if (code)
    g_clear_pointer(&mb->nameplate, g_free);   /* burnt in Redis by the claim */
  g_autoptr(LlClusterMessage) m = ll_cluster_message_new(LL_CLUSTER_ENTERED);
  m->ref = in->ref;
  m->peer = ll_rv_mailbox_admit(mb, NULL, in->from, in->ref);
  m->mailbox = g_strdup(mb->id);
  m->from = g_strdup(ll_cluster_instance(s->cluster));
  ll_cluster_send(s->cluster, in->from, m);
}

/* The helper of IN (another instance's) in mailbox IN->mailbox, if so. */
static Helper *remote_helper(LlRendezvousServer *s, const LlClusterMessage *in, Mailbox **mb)
{
  *mb = g_hash_table_lookup(s->mailboxes, in->mailbox);
  Helper *h = *mb != NULL ? g_hash_table_lookup((*mb)->helpers, GUINT_TO_POINTER(in->peer))
                          : NULL;
  return h != NULL && h->local == NULL && g_strcmp0(h->instance, in->from) == 0 ? h : NULL;
}

static void on_left(LlRendezvousServer *s, const LlClusterMessage *in)
{
  Mailbox *mb;
  if (remote_helper(s, in, &mb) == NULL)
    return;
  g_hash_table_remove(mb->helpers, GUINT_TO_POINTER(in->peer));
  g_autoptr(LlSignalMessage) left = ll_signal_message_new(LL_SIGNAL_PEER_LEFT);
  left->peer = in->peer;
  left->has_peer = TRUE;
  ll_rv_send(mb->novice, left);
}

/* A signal message carried for a peer: only signals pass. */
static LlSignalMessage *carried_signal(const char *text)
{
  g_autoptr(GError) error = NULL;
  LlSignalMessage *m = ll_signal_message_decode(text, strlen(text), &error);
  if (m != NULL && m->type != LL_SIGNAL_SIGNAL)
    g_clear_pointer(&m, ll_signal_message_free);
  return m;
}

static void on_to_novice(LlRendezvousServer *s, const LlClusterMessage *in)
{
  Mailbox *mb;
  g_autoptr(LlSignalMessage) m = NULL;
  if (remote_helper(s, in, &mb) == NULL || (m = carried_signal(in->text)) == NULL)
    return;
  m->peer = in->peer;
  m->has_peer = TRUE;
  ll_rv_send(mb->novice, m);
}

/* ---- answers for helpers here ---- */

static Client *remote_client(LlRendezvousServer *s, guint32 ref)
{
  Client *c = ll_rv_client(s, ref);
  return c != NULL && c->remote_owner != NULL ? c : NULL;
}

static void on_entered(LlRendezvousServer *s, const LlClusterMessage *in)
{
  Client *c = remote_client(s, in->ref);
  if (c == NULL || !c->waiting || g_strcmp0(c->remote_mailbox, in->mailbox) != 0) {
    /* Gone meanwhile: out again at once. */
    g_autoptr(LlClusterMessage) m = ll_cluster_message_new(LL_CLUSTER_LEFT);
    m->mailbox = g_strdup(in->mailbox);
    m->from = g_strdup(ll_cluster_instance(s->cluster));
    m->peer = in->peer;
    ll_cluster_send(s->cluster, in->from, m);
    return;
  }
  c->waiting = FALSE;
  g_clear_handle_id(&c->wait_deadline, g_source_remove);
  c->peer = in->peer;
  ll_rv_send_joined(c);
}

static void on_closed(LlRendezvousServer *s, const LlClusterMessage *in)
{
  Client *c = remote_client(s, in->ref);
  if (c == NULL)
    return;
  c->peer = 0;   /* nothing to tell its novice's instance any more */
  c->waiting = FALSE;
  g_clear_handle_id(&c->wait_deadline, g_source_remove);
  closed_with(c, in->reason, in->text);
}

static void on_to_helper(LlRendezvousServer *s, const LlClusterMessage *in)
{
  Client *c = remote_client(s, in->ref);
  g_autoptr(LlSignalMessage) m = c != NULL && !c->waiting ? carried_signal(in->text) : NULL;
  if (m == NULL)
    return;
  m->has_peer = FALSE;
  ll_rv_send(c, m);
}

static void on_takeover(LlRendezvousServer *s, const LlClusterMessage *in)
{
  Mailbox *mb = g_hash_table_lookup(s->mailboxes, in->mailbox);
  if (mb == NULL || mb->kind == MAILBOX_CODE)
    return;
  if (mb->kind == MAILBOX_HOST)
    g_info("host %s registered again at another instance; the old registration ends", mb->id);
  else
    g_info("an invitation's mailbox was opened again at another instance; it ends here");
  ll_rv_end_registration(s, mb);
}

/* Published here, but another novice's token holds that mailbox. */
static void on_not_ours(const char *mailbox, const guint8 *token_hash, gpointer data)
{
  LlRendezvousServer *s = data;
  Mailbox *mb = s->freeing ? NULL : g_hash_table_lookup(s->mailboxes, mailbox);
  /* Only the mailbox that was published: the same id opened again here
   * meanwhile with another token is another Redis answer's business. */
  if (mb == NULL || mb->kind != MAILBOX_INVITATION || !mb->has_token ||
      sodium_memcmp(mb->token_hash, token_hash, LL_TOKEN_HASH_BYTES) != 0)
    return;
  Client *novice = mb->novice;
  ll_rv_mailbox_close(s, mb);
  if (novice != NULL)
    ll_rv_close(novice, SOUP_WEBSOCKET_CLOSE_POLICY_VIOLATION, LL_SIGNAL_ERROR_OTHER,
                "this invitation's mailbox is not yours to open");
}

static void on_cluster_message(LlClusterMessage *in, gpointer data)
{
  LlRendezvousServer *s = data;
  switch (in->type) {
  case LL_CLUSTER_ENTER: on_enter(s, in); break;
  case LL_CLUSTER_ENTERED: on_entered(s, in); break;
  case LL_CLUSTER_REFUSED: on_closed(s, in); break;
  case LL_CLUSTER_TO_NOVICE: on_to_novice(s, in); break;
  case LL_CLUSTER_TO_HELPER: on_to_helper(s, in); break;
  case LL_CLUSTER_LEFT: on_left(s, in); break;
  case LL_CLUSTER_CLOSED: on_closed(s, in); break;
  case LL_CLUSTER_TAKEOVER: on_takeover(s, in); break;
  }
  ll_cluster_message_free(in);
}

/* ---- Redis coming and going ---- */

/* Every link to another instance ends: its helpers leave our novices,
 * our helpers of its novices are told (alone, they cannot be served). */
static void drop_remote(LlRendezvousServer *s, const char *instance)
{
  GHashTableIter iter;
  gpointer value;
  g_hash_table_iter_init(&iter, s->mailboxes);
  while (g_hash_table_iter_next(&iter, NULL, &value)) {
    Mailbox *mb = value;
    GHashTableIter hi;
    gpointer peer, hv;
    g_hash_table_iter_init(&hi, mb->helpers);
    while (g_hash_table_iter_next(&hi, &peer, &hv)) {
      Helper *h = hv;
      if (h->local != NULL || (instance != NULL && g_strcmp0(h->instance, instance) != 0))
        continue;
      g_autoptr(LlSignalMessage) left = ll_signal_message_new(LL_SIGNAL_PEER_LEFT);
      left->peer = GPOINTER_TO_UINT(peer);
      left->has_peer = TRUE;
      ll_rv_send(mb->novice, left);
      g_hash_table_iter_remove(&hi);
    }
  }
  for (GList *l = s->clients; l != NULL; l = l->next) {
    Client *c = l->data;
    if (c->remote_owner == NULL || (instance != NULL && strcmp(c->remote_owner, instance) != 0))
      continue;
    c->peer = 0;
    c->waiting = FALSE;
    closed_with(c, LL_SIGNAL_ERROR_NOBODY_THERE, LOST);
  }
}

static void publish_all(LlRendezvousServer *s)
{
  GHashTableIter iter;
  gpointer value;
  g_hash_table_iter_init(&iter, s->mailboxes);
  while (g_hash_table_iter_next(&iter, NULL, &value))
    ll_rv_cluster_publish(s, value, FALSE);
}

typedef struct {
  LlRendezvousServer *server;
  char *mailbox, *nameplate;
} Reentry;

/* Another instance handed out the same digits while this one was away. */
static void withdraw_code(LlRendezvousServer *s, Mailbox *mb)
{
  Client *novice = mb->novice;
  g_info("a code's nameplate was given out elsewhere while Redis was away: withdrawn");
  ll_rv_mailbox_close(s, mb);
  if (novice != NULL)   /* "expired": its novice is given a fresh code */
    ll_rv_close(novice, SOUP_WEBSOCKET_CLOSE_NORMAL, LL_SIGNAL_ERROR_EXPIRED,
                "the rendezvous had to withdraw this code; ask for a new one");
}

static void on_reentered(gboolean kept, gboolean failed, gpointer data)
{
  Reentry *e = data;
  LlRendezvousServer *s = e->server;
  Mailbox *mb = s->freeing ? NULL : g_hash_table_lookup(s->mailboxes, e->mailbox);
  if (mb != NULL && !failed && g_strcmp0(mb->nameplate, e->nameplate) == 0) {
    if (!kept) {
      withdraw_code(s, mb);
    } else if (!mb->nameplate_shared) {   /* handed out alone: everyone's now */
      ll_nameplates_release(s->nameplates, mb->nameplate, ll_rv_now_s());
      mb->nameplate_shared = TRUE;
    }
  }
  g_free(e->mailbox);
  g_free(e->nameplate);
  g_free(e);
}

/* Codes waiting here are entered in Redis under this instance's id of
 * now: codes published before it came back under a new id, and codes it
 * handed out alone while Redis was away. */
static void reenter_codes(LlRendezvousServer *s)
{
  GHashTableIter iter;
  gpointer value;
  g_hash_table_iter_init(&iter, s->mailboxes);
  while (g_hash_table_iter_next(&iter, NULL, &value)) {
    Mailbox *mb = value;
    if (mb->kind != MAILBOX_CODE || mb->nameplate == NULL)
      continue;
    Reentry *e = g_new0(Reentry, 1);
    e->server = s;
    e->mailbox = g_strdup(mb->id);
    e->nameplate = g_strdup(mb->nameplate);
    if (!ll_cluster_reenter_nameplate(s->cluster, mb->nameplate, mb->id, mb->lifetime,
                                      s->config.nameplate_cooldown, on_reentered, e))
      on_reentered(TRUE, TRUE, e);
  }
}

static void on_shared(gboolean shared, gpointer data)
{
  LlRendezvousServer *s = data;
  if (shared) {
    publish_all(s);   /* what was opened meanwhile, and what Redis forgot */
    reenter_codes(s);
  } else {
    drop_remote(s, NULL);
  }
}

/* Registrations outlive Redis' expiry as long as their connection. */
static gboolean on_refresh(gpointer data)
{
  publish_all(data);
  return G_SOURCE_CONTINUE;
}

/* ---- instances that die ---- */

typedef struct {
  LlRendezvousServer *server;
  char *instance;
} Watch;

static void on_alive(const char *owner, gboolean failed, gpointer data)
{
  Watch *w = data;
  if (!failed && owner == NULL && !w->server->freeing) {
    g_message("instance %s stopped answering; its helpers and novices here are let go",
              w->instance);
    drop_remote(w->server, w->instance);
  }
  g_free(w->instance);
  g_free(w);
}

static void add_instance(GHashTable *set, const char *instance)
{
  if (instance != NULL)
    g_hash_table_add(set, (gpointer)instance);
}

/* Each instance our helpers or novices are linked to, still alive? */
static gboolean on_sweep(gpointer data)
{
  LlRendezvousServer *s = data;
  if (!ll_rv_cluster_shared(s))
    return G_SOURCE_CONTINUE;
  g_autoptr(GHashTable) set = g_hash_table_new(g_str_hash, g_str_equal);
  GHashTableIter iter, hi;
  gpointer value, hv;
  g_hash_table_iter_init(&iter, s->mailboxes);
  while (g_hash_table_iter_next(&iter, NULL, &value)) {
    g_hash_table_iter_init(&hi, ((Mailbox *)value)->helpers);
    while (g_hash_table_iter_next(&hi, NULL, &hv))
      add_instance(set, ((Helper *)hv)->instance);
  }
  for (GList *l = s->clients; l != NULL; l = l->next)
    add_instance(set, ((Client *)l->data)->remote_owner);
  g_hash_table_iter_init(&iter, set);
  while (g_hash_table_iter_next(&iter, &value, NULL)) {
    Watch *w = g_new0(Watch, 1);
    w->server = s;
    w->instance = g_strdup(value);
    if (!ll_cluster_instance_alive(s->cluster, w->instance, on_alive, w)) {
      g_free(w->instance);
      g_free(w);
    }
  }
  return G_SOURCE_CONTINUE;
}

void ll_rv_cluster_start(LlRendezvousServer *s, GError **error)
{
  LlClusterEvents events = { on_cluster_message, on_shared, on_not_ours };
  s->cluster = ll_cluster_new(s->config.redis_address, s->config.redis_password, &events, s,
                              error);
  if (s->cluster == NULL)
    return;
  s->sweep = g_timeout_add_seconds(SWEEP_S, on_sweep, s);
  s->refresh = g_timeout_add_seconds(REFRESH_S, on_refresh, s);
}

void ll_rv_cluster_stop(LlRendezvousServer *s)
{
  g_clear_handle_id(&s->sweep, g_source_remove);
  g_clear_handle_id(&s->refresh, g_source_remove);
  g_clear_pointer(&s->cluster, ll_cluster_free);
}

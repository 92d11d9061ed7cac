/* A real novice host and a real helper join in one process, on loopback,
 * recording what each side is told. Shared by the integration tests of
 * admission and of resuming. */
#pragma once
#include "common/identity.h"
#include "common/invitation.h"
#include "helper/helper_join.h"
#include "novice/desktop/fake/fake_desktop.h"
#include "novice/novice_host.h"

#define WAIT_MS 10000

typedef struct {
  char *dir;
  LlIdentity *novice_id;
  LlIdentity *helper_id;
  LlInvitation *invitation;
  LlNoviceHost *host;
  guint16 port;
  guint grace_s;           /* 0: the default */
  gboolean answer;         /* what the novice says when asked */
  gboolean never_answer;   /* leave the question open */
  int asks;
  int withdrawn;
  int refusals;
  char *last_refusal;
  int interruptions;
  int resumptions;
  GPtrArray *chats;        /* texts from the helper */
  gboolean host_finished;
  GError *host_result;
  LlFakeDesktop *desktop;  /* shared after a yes; made by novice_start when NULL */
  gboolean control_answer; /* what the novice says when asked for control */
  int control_asks;
  gboolean in_control;     /* the helper controls the desktop now */
  char *control_ended_by;  /* how control last ended */
} Novice;

typedef struct {
  LlHelperJoin *join;
  LlInvitation *own_invitation;   /* when helper_start was given none */
  gboolean waiting;
  gboolean ready;
  guint16 port;            /* the local VNC port, once ready */
  gboolean granted;        /* control, as the helper was told */
  char *denied;            /* why control was refused, last time */
  char *ended_by;          /* how control last ended */
  int reconnecting;
  int reconnected;
  char *reconnect_path;
  GPtrArray *chats;        /* texts from the novice */
  gboolean finished;
  GError *result;
} Helper;

void run_until(const gboolean *condition);
void novice_start(Novice *n, gint64 created, gint64 lifetime);
void novice_start_now(Novice *n);
void novice_stop(Novice *n);
/* The helper's own copy, as it would read it from the file. */
LlInvitation *helper_copy(const Novice *n);
/* INVITATION NULL: the helper's own copy of the novice's. */
void helper_start(Helper *h, Novice *n, LlInvitation *invitation);
void helper_stop(Helper *h);
extern const LlHelperJoinEvents helper_events;

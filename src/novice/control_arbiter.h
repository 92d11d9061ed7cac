/* Who may drive the novice's keyboard and mouse, and when that ends.
 * The helper starts view-only; control exists only between the novice's
 * yes and the first of: Esc on the novice's keyboard, the novice's /stop,
 * the helper's release, or the connection dropping. Input and clipboard
 * decisions are asked of this one object, at the moment they apply, so
 * events in flight after the end of control are dropped. No I/O here:
 * the actions below are carried out by the session. */
#pragma once
#include <glib.h>

typedef enum {
  LL_CONTROL_VIEWING,    /* view only */
  LL_CONTROL_ASKING,     /* the helper asked; the novice has not answered */
  LL_CONTROL_GRANTED,    /* the helper's input reaches the desktop */
} LlControlState;

typedef enum {
  LL_CONTROL_END_ESC,      /* the novice pressed Esc */
  LL_CONTROL_END_POINTER,  /* the novice moved the mouse (Wayland) */
  LL_CONTROL_END_STOP,     /* the novice typed /stop or pressed Stop */
  LL_CONTROL_END_RELEASE,  /* the helper gave control back */
  LL_CONTROL_END_DROP,     /* the connection went away */
} LlControlEnd;

typedef struct {
  void (*ask)(gpointer user_data);                        /* ask the novice */
  void (*withdrawn)(gpointer user_data);                  /* the question is moot */
  void (*deny)(const char *reason, gpointer user_data);   /* tell the helper no */
  void (*granted)(gpointer user_data);
  void (*ended)(LlControlEnd by, gpointer user_data);
} LlControlActions;

typedef struct LlControlArbiter LlControlArbiter;

/* VIEW_ONLY_REASON NULL: control may be asked for. Else every request is
 * denied at once with it ("view-only by policy"), without asking. */
LlControlArbiter *ll_control_arbiter_new(const char *view_only_reason, const char *novice_name,
                                         const LlControlActions *actions, gpointer user_data);
void ll_control_arbiter_free(LlControlArbiter *arbiter);

LlControlState ll_control_arbiter_state(LlControlArbiter *arbiter);
void ll_control_arbiter_request(LlControlArbiter *arbiter);
void ll_control_arbiter_answer(LlControlArbiter *arbiter, gboolean allow);
void ll_control_arbiter_end(LlControlArbiter *arbiter, LlControlEnd by);

gboolean ll_control_arbiter_input_allowed(LlControlArbiter *arbiter);
/* Novice-to-helper clipboard: while the session is consented. */
gboolean ll_control_arbiter_clipboard_to_helper_allowed(LlControlArbiter *arbiter);
/* Helper-to-novice clipboard: only while in control. */
gboolean ll_control_arbiter_clipboard_from_helper_allowed(LlControlArbiter *arbiter);

/* "esc", "pointer", "stop", "release", "drop": the wire and audit names. */
const char *ll_control_end_name(LlControlEnd by);

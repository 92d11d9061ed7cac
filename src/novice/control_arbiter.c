#include "novice/control_arbiter.h"

struct LlControlArbiter {
  LlControlState state;
  char *view_only_reason;   /* NULL: control may be asked for */
  char *novice_name;
  LlControlActions actions;
  gpointer user_data;
};

LlControlArbiter *ll_control_arbiter_new(const char *view_only_reason, const char *novice_name,
                                         const LlControlActions *actions, gpointer user_data)
{
  LlControlArbiter *a = g_new0(LlControlArbiter, 1);
  a->state = LL_CONTROL_VIEWING;
  a->view_only_reason = g_strdup(view_only_reason);
  a->novice_name = g_strdup(novice_name);
  a->actions = *actions;
  a->user_data = user_data;
  return a;
}

void ll_control_arbiter_free(LlControlArbiter *a)
{
  if (a == NULL)
    return;
  g_free(a->novice_name);
  g_free(a->view_only_reason);
  g_free(a);
}

LlControlState ll_control_arbiter_state(LlControlArbiter *a) { return a->state; }

void ll_control_arbiter_request(LlControlArbiter *a)
{
  if (a->state != LL_CONTROL_VIEWING)
    return;   /* asked already, or in control already: nothing new */
  if (a->view_only_reason != NULL) {
    a->actions.deny(a->view_only_reason, a->user_data);
    return;
  }
  a->state = LL_CONTROL_ASKING;
  a->actions.ask(a->user_data);
}

void ll_control_arbiter_answer(LlControlArbiter *a, gboolean allow)
{
  if (a->state != LL_CONTROL_ASKING)
    return;
  if (allow) {
    a->state = LL_CONTROL_GRANTED;
    a->actions.granted(a->user_data);
  } else {
    a->state = LL_CONTROL_VIEWING;
    g_autofree char *reason = g_strdup_printf("%s said no", a->novice_name);
    a->actions.deny(reason, a->user_data);
  }
}

void ll_control_arbiter_end(LlControlArbiter *a, LlControlEnd by)
{
  if (a->state == LL_CONTROL_GRANTED) {
    a->state = LL_CONTROL_VIEWING;
    a->actions.ended(by, a->user_data);
  } else if (a->state == LL_CONTROL_ASKING &&
             (by == LL_CONTROL_END_RELEASE || by == LL_CONTROL_END_DROP)) {
    /* The helper took the request back, or left: the question is moot. */
    a->state = LL_CONTROL_VIEWING;
    a->actions.withdrawn(a->user_data);
  }
}

gboolean ll_control_arbiter_input_allowed(LlControlArbiter *a)
{
  return a->state == LL_CONTROL_GRANTED;
}

gboolean ll_control_arbiter_clipboard_to_helper_allowed(LlControlArbiter *a)
{
  (void)a;
  return TRUE;
}

gboolean ll_control_arbiter_clipboard_from_helper_allowed(LlControlArbiter *a)
{
  return a->state == LL_CONTROL_GRANTED;
}

const char *ll_control_end_name(LlControlEnd by)
{
  switch (by) {
  case LL_CONTROL_END_ESC: return "esc";
  case LL_CONTROL_END_POINTER: return "pointer";
  case LL_CONTROL_END_STOP: return "stop";
  case LL_CONTROL_END_RELEASE: return "release";
  case LL_CONTROL_END_DROP: return "drop";
  }
  return "unknown";
}

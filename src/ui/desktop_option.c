#include "ui/desktop_option.h"

gboolean ll_desktop_option_parse(const char *text, const char *x11_display,
                                 LlDesktopChoice *choice, GError **error)
{
  *choice = (LlDesktopChoice){ .kind = LL_DESKTOP_AUTO, .x11_display = x11_display };
  return text == NULL || ll_desktop_kind_parse(text, &choice->kind, error);
}

#include "common/error.h"

G_DEFINE_QUARK(lifeline-error-quark, ll_error)

/* Names and reasons come from the other side of the network and are shown
 * on a terminal: strip anything that could move the cursor, change colours
 * or forge a prompt. */
#pragma once
#include <glib.h>

/* Returns valid UTF-8 of at most MAX_CHARS characters with control
 * characters (C0, DEL, C1, line and paragraph separators, bidi overrides)
 * replaced by '?'. Never NULL. */
char *ll_text_sanitize(const char *text, gsize max_chars);

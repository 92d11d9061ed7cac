/* Every connection holds a socket: a server (and a load generator) may
 * hold as many as the system lets it. */
#pragma once
#include <glib.h>

/* Raises the soft limit on open files to the hard one; logs it. */
void ll_raise_file_limit(void);

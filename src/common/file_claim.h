/* A file one running program stands behind, so that another does not
 * overwrite it meanwhile: `lifeline invite` claims the invitation it is
 * waiting with, and a second `lifeline invite` with the same file is
 * turned away instead of silently replacing it. The claim is a lock on the
 * file (flock), so it ends with the program however that ends. */
#pragma once
#include <glib.h>

/* TRUE when a running program claims PATH now. */
gboolean ll_file_is_claimed(const char *path);
/* Claims PATH (which exists) until ll_file_release; -1 and ERROR when it
 * cannot be opened or another program claims it. */
int ll_file_claim(const char *path, GError **error);
void ll_file_release(int claim);

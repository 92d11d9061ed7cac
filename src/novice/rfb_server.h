/* The novice's RFB server, kept apart: libvncserver, which parses the
 * helper's bytes, runs in a worker process of its own (rfb_worker/) that
 * holds no key, no secret and no connection to the desktop. This side
 * shares the picture a desktop feeds it through shared memory, hands the
 * worker each consented viewer stream (one end of a socketpair), and
 * delivers what the worker reports of the viewers' input, clipboard and
 * TextChat on the main loop, checked again. It never listens on the
 * network. */
#pragma once
#include <glib.h>
#include "novice/desktop/screen_feed.h"

typedef struct LlRfbServer LlRfbServer;

/* What viewers send, delivered on the main loop in the order it came.
 * Whether any of it reaches the desktop is the session's decision. */
typedef struct {
  void (*key)(gboolean down, guint32 keysym, gpointer user_data);
  void (*pointer)(int buttons, int x, int y, gpointer user_data);
  void (*cut_text)(const char *utf8, gsize len, gpointer user_data);
  void (*text_chat)(const char *utf8, gsize len, gpointer user_data);
  /* The worker went away on its own (a crash): nothing more is served. */
  void (*failed)(const GError *why, gpointer user_data);
} LlRfbInput;

/* The longest clipboard or TextChat text either way (bytes). */
#define LL_RFB_MAX_TEXT (256 * 1024)

/* Serves FRAMEBUFFER, in FORMAT, which the caller keeps current and
 * alive until the server is freed: call only once someone was allowed to
 * see the screen. Starts the worker and waits (up to 10 s) until it
 * serves. */
LlRfbServer *ll_rfb_server_new(const LlScreenFormat *format, guint8 *framebuffer,
                               const char *desktop_name, GError **error);
/* The picture is now FRAMEBUFFER in FORMAT (another size): viewers that
 * take DesktopSize or ExtendedDesktopSize follow it. From the thread that
 * marks changes; the old framebuffer is unused once this returns. */
void ll_rfb_server_resize(LlRfbServer *server, const LlScreenFormat *format,
                          guint8 *framebuffer);
/* This rectangle of the framebuffer changed; from any thread. */
void ll_rfb_server_mark_changed(LlRfbServer *server, int x, int y, int width, int height);
/* Serves a new viewer on FD (one end of a socketpair), taking ownership. */
gboolean ll_rfb_server_add_client(LlRfbServer *server, int fd, GError **error);
void ll_rfb_server_set_input(LlRfbServer *server, const LlRfbInput *input, gpointer user_data);
/* Clipboard text for every viewer (UTF-8 where the viewer takes it,
 * Latin-1 otherwise, as RFB requires). */
void ll_rfb_server_send_cut_text(LlRfbServer *server, const char *utf8, gsize len);
/* An UltraVNC TextChat message for every viewer. */
void ll_rfb_server_send_text_chat(LlRfbServer *server, const char *utf8, gsize len);
/* Viewers currently connected, as the worker last said (main loop). */
guint ll_rfb_server_client_count(LlRfbServer *server);
/* Disconnects every viewer, waits for their threads, frees. The caller
 * must have closed its ends of the socketpairs first. */
void ll_rfb_server_free(LlRfbServer *server);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(LlRfbServer, ll_rfb_server_free)

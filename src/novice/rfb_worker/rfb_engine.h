/* The RFB engine: libvncserver serving the picture a desktop feeds it
 * (it never opens a display itself); it runs in the RFB worker process
 * (rfb_worker.c), never in the process that holds keys. It never listens on the
 * network; each consented viewer stream is handed to
 * it as one end of a socketpair. Viewers' input, clipboard and TextChat
 * are handed to the main loop; libvncserver's own threads never touch X. */
#pragma once
#include <glib.h>
#include "novice/desktop/screen_feed.h"

typedef struct LlRfbEngine LlRfbEngine;

/* What viewers send, delivered on the main loop in the order it came.
 * Whether any of it reaches the desktop is the session's decision. */
typedef struct {
  void (*key)(gboolean down, guint32 keysym, gpointer user_data);
  void (*pointer)(int buttons, int x, int y, gpointer user_data);
  void (*cut_text)(const char *utf8, gsize len, gpointer user_data);
  void (*text_chat)(const char *utf8, gsize len, gpointer user_data);
  /* The number of viewers changed. */
  void (*viewers)(guint count, gpointer user_data);
} LlRfbEngineInput;

/* Serves FRAMEBUFFER, in FORMAT, which the caller keeps current and
 * alive until the server is freed: call only once someone was allowed to
 * see the screen. */
LlRfbEngine *ll_rfb_engine_new(const LlScreenFormat *format, guint8 *framebuffer,
                               const char *desktop_name, GError **error);
/* The picture is now FRAMEBUFFER in FORMAT (another size): viewers that
 * take DesktopSize or ExtendedDesktopSize follow it. From the thread that
 * marks changes; the old framebuffer is unused once this returns. */
void ll_rfb_engine_resize(LlRfbEngine *server, const LlScreenFormat *format,
                          guint8 *framebuffer);
/* This rectangle of the framebuffer changed; from any thread. */
void ll_rfb_engine_mark_changed(LlRfbEngine *server, int x, int y, int width, int height);
/* Serves a new viewer on FD (one end of a socketpair), taking ownership. */
gboolean ll_rfb_engine_add_client(LlRfbEngine *server, int fd, GError **error);
void ll_rfb_engine_set_input(LlRfbEngine *server, const LlRfbEngineInput *input, gpointer user_data);
/* Clipboard text for every viewer (UTF-8 where the viewer takes it,
 * Latin-1 otherwise, as RFB requires). */
void ll_rfb_engine_send_cut_text(LlRfbEngine *server, const char *utf8, gsize len);
/* An UltraVNC TextChat message for every viewer. */
void ll_rfb_engine_send_text_chat(LlRfbEngine *server, const char *utf8, gsize len);
/* Viewers currently connected. */
guint ll_rfb_engine_client_count(LlRfbEngine *server);
/* Disconnects every viewer, waits for their threads, frees. The caller
 * must have closed its ends of the socketpairs first. */
void ll_rfb_engine_free(LlRfbEngine *server);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(LlRfbEngine, ll_rfb_engine_free)

/* Frames of a screen-cast PipeWire stream (Mutter's ScreenCast, later the
 * xdg-desktop-portal's) copied into a framebuffer of our own, with the
 * changed parts found by comparing tiles (Mutter 43 attaches no damage
 * metadata) and the pointer position from the cursor metadata. The
 * stream runs on a PipeWire thread loop, which is the desktop's capture
 * thread. A still screen sends no frames (Mutter sends one per change),
 * so an idle desktop costs nothing. */
#pragma once
#include <glib.h>
#include "novice/desktop/screen_feed.h"

/* Largest side of a picture taken, whatever a stream says. */
#define LL_PW_MAX_SIDE 16384

typedef struct LlPwScreen LlPwScreen;

typedef struct {
  /* On the capture thread: pixels of the framebuffer changed. */
  void (*damaged)(int x, int y, int width, int height, gpointer user_data);
  /* On the capture thread: the first whole picture is in FRAMEBUFFER, in
   * FORMAT (the mosaic's: a mosaic replacing another hands it over). */
  void (*replaced)(const LlScreenFormat *format, guint8 *framebuffer, gpointer user_data);
  /* On the capture thread, once the first picture was ready (NULL: a
   * size change ends the stream): the stream's size changed, and from now
   * on FRAMEBUFFER, in FORMAT, is the picture; the old one is freed once
   * this returns. */
  void (*resized)(const LlScreenFormat *format, guint8 *framebuffer, gpointer user_data);
  /* On the main context: the first whole picture is in the framebuffer. */
  void (*ready)(gpointer user_data);
  /* On the main context: the compositor drew the pointer at X, Y (the
   * picture's pixels); several moves in a row may arrive as the last. */
  void (*cursor_moved)(int x, int y, gpointer user_data);
  /* On the main context: the stream ended or failed; WHY is a sentence. */
  void (*ended)(const GError *why, gpointer user_data);
} LlPwScreenEvents;

/* Connects to the stream NODE_ID on this session's PipeWire daemon, or
 * through REMOTE_FD (taken; -1: none), a connection a portal opened. The
 * main context is the caller's thread-default one. */
LlPwScreen *ll_pw_screen_new(int remote_fd, guint32 node_id, const LlPwScreenEvents *events,
                             gpointer user_data, GError **error);
typedef void (*LlPwPictureFn)(const LlScreenFormat *format, guint8 *framebuffer,
                              gpointer user_data);
/* Runs FN(DATA) soon on the capture thread, in order with the frames. */
void ll_pw_screen_invoke(LlPwScreen *screen, void (*fn)(gpointer data), gpointer data);
/* Stops the thread: no callback runs once this returns. */
void ll_pw_screen_free(LlPwScreen *screen);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(LlPwScreen, ll_pw_screen_free)

/* For tests: the byte layout of a SPA video format as shifts of a 32-bit
 * little-endian pixel; FALSE for formats Lifeline does not take. */
gboolean ll_pw_format_shifts(guint32 spa_format, int *red, int *green, int *blue);

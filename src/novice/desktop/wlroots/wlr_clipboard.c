#include "novice/desktop/wlroots/wlr_clipboard.h"
#include "common/error.h"
#include "novice/desktop/text_pipe.h"
#include "wlr-data-control-unstable-v1-client-protocol.h"
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

/* An offer naming more types than this is not looked at further. */
#define MAX_OFFERED_TYPES 64

struct LlWlrClipboard {
  struct wl_display *display;
  struct wl_seat *seat;
  struct zwlr_data_control_manager_v1 *manager;
  struct zwlr_data_control_device_v1 *device;
  LlWlrClipboardChanged changed;
  gpointer user_data;
  LlTextReader *reader;          /* the copy being read, if any */
  struct zwlr_data_control_source_v1 *source;   /* ours, while we own the clipboard */
  GBytes *offered;               /* its text */
  gboolean seen_first;           /* what was copied before sharing began stays */
};

/* What an offer says it has: its best text type, by the table's order. */
typedef struct {
  int best;                      /* index in ll_text_types; -1: no text */
  guint types;
} OfferTypes;

/* ---- novice -> helper ---- */

static void on_offer_type(void *data, struct zwlr_data_control_offer_v1 *offer,
                          const char *type)
{
  OfferTypes *t = zwlr_data_control_offer_v1_get_user_data(offer);
  (void)data;
  if (t == NULL || ++t->types > MAX_OFFERED_TYPES)
    return;
  for (int i = 0; ll_text_types[i] != NULL && (t->best < 0 || i < t->best); i++)
    if (strcmp(type, ll_text_types[i]) == 0)
      t->best = i;
}

static const struct zwlr_data_control_offer_v1_listener offer_listener = {
  .offer = on_offer_type,
};

static void drop_offer(struct zwlr_data_control_offer_v1 *offer)
{
  g_free(zwlr_data_control_offer_v1_get_user_data(offer));
  zwlr_data_control_offer_v1_destroy(offer);
}

static void on_data_offer(void *data, struct zwlr_data_control_device_v1 *device,
                          struct zwlr_data_control_offer_v1 *offer)
{
  (void)data; (void)device;
  OfferTypes *t = g_new0(OfferTypes, 1);
  t->best = -1;
  zwlr_data_control_offer_v1_add_listener(offer, &offer_listener, NULL);
  zwlr_data_control_offer_v1_set_user_data(offer, t);
}

static void on_read(GBytes *text, gpointer data)
{
  LlWlrClipboard *c = data;
  c->reader = NULL;
  if (text == NULL)
    return;
  gsize len;
  const char *bytes = g_bytes_get_data(text, &len);
  c->changed(bytes != NULL ? bytes : "", len, c->user_data);
}

/* Reads OFFER's text through a pipe (the program copying writes it). */
static void read_offer(LlWlrClipboard *c, struct zwlr_data_control_offer_v1 *offer,
                       const char *type)
{
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) < 0) {
    g_info("no pipe for the copied text: %s", g_strerror(errno));
    return;
  }
  zwlr_data_control_offer_v1_receive(offer, type, fds[1]);
  wl_display_flush(c->display);
  close(fds[1]);
  ll_text_reader_cancel(c->reader);   /* a newer copy wins */
  c->reader = ll_text_reader_new(fds[0], on_read, c);
}

static void on_selection(void *data, struct zwlr_data_control_device_v1 *device,
                         struct zwlr_data_control_offer_v1 *offer)
{
  LlWlrClipboard *c = data;
  (void)device;
  gboolean first = !c->seen_first;
  c->seen_first = TRUE;
  if (offer == NULL)
    return;                      /* the clipboard was emptied */
  OfferTypes *t = zwlr_data_control_offer_v1_get_user_data(offer);
  /* The compositor first names what was copied before sharing began: not
   * the helper's to see. Our own text offered back: the helper has it. */
  if (!first && c->source == NULL && t != NULL && t->best >= 0)
    read_offer(c, offer, ll_text_types[t->best]);
  drop_offer(offer);
}

static void on_finished(void *data, struct zwlr_data_control_device_v1 *device)
{
  LlWlrClipboard *c = data;
  (void)device;
  g_info("the compositor stopped sharing its clipboard");
  zwlr_data_control_device_v1_destroy(c->device);
  c->device = NULL;
}

static void on_primary_selection(void *data, struct zwlr_data_control_device_v1 *device,
                                 struct zwlr_data_control_offer_v1 *offer)
{
  (void)data; (void)device;
  if (offer != NULL)
    drop_offer(offer);           /* the middle-click selection is not shared */
}

static const struct zwlr_data_control_device_v1_listener device_listener = {
  .data_offer = on_data_offer, .selection = on_selection, .finished = on_finished,
  .primary_selection = on_primary_selection,
};

/* ---- helper -> novice ---- */

static void on_send(void *data, struct zwlr_data_control_source_v1 *source, const char *type,
                    int32_t fd)
{
  LlWlrClipboard *c = data;
  (void)source; (void)type;
  if (c->offered == NULL) {
    close(fd);
    return;
  }
  ll_text_write(fd, c->offered, NULL, NULL);
}

/* Another program copied: our text is no longer the clipboard's. */
static void on_cancelled(void *data, struct zwlr_data_control_source_v1 *source)
{
  LlWlrClipboard *c = data;
  zwlr_data_control_source_v1_destroy(source);
  if (source == c->source) {
    c->source = NULL;
    g_clear_pointer(&c->offered, g_bytes_unref);
  }
}

static const struct zwlr_data_control_source_v1_listener source_listener = {
  .send = on_send, .cancelled = on_cancelled,
};

void ll_wlr_clipboard_set(LlWlrClipboard *c, const char *text, gsize len)
{
  if (c->device == NULL)
    return;
  struct zwlr_data_control_source_v1 *source =
      zwlr_data_control_manager_v1_create_data_source(c->manager);
  zwlr_data_control_source_v1_add_listener(source, &source_listener, c);
  for (gsize i = 0; ll_text_types[i] != NULL; i++)
    zwlr_data_control_source_v1_offer(source, ll_text_types[i]);
  if (c->source != NULL) {      /* the helper's previous text */
    zwlr_data_control_source_v1_destroy(c->source);
    g_clear_pointer(&c->offered, g_bytes_unref);
  }
  c->source = source;
  c->offered = g_bytes_new(text, len);
  zwlr_data_control_device_v1_set_selection(c->device, source);
  wl_display_flush(c->display);
}

/* ---- making and freeing ---- */

LlWlrClipboard *ll_wlr_clipboard_new(struct wl_display *display, LlWlGlobals *g,
                                     LlWlrClipboardChanged changed, gpointer user_data,
                                     GError **error)
{
  if (g->data_control.name == 0 || g->seat.name == 0) {
    g_set_error_literal(error, LL_ERROR, LL_ERROR_DISPLAY,
                        "this Wayland compositor does not share its clipboard with programs "
                        "(it offers no wlr-data-control)");
    return NULL;
  }
  LlWlrClipboard *c = g_new0(LlWlrClipboard, 1);
  c->display = display;
  c->changed = changed;
  c->user_data = user_data;
  c->seat = ll_wl_globals_bind(g, &g->seat, &wl_seat_interface, 1);
  c->manager = ll_wl_globals_bind(g, &g->data_control, &zwlr_data_control_manager_v1_interface,
                                  1);
  c->device = zwlr_data_control_manager_v1_get_data_device(c->manager, c->seat);
  zwlr_data_control_device_v1_add_listener(c->device, &device_listener, c);
  wl_display_flush(display);
  return c;
}

void ll_wlr_clipboard_free(LlWlrClipboard *c)
{
  if (c == NULL)
    return;
  ll_text_reader_cancel(c->reader);
  if (c->source != NULL)
    zwlr_data_control_source_v1_destroy(c->source);
  g_clear_pointer(&c->offered, g_bytes_unref);
  if (c->device != NULL)
    zwlr_data_control_device_v1_destroy(c->device);
  zwlr_data_control_manager_v1_destroy(c->manager);
  wl_seat_destroy(c->seat);
  wl_display_flush(c->display);
  g_free(c);
}

/* Between the novice's Lifeline and its RFB worker (the process that runs
 * libvncserver and so parses the helper's bytes): a peer-to-peer D-Bus
 * connection on a socketpair, the worker's end as its fd 3. GDBus frames,
 * types and checks every message and passes file descriptors; this is
 * only the vocabulary.
 *
 * Lifeline -> worker (methods on LL_RFB_IPC_PATH):
 *   Start(uuuuuub s h t)  width, height, stride, red/green/blue shift,
 *                      big endian, desktop name, the memory the picture is
 *                      in (a sealed memfd, mapped read-only) and the
 *                      offset of its first pixel there
 *   Resize(uuuuuub h t)   the same for a new picture
 *   Damage(a(iiii))    rectangles (x, y, width, height) changed (no reply;
 *                      the worker handles it on GDBus's own thread)
 *   AddViewer(h)       one end of a viewer's socketpair
 *   SendCutText(ay), SendTextChat(ay)   UTF-8, to every viewer (no reply)
 * worker -> Lifeline (signals): Key(bu), Pointer(iii), CutText(ay),
 *   TextChat(ay), Viewers(u). Lifeline checks each again: the worker is
 *   exactly what it does not trust. */
#pragma once

#define LL_RFB_IPC_PATH "/org/lifeline/RfbWorker"
#define LL_RFB_IPC_INTERFACE "org.lifeline.RfbWorker"
#define LL_RFB_IPC_FD 3
/* Where the worker is looked for first: tests point at the build's. */
#define LL_RFB_WORKER_ENV "LIFELINE_RFB_WORKER"
#define LL_RFB_WORKER_NAME "lifeline-rfb-worker"

#define LL_RFB_IPC_XML \
  "<node><interface name='" LL_RFB_IPC_INTERFACE "'>" \
  "<method name='Start'><arg type='u'/><arg type='u'/><arg type='u'/><arg type='u'/>" \
  "<arg type='u'/><arg type='u'/><arg type='b'/><arg type='s'/><arg type='h'/><arg type='t'/>" \
  "</method>" \
  "<method name='Resize'><arg type='u'/><arg type='u'/><arg type='u'/><arg type='u'/>" \
  "<arg type='u'/><arg type='u'/><arg type='b'/><arg type='h'/><arg type='t'/></method>" \
  "<method name='Damage'><arg type='a(iiii)'/></method>" \
  "<method name='AddViewer'><arg type='h'/></method>" \
  "<method name='SendCutText'><arg type='ay'/></method>" \
  "<method name='SendTextChat'><arg type='ay'/></method>" \
  "<signal name='Key'><arg type='b'/><arg type='u'/></signal>" \
  "<signal name='Pointer'><arg type='i'/><arg type='i'/><arg type='i'/></signal>" \
  "<signal name='CutText'><arg type='ay'/></signal>" \
  "<signal name='TextChat'><arg type='ay'/></signal>" \
  "<signal name='Viewers'><arg type='u'/></signal>" \
  "</interface></node>"

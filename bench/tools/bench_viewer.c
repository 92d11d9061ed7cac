/* bench-viewer: the one measuring client for every server, on libvncclient.
 *
 *   bench-viewer HOST PORT tight|zrle SECONDS
 *
 * Connects with that encoding (Tight with JPEG quality 6; both at
 * compression level 1, as a viewer on a fast network asks), prints
 * "ready" after the first full picture, then for SECONDS prints
 * "seen IDX T" each time the 64x64 marker at the top left shows another of
 * its 27 colours (T: CLOCK_MONOTONIC nanoseconds when the update that
 * showed it was complete), "upd T BYTES" after every update (BYTES: received
 * on the connection so far), and at the end "stats UPDATES BYTES" (updates
 * completed, bytes received, from the first picture on). Exit 1 on any
 * failure. */
#include <netinet/in.h>
#include <linux/tcp.h>
#include <rfb/rfbclient.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MARKER 64

static int ready;
static long pixels;
static long updates;
static int last_idx = -1;

static long long now_ns(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static unsigned long long bytes_received(rfbClient *c)
{
  struct tcp_info info;
  socklen_t len = sizeof info;
  memset(&info, 0, sizeof info);
  if (getsockopt(c->sock, IPPROTO_TCP, TCP_INFO, &info, &len) != 0)
    return 0;
  return info.tcpi_bytes_received;
}

/* 0, 128 or 255: the nearest, so JPEG's small errors do not matter. */
static int level_of(int value)
{
  return value < 64 ? 0 : value < 192 ? 1 : 2;
}

/* The marker's colour index, or -1 when its centre is not a marker colour
 * (a level far from 0, 128 and 255 means something else covers it). */
static int marker_index(rfbClient *c)
{
  const uint8_t *px = c->frameBuffer + ((size_t)(MARKER / 2) * c->width + MARKER / 2) * 4;
  for (int i = 0; i < 3; i++) {
    int v = px[i];
    if ((v > 40 && v < 88) || (v > 168 && v < 215))
      return -1;
  }
  /* 32 bits per pixel, red in the lowest byte; the workload numbers its
   * colours red + 3 green + 9 blue. */
  return level_of(px[0]) + 3 * level_of(px[1]) + 9 * level_of(px[2]);
}

static void on_update(rfbClient *c, int x, int y, int w, int h)
{
  (void)c; (void)x; (void)y;
  pixels += (long)w * h;
}

static void on_finished(rfbClient *c)
{
  if (!ready) {
    if (pixels < (long)c->width * c->height)
      return;
    ready = 1;
    printf("ready\n");
  }
  updates++;
  printf("upd %lld %llu\n", now_ns(), bytes_received(c));
  int idx = marker_index(c);
  if (idx >= 0 && idx != last_idx) {
    last_idx = idx;
    printf("seen %d %lld\n", idx, now_ns());
  }
}

static void quiet(const char *format, ...)
{
  (void)format;
}

int main(int argc, char **argv)
{
  if (argc != 5) {
    fprintf(stderr, "usage: bench-viewer HOST PORT tight|zrle SECONDS\n");
    return 2;
  }
  setvbuf(stdout, NULL, _IOLBF, 0);
  rfbClientLog = quiet;
  rfbClientErr = quiet;
  rfbClient *c = rfbGetClient(8, 3, 4);
  free(c->serverHost);
  c->serverHost = strdup(argv[1]);
  c->serverPort = atoi(argv[2]);
  int tight = strcmp(argv[3], "tight") == 0;
  /* libvncclient sends the compression level along with Tight or Zlib,
   * but not with ZRLE alone; Zlib listed after ZRLE is never chosen (every
   * server here takes the first encoding it knows) and carries it. */
  c->appData.encodingsString = tight ? "tight" : "zrle zlib";
  c->appData.enableJPEG = tight;
  c->appData.qualityLevel = 6;
  c->appData.compressLevel = 1;
  c->appData.useRemoteCursor = FALSE;
  c->GotFrameBufferUpdate = on_update;
  c->FinishedFrameBufferUpdate = on_finished;
  int fake_argc = 1;
  char *fake_argv[] = { "bench-viewer", NULL };
  if (!rfbInitClient(c, &fake_argc, fake_argv)) {
    fprintf(stderr, "bench-viewer: cannot connect to %s:%s\n", argv[1], argv[2]);
    return 1;
  }
  long long end = 0, start_bytes = 0;
  long start_updates = 0;
  for (;;) {
    int n = WaitForMessage(c, 10000);
    if (n < 0 || (n > 0 && !HandleRFBServerMessage(c))) {
      fprintf(stderr, "bench-viewer: the server closed the connection\n");
      return 1;
    }
    if (ready && end == 0) {
      end = now_ns() + (long long)(atof(argv[4]) * 1e9);
      start_bytes = bytes_received(c);
      start_updates = updates;
    }
    if (end != 0 && now_ns() >= end)
      break;
  }
  printf("stats %ld %llu\n", updates - start_updates, bytes_received(c) - start_bytes);
  rfbClientCleanup(c);
  return 0;
}

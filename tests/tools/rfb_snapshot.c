/* rfb-snapshot: a minimal lossless RFB client for tests. Connects to
 * HOST:PORT with the given encodings, waits for the first complete
 * framebuffer update and writes it as a binary PPM.
 *   rfb-snapshot HOST PORT ENCODINGS OUT.ppm [HOLD_SECONDS]
 * With HOLD_SECONDS it then stays connected that long, taking incremental
 * updates as a viewer would (for CPU measurements).
 * Exit 0 on success, 1 on any failure (with a message on stderr). */
#include <rfb/rfbclient.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define TIMEOUT_SECONDS 20

static int frames_done;
static long pixels_covered;

static void on_update(rfbClient *client, int x, int y, int w, int h)
{
  (void)client; (void)x; (void)y;
  pixels_covered += (long)w * h;
}

static void on_finished(rfbClient *client)
{
  /* The first update answers the full, non-incremental request. */
  if (pixels_covered >= (long)client->width * client->height)
    frames_done++;
}

static int write_ppm(rfbClient *client, const char *path)
{
  FILE *out = fopen(path, "wb");
  if (out == NULL) {
    perror(path);
    return 1;
  }
  fprintf(out, "P6\n%d %d\n255\n", client->width, client->height);
  const rfbPixelFormat *f = &client->format;
  for (int y = 0; y < client->height; y++)
    for (int x = 0; x < client->width; x++) {
      uint32_t p;
      memcpy(&p, client->frameBuffer + ((size_t)y * client->width + x) * 4, 4);
      unsigned char rgb[3] = { (p >> f->redShift) & f->redMax, (p >> f->greenShift) & f->greenMax,
                               (p >> f->blueShift) & f->blueMax };
      fwrite(rgb, 1, 3, out);
    }
  return fclose(out) == 0 ? 0 : 1;
}

int main(int argc, char **argv)
{
  if (argc != 5 && argc != 6) {
    fprintf(stderr, "usage: rfb-snapshot HOST PORT ENCODINGS OUT.ppm [HOLD_SECONDS]\n");
    return 2;
  }
  rfbClient *client = rfbGetClient(8, 3, 4);
  free(client->serverHost);   /* rfbGetClient's default, replaced */
  client->serverHost = strdup(argv[1]);
  client->serverPort = atoi(argv[2]);
  client->appData.encodingsString = argv[3];
  client->appData.useRemoteCursor = TRUE;   /* no cursor painted into the picture */
  client->GotFrameBufferUpdate = on_update;
  client->FinishedFrameBufferUpdate = on_finished;
  int fake_argc = 1;
  char *fake_argv[] = { "rfb-snapshot", NULL };
  if (!rfbInitClient(client, &fake_argc, fake_argv)) {
    fprintf(stderr, "rfb-snapshot: cannot connect to %s:%s\n", argv[1], argv[2]);
    return 1;   /* rfbInitClient freed the client */
  }
  time_t deadline = time(NULL) + TIMEOUT_SECONDS;
  while (frames_done == 0 && time(NULL) < deadline) {
    int n = WaitForMessage(client, 500000);
    if (n < 0 || (n > 0 && !HandleRFBServerMessage(client))) {
      fprintf(stderr, "rfb-snapshot: the server closed the connection\n");
      rfbClientCleanup(client);
      return 1;
    }
  }
  int rc = frames_done > 0 ? write_ppm(client, argv[4]) : 1;
  time_t hold_until = time(NULL) + (argc == 6 ? atoi(argv[5]) : 0);
  while (rc == 0 && time(NULL) < hold_until) {
    int n = WaitForMessage(client, 500000);
    if (n < 0 || (n > 0 && !HandleRFBServerMessage(client)))
      break;
  }
  if (frames_done == 0)
    fprintf(stderr, "rfb-snapshot: no complete picture in %d s\n", TIMEOUT_SECONDS);
  free(client->frameBuffer);
  rfbClientCleanup(client);
  return rc;
}

/* rfb-probe: a scriptable RFB viewer for tests, on libvncclient.
 * Usage: rfb-probe HOST PORT
 * Prints "ready" after the first full picture, then reads commands from
 * standard input, one per line:
 *   key NAME       press and release a key (X keysym name: Escape, Return, a)
 *   type TEXT      press and release a key for each character of TEXT
 *   down NAME      press a key and hold it (up NAME lets it go)
 *   click X Y      move to X,Y and click button 1
 *   cut TEXT       send TEXT as clipboard (ClientCutText)
 *   chat TEXT      send TEXT as an UltraVNC TextChat message
 *   pixel X Y      print "pixel: X Y RRGGBB", the colour this viewer shows there now
 *   size           print "size: W H", the size of the picture this viewer has now
 *   quit
 * and prints what the server sends besides pictures:
 *   cut: TEXT      clipboard from the server
 *   chat: TEXT     a TextChat message from the server */
#include <X11/Xlib.h>
#include <poll.h>
#include <rfb/rfbclient.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int got_picture;
static long pixels;

static void on_update(rfbClient *c, int x, int y, int w, int h)
{
  (void)c; (void)x; (void)y;
  pixels += (long)w * h;
}

static void on_finished(rfbClient *c)
{
  if (!got_picture && pixels >= (long)c->width * c->height) {
    got_picture = 1;
    printf("ready\n");
    fflush(stdout);
  }
}

static void on_cut_text(rfbClient *c, const char *text, int len)
{
  (void)c;
  printf("cut: %.*s\n", len, text);
  fflush(stdout);
}

static void on_text_chat(rfbClient *c, int value, char *text)
{
  (void)c;
  if (text != NULL) {
    printf("chat: %.*s\n", value, text);
    fflush(stdout);
  }
}

static void tap(rfbClient *c, uint32_t keysym)
{
  SendKeyEvent(c, keysym, TRUE);
  SendKeyEvent(c, keysym, FALSE);
}

static void run_command(rfbClient *c, char *line)
{
  line[strcspn(line, "\n")] = '\0';
  if (strncmp(line, "key ", 4) == 0) {
    KeySym sym = XStringToKeysym(line + 4);
    if (sym != NoSymbol)
      tap(c, sym);
  } else if (strncmp(line, "down ", 5) == 0 || strncmp(line, "up ", 3) == 0) {
    rfbBool down = line[0] == 'd';   /* a key held: "down Super_L", then "up Super_L" */
    KeySym sym = XStringToKeysym(line + (down ? 5 : 3));
    if (sym != NoSymbol)
      SendKeyEvent(c, sym, down);
  } else if (strncmp(line, "type ", 5) == 0) {
    for (const unsigned char *p = (const unsigned char *)line + 5; *p; p++)
      tap(c, *p);   /* Latin-1 characters are their own keysyms */
  } else if (strncmp(line, "click ", 6) == 0) {
    int x = 0, y = 0;
    sscanf(line + 6, "%d %d", &x, &y);
    SendPointerEvent(c, x, y, 0);
    SendPointerEvent(c, x, y, 1);
    SendPointerEvent(c, x, y, 0);
  } else if (strncmp(line, "move ", 5) == 0) {
    int x = 0, y = 0;
    sscanf(line + 5, "%d %d", &x, &y);
    SendPointerEvent(c, x, y, 0);
  } else if (strncmp(line, "cut ", 4) == 0) {
    SendClientCutText(c, line + 4, strlen(line + 4));
  } else if (strncmp(line, "chat ", 5) == 0) {
    /* libvncserver takes TextChat but does not list it among its
     * supported messages, and libvncclient sends only what is listed. */
    c->supportedMessages.client2server[rfbTextChat / 8] |= 1 << (rfbTextChat % 8);
    TextChatSend(c, line + 5);
  } else if (strncmp(line, "pixel ", 6) == 0) {
    int x = -1, y = -1;
    sscanf(line + 6, "%d %d", &x, &y);
    if (x >= 0 && y >= 0 && x < c->width && y < c->height) {
      /* 32 bits per pixel, red in the lowest byte: R, G, B, 0 in memory. */
      const uint8_t *px = c->frameBuffer + ((size_t)y * c->width + x) * 4;
      printf("pixel: %d %d %02x%02x%02x\n", x, y, px[0], px[1], px[2]);
      fflush(stdout);
    }
  } else if (strcmp(line, "size") == 0) {
    printf("size: %d %d\n", c->width, c->height);
    fflush(stdout);
  } else if (strcmp(line, "quit") == 0) {
    exit(0);
  }
}

int main(int argc, char **argv)
{
  if (argc != 3) {
    fprintf(stderr, "usage: rfb-probe HOST PORT\n");
    return 2;
  }
  rfbClient *c = rfbGetClient(8, 3, 4);
  free(c->serverHost);
  c->serverHost = strdup(argv[1]);
  c->serverPort = atoi(argv[2]);
  c->appData.encodingsString = "zrle";
  c->GotFrameBufferUpdate = on_update;
  c->FinishedFrameBufferUpdate = on_finished;
  c->GotXCutText = on_cut_text;
  c->HandleTextChat = on_text_chat;
  int fake_argc = 1;
  char *fake_argv[] = { "rfb-probe", NULL };
  if (!rfbInitClient(c, &fake_argc, fake_argv)) {
    fprintf(stderr, "rfb-probe: cannot connect\n");
    return 1;
  }
  /* Commands are read with read(2), not stdio: a stdio buffer would hide
   * lines from poll(2). */
  char buffer[16384];
  size_t have = 0;
  for (;;) {
    int n = WaitForMessage(c, 20000);
    if (n < 0 || (n > 0 && !HandleRFBServerMessage(c))) {
      fprintf(stderr, "rfb-probe: the server closed the connection\n");
      return 1;
    }
    struct pollfd in = { .fd = 0, .events = POLLIN };
    if (got_picture && poll(&in, 1, 0) > 0) {
      ssize_t got = read(0, buffer + have, sizeof buffer - 1 - have);
      if (got <= 0)
        return 0;
      have += got;
      char *end;
      while ((end = memchr(buffer, '\n', have)) != NULL) {
        *end = '\0';
        run_command(c, buffer);
        have -= end + 1 - buffer;
        memmove(buffer, end + 1, have);
      }
      if (have == sizeof buffer - 1)
        have = 0;   /* an absurd line: dropped */
    }
  }
}

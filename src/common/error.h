/* The one GError domain of Lifeline, and its codes.
 * Messages carried by these errors are meant for people: they say what
 * happened and what to do next. */
#pragma once
#include <glib.h>

#define LL_ERROR (ll_error_quark())
GQuark ll_error_quark(void);

typedef enum {
  LL_ERROR_FAILED,          /* anything without a more specific code */
  LL_ERROR_USAGE,           /* wrong command line */
  LL_ERROR_DAMAGED,         /* invitation truncated, altered or unreadable */
  LL_ERROR_VERSION,         /* invitation or peer from another format version */
  LL_ERROR_EXPIRED,         /* invitation past its lifetime */
  LL_ERROR_NOT_YET_VALID,   /* invitation created in the future */
  LL_ERROR_WRONG_PASSWORD,  /* sealed invitation could not be opened */
  LL_ERROR_PROTOCOL,        /* peer broke the session protocol */
  LL_ERROR_REFUSED,         /* the other side said no */
  LL_ERROR_SPENT,           /* invitation already used */
  LL_ERROR_WRONG_KEY,       /* peer's certificate is not the pinned one */
  LL_ERROR_WRONG_SECRET,    /* helper could not prove the invitation secret */
  LL_ERROR_UNREACHABLE,     /* no path to the peer */
  LL_ERROR_CLOSED,          /* the peer ended the session, saying why */
  LL_ERROR_CONNECTION_LOST, /* the connection broke without a goodbye */
  LL_ERROR_DISPLAY,         /* the X display cannot be shared */
  LL_ERROR_NOT_WAITING,     /* the rendezvous knows of nobody waiting there */
  LL_ERROR_WRONG_CODE,      /* a code that is not the one given (or was tampered with) */
} LlErrorCode;

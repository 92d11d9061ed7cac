#!/usr/bin/env python3
"""Runs a program that trusts the lab's own certificate authority as the
system's only one, as a help desk's computers trust theirs once it is
installed with update-ca-certificates: in a mount namespace of its own, the
CA's PEM file is bind-mounted over the system's bundle. Nothing outside
that namespace changes.

usage: trusting.py CA.pem PROGRAM [ARG ...]"""

import ctypes
import os
import sys

CLONE_NEWNS = 0x00020000
MS_REC = 0x4000
MS_PRIVATE = 1 << 18
MS_BIND = 0x1000
BUNDLE = "/etc/ssl/certs/ca-certificates.crt"

libc = ctypes.CDLL(None, use_errno=True)


def check(result, what):
    if result != 0:
        err = ctypes.get_errno()
        sys.exit(f"trusting.py: {what}: {os.strerror(err)}")


ca, argv = sys.argv[1], sys.argv[2:]
check(libc.unshare(CLONE_NEWNS), "unshare")
check(libc.mount(None, b"/", None, MS_REC | MS_PRIVATE, None), "making / private")
check(libc.mount(ca.encode(), BUNDLE.encode(), None, MS_BIND, None), "bind-mounting the CA")
os.execvp(argv[0], argv)

#!/usr/bin/env python3
"""End to end on Wayland: `lifeline invite` in a headless GNOME session
(Mutter with PipeWire, no X server at all).

usage: test_wayland.py LIFELINE [TEST ...]"""

import os
import subprocess
import sys

from harness import Suite
from wayland_session import HeadlessGnome

LIFELINE = sys.argv[1]
sys.argv = sys.argv[1:]
suite = Suite()


@suite.test
def test_gnome_session_is_named_not_shared_through_xwayland(work, cleanups):
    """Until the GNOME backend lands, a GNOME Wayland session gets one
    sentence naming it and what works, never an X error from XWayland."""
    gnome = HeadlessGnome()
    cleanups.append(gnome.stop)
    out = os.path.join(work, "inv.lifeline")
    r = subprocess.run([LIFELINE, "invite", "--no-upnp", "--out", out], capture_output=True,
                       text=True, timeout=30, env=gnome.env(HOME=work))
    assert r.returncode == 1, r
    assert "this is a Wayland session of GNOME" in r.stderr, r.stderr
    assert "X error" not in r.stderr, r.stderr
    assert not os.path.exists(out)


sys.exit(suite.run())

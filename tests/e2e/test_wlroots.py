#!/usr/bin/env python3
"""End to end on a wlroots compositor: `lifeline invite` in a headless
sway session (no X server) with a native Wayland window of known
content, run like sway as an unprivileged user; `lifeline join`;
third-party viewers through join's port; control and how it ends there;
outputs changing size, coming and going; the compositor going away.

usage: test_wlroots.py LIFELINE TOOLS_DIR [TEST ...]"""

import os
import socket
import subprocess
import sys
import threading
import time

from harness import (Process, Suite, assert_nothing_typed_arrives, assert_part_matches,
                     free_port, grant_control, image_size, type_into, vnc_snapshot,
                     viewer_size)
from sway_session import HeadlessSway

LIFELINE, TOOLS = sys.argv[1], sys.argv[2]
sys.argv = sys.argv[2:]
suite = Suite()
QUIET = 0.7          # how long "nothing arrives" is watched for


class SwaySession:
    """Alice shares a headless sway session with a Wayland window in it;
    Bob joined and was let in."""

    def __init__(self, work, cleanups, outputs=("1280x800",), window=True, copied_before=None):
        self.work = work
        self.sway = HeadlessSway(outputs)
        cleanups.append(self.sway.stop)
        self.cleanups = cleanups
        if copied_before is not None:
            self.copy(copied_before)
        self.window = None
        if window:
            self.window = Process(self.sway.as_user([os.path.join(TOOLS, "wayland-window"),
                                                     "640", "400"]),
                                  env=self.sway.env(GDK_BACKEND="wayland"), name="window")
            cleanups.append(self.window.stop)
            self.window.wait_for("ready")
        inv = os.path.join(self.sway.home, "help.lifeline")
        self.invite = Process(self.sway.as_user([LIFELINE, "invite", "-v", "--name", "Alice",
                                                 "--no-upnp", "--out", inv]),
                              env=self.sway.env(), name="invite")
        cleanups.append(self.invite.stop)
        self.invite.wait_for("Waiting for your helper")
        self.port = free_port()
        self.join = Process([LIFELINE, "join", "--name", "Bob", "--vnc-port", str(self.port), inv],
                            env=dict(os.environ, HOME=work,
                                     XDG_DATA_HOME=os.path.join(work, "data"),
                                     XDG_STATE_HOME=os.path.join(work, "state")),
                            name="join")
        cleanups.append(self.join.stop)
        self.invite.wait_for("Bob wants to see your screen. Allow? [y/N]")
        self.invite.send("y")
        try:
            self.join.wait_for("ready: ")
        except AssertionError:
            print("\n".join("# " + l for l in self.invite.err.splitlines()[-30:]))
            print("# SWAY " + self.sway.log("sway")[-1500:].replace("\n", "\n# "))
            raise
        self.probe = None

    def copy(self, text):
        """TEXT copied by a program of the novice's (wl-copy, which stays
        to hand it out until something else is copied)."""
        p = Process(self.sway.as_user(["wl-copy", "--foreground", "--type", "text/plain"]),
                    env=self.sway.env(), name="wl-copy")
        self.cleanups.append(p.stop)
        p.proc.stdin.write(text.encode())
        p.proc.stdin.close()
        return p

    def paste(self):
        """What a program of the novice's pastes now."""
        r = subprocess.run(self.sway.as_user(["wl-paste", "--no-newline"]), env=self.sway.env(),
                           capture_output=True, text=True, timeout=10)
        return r.stdout

    def start_probe(self):
        self.probe = Process([os.path.join(TOOLS, "rfb-probe"), "127.0.0.1", str(self.port)],
                             name="probe")
        self.cleanups.append(self.probe.stop)
        self.probe.wait_for("ready")

    def assert_matches_compositor(self, size):
        snap, reference = os.path.join(self.work, "snap.jpg"), os.path.join(self.work, "ref.png")
        vnc_snapshot(self.port, snap)
        self.sway.reference(reference)
        assert image_size(snap) == size, image_size(snap)
        assert_part_matches(snap, (0, 0) + size, reference, "the compositor's picture")

    def grant_control(self):
        grant_control(self.invite, self.join, "type /stop here",
                      "Type /stop here to take it back.")

    def pointer_into_window(self):
        """Moves the helper's pointer until the window has one. Headless
        sway has no pointer of its own, so its seat gets one only with
        Lifeline's virtual pointer when control starts, and the window asks
        for it only after sway announced it: a click before that reaches
        nobody. (A desktop with a mouse has a pointer long before.)"""
        deadline = time.monotonic() + 20
        for step in range(1000):
            self.probe.send(f"move {100 + step % 2} 100")
            try:
                # From the start: sway may send the pointer in as soon as the
                # window has one, before any move (the window fills the screen
                # and the pointer never leaves it).
                self.window.wait_for("pointer: in", timeout=0.5)
                return
            except AssertionError:
                if time.monotonic() > deadline:
                    raise

    def type_into_window(self, text):
        type_into(self.window, self.probe, text)

    def assert_nothing_typed_arrives(self):
        assert_nothing_typed_arrives(self.window, self.probe, QUIET)


@suite.test
def test_wlroots_screen_matches_the_compositor(work, cleanups):
    s = SwaySession(work, cleanups)
    assert "the Wayland desktop of sway" in s.invite.err
    s.assert_matches_compositor((1280, 800))


@suite.test
def test_wlroots_typing_clicking_and_stop(work, cleanups):
    s = SwaySession(work, cleanups)
    s.start_probe()
    s.grant_control()
    s.pointer_into_window()
    s.probe.send("click 300 200")
    s.window.wait_for("click: ")
    s.type_into_window("HelloWorld")   # Shift added where the viewer sent none
    stopped = s.join.mark()
    s.invite.send("/stop")
    s.join.wait_for("control: ended: Alice took control back", since=stopped)
    s.assert_nothing_typed_arrives()


@suite.test
def test_wlroots_clipboard_directions(work, cleanups):
    s = SwaySession(work, cleanups, window=False, copied_before="copied before sharing")
    s.start_probe()
    # Novice -> helper: allowed while viewing; what was copied before the
    # sharing began is not the helper's.
    s.copy("copied by Alice")
    s.probe.wait_for("cut: copied by Alice")
    assert "cut: copied before sharing" not in s.probe.out
    # Helper -> novice: refused while viewing ...
    s.probe.send("cut from Bob while viewing")
    time.sleep(QUIET)
    assert s.paste() == "copied by Alice"
    # ... and taken while in control.
    s.grant_control()
    s.probe.send("cut from Bob in control")
    deadline = time.monotonic() + 10
    while s.paste() != "from Bob in control" and time.monotonic() < deadline:
        time.sleep(0.1)
    assert s.paste() == "from Bob in control"
    # Copied again by the novice: the helper gets it, not their own text back.
    s.copy("second copy by Alice")
    s.probe.wait_for("cut: second copy by Alice")
    assert "cut: from Bob in control" not in s.probe.out
    # More than Lifeline takes (256 KiB) is not shared; what follows is.
    s.copy("x" * 300000)
    time.sleep(QUIET)
    s.copy("after the large one")
    s.probe.wait_for("cut: after the large one")
    assert "cut: xxx" not in s.probe.out


@suite.test
def test_wlroots_follows_a_resolution_change(work, cleanups):
    s = SwaySession(work, cleanups, window=False)
    s.start_probe()
    assert viewer_size(s.probe, (1280, 800)) == (1280, 800)
    s.sway.msg("output", "HEADLESS-1", "resolution", "1024x768")
    got = viewer_size(s.probe, (1024, 768))
    assert got == (1024, 768), got
    s.assert_matches_compositor((1024, 768))
    assert s.probe.proc.poll() is None


@suite.test
def test_wlroots_two_outputs(work, cleanups):
    s = SwaySession(work, cleanups, outputs=("800x600", "640x480"), window=False)
    s.join.wait_for("monitors: 1=HEADLESS-1 800x600+0+0, 2=HEADLESS-2 640x480+800+0; "
                    "showing: all")
    s.assert_matches_compositor((1440, 600))
    s.start_probe()
    s.join.send("/monitor 2")
    assert viewer_size(s.probe, (640, 480)) == (640, 480)


@suite.test
def test_wlroots_compositor_gone(work, cleanups):
    s = SwaySession(work, cleanups, window=False)
    s.sway.sway.send_signal(15)
    s.invite.wait_for("the Wayland compositor went away")
    s.join.wait_for("The session ended: the Wayland compositor went away", timeout=30)


class HungCompositor:
    """A Wayland socket whose compositor accepts connections and never
    answers (as a hung compositor would)."""

    def __init__(self, runtime_dir):
        self.path = os.path.join(runtime_dir, "wayland-hung")
        self.server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.server.bind(self.path)
        self.server.listen(8)
        self.held = []
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    def _accept(self):
        while True:
            try:
                self.held.append(self.server.accept()[0])
            except OSError:
                return

    def stop(self):
        self.server.shutdown(socket.SHUT_RDWR)
        self.server.close()
        for c in self.held:
            c.close()


@suite.test
def test_wlroots_hung_compositor_is_named(work, cleanups):
    """A compositor that never answers gets a sentence, not a hang."""
    runtime = os.path.join(work, "runtime")
    os.makedirs(runtime, mode=0o700)
    hung = HungCompositor(runtime)
    cleanups.append(hung.stop)
    env = dict(os.environ, HOME=work, XDG_RUNTIME_DIR=runtime, WAYLAND_DISPLAY="wayland-hung",
               XDG_SESSION_TYPE="wayland", XDG_CURRENT_DESKTOP="sway")
    env.pop("DISPLAY", None)
    r = subprocess.run([LIFELINE, "invite", "--desktop", "wlroots", "--no-upnp", "--out",
                        os.path.join(work, "inv.lifeline")],
                       capture_output=True, text=True, timeout=60, env=env)
    assert r.returncode == 1, (r.returncode, r.stderr)
    assert "did not answer within 5 s; it may be hung" in r.stderr, r.stderr
    assert hung.held, "Lifeline never connected"


if __name__ == "__main__":
    suite.run()

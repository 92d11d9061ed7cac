#!/usr/bin/env python3
"""End to end: chat, control with consent, Esc, clipboard and the audit
log. The novice's desktop is an Xvfb with an input-recording window (or
an xterm); the helper's input comes from rfb-probe, a libvncclient viewer,
through `lifeline join`'s local port.

usage: test_assist.py LIFELINE TOOLS_DIR [TEST ...]"""

import json
import os
import signal
import subprocess
import sys
import time

from harness import Process, Suite, Xvfb, free_port

LIFELINE, TOOLS = sys.argv[1], sys.argv[2]
sys.argv = sys.argv[2:]
suite = Suite()
QUIET = 0.7   # how long "nothing arrives" is watched for


class Session:
    """A novice sharing an Xvfb, a helper joined and accepted, a recorder
    window with focus on the novice's screen, and a probe viewer."""

    def __init__(self, work, cleanups, *invite_args, recorder=True):
        self.work = work
        self.x = Xvfb(800, 600)
        cleanups.append(self.x.stop)
        self.state = os.path.join(work, "novice", "state")
        inv = os.path.join(work, "help.lifeline")
        self.invite = Process([LIFELINE, "invite", "--name", "Alice", "--out", inv, *invite_args],
                              env=self.env("novice"), name="invite")
        cleanups.append(self.invite.stop)
        self.invite.wait_for("Waiting for your helper")
        port = free_port()
        self.join = Process([LIFELINE, "join", "--name", "Bob", "--vnc-port", str(port), inv],
                            env=self.env("helper"), name="join")
        cleanups.append(self.join.stop)
        self.invite.wait_for("Bob wants to see your screen. Allow? [y/N]")
        self.invite.send("y")
        self.join.wait_for("ready: ")
        self.recorder = None
        if recorder:
            self.recorder = Process([os.path.join(TOOLS, "x-event-recorder"), "0", "0", "400", "300"],
                                    env=self.x.env(), name="recorder")
            cleanups.append(self.recorder.stop)
            self.recorder.wait_for("ready")
        self.probe = Process([os.path.join(TOOLS, "rfb-probe"), "127.0.0.1", str(port)],
                             env=self.x.env(), name="probe")
        cleanups.append(self.probe.stop)
        self.probe.wait_for("ready")

    def env(self, who):
        return self.x.env(HOME=self.work, XDG_DATA_HOME=os.path.join(self.work, who, "data"),
                          XDG_STATE_HOME=os.path.join(self.work, who, "state"))

    def grant_control(self):
        asked, granted = self.invite.mark(), self.join.mark()
        self.join.send("/control")
        self.invite.wait_for("Bob asks to control your keyboard and mouse (press Esc to take it back). Allow? [y/N]",
                             since=asked)
        self.invite.send("y")
        self.join.wait_for("control: granted", since=granted)

    def assert_nothing_arrives(self, since):
        time.sleep(QUIET)
        extra = self.recorder.out[since:]
        assert extra == "", f"events arrived that should not have: {extra!r}"

    def audit(self):
        path = os.path.join(self.state, "lifeline", "audit.log")
        with open(path) as f:
            return [json.loads(line) for line in f if line.strip()]


@suite.test
def test_view_only_until_granted_then_esc(work, cleanups):
    s = Session(work, cleanups)
    mark = len(s.recorder.out)
    s.probe.send("click 50 60")
    s.probe.send("type abc")
    s.assert_nothing_arrives(mark)   # viewing: dropped before X

    s.grant_control()
    s.probe.send("click 50 60")
    s.probe.send("type hello")
    s.recorder.wait_for("key o\n")
    got = s.recorder.out[mark:].splitlines()
    assert got == ["button 1 50 60", "key h", "key e", "key l", "key l", "key o"], got
    assert "is now controlling your keyboard and mouse. Press Esc to take it back." in s.invite.out

    # Esc on the novice's own keyboard (xdotool, on the novice's display).
    t0 = time.monotonic()
    subprocess.run(["xdotool", "key", "Escape"], env=s.x.env(), check=True)
    s.join.wait_for("control: ended: Alice pressed Esc")
    print(f"# Esc to helper told: {(time.monotonic() - t0) * 1000:.0f} ms", flush=True)
    s.recorder.wait_for("key Escape\n")   # the application still got its Esc
    s.invite.wait_for("You pressed Esc: Bob no longer controls your computer.")
    mark = len(s.recorder.out)
    s.probe.send("type zz")
    s.probe.send("click 10 10")
    s.assert_nothing_arrives(mark)

    events = [e["event"] for e in s.audit()]
    for expected in ("invitation-created", "consent-given", "session-start", "control-requested",
                     "control-granted", "control-ended"):
        assert expected in events, (expected, events)
    ended = [e for e in s.audit() if e["event"] == "control-ended"]
    assert ended[-1]["by"] == "esc" and ended[-1]["helper"] == "Bob"
    consent = [e for e in s.audit() if e["event"] == "consent-given"][0]
    assert consent["helper-key"].startswith("sha256:")
    # `lifeline log` shows it readably, and no secret is in the log.
    r = subprocess.run([LIFELINE, "log"], env=s.env("novice"), capture_output=True, text=True)
    assert r.returncode == 0 and "control-ended" in r.stdout and "by=esc" in r.stdout, r.stdout
    with open(os.path.join(work, "help.lifeline")) as f:
        secret = [l for l in f.read().splitlines() if l.startswith("secret=")][0][7:]
    with open(os.path.join(s.state, "lifeline", "audit.log")) as f:
        assert secret not in f.read()
    # The helper keeps a record of their own: whom, which key, control, the end.
    s.join.proc.send_signal(signal.SIGINT)
    assert s.join.wait_exit() == 0
    with open(os.path.join(work, "helper", "state", "lifeline", "audit.log")) as f:
        helped = [json.loads(line) for line in f if line.strip()]
    assert [e["event"] for e in helped] == ["helped-session-start", "helped-control-granted",
                                           "helped-control-ended", "helped-session-end"], helped
    novice_key = subprocess.run([LIFELINE, "id"], env=s.env("novice"), capture_output=True,
                                text=True, check=True).stdout.splitlines()[0]
    assert helped[0]["novice"] == "Alice" and helped[0]["novice-key"] == novice_key, helped[0]
    assert helped[0]["session"] == consent["session"] and helped[0]["path"] == "direct", helped[0]
    assert helped[2]["by"] == "esc" and helped[3]["reason"] == "the helper left", helped
    r = subprocess.run([LIFELINE, "log"], env=s.env("helper"), capture_output=True, text=True)
    assert r.returncode == 0 and "helped-session-start" in r.stdout and "novice=Alice" in r.stdout, r


@suite.test
def test_helper_escape_does_not_end_control(work, cleanups):
    s = Session(work, cleanups)
    s.grant_control()
    s.probe.send("key Escape")
    s.recorder.wait_for("key Escape\n")
    s.probe.send("type q")
    s.recorder.wait_for("key q\n")   # still in control
    assert "control: ended" not in s.join.out


@suite.test
def test_novice_refuses_control(work, cleanups):
    s = Session(work, cleanups)
    s.join.send("/control")
    s.invite.wait_for("asks to control your keyboard and mouse (press Esc to take it back). Allow? [y/N]")
    s.invite.send("n")
    s.join.wait_for("control: refused: Alice said no")
    mark = len(s.recorder.out)
    s.probe.send("type abc")
    s.probe.send("click 5 5")
    s.assert_nothing_arrives(mark)
    assert "control-refused" in [e["event"] for e in s.audit()]


@suite.test
def test_release_and_stop(work, cleanups):
    s = Session(work, cleanups)
    s.grant_control()
    s.join.send("/release")
    s.join.wait_for("control: ended: you gave control back")
    s.invite.wait_for("Bob gave control back and can only watch now.")
    mark = len(s.recorder.out)
    s.probe.send("type r")
    s.assert_nothing_arrives(mark)
    s.grant_control()
    ended = s.join.mark()
    s.invite.send("/stop")
    s.join.wait_for("control: ended: Alice took control back", since=ended)
    mark = len(s.recorder.out)
    s.probe.send("type s")
    s.assert_nothing_arrives(mark)
    by = [e["by"] for e in s.audit() if e["event"] == "control-ended"]
    assert by == ["release", "stop"], by


@suite.test
def test_view_only_session(work, cleanups):
    s = Session(work, cleanups, "--view-only")
    s.join.send("/control")
    s.join.wait_for("control: refused: this session is view-only")
    assert "asks to control" not in s.invite.out
    mark = len(s.recorder.out)
    s.probe.send("type v")
    s.assert_nothing_arrives(mark)


@suite.test
def test_drop_ends_control(work, cleanups):
    # A lost connection ends control at once; the session waits the grace
    # period for the helper, who never comes back here, then ends.
    s = Session(work, cleanups, "--grace", "3s")
    s.grant_control()
    s.join.proc.kill()   # the connection drops without a goodbye
    s.invite.wait_for("no longer controls your computer")
    s.invite.wait_for("The connection to Bob was interrupted. Waiting up to 3 seconds")
    lost = time.monotonic()
    s.invite.wait_for("Sharing stopped: the connection was lost and did not come back within "
                      "3 seconds.")
    assert 2.5 < time.monotonic() - lost < 6
    events = [e["event"] for e in s.audit()]
    by = [e["by"] for e in s.audit() if e["event"] == "control-ended"]
    assert by == ["drop"], by
    assert events.index("control-ended") < events.index("connection-lost") < \
        events.index("session-end"), events
    assert events[-1] == "session-end"
    assert s.invite.proc.wait(5) == 1


@suite.test
def test_typing_into_xterm(work, cleanups):
    s = Session(work, cleanups, recorder=False)
    marker = os.path.join(work, "typed-by-helper.txt")
    s.x.spawn("xterm", "-geometry", "80x24+0+0", "-title", "lifeline-xterm", "-e", "sh")
    s.x.wait_window("lifeline-xterm")
    time.sleep(0.5)
    s.grant_control()
    s.probe.send("click 100 100")   # the pointer over the xterm gives it the keyboard
    s.probe.send(f"type echo typed by Bob > {marker}")
    s.probe.send("key Return")
    deadline = time.monotonic() + 10
    while not os.path.exists(marker) and time.monotonic() < deadline:
        time.sleep(0.1)
    time.sleep(0.3)
    with open(marker) as f:
        assert f.read() == "typed by Bob\n"
    s.x.screenshot(os.path.join(work, "xterm.png"))


@suite.test
def test_chat_both_ways(work, cleanups):
    s = Session(work, cleanups, recorder=False)
    s.join.send("héllo wörld ✓ – can you see the icon?")
    s.invite.wait_for("Bob: héllo wörld ✓ – can you see the icon?\n")
    s.invite.send("Oui, ça va. 日本語も")
    s.join.wait_for("Alice: Oui, ça va. 日本語も\n")
    s.join.send("x" * 5000)
    s.join.wait_for("that message is too long (5000 bytes; at most 4096) and was not sent")
    s.join.send("after the long one")
    s.invite.wait_for("Bob: after the long one")
    assert "xxxx" not in s.invite.out
    s.invite.send("y" * 4097)
    s.invite.wait_for("too long (4097 bytes; at most 4096)")
    # An UltraVNC TextChat viewer reaches the same chat, both ways.
    s.probe.send("chat from the viewer")
    s.invite.wait_for("Bob: from the viewer")
    s.invite.send("back to the viewer")
    s.probe.wait_for("chat: back to the viewer")
    s.join.wait_for("Alice: back to the viewer")


def clipboard(x, *args, stdin=None):
    return subprocess.run(["xclip", "-selection", "clipboard", *args], env=x.env(), input=stdin,
                          capture_output=True, text=True, timeout=10)


@suite.test
def test_clipboard_directions(work, cleanups):
    s = Session(work, cleanups, recorder=False)
    # Novice -> helper: allowed while viewing.
    owner = subprocess.Popen(["xclip", "-quiet", "-selection", "clipboard", "-i"], env=s.x.env(),
                             stdin=subprocess.PIPE, stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL)
    cleanups.append(lambda: (owner.kill(), owner.wait()))
    owner.stdin.write(b"copied by Alice")
    owner.stdin.close()
    s.probe.wait_for("cut: copied by Alice")
    # Helper -> novice: refused while viewing.
    s.probe.send("cut from Bob while viewing")
    time.sleep(QUIET)
    assert clipboard(s.x, "-o").stdout == "copied by Alice"
    # ... and taken while in control.
    s.grant_control()
    s.probe.send("cut from Bob in control")
    deadline = time.monotonic() + 10
    while clipboard(s.x, "-o").stdout != "from Bob in control" and time.monotonic() < deadline:
        time.sleep(0.1)
    assert clipboard(s.x, "-o").stdout == "from Bob in control"


sys.exit(suite.run())

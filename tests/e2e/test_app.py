#!/usr/bin/env python3
"""End to end: the desktop app on both sides, driven with xdotool under
Xvfb, no manual step. The novice's app makes an invitation; the helper's app
opens it; the consent dialog is answered with a key; the helper's gtk-vnc
viewer shows the novice's desktop; control, typing into an xterm, Esc,
chat both ways; a sealed invitation with a wrong password. Each screen is
saved as a PNG in the test's directory (LIFELINE_KEEP_E2E=1 keeps them).

usage: test_app.py LIFELINE [TEST ...]"""

import os
import re
import subprocess
import sys
import time

from harness import Process, Suite, Xvfb, Xvnc, differing_pixels, free_port, image_size

LIFELINE = os.path.abspath(sys.argv[1])
sys.argv = sys.argv[1:]
suite = Suite()
SHOTS = os.environ.get("LIFELINE_APP_SHOTS")   # also copy screenshots here


# The sanitizer build: the toolkit's own caches are not Lifeline's leaks.
LSAN = "suppressions=" + os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                      "lsan-desktop.supp") + ":print_suppressions=0"


def person_env(work, who, x):
    return x.env(HOME=os.path.join(work, who), XDG_DATA_HOME=os.path.join(work, who, "data"),
                 XDG_STATE_HOME=os.path.join(work, who, "state"),
                 XDG_CONFIG_HOME=os.path.join(work, who, "config"), GTK_THEME="Adwaita",
                 NO_AT_BRIDGE="1", GDK_BACKEND="x11", LSAN_OPTIONS=LSAN)


def xdo(x, *args):
    return subprocess.run(["xdotool", *args], env=x.env(), capture_output=True, text=True,
                          timeout=20)


def key(x, *keys):
    xdo(x, "key", "--delay", "60", *keys)
    time.sleep(0.3)


def answer(x, keys, process, expected, since=0):
    """Presses KEYS in the dialog that just opened until EXPECTED shows on
    PROCESS: a dialog takes the keyboard only once it is mapped, which
    takes longer under the sanitizers."""
    for _ in range(8):
        key(x, keys)
        try:
            return process.wait_for(expected, timeout=2, since=since)
        except AssertionError:
            continue
    return process.wait_for(expected, timeout=5, since=since)


def allow(x, process, expected, since=0):
    """Alt+A (Allow) in the dialog that just opened."""
    return answer(x, "alt+a", process, expected, since)


def shot(x, work, name):
    path = os.path.join(work, f"{name}.png")
    x.screenshot(path)
    if SHOTS:
        os.makedirs(SHOTS, exist_ok=True)
        subprocess.run(["cp", path, SHOTS], check=True)
    return path


def focus_window(x, title, what):
    """Focuses the visible window titled TITLE (a regular expression; there
    is no window manager); returns its id."""
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        ids = xdo(x, "search", "--onlyvisible", "--name", title).stdout.split()
        if ids:
            xdo(x, "windowfocus", "--sync", ids[0])
            return ids[0]
        time.sleep(0.2)
    raise AssertionError(f"{what} never appeared")


def main_window(x):
    """Focuses the app's main window."""
    return focus_window(x, "^Lifeline$", "the Lifeline window")


def bar_window(x):
    """Focuses the novice's sharing bar; returns (id, x, y, width, height)."""
    window = focus_window(x, "^Lifeline: sharing$", "the sharing bar")
    geo = xdo(x, "getwindowgeometry", "--shell", window).stdout
    g = dict(line.split("=", 1) for line in geo.split())
    return window, int(g["X"]), int(g["Y"]), int(g["WIDTH"]), int(g["HEIGHT"])


def main_window_shown(x):
    return bool(xdo(x, "search", "--onlyvisible", "--name", "^Lifeline$").stdout.split())


class Pair:
    """The novice's app on one display (with an xterm), the helper's on
    another; the invitation made and opened, the novice's yes given."""

    def __init__(self, work, cleanups, password=None, watch_only=False):
        self.work = work
        self.nx = Xvfb(1024, 768)
        cleanups.append(self.nx.stop)
        self.nx.run("xsetroot", "-solid", "#204a87")
        self.hx = Xvfb(1600, 1200)
        cleanups.append(self.hx.stop)
        for who, x in (("novice", self.nx), ("helper", self.hx)):
            name = "Alice" if who == "novice" else "Bob"
            subprocess.run([LIFELINE, "id", "--name", name], env=person_env(work, who, x),
                           check=True, capture_output=True, timeout=30)
        self.novice = Process([LIFELINE, "app", "--get-help"], env=person_env(work, "novice", self.nx),
                              name="novice-app")
        cleanups.append(self.novice.stop)
        main_window(self.nx)
        if password is not None or watch_only:
            key(self.nx, "alt+o")                      # Options
        if password is not None:
            key(self.nx, "alt+p")                      # Password
            xdo(self.nx, "type", "--delay", "30", password)
        if watch_only:
            key(self.nx, "alt+w")                      # Only watch
            shot(self.nx, work, "novice-options")
        key(self.nx, "alt+i")                          # Invite a helper
        out = self.novice.wait_for("invitation: ")
        self.invitation = out.split("invitation: ")[1].splitlines()[0]
        assert os.path.exists(self.invitation), out
        shot(self.nx, work, "novice-waiting")

    def open_in_helper(self, cleanups):
        self.helper = Process([LIFELINE, "app", self.invitation],
                              env=person_env(self.work, "helper", self.hx), name="helper-app")
        cleanups.append(self.helper.stop)
        self.hwin = main_window(self.hx)
        xdo(self.hx, "windowsize", "--sync", self.hwin, "1560", "1160")

    def accept(self):
        self.novice.wait_for("asking: Bob wants to see your screen")
        # The name leads; that it is self-chosen is said; the key is under Details.
        out = self.novice.wait_for("details: Their key: ")
        assert ("\u201cBob\u201d is the name they gave themselves; Lifeline cannot check it."
                in out), out
        time.sleep(0.5)
        shot(self.nx, self.work, "novice-consent")
        allow(self.nx, self.helper, "ready: viewer")
        self.novice.wait_for("sharing: Bob can now see your screen.")
        # While sharing, the main window gives way to a small bar at the top.
        self.novice.wait_for("bar: shown")
        _, bx, by, bw, bh = bar_window(self.nx)
        assert not main_window_shown(self.nx), "the main window still covers the screen"
        assert bw * bh < 0.1 * 1024 * 768 and by < 100, f"the bar is {bw}x{bh}+{bx}+{by}"
        print(f"# the sharing bar: {bw}x{bh}+{bx}+{by} on 1024x768", flush=True)


def viewer_geometry(helper):
    """The last 'viewer: X Y W H remote RW RH' line with a remote size."""
    lines = [l for l in helper.out.splitlines() if l.startswith("viewer: ")]
    for line in reversed(lines):
        x, y, w, h, _, rw, rh = line.split()[1:8]
        if int(rw) > 0:
            return int(x), int(y), int(w), int(h), int(rw), int(rh)
    return None


def remote_origins(geo):
    """Where the 1:1 remote screen can be in the viewer widget: at its
    top-left corner, or centred when the widget is larger."""
    vx, vy, vw, vh, rw, rh = geo
    return [(vx, vy), (vx + max(0, (vw - rw) // 2), vy + max(0, (vh - rh) // 2))]


def scaled_shape(work, screen, geo):
    """The remote picture within the scaled viewer (what is not the black
    around it) has the remote screen's width to height, within 2 %."""
    vx, vy, vw, vh, rw, rh = geo
    crop = os.path.join(work, "viewer-scaled.png")
    subprocess.run(["convert", screen, "-crop", f"{vw}x{vh}+{vx}+{vy}", "+repage",
                    "-bordercolor", "black", "-border", "1", "-fuzz", "3%", "-trim", "+repage",
                    crop], check=True, timeout=30)
    w, h = image_size(crop)
    assert abs(w / h - rw / rh) < 0.02 * rw / rh, f"scaled to {w}x{h}, the screen is {rw}x{rh}"


def crop_viewer(work, screen, origin, rw, rh):
    crop = os.path.join(work, f"viewer-crop-{origin[0]}-{origin[1]}.png")
    subprocess.run(["convert", screen, "-crop", f"{rw}x{rh}+{origin[0]}+{origin[1]}", "+repage",
                    crop], check=True, timeout=30)
    return crop


@suite.test
def test_helper_picks_a_monitor(work, cleanups):
    """The helper's app on a novice with two monitors: a Monitor menu
    appears, and picking monitor 1 shows only it (the novice is told)."""
    nx = Xvnc(1600, 600)
    cleanups.append(nx.stop)
    nx.run("xrandr", "--setmonitor", "left", "800/0x600/0+0+0", "VNC-0")
    nx.run("xrandr", "--setmonitor", "right", "800/0x600/0+800+0", "none")
    nx.run("xsetroot", "-solid", "#3465a4")
    nx.spawn("xlogo", "-geometry", "300x300+250+150")
    hx = Xvfb(1600, 1200)
    cleanups.append(hx.stop)
    inv = os.path.join(work, "help.lifeline")
    invite = Process([LIFELINE, "invite", "--name", "Alice", "--out", inv],
                     env=person_env(work, "novice", nx), name="invite")
    cleanups.append(invite.stop)
    invite.wait_for("Waiting for your helper")
    subprocess.run([LIFELINE, "id", "--name", "Bob"], env=person_env(work, "helper", hx),
                   check=True, capture_output=True, timeout=30)
    helper = Process([LIFELINE, "app", inv], env=person_env(work, "helper", hx), name="helper-app")
    cleanups.append(helper.stop)
    invite.wait_for("Bob wants to see your screen (all 2 monitors). Allow? [y/N]")
    invite.send("y")
    helper.wait_for("monitors: 2, showing 0")
    main_window(hx)
    for _ in range(8):   # the menu takes the keyboard once the session page shows
        key(hx, "alt+m", "Down")
        try:
            helper.wait_for("monitors: 2, showing 1", timeout=2)
            break
        except AssertionError:
            continue
    helper.wait_for("monitors: 2, showing 1")
    invite.wait_for("Bob now sees only monitor 1 of 2 (left).")
    shot(hx, work, "helper-monitor-menu")


@suite.test
def test_password_rules_and_made_one(work, cleanups):
    """A short password is refused with a sentence; Make one fills in four
    words that seal the invitation."""
    nx = Xvfb(1024, 768)
    cleanups.append(nx.stop)
    subprocess.run([LIFELINE, "id", "--name", "Alice"], env=person_env(work, "novice", nx),
                   check=True, capture_output=True, timeout=30)
    app = Process([LIFELINE, "app", "--get-help"], env=person_env(work, "novice", nx),
                  name="novice-app")
    cleanups.append(app.stop)
    main_window(nx)
    key(nx, "alt+o")                               # Options
    key(nx, "alt+p")                               # Password
    xdo(nx, "type", "--delay", "30", "short")
    key(nx, "alt+i")
    app.wait_for("error: That password is too short to protect an invitation (5 characters)")
    key(nx, "alt+m")                               # Make one
    app.wait_for("password: made")
    shot(nx, work, "novice-password-made")
    key(nx, "alt+i")
    out = app.wait_for("invitation: ")
    path = out.split("invitation: ")[1].splitlines()[0]
    with open(path) as f:
        assert "[Lifeline Sealed Invitation]" in f.read()


@suite.test
def test_invite_consent_and_view(work, cleanups):
    p = Pair(work, cleanups)
    p.nx.spawn("xterm", "-geometry", "60x8+560+560", "-bg", "#fce94f", "-fg", "black")
    p.nx.wait_window("xterm")
    p.open_in_helper(cleanups)
    p.accept()
    # While an invitation or a session runs, Back is gone: End session stays in sight.
    assert "back: hidden while busy" in p.novice.out and "back: hidden while busy" in p.helper.out
    # Scaled to the window, the picture keeps the novice's screen's shape.
    deadline = time.monotonic() + 15
    while viewer_geometry(p.helper) is None and time.monotonic() < deadline:
        time.sleep(0.2)
    time.sleep(1.0)
    scaled_shape(work, shot(p.hx, work, "helper-scaled"), viewer_geometry(p.helper))
    # 1:1: no scaling, so the viewer's pixels are the novice's.
    main_window(p.hx)
    key(p.hx, "alt+s")
    p.helper.wait_for("viewer: ")
    deadline = time.monotonic() + 15
    diff = None
    while time.monotonic() < deadline:
        time.sleep(1.0)
        geo = viewer_geometry(p.helper)
        if geo is None:
            continue
        vx, vy, vw, vh, rw, rh = geo
        assert (rw, rh) == (1024, 768), geo
        root = shot(p.nx, work, "novice-shared")
        helper_screen = shot(p.hx, work, "helper-viewer")
        diff = min(differing_pixels(root, crop_viewer(work, helper_screen, origin, rw, rh), 10)
                   for origin in remote_origins(geo))
        if diff <= 0.01 * rw * rh:
            break
    # Tolerance: 1 % of the pixels may differ by more than 10 % (the
    # consent dialog fading, the text cursor blinking).
    assert diff is not None and diff <= 0.01 * 1024 * 768, f"{diff} pixels differ"
    # End session in the bar: the main window comes back and says so.
    bar_window(p.nx)
    answer(p.nx, "alt+e", p.novice, "stopped: Nobody can see your screen now.")   # End session
    p.novice.wait_for("bar: hidden")
    main_window(p.nx)
    time.sleep(0.5)
    shot(p.nx, work, "novice-ended")
    p.helper.wait_for("ended: The session ended: Alice stopped sharing the screen.")


@suite.test
def test_control_typing_and_esc(work, cleanups):
    p = Pair(work, cleanups)
    typed = os.path.join(work, "typed.txt")
    p.nx.spawn("xterm", "-geometry", "60x8+560+560", "-e", "sh", "-c", f"cat > {typed}")
    p.nx.wait_window("xterm")
    p.open_in_helper(cleanups)
    p.accept()
    main_window(p.hx)
    key(p.hx, "alt+s")                                 # 1:1, to point at the xterm
    mark = p.helper.mark()
    key(p.hx, "alt+c")                                 # Request control
    p.helper.wait_for('control toggle: on, greyed, "Waiting for Alice', since=mark)
    p.novice.wait_for("asking: Bob asks to control your keyboard and mouse")
    time.sleep(0.5)
    shot(p.nx, work, "novice-control-request")
    allow(p.nx, p.helper, "control: granted", since=mark)
    p.helper.wait_for('control toggle: on, enabled, "Release _control"', since=mark)
    time.sleep(1.0)
    geo = viewer_geometry(p.helper)
    screen = shot(p.hx, work, "helper-granted")
    root = shot(p.nx, work, "novice-granted")
    ox, oy = min(remote_origins(geo), key=lambda o: differing_pixels(
        root, crop_viewer(work, screen, o, geo[4], geo[5]), 10))
    # The helper's pointer over the xterm in the viewer moves the novice's
    # pointer there, which gives the xterm the keyboard (no window manager).
    xdo(p.hx, "mousemove", "--sync", str(ox + 700), str(oy + 620))
    xdo(p.hx, "click", "1")
    time.sleep(0.5)
    xdo(p.hx, "type", "--delay", "80", "hello from Bob")
    key(p.hx, "Return")
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if os.path.exists(typed) and "hello from Bob" in open(typed).read():
            break
        time.sleep(0.2)
    assert "hello from Bob" in open(typed).read()
    shot(p.hx, work, "helper-in-control")
    # Esc on the novice's keyboard: the helper's toggle flips back within 1 s.
    mark = p.helper.mark()
    pressed = time.monotonic()
    key(p.nx, "Escape")
    p.helper.wait_for('control toggle: off, enabled, "Request _control"', since=mark, timeout=5)
    flipped = p.helper.arrival_time('control toggle: off', since=mark)
    assert flipped - pressed < 1.0, f"the toggle flipped back after {flipped - pressed:.2f} s"
    assert "control: ended: Alice pressed Esc" in p.helper.out[mark:]


@suite.test
def test_watch_only_invitation(work, cleanups):
    """"Only watch" among the invitation's options: the helper sees the
    screen, and asking for control is refused without bothering Alice."""
    p = Pair(work, cleanups, watch_only=True)
    p.open_in_helper(cleanups)
    p.accept()
    main_window(p.hx)
    key(p.hx, "alt+h")                                 # out of the viewer, which takes keys
    mark = p.helper.mark()
    answer(p.hx, "alt+c", p.helper, "control: refused: this session is view-only",
           since=mark)                                 # Request control
    assert "asking: Bob asks to control" not in p.novice.out, p.novice.out


@suite.test
def test_closing_the_helpers_window_asks(work, cleanups):
    """Closing the helper's window mid-session (Ctrl+Q, as its close button)
    asks first: Stay keeps the session, Leave ends it and Alice is told."""
    p = Pair(work, cleanups)
    p.open_in_helper(cleanups)
    p.accept()
    main_window(p.hx)
    key(p.hx, "alt+h")                                 # out of the viewer, which takes keys
    answer(p.hx, "ctrl+q", p.helper, "asking: Leave the session with Alice?")
    time.sleep(0.5)
    shot(p.hx, work, "helper-leave-question")
    answer(p.hx, "alt+s", p.helper, "leave: stayed")   # Stay
    assert "stopped:" not in p.novice.out and p.helper.proc.poll() is None
    main_window(p.hx)
    key(p.hx, "alt+h")
    mark = p.helper.out.rindex("leave: stayed")
    answer(p.hx, "ctrl+q", p.helper, "asking: Leave the session with Alice?", since=mark)
    answer(p.hx, "alt+l", p.helper, "leave: yes", since=mark)   # Leave
    p.novice.wait_for("stopped: Nobody can see your screen now: Bob left the session.")
    assert p.helper.wait_exit(20) == 0


@suite.test
def test_code_in_both_apps(work, cleanups):
    """With a rendezvous, "Get a code" shows a code; the helper types it
    into the Help someone page; a wrong one is refused there in words and
    the novice's page shows a fresh code and why; the right one leads to
    the usual question and the desktop."""
    port = free_port(4900, 5200)
    url = f"ws://127.0.0.1:{port}/lifeline"
    rv = Process([LIFELINE, "rendezvous", "--listen", f"127.0.0.1:{port}"], name="rendezvous")
    cleanups.append(rv.stop)
    rv.wait_for("listening: ")
    nx, hx = Xvfb(1024, 768), Xvfb(1024, 768)
    cleanups.append(nx.stop)
    cleanups.append(hx.stop)
    nx.run("xsetroot", "-solid", "#204a87")
    for who, x, name in (("novice", nx, "Alice"), ("helper", hx, "Bob")):
        subprocess.run([LIFELINE, "id", "--name", name], env=person_env(work, who, x),
                       check=True, capture_output=True, timeout=30)
    novice = Process([LIFELINE, "app", "--get-help", "--rendezvous", url],
                     env=person_env(work, "novice", nx), name="novice-app")
    cleanups.append(novice.stop)
    main_window(nx)
    key(nx, "alt+c")                                   # Get a code to read out instead
    out = novice.wait_for("code: ")
    first = out.split("code: ")[1].splitlines()[0]
    assert re.fullmatch(r"\d{3,6}-\d{3}-\d{3}", first), first
    time.sleep(0.5)
    shot(nx, work, "novice-code")
    helper = Process([LIFELINE, "app", "--help-someone", "--rendezvous", url],
                     env=person_env(work, "helper", hx), name="helper-app")
    cleanups.append(helper.stop)

    def type_code(code):
        main_window(hx)
        key(hx, "alt+l")                               # the link or code field
        key(hx, "ctrl+a")
        xdo(hx, "type", "--delay", "30", code)
        key(hx, "Return")

    wrong = first[:-1] + ("0" if first[-1] == "9" else str(int(first[-1]) + 1))
    type_code(wrong)
    helper.wait_for("error: That is not the code you were given")
    novice.wait_for("code status: Someone typed a wrong code")
    second = novice.out.split("code: ")[-1].splitlines()[0]
    assert second != first, novice.out
    time.sleep(0.5)
    shot(hx, work, "helper-wrong-code")
    type_code(second)
    helper.wait_for("code: right")
    novice.wait_for("asking: Bob wants to see your screen")
    allow(nx, helper, "ready: viewer")
    novice.wait_for("sharing: Bob can now see your screen.")


@suite.test
def test_the_name_others_see(work, cleanups):
    """On first use the app asks for the name others will see, saves it
    with the key, shows it on the home page, and lets it be changed."""
    x = Xvfb(1024, 768)
    cleanups.append(x.stop)
    env = person_env(work, "carol", x)
    app = Process([LIFELINE, "app"], env=env, name="app")
    cleanups.append(app.stop)
    app.wait_for("asking: Welcome! What name should others see?")
    time.sleep(0.5)
    for _ in range(8):                                 # once the dialog has the keyboard
        key(x, "ctrl+a")
        xdo(x, "type", "--delay", "30", "Carol Jones")
        key(x, "Return")
        try:
            app.wait_for("name: saved Carol Jones", timeout=2)
            break
        except AssertionError:
            continue
    app.wait_for("name: saved Carol Jones")
    r = subprocess.run([LIFELINE, "id"], env=env, capture_output=True, text=True, timeout=30)
    assert r.stdout.splitlines()[1] == "Carol Jones", r.stdout
    main_window(x)
    key(x, "alt+n")                                    # Change your name…
    app.wait_for("asking: What name should others see?")
    answer(x, "Escape", app, "name: not changed")      # Cancel keeps it
    # Which rendezvous: none at first; a wrong address is refused in words;
    # the one typed is saved in Carol's lifeline.conf.
    assert "rendezvous: none" in app.out, app.out
    main_window(x)
    key(x, "alt+r")                                    # Change the rendezvous…
    app.wait_for("asking: Which rendezvous should invitations go through?")
    time.sleep(0.3)
    xdo(x, "type", "--delay", "30", "ftp://rdv.example.org")
    answer(x, "Return", app, "refused: ")
    key(x, "ctrl+a")
    xdo(x, "type", "--delay", "30", "rdv.example.org")
    answer(x, "Return", app, "rendezvous: wss://rdv.example.org/lifeline")
    with open(os.path.join(work, "carol", "config", "lifeline", "lifeline.conf")) as f:
        assert "urls=wss://rdv.example.org/lifeline" in f.read()
    shot(x, work, "home-with-name")
    app.stop()
    again = Process([LIFELINE, "app"], env=env, name="app-again")
    cleanups.append(again.stop)
    main_window(x)
    time.sleep(1.0)
    assert "What name should others see" not in again.out, "asked again after it was saved"


@suite.test
def test_chat_both_ways(work, cleanups):
    p = Pair(work, cleanups)
    p.open_in_helper(cleanups)
    p.accept()
    main_window(p.hx)
    key(p.hx, "alt+h")                                 # the chat line
    xdo(p.hx, "type", "--delay", "40", "Hello Alice, Bob here")
    key(p.hx, "Return")
    p.novice.wait_for("Bob: Hello Alice, Bob here")
    p.helper.wait_for("You: Hello Alice, Bob here")    # your own line in your own chat
    p.novice.wait_for("bar: chat open")                # Bob's message opened the bar's chat
    bar_window(p.nx)
    key(p.nx, "alt+h")
    xdo(p.nx, "type", "--delay", "40", "Hi Bob, thanks")
    key(p.nx, "Return")
    p.helper.wait_for("Alice: Hi Bob, thanks")
    p.novice.wait_for("You: Hi Bob, thanks")
    time.sleep(0.5)
    shot(p.nx, work, "novice-chat")
    shot(p.hx, work, "helper-chat")
    # Connection details: the path and the round trip, measured by pings.
    time.sleep(1.5)
    main_window(p.hx)
    key(p.hx, "alt+o")
    out = p.helper.wait_for("Round trip: ")
    details = out.split("details: ")[-1]
    assert "Path: direct" in details and " ms" in details.split("Round trip: ")[1], details
    shot(p.hx, work, "helper-details")
    # The helper leaves: the novice reads who left, with the name as it is.
    key(p.hx, "Escape")                                # the details dialog
    main_window(p.hx)
    key(p.hx, "alt+l")                                 # Leave
    p.helper.wait_for("ended: You left the session.")
    p.novice.wait_for("stopped: Nobody can see your screen now: Bob left the session.")


@suite.test
def test_sealed_invitation_wrong_password(work, cleanups):
    p = Pair(work, cleanups, password="correct horse")
    p.open_in_helper(cleanups)
    p.helper.wait_for("password: asked")
    time.sleep(0.3)
    xdo(p.hx, "type", "--delay", "40", "wrong guess")
    key(p.hx, "Return")
    p.helper.wait_for("password: That password does not open this invitation.")
    time.sleep(0.5)
    shot(p.hx, work, "helper-wrong-password")
    assert p.helper.proc.poll() is None, "the app crashed"
    xdo(p.hx, "type", "--delay", "40", "correct horse")
    key(p.hx, "Return")
    p.novice.wait_for("asking: Bob wants to see your screen")


@suite.test
def test_every_control_named_and_focusable(work, cleanups):
    x = Xvfb(1024, 768)
    cleanups.append(x.stop)
    r = subprocess.run([LIFELINE, "app", "--check-accessibility"], env=person_env(work, "a", x),
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stdout + r.stderr
    checked = int(r.stdout.split("accessibility: ")[-1].split()[0])
    assert checked >= 25 and "0 without a name" in r.stdout, r.stdout


@suite.test
def test_copy_link_and_paste_it(work, cleanups):
    """Copy link on the novice's side, paste it on the helper's."""
    p = Pair(work, cleanups)
    main_window(p.nx)
    key(p.nx, "alt+c")                                 # Copy link
    p.novice.wait_for("link: copied")
    link = subprocess.run(["xclip", "-o", "-selection", "clipboard"], env=p.nx.env(),
                          capture_output=True, text=True, timeout=10).stdout.strip()
    assert link.startswith("lifeline:"), link
    p.helper = Process([LIFELINE, "app", "--help-someone"],
                       env=person_env(work, "helper", p.hx), name="helper-app")
    cleanups.append(p.helper.stop)
    main_window(p.hx)
    key(p.hx, "alt+l")                                 # the link field
    xdo(p.hx, "type", "--delay", "5", link)
    key(p.hx, "Return")
    p.accept()
    shot(p.hx, work, "helper-from-link")


@suite.test
def test_offer_uses_the_same_dialogs(work, cleanups):
    """`lifeline host --gui` (the systemd unit's way) asks with the app's
    dialogs; the helper offers from the command line."""
    nx = Xvfb(1024, 768)
    cleanups.append(nx.stop)
    helper_env = dict(os.environ, HOME=os.path.join(work, "sam"),
                      XDG_DATA_HOME=os.path.join(work, "sam", "data"),
                      XDG_STATE_HOME=os.path.join(work, "sam", "state"))
    key_line = subprocess.run([LIFELINE, "id", "--name", "Sam Smith"], env=helper_env, check=True,
                              capture_output=True, text=True, timeout=30).stdout.splitlines()[0]
    policy = os.path.join(work, "policy.conf")
    with open(policy, "w") as f:
        f.write(f"[offer]\nallow=true\ncontrol=allow\nhelpers={key_line}\n")
    port = 4700 + os.getpid() % 150
    host = Process([LIFELINE, "host", "--gui", "--policy", policy, "--port", str(port)],
                   env=person_env(work, "novice", nx), name="host-gui")
    cleanups.append(host.stop)
    out = host.wait_for("Listening on port")
    host_id = out.split("host id: ")[1].split()[0]
    offer = Process([LIFELINE, "offer", f"127.0.0.1:{port}", "--host-key", host_id],
                    env=helper_env, name="offer")
    cleanups.append(offer.stop)
    host.wait_for("asking: Sam Smith offers to help you")
    out = host.wait_for("details: Their key: ")
    assert ("explained: Your computer's administrator lists their key; \u201cSam Smith\u201d is "
            "the name they gave themselves.") in out, out
    time.sleep(0.5)
    shot(nx, work, "novice-offer")
    allow(nx, offer, "ready: vnc://127.0.0.1:")
    host.wait_for("sharing: Sam Smith can now see your screen.")
    offer.send("/control")
    host.wait_for("asking: Sam Smith asks to control your keyboard and mouse")
    allow(nx, offer, "control: granted")
    offer.send("/quit")
    assert offer.wait_exit() == 0
    host.wait_for("stopped: The session with Sam Smith ended")
    assert host.proc.poll() is None, "the host must wait for the next offer"


sys.exit(suite.run())

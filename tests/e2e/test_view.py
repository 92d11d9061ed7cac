#!/usr/bin/env python3
"""End to end: a novice shares an Xvfb desktop with `lifeline invite`, a
helper opens the invitation with `lifeline join`, and third-party RFB
clients read the desktop through the helper's local port.

usage: test_view.py LIFELINE RFB_SNAPSHOT [TEST ...]"""

import os
import re
import signal
import subprocess
import sys
import time

from harness import (Process, Suite, Terminal, Xvfb, Xvnc, differing_pixels, free_port, image_size,
                     port_is_closed, viewer_size)

LIFELINE, RFB_SNAPSHOT = sys.argv[1], sys.argv[2]
sys.argv = sys.argv[2:]
suite = Suite()

# vncsnapshot writes JPEG files only: even from a lossless RFB stream its
# output carries JPEG noise. Tolerance: at most 0.5 % of the pixels may
# differ by more than 10 % of the colour range.
JPEG_FUZZ_PERCENT = 10
JPEG_MAX_DIFFERING = 0.005


def desktop(work, cleanups):
    """An Xvfb with a solid background, a colour gradient image and an
    xlogo window: known content with hard edges and smooth colour."""
    x = Xvfb(1024, 768)
    cleanups.append(x.stop)
    pattern = os.path.join(work, "pattern.png")
    subprocess.run(["convert", "-size", "320x240", "gradient:#ff4000-#0040ff",
                    "-fill", "white", "-draw", "rectangle 20,20 120,60", pattern], check=True)
    x.run("xsetroot", "-solid", "#3465a4")
    x.spawn("display", "-geometry", "+400+200", "-title", "lifeline-pattern", pattern)
    x.spawn("xlogo", "-geometry", "180x180+60+60")
    x.wait_window("lifeline-pattern")
    x.wait_window("xlogo")
    return x


def person_env(x, work, who):
    return x.env(HOME=work, XDG_DATA_HOME=os.path.join(work, who, "data"),
                 XDG_STATE_HOME=os.path.join(work, who, "state"))


def start_invite(x, work, cleanups, *extra, stdin=subprocess.PIPE, port=None):
    port = port or free_port(20000, 30000)
    inv_path = os.path.join(work, "help.lifeline")
    p = Process([LIFELINE, "invite", "--name", "Alice", "--port", str(port), "--out", inv_path,
                 *extra], env=person_env(x, work, "novice"), stdin=stdin, name="invite")
    cleanups.append(p.stop)
    p.wait_for("Waiting for your helper to connect")
    return p, inv_path, port


def start_join(x, work, cleanups, inv_path, *extra):
    vnc_port = free_port()
    j = Process([LIFELINE, "join", "--name", "Bob", "--vnc-port", str(vnc_port), *extra, inv_path],
                env=person_env(x, work, "helper"), name="join")
    cleanups.append(j.stop)
    return j, vnc_port


def rfb_snapshot(port, encodings, out):
    r = subprocess.run([RFB_SNAPSHOT, "127.0.0.1", str(port), encodings, out],
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, f"rfb-snapshot failed: {r.stderr}"


def vncsnapshot(port, out):
    return subprocess.run(["vncsnapshot", "-quiet", "-allowblank", "-nojpeg", "-nocursor",
                           "-quality", "100", f"127.0.0.1:{port - 5900}", out],
                          capture_output=True, text=True, timeout=60)


@suite.test
def test_view_matches_root_window(work, cleanups):
    """`yes` piped to the prompt; pictures from two third-party-style
    clients match the display; the invitation is then spent; SIGTERM on
    the novice tells the helper and closes the port."""
    x = desktop(work, cleanups)
    yes = subprocess.Popen(["yes"], stdout=subprocess.PIPE)
    cleanups.append(lambda: (yes.kill(), yes.wait()))
    invite, inv_path, novice_port = start_invite(x, work, cleanups, stdin=yes.stdout)
    assert oct(os.stat(inv_path).st_mode & 0o777) == "0o600"
    join, vnc_port = start_join(x, work, cleanups, inv_path)
    join.wait_for(f"ready: vnc://127.0.0.1:{vnc_port}\n")
    assert "Bob wants to see your screen. Allow? [y/N]" in invite.wait_for("can now see your screen")
    assert "connected via direct in " in join.out

    root = os.path.join(work, "root.png")
    # The first picture and the root window again until they agree (the
    # pattern's window may still be drawing); one Lifeline got wrong never would.
    deadline = time.monotonic() + 10
    first = os.path.join(work, "lifeline-first.ppm")
    while True:
        x.screenshot(root)
        rfb_snapshot(vnc_port, "zrle", first)
        if differing_pixels(root, first, 0) == 0 or time.monotonic() > deadline:
            break
        time.sleep(0.3)
    # Lossless encodings through our libvncclient tool: exact match.
    for encodings in ("zrle", "hextile", "raw"):
        ppm = os.path.join(work, f"lifeline-{encodings}.ppm")
        rfb_snapshot(vnc_port, encodings, ppm)
        diff = differing_pixels(root, ppm, 0)
        assert diff == 0, f"{encodings}: {diff} pixels differ from the root window"
    # The third-party vncsnapshot (JPEG output file).
    jpg = os.path.join(work, "vncsnapshot.jpg")
    r = vncsnapshot(vnc_port, jpg)
    assert r.returncode == 0, f"vncsnapshot failed: {r.stderr}"
    assert image_size(jpg) == (1024, 768)
    diff = differing_pixels(root, jpg, JPEG_FUZZ_PERCENT)
    assert diff <= JPEG_MAX_DIFFERING * 1024 * 768, f"vncsnapshot: {diff} pixels differ"
    print(f"# vncsnapshot: {diff} of {1024 * 768} pixels differ by more than "
          f"{JPEG_FUZZ_PERCENT}%", flush=True)

    # A change after the first picture reaches viewers through XDamage.
    # Both pictures are taken again until they agree (a client may still be
    # drawing); a change Lifeline missed would never match.
    x.run("xsetroot", "-solid", "#73d216")
    x.spawn("xlogo", "-geometry", "100x100+700+500")
    x.wait_window("xlogo")
    changed = os.path.join(work, "root-changed.png")
    ppm = os.path.join(work, "lifeline-after-change.ppm")
    deadline = time.monotonic() + 10
    while True:
        time.sleep(0.3)
        x.screenshot(changed)
        rfb_snapshot(vnc_port, "zrle", ppm)
        diff = differing_pixels(changed, ppm, 0)
        if diff == 0 or time.monotonic() > deadline:
            break
    assert differing_pixels(root, changed, 0) > 100000, "the desktop did not change"
    assert diff == 0, f"after a change: {diff} pixels differ from the root window"

    # The invitation is spent: a second helper is refused without a prompt.
    second, _ = start_join(x, work, cleanups, inv_path)
    assert second.wait_exit() == 1
    assert "refused: this invitation was already used; ask for a new one" in second.out
    assert invite.out.count("Allow? [y/N]") == 1

    # Ctrl-C / SIGTERM on the novice's side: the helper is told, port closes.
    invite.proc.send_signal(signal.SIGTERM)
    code = invite.wait_exit()
    assert code == 0, f"invite exited {code}:\n{invite.out}\n{invite.err}"
    assert join.wait_exit() == 0
    assert "The session ended: Alice stopped sharing the screen." in join.out, join.out
    assert port_is_closed(novice_port)


def refused_once(work, cleanups):
    """A desktop, an invite, a join, and the novice's no; returns (x,
    invite, the invitation's path, join, the helper's viewer port)."""
    x = desktop(work, cleanups)
    invite, inv_path, _ = start_invite(x, work, cleanups)
    join, vnc_port = start_join(x, work, cleanups, inv_path)
    invite.wait_for("Bob wants to see your screen. Allow? [y/N]")
    invite.send("n")
    assert join.wait_exit() == 1
    return x, invite, inv_path, join, vnc_port


@suite.test
def test_novice_says_no(work, cleanups):
    x, invite, inv_path, join, vnc_port = refused_once(work, cleanups)
    assert "refused: Alice said no\n" in join.out, join.out
    assert "ready:" not in join.out
    jpg = os.path.join(work, "none.jpg")
    r = vncsnapshot(vnc_port, jpg)
    assert r.returncode != 0 and not os.path.exists(jpg), "vncsnapshot got a picture"


@suite.test
def test_sealed_invitation(work, cleanups):
    x = desktop(work, cleanups)
    right = os.path.join(work, "right.pw")
    wrong = os.path.join(work, "wrong.pw")
    with open(right, "w") as f:
        f.write("purple elephant 42\n")
    with open(wrong, "w") as f:
        f.write("purple elephant 43\n")
    invite, inv_path, _ = start_invite(x, work, cleanups, "--password-file", right)
    with open(inv_path) as f:
        sealed = f.read()
    assert "Alice" not in sealed and "endpoints" not in sealed
    bad, _ = start_join(x, work, cleanups, inv_path, "--password-file", wrong)
    assert bad.wait_exit() == 1
    assert "wrong password or damaged invitation" in bad.err, bad.err
    none, _ = start_join(x, work, cleanups, inv_path)
    assert none.wait_exit() == 1
    assert "protected by a password" in none.err
    assert "Allow?" not in invite.out
    good, _ = start_join(x, work, cleanups, inv_path, "--password-file", right)
    invite.wait_for("Bob wants to see your screen. Allow? [y/N]")
    invite.send("no")
    assert good.wait_exit() == 1
    assert "refused: Alice said no" in good.out


@suite.test
def test_bad_invitations_and_usage(work, cleanups):
    x = desktop(work, cleanups)
    invite, inv_path, _ = start_invite(x, work, cleanups)
    with open(inv_path) as f:
        text = f.read()
    env = person_env(x, work, "helper")

    def join(*args):
        return subprocess.run([LIFELINE, "join", *args], capture_output=True, text=True, env=env,
                              timeout=30)

    truncated = os.path.join(work, "truncated.lifeline")
    with open(truncated, "w") as f:
        f.write(text[: len(text) // 2])
    r = join(truncated)
    assert r.returncode == 1 and "this invitation is damaged" in r.stderr, r.stderr
    tampered = os.path.join(work, "tampered.lifeline")
    with open(tampered, "w") as f:
        f.write(text.replace("novice-name=Alice", "novice-name=Mallory"))
    r = join(tampered)
    assert r.returncode == 1 and "changed after it was made" in r.stderr, r.stderr
    newer = os.path.join(work, "newer.lifeline")
    with open(newer, "w") as f:
        f.write(text.replace("format=1", "format=9"))
    r = join(newer)
    assert r.returncode == 1 and "newer Lifeline" in r.stderr, r.stderr
    r = join(os.path.join(work, "missing.lifeline"))
    assert r.returncode == 1 and "cannot open the invitation" in r.stderr, r.stderr
    r = join()
    assert r.returncode == 2, r
    for command, args in (("invite", ""), ("join", "INVITATION"), ("offer", "HOST"),
                          ("host", ""), ("rendezvous", "")):
        r = subprocess.run([LIFELINE, command, "--help"], capture_output=True, text=True)
        assert r.returncode == 0 and "Usage:" in r.stdout, r
        # Each command's usage names it, and its argument once.
        usage = r.stdout.split("Usage:")[1].strip().splitlines()[0]
        assert usage.startswith(f"lifeline {command} [OPTION"), usage
        assert args == "" or usage.count(args) == 1, usage
    for sub in ("init", "sign"):
        r = subprocess.run([LIFELINE, "ca", sub, "--help"], capture_output=True, text=True)
        usage = r.stdout.split("Usage:")[1].strip().splitlines()[0]
        assert r.returncode == 0 and usage.startswith(f"lifeline ca {sub} [OPTION"), usage
    secret = os.path.join(work, "turn-secret")
    with open(secret, "w") as f:
        f.write("s\n")
    for urls, said in ((["turn:relay"], '"turn:relay" is not one'),
                       (["turns::443"], '"turns::443" is not one'),
                       (["turns:a:443", "turns:b:443"], 'at most one turns: relay')):
        argv = [LIFELINE, "rendezvous", "--turn-secret-file", secret]
        for url in urls:
            argv += ["--turn-url", url]
        r = subprocess.run(argv, capture_output=True, text=True, timeout=10)
        assert r.returncode == 2 and said in r.stderr, r
    r = subprocess.run([LIFELINE, "invite", "--expires", "soon"], capture_output=True, text=True,
                       env=x.env(HOME=work))
    assert r.returncode == 2 and "write it like 30m" in r.stderr, r.stderr
    r = subprocess.run([LIFELINE, "invite"], capture_output=True, text=True,
                       env=dict(os.environ, HOME=work, DISPLAY="", WAYLAND_DISPLAY=""))
    assert r.returncode == 1 and "neither WAYLAND_DISPLAY nor DISPLAY is set" in r.stderr, r.stderr
    # A Wayland session is never shared through its XWayland by accident.
    r = subprocess.run([LIFELINE, "invite"], capture_output=True, text=True,
                       env=x.env(HOME=work, WAYLAND_DISPLAY="wayland-lifeline-test",
                                 XDG_CURRENT_DESKTOP="Weston"))
    assert r.returncode == 1 and "Wayland session of Weston" in r.stderr, r.stderr
    r = subprocess.run([LIFELINE, "invite", "--desktop", "amiga"], capture_output=True,
                       text=True, env=x.env(HOME=work))
    assert r.returncode == 2 and '--desktop takes one of auto, x11, gnome, wlroots, portal, not "amiga"' in r.stderr, \
        r.stderr
    assert "Allow?" not in invite.out


@suite.test
def test_link_and_expiry_wording(work, cleanups):
    """The link comes after the file it stands for; an invitation nobody
    used ends with one sentence saying so and what to do."""
    x = Xvfb(320, 240)
    cleanups.append(x.stop)
    invite, inv_path, _ = start_invite(x, work, cleanups, "--link", "--expires", "2s")
    out = invite.out
    assert out.index("Your invitation is ready: ") < out.index("Or send this link instead"), out
    assert "\nlifeline:" in out[out.index("Or send this link instead"):], out
    out = invite.wait_for("Run \"lifeline invite\" again for a new one.")
    line = [l for l in out.splitlines() if "again for a new one" in l][0]
    assert re.fullmatch(r"The invitation expired at \d\d:\d\d and nobody joined\. "
                        r"Run \"lifeline invite\" again for a new one\.", line), line
    assert invite.wait_exit() == 1


@suite.test
def test_passwords_that_do_and_do_not_protect(work, cleanups):
    """A short or guessable password is refused before anything starts;
    --password generate makes four words, shows them, and they open it."""
    x = desktop(work, cleanups)
    out = os.path.join(work, "weak.lifeline")
    for weak, why in (("abc", "too short"), ("password123456", "too easy to guess")):
        pw = os.path.join(work, "weak.pw")
        with open(pw, "w") as f:
            f.write(weak + "\n")
        r = subprocess.run([LIFELINE, "invite", "--password-file", pw, "--out", out],
                           capture_output=True, text=True, timeout=30,
                           env=person_env(x, work, "novice"))
        assert r.returncode == 2 and why in r.stderr and "--password generate" in r.stderr, r
        assert not os.path.exists(out)
    invite, inv_path, _ = start_invite(x, work, cleanups, "--password", "generate")
    said = invite.wait_for("not in the same message as the invitation.")
    words = said.split("It is protected by the password: ")[1].split("\n")[0]
    assert len(words.split(" ")) == 4, words
    pw = os.path.join(work, "words.pw")
    with open(pw, "w") as f:
        f.write(words + "\n")
    join, _ = start_join(x, work, cleanups, inv_path, "--password-file", pw)
    invite.wait_for("Bob wants to see your screen")
    invite.send("y")
    join.wait_for("ready: ")


@suite.test
def test_what_people_read_on_their_terminals(work, cleanups):
    """After a no, the invitation says it still waits; a second invite does
    not replace the waiting one's file; Ctrl-C before anyone saw the screen
    says the invitation was cancelled; a helper who comes too late reads
    what it means and what to do, not socket errors; neither terminal shows
    log lines meant for developers without -v."""
    x, invite, inv_path, join, _ = refused_once(work, cleanups)
    out = invite.wait_for("Press Ctrl-C to cancel it.")
    assert ("(\u201cBob\u201d is the name they gave themselves; Lifeline cannot check it. Allow "
            "this only if you asked them for help.)\nBob wants to see your screen.") in out, out
    assert re.search(r"Not allowed\. Bob cannot see your screen\.\nYour invitation still waits "
                     r"for your helper, until \d\d:\d\d\. Press Ctrl-C to cancel it\.", out), out
    with open(inv_path) as f:
        first = f.read()
    second = subprocess.run([LIFELINE, "invite", "--name", "Alice", "--out", inv_path],
                            capture_output=True, text=True, timeout=30,
                            env=person_env(x, work, "novice"))
    assert second.returncode == 1, second
    assert f"another invitation is still waiting in {inv_path}" in second.stderr, second.stderr
    with open(inv_path) as f:
        assert f.read() == first, "the waiting invitation was replaced"
    invite.proc.send_signal(signal.SIGINT)
    assert invite.wait_exit() == 0
    assert "The invitation was cancelled. Nobody saw your screen." in invite.out, invite.out
    assert "Sharing stopped" not in invite.out
    late, _ = start_join(x, work, cleanups, inv_path)
    assert late.wait_exit(60) == 1
    assert ("Could not reach Alice's computer. Lifeline there is no longer waiting for you "
            "(the invitation was cancelled, used or has run out), or one of you is offline. "
            "Ask Alice for a new invitation.") in late.err, late.err
    assert "Connection refused" not in late.err and "127.0.0.1" not in late.err, late.err
    for p in (invite, join, late):
        assert " note: " not in p.err, f"{p.name} showed log lines:\n{p.err}"


@suite.test
def test_passwords_asked_on_the_terminal(work, cleanups):
    """invite --password ask and a join without --password-file ask on the
    terminal; what is typed never shows; a wrong one may be tried again."""
    x = desktop(work, cleanups)
    inv_path = os.path.join(work, "asked.lifeline")
    password, wrong = "copper kettle 84 lanterns", "copper kettle 85 lanterns"
    invite = Terminal([LIFELINE, "invite", "--name", "Alice", "--out", inv_path, "--password",
                       "ask"], env=person_env(x, work, "novice"), name="invite")
    cleanups.append(invite.stop)
    invite.wait_for("Choose a password for the invitation (not shown): ")
    invite.send(password)
    invite.wait_for("Type it again: ")
    invite.send(password)
    invite.wait_for("Waiting for your helper to connect")
    assert "It is protected by your password" in invite.out
    join = Terminal([LIFELINE, "join", "--name", "Bob", "--vnc-port", str(free_port()), inv_path],
                    env=person_env(x, work, "helper"), name="join")
    cleanups.append(join.stop)
    join.wait_for("This invitation is protected by a password")
    join.wait_for("Password (not shown): ")
    join.send(wrong)
    out = join.wait_for("That is not the password. Try again.")
    join.wait_for("Password (not shown): ", since=out.index("Try again."))
    join.send(password)
    invite.wait_for("Bob wants to see your screen. Allow? [y/N]", timeout=30)
    invite.send("y")
    join.wait_for("ready: ", timeout=30)
    for t in (invite, join):
        assert password not in t.out and wrong not in t.out, f"{t.name} showed it:\n{t.out}"
    # Without a terminal, the sentence says how to give it instead.
    r = subprocess.run([LIFELINE, "invite", "--password", "ask", "--out",
                        os.path.join(work, "no-tty.lifeline")], stdin=subprocess.DEVNULL,
                       capture_output=True, text=True, timeout=30, env=person_env(x, work, "n2"))
    assert r.returncode == 2 and "no terminal to ask for the password on" in r.stderr, r


def connect_as(user, port):
    """What a viewer of account USER reads from 127.0.0.1:PORT within 5 s
    ("" when it is turned away without a byte)."""
    code = ("import socket, sys\n"
            "s = socket.create_connection(('127.0.0.1', int(sys.argv[1])), timeout=5)\n"
            "data = b''\n"
            "try:\n"
            "    while len(data) < 12:\n"
            "        chunk = s.recv(12 - len(data))\n"
            "        if not chunk: break\n"
            "        data += chunk\n"
            "except socket.timeout: pass\n"
            "print(repr(data))\n")
    # Debian's python3: the one running the tests may live where USER cannot read.
    python = "/usr/bin/python3"
    argv = ["setpriv", f"--reuid={user}", f"--regid={user}", "--clear-groups", python, "-c",
            code, str(port)] if user != "me" else [python, "-c", code, str(port)]
    r = subprocess.run(argv, capture_output=True, text=True, timeout=30)
    assert r.returncode == 0, r.stderr
    return r.stdout.strip()


@suite.test
def test_viewer_port_is_the_helpers_alone(work, cleanups):
    """Another account of the helper's computer (nobody) connecting to the
    viewer port gets not a byte of the desktop, and the helper is told;
    the helper's own viewers still get in."""
    x = desktop(work, cleanups)
    invite, inv_path, _ = start_invite(x, work, cleanups)
    join, vnc_port = start_join(x, work, cleanups, inv_path)
    invite.wait_for("Allow? [y/N]")
    invite.send("y")
    join.wait_for("ready: ")
    assert connect_as("65534", vnc_port) == "b''"   # nobody
    join.wait_for("A viewer of another account on this computer (uid 65534) was turned away: "
                  "only your own programs may attach to the viewer port.")
    assert connect_as("me", vnc_port) == "b'RFB 003.008\\n'"
    jpg = os.path.join(work, "own.jpg")
    assert vncsnapshot(vnc_port, jpg).returncode == 0


def matches_root(x, vnc_port, work, name, crop=None):
    """Pictures of the root window (its CROP, "WxH+X+Y") and through
    Lifeline, taken again until they agree (a client may still be
    drawing): 0 pixels differ."""
    root, ppm = os.path.join(work, name + ".png"), os.path.join(work, name + ".ppm")
    deadline = time.monotonic() + 10
    while True:
        x.screenshot(root)
        if crop is not None:
            subprocess.run(["convert", root, "-crop", crop, "+repage", root], check=True)
        rfb_snapshot(vnc_port, "zrle", ppm)
        if image_size(root) == image_size(ppm):
            diff = differing_pixels(root, ppm, 0)
            if diff == 0 or time.monotonic() > deadline:
                return image_size(ppm), diff
        elif time.monotonic() > deadline:
            return image_size(ppm), None
        time.sleep(0.3)


@suite.test
def test_resolution_changes_are_followed(work, cleanups):
    """xrandr on an Xvnc desktop: a viewer already open follows the new
    size (DesktopSize), new viewers get it, and what lies beyond the old
    size shows; after shrinking, nothing stale is left."""
    x = Xvnc(1280, 800)
    cleanups.append(x.stop)
    x.run("xsetroot", "-solid", "#3465a4")
    invite, inv_path, _ = start_invite(x, work, cleanups)
    join, vnc_port = start_join(x, work, cleanups, inv_path)
    invite.wait_for("Allow? [y/N]")
    invite.send("y")
    join.wait_for("ready: ")
    probe = Process([os.path.join(os.path.dirname(RFB_SNAPSHOT), "rfb-probe"), "127.0.0.1",
                     str(vnc_port)], env=x.env(), name="probe")
    cleanups.append(probe.stop)
    probe.wait_for("ready")
    assert viewer_size(probe, (1280, 800)) == (1280, 800)
    x.run("xrandr", "-s", "1920x1080")
    assert viewer_size(probe, (1920, 1080)) == (1920, 1080)
    x.spawn("xlogo", "-geometry", "200x200+1600+800")   # beyond the old size
    x.wait_window("xlogo")
    assert matches_root(x, vnc_port, work, "wide") == ((1920, 1080), 0)
    jpg = os.path.join(work, "wide.jpg")
    assert vncsnapshot(vnc_port, jpg).returncode == 0
    assert image_size(jpg) == (1920, 1080)
    x.run("xrandr", "-s", "1024x768")
    assert viewer_size(probe, (1024, 768)) == (1024, 768)
    x.run("xsetroot", "-solid", "#73d216")
    assert matches_root(x, vnc_port, work, "small") == ((1024, 768), 0)
    assert probe.proc.poll() is None, "the viewer did not survive the size changes"


@suite.test
def test_two_monitors(work, cleanups):
    """Two RANDR monitors: the helper sees both by default, the novice is
    told so; /monitor 2 shows only the right one (its picture, and input
    landing in it); /monitor 0 all again; a monitor that is not there is
    refused with a sentence."""
    x = Xvnc(1600, 600)
    cleanups.append(x.stop)
    x.run("xrandr", "--setmonitor", "left", "800/0x600/0+0+0", "VNC-0")
    x.run("xrandr", "--setmonitor", "right", "800/0x600/0+800+0", "none")
    x.run("xsetroot", "-solid", "#3465a4")
    x.spawn("xlogo", "-geometry", "200x200+1000+100")
    x.wait_window("xlogo")
    invite, inv_path, _ = start_invite(x, work, cleanups)
    join, vnc_port = start_join(x, work, cleanups, inv_path)
    invite.wait_for("Bob wants to see your screen (all 2 monitors). Allow? [y/N]")
    invite.send("y")
    join.wait_for("monitors: 1=left 800x600+0+0, 2=right 800x600+800+0; showing: all")
    tools = os.path.dirname(RFB_SNAPSHOT)
    probe = Process([os.path.join(tools, "rfb-probe"), "127.0.0.1", str(vnc_port)],
                    env=x.env(), name="probe")
    cleanups.append(probe.stop)
    probe.wait_for("ready")
    assert viewer_size(probe, (1600, 600)) == (1600, 600)
    join.send("/monitor 2")
    join.wait_for("showing: 2")
    invite.wait_for("Bob now sees only monitor 2 of 2 (right).")
    assert viewer_size(probe, (800, 600)) == (800, 600)
    assert matches_root(x, vnc_port, work, "right", "800x600+800+0") == ((800, 600), 0)
    # Changes on that monitor reach the viewer, in its own pixels.
    x.run("xsetroot", "-solid", "#73d216")
    x.spawn("xlogo", "-geometry", "100x100+1500+400")
    assert matches_root(x, vnc_port, work, "right-changed", "800x600+800+0") == ((800, 600), 0)
    # Input lands on the right monitor: a click at 60,70 of the picture
    # is one at 860,70 of the desktop.
    recorder = Process([os.path.join(tools, "x-event-recorder"), "800", "0", "400", "300"],
                       env=x.env(), name="recorder")
    cleanups.append(recorder.stop)
    recorder.wait_for("ready")
    asked, granted = invite.mark(), join.mark()
    join.send("/control")
    invite.wait_for("Allow? [y/N]", since=asked)
    invite.send("y")
    join.wait_for("control: granted", since=granted)
    probe.send("click 60 70")
    recorder.wait_for("button 1 60 70")
    join.send("/monitor 3")
    join.wait_for("There is no monitor 3; Alice has 2 (type /monitor to list them).")
    join.send("/monitor 0")
    join.wait_for("showing: all")
    invite.wait_for("Bob sees all your monitors again.")
    assert viewer_size(probe, (1600, 600)) == (1600, 600)


sys.exit(suite.run())

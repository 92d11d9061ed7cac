#!/usr/bin/env python3
"""End to end: a code read out over the phone instead of an invitation
file. A novice runs `lifeline invite --code` on an Xvfb with a real
`lifeline rendezvous`; a helper types the code into `lifeline join`.
The right code leads to exactly an invitation's session (the question,
then the desktop through a third-party viewer); a wrong code fails for
the helper with a sentence, tells the novice and brings a fresh code, and
the old code no longer works even typed right; guesses leave the
novice's process healthy; an expired code is replaced; a refusal brings
a fresh code; `--code` without a rendezvous says what to do.

usage: test_codes.py LIFELINE [TEST ...]"""

import os
import re
import subprocess
import sys

from harness import (JPEG_FUZZ_PERCENT, Process, Suite, Xvfb, differing_pixels, free_port,
                     vnc_snapshot)

LIFELINE = sys.argv[1]
sys.argv = sys.argv[1:]
suite = Suite()
CODE_LINE = "Tell your helper this code: "


def person_env(work, who, x=None):
    base = x.env() if x is not None else dict(os.environ)
    base.update(HOME=os.path.join(work, who), XDG_DATA_HOME=os.path.join(work, who, "data"),
                XDG_STATE_HOME=os.path.join(work, who, "state"),
                XDG_CONFIG_HOME=os.path.join(work, who, "config"),
                LIFELINE_SYSTEM_SETTINGS=os.path.join(work, "no-such-lifeline.conf"))
    return base


def start_rendezvous(cleanups, *extra):
    port = free_port(4900, 5200)
    rv = Process([LIFELINE, "rendezvous", "--listen", f"127.0.0.1:{port}", *extra],
                 name="rendezvous")
    cleanups.append(rv.stop)
    rv.wait_for("listening: ")
    return f"ws://127.0.0.1:{port}/lifeline"


def start_novice(work, cleanups, url, *extra):
    x = Xvfb(800, 600)
    cleanups.append(x.stop)
    x.run("xsetroot", "-solid", "#3465a4")
    novice = Process([LIFELINE, "invite", "--code", "--no-upnp", "--name", "Ann", "--desktop",
                      "x11", "--rendezvous", url], env=person_env(work, "ann", x), name="invite")
    cleanups.append(novice.stop)
    return x, novice


def next_code(novice, since=0):
    """The code the novice's terminal shows after position SINCE."""
    out = novice.wait_for(CODE_LINE, since=since)
    start = out.index(CODE_LINE, since) + len(CODE_LINE)
    line = novice.wait_for("\n", since=start)[start:].split("\n")[0]
    assert re.fullmatch(r"\d{3,6}-\d{3}-\d{3}", line), line
    return line, start


def join(work, url, code, *extra):
    return Process([LIFELINE, "join", code, "--rendezvous", url, "--name", "Bob", *extra],
                   env=person_env(work, "bob"), name="join")


def mistyped(code):
    last = code[-1]
    return code[:-1] + ("0" if last == "9" else str(int(last) + 1))


def failed_join(work, url, code, cleanups):
    j = join(work, url, code)
    cleanups.append(j.stop)
    assert j.wait_exit(30) == 1, (j.out, j.err)
    return j.err


@suite.test
def test_right_code_gives_the_session(work, cleanups):
    url = start_rendezvous(cleanups)
    x, novice = start_novice(work, cleanups, url)
    code, _ = next_code(novice)
    novice.wait_for("It works once, for 10 minutes")
    helper = join(work, url, code)
    cleanups.append(helper.stop)
    helper.wait_for("The code is right.")
    novice.wait_for("Your helper typed the code. Waiting for them to connect.")
    novice.wait_for("Bob wants to see your screen. Allow? [y/N]")
    novice.send("y")
    out = helper.wait_for("ready: vnc://127.0.0.1:")
    port = int(re.search(r"ready: vnc://127\.0\.0\.1:(\d+)", out).group(1))
    assert "Connecting to Ann..." in out, out
    root, seen = os.path.join(work, "root.png"), os.path.join(work, "seen.jpg")
    x.screenshot(root)
    vnc_snapshot(port, seen)
    assert differing_pixels(root, seen, JPEG_FUZZ_PERCENT) < 800 * 600 * 0.01
    # The code is no secret in anyone's log.
    helper.stop()
    novice.wait_for("Sharing stopped")
    assert code not in novice.err and code.replace("-", "") not in novice.err, novice.err


@suite.test
def test_wrong_code_is_refused_and_replaced(work, cleanups):
    url = start_rendezvous(cleanups)
    x, novice = start_novice(work, cleanups, url)
    first, at = next_code(novice)
    err = failed_join(work, url, mistyped(first), cleanups)
    assert "that is not the code you were given; it no longer works now" in err, err
    told = "Someone typed a wrong code. That code no longer works."
    out = novice.wait_for(told, since=at)
    second, at = next_code(novice, since=out.index(told, at))
    assert second != first
    # The old code typed right now finds nothing.
    err = failed_join(work, url, first, cleanups)
    assert "no code like this one is waiting: check the digits" in err, err
    assert "Someone typed" not in novice.out[at:]
    # The new one works; a "no" brings a fresh code, and the used one is dead.
    helper = join(work, url, second)
    cleanups.append(helper.stop)
    novice.wait_for("Bob wants to see your screen. Allow? [y/N]", since=at)
    novice.send("n")
    helper.wait_for("refused: ")
    assert helper.wait_exit(20) == 1
    third, at = next_code(novice, since=at)
    assert third not in (first, second)
    err = failed_join(work, url, second, cleanups)
    assert "no code like this one" in err, err
    helper = join(work, url, third)
    cleanups.append(helper.stop)
    novice.wait_for("Bob wants to see your screen. Allow? [y/N]", since=at)
    novice.send("y")
    helper.wait_for("ready: vnc://127.0.0.1:")


@suite.test
def test_guesses_leave_the_novice_healthy(work, cleanups):
    url = start_rendezvous(cleanups, "--code-tries", "1000")
    x, novice = start_novice(work, cleanups, url)
    code, at = next_code(novice)
    for _ in range(20):
        err = failed_join(work, url, mistyped(code), cleanups)
        assert "not the code you were given" in err, err
        code, at = next_code(novice, since=at)
    assert novice.out.count("Someone typed a wrong code.") == 20
    assert "wants to see your screen" not in novice.out
    assert novice.proc.poll() is None
    helper = join(work, url, code)
    cleanups.append(helper.stop)
    novice.wait_for("Bob wants to see your screen. Allow? [y/N]", since=at)


@suite.test
def test_guesses_from_one_address_are_limited(work, cleanups):
    url = start_rendezvous(cleanups, "--code-tries", "3")
    x, novice = start_novice(work, cleanups, url)
    code, at = next_code(novice)
    for _ in range(3):
        failed_join(work, url, mistyped(code), cleanups)
        code, at = next_code(novice, since=at)
    err = failed_join(work, url, code, cleanups)
    assert "too many codes were tried from your address; wait a minute" in err, err
    assert novice.out.count("Someone typed a wrong code.") == 3


@suite.test
def test_expired_code_is_replaced(work, cleanups):
    url = start_rendezvous(cleanups, "--code-lifetime", "2s")
    x, novice = start_novice(work, cleanups, url)
    first, at = next_code(novice)
    novice.wait_for("The code's time is over.", since=at, timeout=20)
    second, _ = next_code(novice, since=at)
    assert second != first
    err = failed_join(work, url, first, cleanups)
    assert "no code like this one is waiting" in err, err


@suite.test
def test_code_needs_a_rendezvous(work, cleanups):
    x = Xvfb(800, 600)
    cleanups.append(x.stop)
    r = subprocess.run([LIFELINE, "invite", "--code", "--no-upnp", "--desktop", "x11"],
                       env=person_env(work, "ann", x), capture_output=True, text=True, timeout=30)
    assert r.returncode == 2, (r.stdout, r.stderr)
    assert ("a code needs a rendezvous server, and none is set: give one with --rendezvous "
            "rdv.example.org") in r.stderr, r.stderr
    r = subprocess.run([LIFELINE, "join", "482-913-075"], env=person_env(work, "bob"),
                       capture_output=True, text=True, timeout=30)
    assert r.returncode == 2, (r.stdout, r.stderr)
    assert "a code needs the rendezvous server of the person you help" in r.stderr, r.stderr
    r = subprocess.run([LIFELINE, "join", "482-913-07", "-r", "127.0.0.1:1"],
                       env=person_env(work, "bob"), capture_output=True, text=True, timeout=30)
    assert r.returncode == 2 and "That code has 8 digits" in r.stderr, r.stderr
    r = subprocess.run([LIFELINE, "invite", "--code", "--out", "x.lifeline"],
                       env=person_env(work, "ann", x), capture_output=True, text=True, timeout=30)
    assert r.returncode == 2 and "--code does not go with --out" in r.stderr, r.stderr


sys.exit(suite.run())

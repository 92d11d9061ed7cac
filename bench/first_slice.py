#!/usr/bin/env python3
"""Measurements for the first slice, on loopback under Xvfb:

1. time from starting `lifeline join` to its `ready:` line (the novice's
   answer is piped in at once), median of 10 fresh invitations;
2. CPU seconds used by the novice's process over 30 s of an idle screen
   with one viewer attached (its standard input is an idle pipe, as a
   terminal would be), side by side with x11vnc on the same display
   and the same viewer (rfb-snapshot holding the connection), as a ratio.

usage: bench/first_slice.py [BUILDDIR]     (needs x11vnc: apt-get install x11vnc)"""

import os
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "e2e"))
from harness import Process, Xvfb, cpu_seconds, free_port  # noqa: E402

BUILD = sys.argv[1] if len(sys.argv) > 1 else os.path.join(HERE, "..", "build")
LIFELINE = os.path.join(BUILD, "lifeline")
SNAPSHOT = os.path.join(BUILD, "tests", "tools", "rfb-snapshot")
IDLE_SECONDS = 30
RUNS = 10


def desktop():
    x = Xvfb(1920, 1080)
    x.run("xsetroot", "-solid", "#3465a4")
    x.spawn("xlogo", "-geometry", "300x300+100+100")
    x.wait_window("xlogo")
    return x


def env(x, work, who):
    return x.env(HOME=work, XDG_DATA_HOME=os.path.join(work, who))


def start_session(x, work):
    inv = os.path.join(work, "inv.lifeline")
    invite = Process([LIFELINE, "invite", "--name", "Alice", "--out", inv],
                     env=env(x, work, "novice"), name="invite")
    invite.wait_for("Waiting for your helper")
    # The answer waits in the pipe; invite reads it when it asks.
    invite.send("y")
    port = free_port()
    t0 = time.monotonic()
    join = Process([LIFELINE, "join", "--name", "Bob", "--vnc-port", str(port), inv],
                   env=env(x, work, "helper"), name="join")
    join.wait_for("ready: ")
    return invite, join, port, (time.monotonic() - t0) * 1000


def measure_connect(x, work):
    times = []
    for _ in range(RUNS):
        invite, join, _, ms = start_session(x, work)
        times.append(ms)
        join.stop()
        invite.stop()
    return times


def idle_cpu(pid, port, work):
    viewer = subprocess.Popen([SNAPSHOT, "127.0.0.1", str(port), "zrle",
                               os.path.join(work, "idle.ppm"), str(IDLE_SECONDS + 5)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(3)   # first full update done; from here the screen is idle
    before = cpu_seconds(pid)
    time.sleep(IDLE_SECONDS)
    used = cpu_seconds(pid) - before
    viewer.kill()
    viewer.wait()
    return used


def main():
    work = tempfile.mkdtemp(prefix="lifeline-bench-")
    x = desktop()
    try:
        times = measure_connect(x, work)
        print(f"join -> ready, {RUNS} runs on loopback (ms): "
              + ", ".join(f"{t:.0f}" for t in times))
        print(f"median {statistics.median(times):.0f} ms, "
              f"min {min(times):.0f}, max {max(times):.0f}")

        invite, join, port, _ = start_session(x, work)
        ours = idle_cpu(invite.proc.pid, port, work)
        join.stop()
        invite.stop()

        x11vnc_port = free_port()
        x11vnc = subprocess.Popen(["x11vnc", "-display", x.display, "-rfbport", str(x11vnc_port),
                                   "-localhost", "-forever", "-shared", "-nopw", "-quiet"],
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(2)
        theirs = idle_cpu(x11vnc.pid, x11vnc_port, work)
        x11vnc.terminate()
        x11vnc.wait()

        print(f"idle screen, {IDLE_SECONDS} s, one viewer attached (1920x1080):")
        print(f"  lifeline invite: {ours:.2f} CPU s = {100 * ours / IDLE_SECONDS:.2f} % of a core")
        print(f"  x11vnc:          {theirs:.2f} CPU s = {100 * theirs / IDLE_SECONDS:.2f} % of a core")
        if theirs > 0:
            print(f"  ratio lifeline / x11vnc: {ours / theirs:.3f}")
    finally:
        x.stop()
        subprocess.run(["rm", "-rf", work])


if __name__ == "__main__":
    main()

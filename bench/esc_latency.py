#!/usr/bin/env python3
"""Esc to released: how long after the novice presses Esc the helper is
told that control ended, on loopback under Xvfb, 20 runs.

Two figures per run:
  app   - from an application on the novice's screen receiving the Esc
          (x-event-recorder) to `lifeline join` printing "control: ended";
  total - from starting `xdotool key Escape` (its own start-up included).

usage: bench/esc_latency.py [BUILDDIR]"""

import os
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "e2e"))
from harness import Process, Xvfb, free_port  # noqa: E402

BUILD = sys.argv[1] if len(sys.argv) > 1 else os.path.join(HERE, "..", "build")
LIFELINE = os.path.join(BUILD, "lifeline")
TOOLS = os.path.join(BUILD, "tests", "tools")
RUNS = 20


def main():
    work = tempfile.mkdtemp(prefix="lifeline-bench-")
    x = Xvfb(800, 600)
    procs = []
    try:
        env = lambda who: x.env(HOME=work, XDG_DATA_HOME=os.path.join(work, who),  # noqa: E731
                                XDG_STATE_HOME=os.path.join(work, who))
        inv = os.path.join(work, "inv.lifeline")
        invite = Process([LIFELINE, "invite", "--name", "Alice", "--out", inv], env=env("n"))
        procs.append(invite)
        invite.wait_for("Waiting for your helper")
        port = free_port()
        join = Process([LIFELINE, "join", "--name", "Bob", "--vnc-port", str(port), inv],
                       env=env("h"))
        procs.append(join)
        invite.wait_for("Allow? [y/N]")
        invite.send("y")
        join.wait_for("ready: ")
        recorder = Process([os.path.join(TOOLS, "x-event-recorder"), "0", "0", "300", "200"],
                           env=x.env())
        procs.append(recorder)
        recorder.wait_for("ready")
        app, total = [], []
        for _ in range(RUNS):
            asked, granted = invite.mark(), join.mark()
            join.send("/control")
            invite.wait_for("asks to control", since=asked)
            invite.send("y")
            join.wait_for("control: granted", since=granted)
            time.sleep(0.2)
            seen, ended = recorder.mark(), join.mark()
            t0 = time.monotonic()
            subprocess.run(["xdotool", "key", "Escape"], env=x.env(), check=True)
            join.wait_for("control: ended", since=ended)
            recorder.wait_for("key Escape", since=seen)
            t_end = join.arrival_time("control: ended", ended)
            app.append((t_end - recorder.arrival_time("key Escape", seen)) * 1000)
            total.append((t_end - t0) * 1000)
        print(f"Esc -> helper told, {RUNS} runs (ms)")
        print("  app:   " + ", ".join(f"{v:.1f}" for v in app))
        print(f"         median {statistics.median(app):.1f}, max {max(app):.1f}")
        print("  total: " + ", ".join(f"{v:.1f}" for v in total))
        print(f"         median {statistics.median(total):.1f}, max {max(total):.1f}")
    finally:
        for p in procs:
            p.stop()
        x.stop()
        subprocess.run(["rm", "-rf", work])


if __name__ == "__main__":
    main()

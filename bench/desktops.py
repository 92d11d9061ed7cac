#!/usr/bin/env python3
"""Lifeline per desktop: the same latency workload and idle CPU on X11
(Xvfb) and on GNOME Wayland (headless Mutter with PipeWire), in one run.

For each desktop, at 1280x800: bench-marker (one GTK client for both,
native on each) covers the screen; `lifeline invite` shares it, `lifeline
join` opens it, bench-viewer (Tight) watches join's port. Then

1. idle CPU: CPU seconds of the novice's process over IDLE seconds of a
   still screen with the viewer attached, as a share of one core;
2. latency: the marker changes 20 times a second for SECONDS; each change
   from the moment the client drew it to the update that showed it to the
   viewer (median, 95th percentile, changes never shown).

Writes OUT/desktops.md (default OUT: bench/results).

usage: bench/desktops.py [--build DIR] [--seconds N] [--idle N] [--out DIR]"""

import argparse
import os
import statistics
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "e2e"))
sys.path.insert(0, HERE)
from compare import latencies, pct, sighting_lines, stamp_lines  # noqa: E402
from harness import Process, Xvfb, cpu_seconds, free_port  # noqa: E402
from wayland_session import HeadlessGnome  # noqa: E402


def x11_desktop():
    x = Xvfb(1280, 800)
    return x, x.env(GDK_BACKEND="x11", NO_AT_BRIDGE="1"), x.stop


def gnome_desktop():
    g = HeadlessGnome()
    return g, g.env(GDK_BACKEND="wayland"), g.stop


DESKTOPS = [("X11 (Xvfb)", x11_desktop), ("GNOME Wayland (Mutter 43, PipeWire)", gnome_desktop)]


def wait_all_seen(marker, viewer, timeout=20):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        stamps = stamp_lines(marker.out.replace("ready\n", ""))
        if stamps and latencies(stamps, sighting_lines(viewer.out))[1] == 0:
            return
        time.sleep(0.05)


def measure(build, make_desktop, seconds, idle, work):
    desktop, env, stop = make_desktop()
    procs = []
    try:
        marker = Process([os.path.join(build, "bench", "bench-marker"), str(seconds)], env=env,
                         name="bench-marker")
        procs.append(marker)
        marker.wait_for("ready")
        inv = os.path.join(work, "inv.lifeline")
        person = dict(env, HOME=work, XDG_DATA_HOME=os.path.join(work, "data"))
        invite = Process([os.path.join(build, "lifeline"), "invite", "--no-upnp", "--name",
                          "Alice", "--out", inv], env=person, name="invite")
        procs.append(invite)
        invite.wait_for("Waiting for your helper")
        invite.send("y")
        port = free_port()
        join = Process([os.path.join(build, "lifeline"), "join", "--name", "Bob", "--vnc-port",
                        str(port), inv], env=dict(person, HOME=os.path.join(work, "h")),
                       name="join")
        procs.append(join)
        join.wait_for("ready: ", timeout=60)
        viewer = Process([os.path.join(build, "bench", "bench-viewer"), "127.0.0.1", str(port),
                          "tight", str(seconds + idle + 90)], name="viewer")
        procs.append(viewer)
        viewer.wait_for("ready", timeout=30)
        time.sleep(1)
        cpu0 = cpu_seconds(invite.proc.pid)
        time.sleep(idle)
        idle_cpu = (cpu_seconds(invite.proc.pid) - cpu0) / idle
        marker.send("start")
        marker.wait_for("hold\n", timeout=seconds + 30)
        wait_all_seen(marker, viewer)
        marker.send("done")
        marker.wait_exit(10)
        viewer.stop()
        viewer.wait_exit(5)
        stamps = stamp_lines("\n".join(l for l in marker.out.splitlines()
                                       if l not in ("ready", "hold")))
        lat, missed = latencies(stamps, sighting_lines(viewer.out))
        return {"latency": lat, "missed": missed, "stamps": len(stamps), "idle_cpu": idle_cpu}
    finally:
        for p in reversed(procs):
            p.stop()
        stop()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--build", default=os.path.join(HERE, "..", "build"))
    parser.add_argument("--seconds", type=int, default=20)
    parser.add_argument("--idle", type=int, default=10)
    parser.add_argument("--out", default=os.path.join(HERE, "results"))
    args = parser.parse_args()
    rows = []
    for name, make in DESKTOPS:
        with tempfile.TemporaryDirectory(prefix="lifeline-bench-") as work:
            r = measure(args.build, make, args.seconds, args.idle, work)
        lat = r["latency"]
        assert lat, f"{name}: the viewer saw no change"
        rows.append((name, statistics.median(lat), pct(lat, 95), r["missed"], r["stamps"],
                     r["idle_cpu"] * 100))
        print(f"{name}: median {rows[-1][1]:.1f} ms, p95 {rows[-1][2]:.1f} ms, "
              f"{r['missed']} of {r['stamps']} never shown, idle CPU {rows[-1][5]:.2f} %",
              flush=True)
    x11_median = rows[0][1]
    lines = ["# Lifeline per desktop", "",
             f"bench/desktops.py, {args.seconds} s of marker changes (20/s) and {args.idle} s "
             "idle, 1280x800, Tight, loopback, one run.", "",
             "| desktop | latency median ms | p95 ms | vs X11 | never shown | idle CPU % |",
             "|---|---|---|---|---|---|"]
    for name, median, p95, missed, stamps, cpu in rows:
        lines.append(f"| {name} | {median:.1f} | {p95:.1f} | {median / x11_median:.2f}x | "
                     f"{missed} of {stamps} | {cpu:.2f} |")
    os.makedirs(args.out, exist_ok=True)
    with open(os.path.join(args.out, "desktops.md"), "w") as f:
        f.write("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Lifeline per desktop: the same latency workload and idle CPU on X11
(Xvfb), on GNOME Wayland (headless Mutter with PipeWire) and on a wlroots
compositor (headless sway), with wayvnc on the same sway beside it, in
one run.

For each desktop, at 1280x800: bench-marker (one GTK client for both,
native on each) covers the screen; `lifeline invite` shares it, `lifeline
join` opens it, bench-viewer (Tight) watches join's port. Then

On sway, wayvnc (run as it ships: 30 frames a second at most) serves the
same screen straight to bench-viewer, without Lifeline's secure channel.

1. idle CPU: CPU seconds of the novice's process (wayvnc's) over IDLE
   seconds of a still screen with the viewer attached, as a share of one
   core;
2. latency: the marker changes 20 times a second for SECONDS; each change
   from the moment the client drew it to the update that showed it to the
   viewer (median, 95th percentile, changes never shown).

Writes OUT/desktops.md (default OUT: bench/results).

usage: bench/desktops.py [--build DIR] [--seconds N] [--idle N] [--out DIR]"""

import argparse
import os
import socket
import statistics
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "e2e"))
sys.path.insert(0, HERE)
from compare import latencies, pct, sighting_lines, stamp_lines  # noqa: E402
from harness import Process, Xvfb, cpu_seconds, free_port  # noqa: E402
from sway_session import HeadlessSway  # noqa: E402
from wayland_session import HeadlessGnome  # noqa: E402


class Desktop:
    """A desktop to measure on: its environment, how its programs are run
    (sway's as its unprivileged user), where the novice's files go."""

    def __init__(self, env, stop, as_user=list, home=None):
        self.env, self.stop, self.as_user, self.home = env, stop, as_user, home


def x11_desktop():
    x = Xvfb(1280, 800)
    return Desktop(x.env(GDK_BACKEND="x11", NO_AT_BRIDGE="1"), x.stop)


def gnome_desktop():
    g = HeadlessGnome()
    return Desktop(g.env(GDK_BACKEND="wayland"), g.stop)


def sway_desktop():
    s = HeadlessSway(("1280x800",))
    return Desktop(s.env(GDK_BACKEND="wayland", NO_AT_BRIDGE="1"), s.stop, s.as_user, s.home)


# (name, desktop, server): server "lifeline" is invite + join; "wayvnc" is
# wayvnc on the same desktop.
DESKTOPS = [("X11 (Xvfb)", x11_desktop, "lifeline"),
            ("GNOME Wayland (Mutter 43, PipeWire)", gnome_desktop, "lifeline"),
            ("wlroots (sway 1.7, headless)", sway_desktop, "lifeline"),
            ("wayvnc 0.5 on the same sway", sway_desktop, "wayvnc")]


def wait_all_seen(marker, viewer, timeout=20):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        stamps = stamp_lines(marker.out.replace("ready\n", ""))
        if stamps and latencies(stamps, sighting_lines(viewer.out))[1] == 0:
            return
        time.sleep(0.05)


def start_lifeline(build, d, work, procs):
    """invite and join; returns the novice's process and join's port."""
    home = d.home or work
    inv = os.path.join(home, "inv.lifeline")
    person = dict(d.env, HOME=home, XDG_DATA_HOME=os.path.join(home, "data"))
    invite = Process(d.as_user([os.path.join(build, "lifeline"), "invite", "--no-upnp",
                                "--name", "Alice", "--out", inv]), env=person, name="invite")
    procs.append(invite)
    invite.wait_for("Waiting for your helper")
    invite.send("y")
    port = free_port()
    join = Process([os.path.join(build, "lifeline"), "join", "--name", "Bob", "--vnc-port",
                    str(port), inv],
                   env=dict(person, HOME=os.path.join(work, "h"),
                            XDG_DATA_HOME=os.path.join(work, "h", "data")),
                   name="join")
    procs.append(join)
    join.wait_for("ready: ", timeout=60)
    return invite, port


def start_wayvnc(d, procs):
    port = free_port()
    server = Process(d.as_user(["wayvnc", "--config=/dev/null", "127.0.0.1", str(port)]),
                     env=d.env, name="wayvnc")
    procs.append(server)
    deadline = time.monotonic() + 20
    while not port_is_listening(port):
        assert server.proc.poll() is None and time.monotonic() < deadline, \
            f"wayvnc did not listen: {server.err}"
        time.sleep(0.05)
    return server, port


def port_is_listening(port):
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) == 0


def measure(build, make_desktop, server_kind, seconds, idle, work):
    d = make_desktop()
    procs = []
    try:
        marker = Process(d.as_user([os.path.join(build, "bench", "bench-marker"), str(seconds)]),
                         env=d.env, name="bench-marker")
        procs.append(marker)
        marker.wait_for("ready")
        if server_kind == "wayvnc":
            invite, port = start_wayvnc(d, procs)
        else:
            invite, port = start_lifeline(build, d, work, procs)
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
        d.stop()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--build", default=os.path.join(HERE, "..", "build"))
    parser.add_argument("--seconds", type=int, default=20)
    parser.add_argument("--idle", type=int, default=10)
    parser.add_argument("--out", default=os.path.join(HERE, "results"))
    args = parser.parse_args()
    rows = []
    for name, make, server_kind in DESKTOPS:
        with tempfile.TemporaryDirectory(prefix="lifeline-bench-") as work:
            r = measure(args.build, make, server_kind, args.seconds, args.idle, work)
        lat = r["latency"]
        assert lat, f"{name}: the viewer saw no change"
        rows.append((name, statistics.median(lat), pct(lat, 95), r["missed"], r["stamps"],
                     r["idle_cpu"] * 100))
        print(f"{name}: median {rows[-1][1]:.1f} ms, p95 {rows[-1][2]:.1f} ms, "
              f"{r['missed']} of {r['stamps']} never shown, idle CPU {rows[-1][5]:.2f} %",
              flush=True)
    x11_median, wayvnc_median = rows[0][1], rows[3][1]
    lines = ["# Lifeline per desktop", "",
             f"bench/desktops.py, {args.seconds} s of marker changes (20/s) and {args.idle} s "
             "idle, 1280x800, Tight, loopback, one run. The same GTK marker client on each "
             "desktop; wayvnc serves sway straight to the viewer (no secure channel).", "",
             "| desktop | latency median ms | p95 ms | vs X11 | vs wayvnc | never shown | "
             "idle CPU % |",
             "|---|---|---|---|---|---|---|"]
    for name, median, p95, missed, stamps, cpu in rows:
        lines.append(f"| {name} | {median:.1f} | {p95:.1f} | {median / x11_median:.2f}x | "
                     f"{median / wayvnc_median:.2f}x | {missed} of {stamps} | {cpu:.2f} |")
    os.makedirs(args.out, exist_ok=True)
    with open(os.path.join(args.out, "desktops.md"), "w") as f:
        f.write("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()

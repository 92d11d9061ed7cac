#!/usr/bin/env python3
"""Lifeline side by side with x11vnc and TigerVNC's x0vncserver.

One Xvfb at 1920x1080x24; for each server in turn, the same workloads
(bench-workload) and the same measuring viewer (bench-viewer, libvncclient)
asking for Tight (JPEG quality 6) and for ZRLE:

  idle        30 s of a still screen with a viewer attached
  typing      20 keys a second into an xterm
  scrolling   an xterm printing a large text file over and over
  move        a 400x300 window dragged across the screen, 30 steps a second
  fullscreen  the whole screen switching between two pictures 30 times a second

Servers: Lifeline through the full stack (invite, join, the helper's local
port), Lifeline's RFB server reached directly over TCP (what the secure
channel costs), x11vnc and x0vncserver.

Latency is from the moment the X server has drawn a change (the workload
stamps a coloured marker with it) to the moment the viewer has an update
showing it; a change the viewer never saw on its own counts until the
first update showing a later one. CPU is the server process's (for the
full stack: the novice's `lifeline invite`), from /proc.

Bytes per update depend on what each update holds (a server that sends
part of a change in one update and the rest in the next has smaller
ones), so each server is also given one change of the whole screen to a
still picture (the first of the two the fullscreen workload switches
between): the bytes the viewer receives for it, per encoding.

usage: bench/compare.py [--smoke] [--build DIR] [--out DIR]
  --smoke   a ~45 s run that checks the harness works (no timings judged)
Writes OUT/results.md (tables with ratios) and OUT/latency.png (default
OUT: bench/results)."""

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "e2e"))
from harness import Process, Xvfb, cpu_seconds, free_port, port_is_closed  # noqa: E402

WORKLOADS = ["typing", "scrolling", "move", "fullscreen"]
SERVERS = ["lifeline", "lifeline-rfb", "x11vnc", "tigervnc"]
LABEL = {"lifeline": "Lifeline (invite + join)", "lifeline-rfb": "Lifeline RFB, no channel",
         "x11vnc": "x11vnc", "tigervnc": "TigerVNC x0vncserver"}
MARKER_COLOURS = 27


def wait_port(port, timeout=15):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not port_is_closed(port):
            return
        time.sleep(0.1)
    raise AssertionError(f"nothing listens on port {port}")


class Server:
    """One VNC server on the display, until stop()."""

    def __init__(self, kind, build, x, work):
        self.kind = kind
        self.port = free_port()
        self.procs = []
        env = x.env(HOME=work, XDG_DATA_HOME=os.path.join(work, kind, "data"),
                    XDG_STATE_HOME=os.path.join(work, kind, "state"))
        lifeline = os.path.join(build, "lifeline")
        if kind == "lifeline":
            inv = os.path.join(work, "bench.lifeline")
            invite = self.start([lifeline, "invite", "--no-upnp", "--name", "Alice", "--out", inv],
                                env)
            invite.wait_for("Waiting for your helper")
            join = self.start([lifeline, "join", "--name", "Bob", "--vnc-port", str(self.port),
                               inv], env)
            invite.wait_for("Allow? [y/N]")
            invite.send("y")
            join.wait_for("ready: ")
            self.pid = invite.proc.pid
        elif kind == "lifeline-rfb":
            worker = dict(env, LIFELINE_RFB_WORKER=os.path.join(build, "lifeline-rfb-worker"))
            p = self.start([os.path.join(build, "bench", "bench-rfb-direct"), str(self.port)],
                           worker)
            p.wait_for("listening")
            self.pid = p.proc.pid
        elif kind == "x11vnc":
            p = self.start(["x11vnc", "-display", x.display, "-rfbport", str(self.port),
                            "-localhost", "-nopw", "-forever", "-shared", "-quiet"], env)
            self.pid = p.proc.pid
            wait_port(self.port)
        elif kind == "tigervnc":
            # The server itself, not the perl wrapper around it, so its CPU counts.
            p = self.start(["X0tigervnc", "-display", x.display, "-rfbport", str(self.port),
                            "-localhost", "-SecurityTypes", "None"], env)
            self.pid = p.proc.pid
            wait_port(self.port)

    def start(self, argv, env):
        p = Process(argv, env=env)
        self.procs.append(p)
        return p

    def stop(self):
        for p in reversed(self.procs):
            p.stop()
            if os.environ.get("BENCH_DEBUG"):
                print(f"--- {' '.join(p.argv[:2])}\n{p.out}{p.err}", file=sys.stderr)


def big_text_file(work):
    path = os.path.join(work, "scroll.txt")
    with open(path, "w") as f:
        for i in range(20000):
            f.write(f"{i:6d}  the quick brown fox jumps over the lazy dog, "
                    f"{i * 7919 % 100003:6d} lines of text scroll by in this terminal\n")
    return path


def start_scene(workload, x, work):
    """The windows a workload needs besides its own; returns processes."""
    if workload == "typing":
        p = x.spawn("xterm", "-geometry", "100x30+100+100", "-title", "bench-typing", "-e", "cat")
        x.wait_window("bench-typing")
        return [p]
    if workload == "scrolling":
        text = big_text_file(work)
        p = x.spawn("xterm", "-geometry", "140x60+100+100", "-title", "bench-scroll", "-e", "sh",
                    "-c", f"while :; do cat {text}; done")
        x.wait_window("bench-scroll")
        return [p]
    return []


def latencies(stamps, sightings):
    """Matches the viewer's sightings of marker colours to the stamps;
    returns (latencies in ms, stamps never shown)."""
    out, last = [], 0
    times = dict(stamps)
    for idx, t in sightings:
        chosen, seq = None, last + 1
        while seq in times and times[seq] <= t:
            if seq % MARKER_COLOURS == idx:
                chosen = seq
            seq += 1
        if chosen is None:
            continue
        out.extend((t - times[s]) / 1e6 for s in range(last + 1, chosen + 1))
        last = chosen
    return out, len(stamps) - last


def start_viewer(build, server, encoding, seconds):
    return Process([os.path.join(build, "bench", "bench-viewer"), "127.0.0.1",
                    str(server.port), encoding, str(seconds)], name="viewer")


def upd_lines(viewer_out):
    """(time ns, bytes received so far) of each update the viewer finished."""
    return [(int(l.split()[1]), int(l.split()[2])) for l in viewer_out.splitlines()
            if l.startswith("upd ")]


def stamp_lines(out):
    """(stamp, time ns) of each change the workload made."""
    return [(int(a), int(b)) for a, b in (l.split() for l in out.splitlines() if l != "hold")]


def sighting_lines(viewer_out):
    return [(int(l.split()[1]), int(l.split()[2])) for l in viewer_out.splitlines()
            if l.startswith("seen ")]


def wait_last_stamp_seen(workload, viewer, timeout=20):
    """Keeps the workload's last change on screen until the viewer has
    shown it (or TIMEOUT), so that a slow server is measured, not cut off
    (x11vnc once showed nothing of the smoke run's 1 s of scrolling within
    the fixed tail)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        stamps = stamp_lines(workload.out)
        if not stamps or latencies(stamps, sighting_lines(viewer.out))[1] == 0:
            return
        time.sleep(0.05)


def run_one(build, x, server, workload, encoding, seconds, work, tail):
    scene = start_scene(workload, x, work)
    try:
        # The last change stays on screen TAIL seconds and then until the
        # viewer has seen it; the viewer is stopped TAIL seconds later.
        viewer = start_viewer(build, server, encoding, seconds + 90)
        try:
            viewer.wait_for("ready", timeout=30)
        except AssertionError:
            if os.environ.get("BENCH_DEBUG"):
                subprocess.run(["gdb", "-p", str(server.pid), "-batch", "-ex",
                                "thread apply all bt"], stdout=sys.stderr)
            raise
        cpu0, vcpu0 = cpu_seconds(server.pid), cpu_seconds(viewer.proc.pid)
        load = Process([os.path.join(build, "bench", "bench-workload"), workload, str(seconds),
                        str(tail), "hold"], env=x.env(), name="bench-workload")
        try:
            load.wait_for("hold\n", timeout=seconds + tail + 30)
            cpu1, vcpu1 = cpu_seconds(server.pid), cpu_seconds(viewer.proc.pid)
            wait_last_stamp_seen(load, viewer)
            load.send("done")
            assert load.wait_exit(10) == 0, f"bench-workload {workload} failed: {load.err}"
        finally:
            load.stop()
        time.sleep(tail)
        assert viewer.proc.poll() is None, f"the viewer ended early: {viewer.err}"
        viewer.stop()
        viewer.wait_exit(5)   # and all it printed is read
    finally:
        for p in scene:
            p.kill()
            p.wait(5)
    stamps = stamp_lines(load.out)
    ticks = upd_lines(viewer.out)
    lat, missed = latencies(stamps, sighting_lines(viewer.out))
    # Rates over the workload itself: first stamp to one period after the last.
    if len(stamps) >= 2:
        period = (stamps[-1][1] - stamps[0][1]) / (len(stamps) - 1)
        start, end = stamps[0][1], stamps[-1][1] + period
    else:
        start, end = ticks[0][0], ticks[-1][0]
    inside = [b for t, b in ticks if start <= t <= end]
    before = [b for t, b in ticks if t < start]
    window = max((end - start) / 1e9, 1e-3)
    base = before[-1] if before else ticks[0][1]
    nbytes = (inside[-1] if inside else 0) - base
    updates = len(inside)
    return {"latency": lat, "missed": missed, "stamps": len(stamps), "ups": updates / window,
            "kbps": max(nbytes, 0) / 1024 / window, "bpu": max(nbytes, 0) / max(updates, 1),
            "bytes_after_start": ticks[-1][1] - base,
            "cpu": cpu1 - cpu0, "viewer_cpu": vcpu1 - vcpu0, "seconds": seconds}


def picture_bytes(build, x, server, encoding, wait):
    """Bytes a connected viewer receives for one change of the whole screen
    to a still picture: the updates from the change until the first pause
    of 50 ms. A server may send a change in several updates; all of them
    count. What comes after the pause is not the change: TigerVNC, for
    one, sends a still screen again losslessly 100 ms later (about 2.7 MB
    here), a refinement the others do not make."""
    viewer = start_viewer(build, server, encoding, 60)
    try:
        viewer.wait_for("\nupd ", timeout=30)
        time.sleep(0.5)
        since = viewer.mark()
        before = upd_lines(viewer.out[:since])[-1][1]
        still = Process([os.path.join(build, "bench", "bench-workload"), "still", "60"],
                        env=x.env(), name="still")
        try:
            still.wait_for("shown")
            time.sleep(wait)
        finally:
            still.stop()
        burst = upd_lines(viewer.out[since:])
    finally:
        viewer.stop()
        viewer.wait_exit(5)
    assert burst, f"{server.kind}: no update after the change to a still picture"
    end = 0
    while end + 1 < len(burst) and burst[end + 1][0] - burst[end][0] < 50_000_000:
        end += 1
    return burst[end][1] - before


def pct(values, q):
    if not values:
        return float("nan")
    s = sorted(values)
    return s[min(len(s) - 1, int(round(q / 100 * (len(s) - 1))))]


def ratio(a, b):
    return f"{a / b:.2f}" if b else "n/a"


def table(title, rows, columns):
    """ROWS: {server: figures}; COLUMNS: [(header, key, format)]."""
    lines = [f"### {title}", "", "| server | " + " | ".join(h for h, _, _ in columns) + " |",
             "| --- |" + " --- |" * len(columns)]
    for server in SERVERS:
        if server in rows:
            lines.append(f"| {LABEL[server]} | " +
                         " | ".join(fmt.format(rows[server][k]) for _, k, fmt in columns) + " |")
    for other in ("x11vnc", "tigervnc"):
        if "lifeline" in rows and other in rows:
            lines.append(f"| Lifeline / {LABEL[other]} | " +
                         " | ".join(ratio(rows["lifeline"][k], rows[other][k])
                                    for _, k, _ in columns) + " |")
    return lines + [""]


def summarise(r):
    lat = r["latency"]
    return dict(r, median=statistics.median(lat) if lat else float("nan"), p95=pct(lat, 95),
                cpu_pct=100 * r["cpu"] / r["seconds"])


def plot(results, path):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    fig, axes = plt.subplots(1, len(WORKLOADS), figsize=(4 * len(WORKLOADS), 4), sharey=True)
    for ax, workload in zip(axes, WORKLOADS):
        data, names = [], []
        for server in SERVERS:
            r = results.get((server, workload, "tight")) or results.get((server, workload, "zrle"))
            if r and r["latency"]:
                data.append(r["latency"])
                names.append(LABEL[server].replace(" (invite + join)", "").replace(", no channel",
                                                                                  "\nno channel"))
        if not data:
            ax.set_visible(False)
            continue
        ax.boxplot(data, labels=names, showfliers=False)
        ax.set_title(f"{workload} (Tight)")
        ax.tick_params(axis="x", labelrotation=45, labelsize=7)
    axes[0].set_ylabel("latency, ms (change drawn to update shown)")
    fig.tight_layout()
    fig.savefig(path, dpi=90)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--smoke", action="store_true")
    ap.add_argument("--build", default=os.path.join(HERE, "..", "build"))
    ap.add_argument("--out", default=os.path.join(HERE, "results"))
    ap.add_argument("--servers", default=",".join(SERVERS),
                    help="a comma-separated subset of " + ",".join(SERVERS))
    ap.add_argument("--encodings", help="tight, zrle or tight,zrle")
    ap.add_argument("--workloads", default=",".join(WORKLOADS),
                    help="a comma-separated subset of " + ",".join(WORKLOADS))
    args = ap.parse_args()
    for tool in ("x11vnc", "X0tigervnc", "xterm"):
        if shutil.which(tool) is None:
            sys.exit(f"compare.py: {tool} is missing; run ./scripts/install-deps")
    # Smoke: every part runs, briefly; the tail and the wait after the
    # still picture are long enough on an idle machine, not for timings.
    seconds, idle, tail, wait = (1, 2, 0.3, 0.6) if args.smoke else (8, 30, 1, 2)
    encodings = ["tight"] if args.smoke else ["tight", "zrle"]
    if args.encodings:
        encodings = args.encodings.split(",")
    servers = args.servers.split(",")
    workloads = args.workloads.split(",")
    os.makedirs(args.out, exist_ok=True)
    work = tempfile.mkdtemp(prefix="lifeline-bench-")
    x = Xvfb(1920, 1080)
    results, idle_cpu, pictures = {}, {}, {}
    started = time.monotonic()
    try:
        x.run("xsetroot", "-solid", "#3465a4")
        for kind in servers:
            server = Server(kind, args.build, x, work)
            try:
                r = run_one(args.build, x, server, "idle", "tight", idle, work, tail)
                idle_cpu[kind] = summarise(r)
                print(f"# {kind} idle: {r['cpu']:.2f} CPU s over {idle} s", flush=True)
                pictures[kind] = {e: picture_bytes(args.build, x, server, e, wait) for e in encodings}
                print(f"# {kind} one full-screen change: " +
                      ", ".join(f"{e} {n} bytes" for e, n in pictures[kind].items()), flush=True)
                for encoding in encodings:
                    for workload in workloads:
                        r = summarise(run_one(args.build, x, server, workload, encoding, seconds,
                                              work, tail))
                        results[(kind, workload, encoding)] = r
                        print(f"# {kind} {workload} {encoding}: median {r['median']:.1f} ms, "
                              f"p95 {r['p95']:.1f} ms, {r['ups']:.1f} updates/s, "
                              f"{r['kbps']:.0f} KiB/s, {r['cpu']:.2f} CPU s, viewer {r['viewer_cpu']:.2f}",
                              flush=True)
            finally:
                server.stop()
    finally:
        x.stop()
        shutil.rmtree(work, ignore_errors=True)
    elapsed = time.monotonic() - started

    lines = [f"## Lifeline, x11vnc and TigerVNC side by side ({'smoke run' if args.smoke else 'full run'})",
             "", f"Xvfb 1920x1080x24, {os.cpu_count()} cores; {seconds} s per workload, "
             f"idle {idle} s; one run took {elapsed:.0f} s.", ""]
    lines += table("Idle screen, one viewer attached", idle_cpu,
                   [("CPU s", "cpu", "{:.2f}"), ("% of a core", "cpu_pct", "{:.2f}"),
                    ("KiB/s", "kbps", "{:.1f}")])
    lines += table("One change of the whole screen to a still picture: bytes received for it",
                   pictures, [(e, e, "{}") for e in encodings])
    columns = [("latency median ms", "median", "{:.1f}"), ("p95 ms", "p95", "{:.1f}"),
               ("updates/s", "ups", "{:.1f}"), ("KiB/s", "kbps", "{:.0f}"),
               ("bytes/update", "bpu", "{:.0f}"), ("server CPU s", "cpu", "{:.2f}"),
               ("viewer CPU s", "viewer_cpu", "{:.2f}"),
               ("changes never shown", "missed", "{}")]
    for encoding in encodings:
        for workload in WORKLOADS:
            rows = {k: results[(k, workload, encoding)] for k in SERVERS
                    if (k, workload, encoding) in results}
            lines += table(f"{workload}, {encoding}", rows, columns)
            if "lifeline" in rows and "lifeline-rfb" in rows:
                added = rows["lifeline"]["median"] - rows["lifeline-rfb"]["median"]
                lines += [f"Secure channel adds {added:.1f} ms median latency.", ""]
    with open(os.path.join(args.out, "results.md"), "w") as f:
        f.write("\n".join(lines))
    plot(results, os.path.join(args.out, "latency.png"))
    print("\n".join(lines))
    if args.smoke:
        # The harness works: every run saw its changes and counted bytes.
        # Bytes count from the workload's start to the viewer's end, not
        # within the workload's second: how soon a server sends is a
        # timing, which the smoke run does not judge.
        for key, r in results.items():
            assert r["latency"], f"{key}: the viewer saw no change"
            assert r["bytes_after_start"] > 0, f"{key}: no bytes counted"
        for kind, sizes in pictures.items():
            # JPEG at quality 6 of a 1920x1080 photo-like picture: far more
            # than a blank screen's few hundred bytes.
            assert all(n > 100000 for n in sizes.values()), f"{kind}: picture bytes {sizes}"
        print("smoke run: the harness works")


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""The NAT lab: a novice and a helper behind routers of each kind (network
namespaces, veth, nftables), the rendezvous and coturn on the public side,
a real session each time: Xvfb on the novice, `lifeline join --json`, then
vncsnapshot through the helper's local port. Checks the path taken, that
the traffic really went that way (bytes through the relay), and the
picture. Needs root.

usage: test_nat.py LIFELINE [TEST ...]   (LIFELINE_NAT_RUNS=N: connects per case)"""

import json
import os
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "e2e"))
from harness import Process, Suite, Xvfb, differing_pixels, image_size  # noqa: E402
from nat_lab import (EXPECTED, PROXY_PORT, PUBLIC_IP, RELAY_PORTS, RENDEZVOUS_PORT, TLS_PORT,  # noqa: E402
                     TURN_IP, Lab)  # noqa: E402

LIFELINE = os.path.abspath(sys.argv[1])
RFB_SNAPSHOT = os.path.join(os.path.dirname(LIFELINE), "tests", "tools", "rfb-snapshot")
RFB_PROBE = os.path.join(os.path.dirname(LIFELINE), "tests", "tools", "rfb-probe")
sys.argv = sys.argv[1:]
RUNS = int(os.environ.get("LIFELINE_NAT_RUNS", "1"))
RENDEZVOUS = f"ws://{PUBLIC_IP}:{RENDEZVOUS_PORT}/lifeline"
DIRECT = {"direct", "mapped", "ice-host", "ice-srflx"}
# Routers behind which only the rendezvous on wss:// and the relay over TLS,
# both at 443, can be reached: their labs have those.
TLS_ONLY = {"tcp443", "proxy"}
suite = Suite()
results = []   # (novice kind, helper kind, path, median ms)


def in_ns(ns, *argv):
    return ["ip", "netns", "exec", ns, *argv]


def person_env(work, who, display=None):
    env = dict(os.environ, HOME=work, XDG_DATA_HOME=os.path.join(work, who, "data"),
               XDG_STATE_HOME=os.path.join(work, who, "state"))
    if display:
        env["DISPLAY"] = display
    return env


def lab_env(lab, ns, work, who, display=None):
    """A person's environment in NS: behind a proxy, https_proxy names it."""
    env = person_env(work, who, display)
    if ns in lab.proxies:
        env["https_proxy"] = lab.proxies[ns]
    return env


def accepted_session(lab, work, cleanups, novice_ns, helper_ns, x, name, *invite_args):
    """Invite through the rendezvous, `join --json`, and the novice's yes;
    returns (invite, join), both stopped by CLEANUPS."""
    inv = os.path.join(work, f"{name}.lifeline")
    invite = Process(lab.command(novice_ns, LIFELINE, "invite", "--name", "Alice", "--out", inv,
                                 "--rendezvous", lab.rendezvous_url, *invite_args),
                     env=lab_env(lab, novice_ns, work, f"{name}-novice", x.display), name="invite")
    cleanups.append(invite.stop)
    invite.wait_for("Waiting for your helper")
    join = Process(lab.command(helper_ns, LIFELINE, "join", "--json", "--name", "Bob",
                               "--vnc-port", "5950", inv),
                   env=lab_env(lab, helper_ns, work, f"{name}-helper"), name="join")
    cleanups.append(join.stop)
    invite.wait_for("Allow? [y/N]", timeout=60)
    invite.send("y")
    join.wait_for("ready: ", timeout=30)
    return invite, join


def one_session(lab, work, novice_ns, helper_ns, x, name, snapshot):
    """Invite, join, consent; optionally a picture. Returns (path, ms)."""
    stops = []
    try:
        invite, join = accepted_session(lab, work, stops, novice_ns, helper_ns, x, name)
        line = [l for l in join.out.splitlines() if l.startswith("{")][0]
        connected = json.loads(line)
        if snapshot:
            check_picture(work, name, x, helper_ns, 5950)
        return connected["path"], connected["ms"]
    finally:
        for stop in reversed(stops):
            stop()


def check_picture(work, name, x, helper_ns, vnc_port):
    root = os.path.join(work, f"{name}-root.png")
    jpg = os.path.join(work, f"{name}-snap.jpg")
    x.screenshot(root)
    r = subprocess.run(in_ns(helper_ns, "vncsnapshot", "-quiet", "-allowblank", "-nojpeg",
                             "-nocursor", f"127.0.0.1:{vnc_port - 5900}", jpg),
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, f"vncsnapshot failed: {r.stderr}"
    assert image_size(jpg) == (640, 480)
    diff = differing_pixels(root, jpg, 10)
    assert diff <= 0.005 * 640 * 480, f"{diff} pixels differ"


def novice_desktop(lab, ns, cleanups):
    x = Xvfb(640, 480, prefix=in_ns(ns))
    cleanups.append(x.stop)
    x.run("xsetroot", "-solid", "#c4a000")
    x.spawn("xlogo", "-geometry", "200x200+50+50")
    x.wait_window("xlogo")
    return x


def lab_pair(work, cleanups, tag, novice_kind, helper_kind):
    """A lab of its own, a novice and a helper behind routers of those
    kinds; returns (lab, novice namespace, helper namespace, the novice's
    desktop, solid #c4a000)."""
    tls = bool({novice_kind, helper_kind} & TLS_ONLY)
    lab = Lab(f"{os.getpid() % 1000}{tag}", tls=tls)
    cleanups.append(lab.teardown)
    lab.start_public_services(LIFELINE, work)
    novice_ns = lab.host("nov", novice_kind)
    helper_ns = lab.host("hlp", helper_kind)
    return lab, novice_ns, helper_ns, novice_desktop(lab, novice_ns, cleanups)


def run_case(work, cleanups, novice_kind, helper_kind):
    lab, novice_ns, helper_ns, x = lab_pair(work, cleanups, len(results), novice_kind,
                                            helper_kind)
    for ns, kind in ((novice_ns, novice_kind), (helper_ns, helper_kind)):
        if kind in TLS_ONLY:
            continue   # no UDP gets out to classify it with
        seen = lab.classify(ns)
        for key, value in EXPECTED.get(kind, {}).items():
            assert seen[key] == value, f"the {kind} router behaves as {seen}"
    paths, times = [], []
    for run in range(RUNS):
        relayed_before = lab.relayed_bytes()
        path, ms = one_session(lab, work, novice_ns, helper_ns, x, f"run{run}",
                               snapshot=(run == 0))
        relayed = lab.relayed_bytes() - relayed_before
        paths.append(path)
        times.append(ms)
        if run == 0:
            # The picture went the way the path says: through the relay or not.
            if path == "relay":
                assert relayed > 100_000, f"relay path but only {relayed} bytes relayed"
            else:
                assert relayed < 50_000, f"{path} path but {relayed} bytes went through the relay"
    if novice_kind in ("upnp", "natpmp"):
        # The invitation's port mapping went away with the session.
        # The router drops it when it has handled the novice's request, which
        # may come after the novice has ended (seen once under ASan in CI).
        router = f"ll{lab.tag}-nov-router"
        deadline = time.monotonic() + 15
        while True:
            chain = lab.exec(router, "nft", "list", "chain", "inet", "filter",
                             "miniupnpd").stdout
            if "dport" not in chain or time.monotonic() > deadline:
                break
            time.sleep(0.2)
        assert "dport" not in chain, f"the port mapping is still there:\n{chain}"
    results.append((novice_kind, helper_kind, paths[0], statistics.median(times)))
    print(f"# {novice_kind} / {helper_kind}: {paths} median {statistics.median(times):.0f} ms",
          flush=True)
    return paths[0]


def case(novice_kind, helper_kind, allowed):
    def test(work, cleanups):
        path = run_case(work, cleanups, novice_kind, helper_kind)
        assert path in allowed, f"{novice_kind}/{helper_kind} took {path}, expected {allowed}"
    test.__name__ = f"test_{novice_kind}_{helper_kind}".replace("-", "_")
    suite.test(test)


case("none", "none", DIRECT)
case("full-cone", "symmetric", DIRECT)
case("port-restricted", "port-restricted", DIRECT)
# No direct path can exist here without port prediction (not tried).
case("port-restricted", "symmetric", DIRECT | {"relay"})
case("symmetric", "symmetric", DIRECT | {"relay"})
# A UPnP router on the novice's side: its port mapping is a direct path.
case("upnp", "symmetric", {"mapped"})
case("natpmp", "symmetric", {"mapped"})
# Only TCP to 443 gets out on one side, only an HTTP proxy on the other:
# the rendezvous on wss:// at 443 and the relay over TLS at 443 (turns:).
case("port-restricted", "tcp443", {"relay"})
case("proxy", "port-restricted", {"relay"})


@suite.test
def test_offer_by_host_id_across_nat(work, cleanups):
    """`lifeline host` behind a port-restricted NAT registers at the
    rendezvous; a listed helper behind a symmetric NAT offers help by host
    id alone. Neither router forwards anything."""
    lab, host_ns, helper_ns, x = lab_pair(work, cleanups, "of", "port-restricted", "symmetric")
    key = subprocess.run([LIFELINE, "id", "--name", "Sam Smith"], env=person_env(work, "sam"),
                         capture_output=True, text=True, check=True).stdout.splitlines()[0]
    policy = os.path.join(work, "policy.conf")
    with open(policy, "w") as f:
        f.write(f"[offer]\nallow=true\ncontrol=allow\nhelpers={key}\n")
    host = Process(in_ns(host_ns, LIFELINE, "host", "--name", "Alice", "--policy", policy,
                         "--rendezvous", RENDEZVOUS),
                   env=person_env(work, "alice", x.display), name="host")
    cleanups.append(host.stop)
    out = host.wait_for("Listening on port", timeout=30)
    host_id = out.split("host id: ")[1].split()[0]
    offer = Process(in_ns(helper_ns, LIFELINE, "offer", host_id, "--rendezvous", RENDEZVOUS,
                          "--json", "--vnc-port", "5950"), env=person_env(work, "sam"),
                    name="offer")
    cleanups.append(offer.stop)
    short = " ".join(key[7 + i:11 + i] for i in range(0, 16, 4))
    host.wait_for(f"Sam Smith (key {short}, listed by this computer's policy) offers to help you.",
                  timeout=60)
    host.send("y")
    out = offer.wait_for("ready: ", timeout=30)
    connected = json.loads([l for l in out.splitlines() if l.startswith("{")][0])
    assert connected["path"] in DIRECT | {"relay"}, connected
    print(f"# offer port-restricted / symmetric: {connected['path']} in {connected['ms']} ms",
          flush=True)
    check_picture(work, "offer", x, helper_ns, 5950)


def captured_session(lab, work, cleanups, novice_ns, helper_ns, x, name, capture_ns, filt,
                     interface):
    """A session with a known chat line and raw pixels, captured at
    INTERFACE in CAPTURE_NS; returns (the captured bytes, join, the
    invitation's secret)."""
    pcap = os.path.join(work, f"{name}.pcap")
    capture = lab.spawn(capture_ns, ["tcpdump", "-i", interface, "-w", pcap, "-U", filt],
                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(0.5)
    invite, join = accepted_session(lab, work, cleanups, novice_ns, helper_ns, x, name)
    join.send(SECRET_LINE)
    invite.wait_for(f"Bob: {SECRET_LINE}")
    # Raw pixels: a long run of the background colour in the viewer's format.
    r = subprocess.run(in_ns(helper_ns, RFB_SNAPSHOT, "127.0.0.1", "5950", "raw",
                             os.path.join(work, f"{name}.ppm")), capture_output=True, text=True,
                       timeout=60)
    assert r.returncode == 0, r.stderr
    time.sleep(1)
    capture.terminate()
    capture.wait(5)
    with open(pcap, "rb") as f:
        captured = f.read()
    with open(os.path.join(work, f"{name}.lifeline")) as f:
        secret = [l for l in f.read().splitlines() if l.startswith("secret=")][0][7:]
    return captured, join, secret


SECRET_LINE = "the-password-is-tangerine-42"
PIXELS = bytes([0xc4, 0xa0, 0x00, 0x00]) * 16   # #c4a000 in the viewer's format (R, G, B, 0)


def assert_only_ciphertext(captured, secret, where):
    assert SECRET_LINE.encode() not in captured, f"the chat text crossed {where} in clear"
    assert PIXELS not in captured, f"screen pixels crossed {where} in clear"
    assert secret.encode() not in captured, f"the invitation's secret crossed {where}"


@suite.test
def test_relay_sees_only_ciphertext(work, cleanups):
    """A relayed session with a known chat line and a known screen colour,
    captured on the public side: neither appears in the relayed packets."""
    lab, novice_ns, helper_ns, x = lab_pair(work, cleanups, 8, "symmetric", "symmetric")
    lo, hi = RELAY_PORTS
    captured, join, secret = captured_session(
        lab, work, cleanups, novice_ns, helper_ns, x, "secret", lab.pub,
        f"udp portrange {lo}-{hi} or tcp portrange {lo}-{hi}", "br0")
    assert '"path": "relay"' in join.out, join.out
    assert len(captured) > 100_000, f"only {len(captured)} bytes captured: not relayed?"
    assert_only_ciphertext(captured, secret, "the relay")


@suite.test
def test_proxy_sees_only_ciphertext(work, cleanups):
    """The novice's only way out is the HTTP proxy on its router: the
    rendezvous (wss://) and the relay over TLS both go through it as
    CONNECT tunnels, and a capture between the novice and the proxy shows
    no chat text, pixels or secret."""
    lab, novice_ns, helper_ns, x = lab_pair(work, cleanups, 13, "proxy", "port-restricted")
    router = f"ll{lab.tag}-nov-router"
    captured, join, secret = captured_session(lab, work, cleanups, novice_ns, helper_ns, x,
                                              "proxied", router, f"tcp port {PROXY_PORT}", "lan")
    assert '"path": "relay"' in join.out, join.out
    for target in (f"{PUBLIC_IP}:{TLS_PORT}", f"{TURN_IP}:{TLS_PORT}"):
        assert f"CONNECT {target} ".encode() in captured, f"nothing went to {target} by the proxy"
    assert len(captured) > 100_000, f"only {len(captured)} bytes through the proxy"
    assert_only_ciphertext(captured, secret, "the proxy")


@suite.test
def test_two_novices_behind_one_router(work, cleanups):
    lab = Lab(f"{os.getpid() % 1000}9")
    cleanups.append(lab.teardown)
    lab.start_public_services(LIFELINE, work)
    router = lab.router("home", "port-restricted")
    novices = [lab.lan_host(f"nov{i}", router)[0] for i in (1, 2)]
    helpers = [lab.host(f"hlp{i}", "port-restricted") for i in (1, 2)]
    desktops = [novice_desktop(lab, ns, cleanups) for ns in novices]
    # Both invitations open at the same time; both helpers connect.
    sessions = []
    for i in (0, 1):
        inv = os.path.join(work, f"two{i}.lifeline")
        invite = Process(in_ns(novices[i], LIFELINE, "invite", "--name", f"Novice{i}",
                               "--out", inv, "--rendezvous", RENDEZVOUS),
                         env=person_env(work, f"n{i}", desktops[i].display), name=f"invite{i}")
        cleanups.append(invite.stop)
        invite.wait_for("Waiting for your helper")
        sessions.append((invite, inv))
    joins = []
    for i in (0, 1):
        join = Process(in_ns(helpers[i], LIFELINE, "join", "--json", "--name", f"Helper{i}",
                             "--vnc-port", "5950", sessions[i][1]),
                       env=person_env(work, f"h{i}"), name=f"join{i}")
        cleanups.append(join.stop)
        joins.append(join)
    for i in (0, 1):
        sessions[i][0].wait_for(f"Helper{i} wants to see your screen. Allow? [y/N]", timeout=60)
        sessions[i][0].send("y")
    for i in (0, 1):
        joins[i].wait_for("ready: ", timeout=30)
        check_picture(work, f"two{i}", desktops[i], helpers[i], 5950)


def live_session(lab, work, cleanups, novice_ns, helper_ns, x, *invite_args):
    """An accepted session left running, with a viewer attached through
    the helper's port; returns (invite, join, viewer)."""
    invite, join = accepted_session(lab, work, cleanups, novice_ns, helper_ns, x, "live",
                                    *invite_args)
    viewer = Process(in_ns(helper_ns, RFB_PROBE, "127.0.0.1", "5950"), name="viewer")
    cleanups.append(viewer.stop)
    viewer.wait_for("ready", timeout=30)
    return invite, join, viewer


def live_lab(work, cleanups, tag, novice_kind, helper_kind, *invite_args):
    """A lab of its own with a live session in it; returns (lab, novice
    namespace, helper namespace, novice's desktop, invite, join, viewer)."""
    lab, novice_ns, helper_ns, x = lab_pair(work, cleanups, tag, novice_kind, helper_kind)
    session = live_session(lab, work, cleanups, novice_ns, helper_ns, x, *invite_args)
    return (lab, novice_ns, helper_ns, x) + session


def viewer_shows(viewer, colour, timeout):
    """Asks the viewer for a background pixel until it shows COLOUR."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        since = viewer.mark()
        viewer.send("pixel 5 5")
        out = viewer.wait_for("\n", since=since, timeout=10)
        if out[since:].strip().endswith(colour):
            return
        time.sleep(0.3)
    raise AssertionError(f"the viewer never showed {colour}:\n{viewer.out[-300:]}")


@suite.test
def test_link_down_5s_resumes(work, cleanups):
    """The novice's router loses its public cable for 5 s in the middle of
    an ICE session: the helper comes back by itself, nobody is asked
    again, and the viewer that stayed attached shows what changed."""
    lab, novice_ns, helper_ns, x, invite, join, viewer = live_lab(
        work, cleanups, 10, "port-restricted", "port-restricted")
    viewer_shows(viewer, "c4a000", 10)
    router = f"ll{lab.tag}-nov-router"
    lab.set_cable(router, False)
    unplugged = time.monotonic()
    x.run("xsetroot", "-solid", "#204a87")   # changes while nobody can see them
    join.send("said during the outage")
    time.sleep(5)
    lab.set_cable(router, True)
    join.wait_for("connection lost", timeout=5)
    invite.wait_for("The connection to Bob was interrupted", timeout=5)
    join.wait_for('"reconnected": true', timeout=25)
    invite.wait_for("Bob is connected again.", timeout=5)
    back_s = time.monotonic() - unplugged
    viewer_shows(viewer, "204a87", 15)
    invite.wait_for("Bob: said during the outage", timeout=5)
    invite.send("and after it")
    join.wait_for("Alice: and after it", timeout=10)
    assert invite.out.count("Allow? [y/N]") == 1, invite.out
    assert viewer.proc.poll() is None, "the viewer was disconnected"
    line = [l for l in join.out.splitlines() if l.startswith('{"reconnected"')][0]
    print(f"# back {back_s:.1f} s after the cable was pulled for 5 s: {line}", flush=True)


@suite.test
def test_relay_restart_resumes(work, cleanups):
    """coturn restarts under a relayed session (every allocation gone): the
    helper comes back through a fresh allocation, nobody is asked again."""
    lab, novice_ns, helper_ns, x, invite, join, viewer = live_lab(
        work, cleanups, 12, "symmetric", "symmetric")
    assert '"path": "relay"' in join.out, join.out
    lab.restart_turn()
    restarted = time.monotonic()
    x.run("xsetroot", "-solid", "#204a87")
    join.wait_for("connection lost", timeout=15)
    join.wait_for('"reconnected": true, "path": "relay"', timeout=30)
    invite.wait_for("Bob is connected again.", timeout=5)
    back_s = time.monotonic() - restarted
    viewer_shows(viewer, "204a87", 15)
    assert invite.out.count("Allow? [y/N]") == 1, invite.out
    line = [l for l in join.out.splitlines() if l.startswith('{"reconnected"')][0]
    print(f"# back {back_s:.1f} s after coturn restarted: {line}", flush=True)


@suite.test
def test_link_down_beyond_grace_ends_both(work, cleanups):
    """Unplugged for longer than the grace period: both sides end on their
    own and say why."""
    lab, novice_ns, helper_ns, x, invite, join, viewer = live_lab(
        work, cleanups, 11, "none", "port-restricted", "--grace", "6s")
    lab.set_cable(novice_ns, False)
    said = "the connection was lost and did not come back within 6 seconds"
    invite.wait_for(f"Sharing stopped: {said}.", timeout=20)
    assert invite.wait_exit(5) == 1
    join.wait_exit(20)
    assert join.proc.returncode == 1, join.out + join.err
    assert said in join.err, join.err
    lab.set_cable(novice_ns, True)


status = suite.run()
if results:
    print("# novice / helper: path, median connect ms")
    for n, h, path, ms in results:
        print(f"# | {n} | {h} | {path} | {ms:.0f} |")
sys.exit(status)

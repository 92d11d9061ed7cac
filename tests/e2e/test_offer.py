#!/usr/bin/env python3
"""End to end: offers of help. A novice runs `lifeline host` on an Xvfb
with a policy file; helpers with their own keys (listed by fingerprint, or
signed by a CA made with `lifeline ca`) run `lifeline offer`. Refused
offers must never reach the novice: the host's terminal shows no question
and the audit log names the refusal. Also the solicited side of the policy
(`invite --policy`) and two hosts on one machine at once.

usage: test_offer.py LIFELINE TOOLS_DIR [TEST ...]"""

import json
import os
import re
import shlex
import signal
import subprocess
import sys
import time

from harness import Process, Suite, Xvfb, free_port

LIFELINE, TOOLS = sys.argv[1], sys.argv[2]
sys.argv = sys.argv[2:]
suite = Suite()
QUIET = 1.5   # how long the novice's terminal is watched for a question that must not come


def person_env(work, who, x=None):
    base = x.env() if x is not None else dict(os.environ)
    base.update(HOME=os.path.join(work, who), XDG_DATA_HOME=os.path.join(work, who, "data"),
                XDG_STATE_HOME=os.path.join(work, who, "state"),
                XDG_CONFIG_HOME=os.path.join(work, who, "config"))
    return base


def lifeline(env, *args, check=True):
    r = subprocess.run([LIFELINE, *args], env=env, capture_output=True, text=True, timeout=60)
    if check and r.returncode != 0:
        raise AssertionError(f"lifeline {' '.join(args)} failed ({r.returncode}):\n"
                             f"{r.stdout}\n{r.stderr}")
    return r


def helper_key(work, who, name):
    """Sets up a helper identity named NAME; returns its fingerprint line."""
    out = lifeline(person_env(work, who), "id", "--name", name).stdout.splitlines()
    assert out[0].startswith("sha256:") and len(out[0]) == 7 + 64, out
    assert out[1] == name, out
    return out[0]


def listed(name, key):
    """The start of the host's question for a helper listed by key."""
    hexd = key[len("sha256:"):]
    short = " ".join(hexd[i:i + 4] for i in range(0, 16, 4))
    return f"{name} (key {short}, listed by this computer's policy) offers to help you."


def make_ca(work, directory, organisation):
    lifeline(person_env(work, "desk"), "ca", "init", os.path.join(work, directory), "--name",
             organisation)
    return os.path.join(work, directory, "ca-cert.pem")


def certify(work, who, ca_dir, days=30):
    """Exports WHO's identity, signs it with the CA in CA_DIR, installs it."""
    env = person_env(work, who)
    request = os.path.join(work, f"{who}.identity")
    lifeline(env, "id", "--export", request)
    lifeline(person_env(work, "desk"), "ca", "sign", os.path.join(work, ca_dir), "--identity",
             request, "--days", str(days))
    lifeline(env, "id", "--import-cert", os.path.join(work, f"{who}.crt"))


def write_policy(work, text, name="policy.conf"):
    path = os.path.join(work, name)
    with open(path, "w") as f:
        f.write(text)
    os.chmod(path, 0o644)
    return path


class Host:
    """`lifeline host` for a novice named Alice on its own Xvfb."""

    def __init__(self, work, cleanups, policy, who="novice", colour="#3465a4", extra=()):
        self.work, self.who = work, who
        self.x = Xvfb(640, 480)
        cleanups.append(self.x.stop)
        self.x.run("xsetroot", "-solid", colour)
        self.port = free_port(4600, 4900)
        self.proc = Process([LIFELINE, "host", "--port", str(self.port), "--policy", policy,
                             "--name", "Alice", *extra], env=person_env(work, who, self.x),
                            name="host")
        cleanups.append(self.proc.stop)
        out = self.proc.wait_for("Listening on port")
        self.host_id = out.split("host id: ")[1].split()[0]
        self.host_key = out.split("host key: ")[1].split()[0]

    def offer(self, cleanups, helper, *args, pin=None):
        vnc = free_port()
        p = Process([LIFELINE, "offer", f"127.0.0.1:{self.port}", "--host-key", pin or self.host_id,
                     "--vnc-port", str(vnc), *args], env=person_env(self.work, helper), name="offer")
        cleanups.append(p.stop)
        p.vnc_port = vnc
        return p

    def audit(self):
        path = os.path.join(self.work, self.who, "state", "lifeline", "audit.log")
        with open(path) as f:
            return [json.loads(line) for line in f if line.strip()]

    def assert_never_asked(self):
        time.sleep(QUIET)
        assert "Allow?" not in self.proc.out and "[y/N]" not in self.proc.out, self.proc.out
        assert "offers to help" not in self.proc.out, self.proc.out
        # Not even a line on the novice's terminal: the log is journald's.
        assert "refused a helper" not in self.proc.err, self.proc.err


def expect_refused(host, offer, reason):
    out = offer.wait_for("refused: ")
    assert offer.wait_exit() == 1
    line = out.split("refused: ")[1].splitlines()[0]
    assert reason in line, line
    host.assert_never_asked()
    refusals = [e for e in host.audit() if e["event"] == "helper-refused"]
    assert refusals and reason in refusals[-1]["reason"], host.audit()
    return line


def accept(host, offer, prompt):
    host.proc.wait_for(prompt)
    host.proc.send("y")
    offer.wait_for("ready: vnc://127.0.0.1:")


def probe(cleanups, offer, x):
    p = Process([os.path.join(TOOLS, "rfb-probe"), "127.0.0.1", str(offer.vnc_port)], env=x.env(),
                name="probe")
    cleanups.append(p.stop)
    p.wait_for("ready")
    return p


def pixel(viewer, x, y):
    mark = viewer.mark()
    viewer.send(f"pixel {x} {y}")
    out = viewer.wait_for("pixel: ", since=mark)
    return out[mark:].split("pixel: ")[1].split()[2]


@suite.test
def test_authorized_by_fingerprint(work, cleanups):
    sam = helper_key(work, "sam", "Sam Smith")
    policy = write_policy(work, f"[offer]\nallow=true\ncontrol=allow\nhelpers={sam}\n")
    host = Host(work, cleanups, policy)
    offer = host.offer(cleanups, "sam")
    offer.wait_for("Waiting for")
    accept(host, offer, listed("Sam Smith", sam) + " Let them see your screen? [y/N]")
    viewer = probe(cleanups, offer, host.x)
    assert pixel(viewer, 10, 10) == "3465a4"
    # From here it is an invited session: control needs the novice's yes.
    offer.send("/control")
    host.proc.wait_for("Sam Smith asks to control your keyboard and mouse (press Esc to take it back). Allow? [y/N]")
    host.proc.send("y")
    offer.wait_for("control: granted")
    offer.send("hello Alice")
    host.proc.wait_for("Sam Smith: hello Alice")
    offer.send("/quit")
    assert offer.wait_exit() == 0
    host.proc.wait_for("Waiting for offers of help")
    events = [e["event"] for e in host.audit()]
    assert "consent-given" in events and "control-granted" in events, events


def rfb_workers(pid):
    """PIDs of PID's children that are the RFB worker."""
    found = []
    for task in os.listdir(f"/proc/{pid}/task"):
        with open(f"/proc/{pid}/task/{task}/children") as f:
            for child in f.read().split():
                with open(f"/proc/{child}/comm") as c:
                    if c.read().strip() == "lifeline-rfb-wo":   # comm keeps 15 characters
                        found.append(int(child))
    return found


@suite.test
def test_screen_server_crash_ends_only_the_session(work, cleanups):
    """libvncserver runs in a worker process: when it crashes, the session
    ends with a sentence on both sides, the host keeps running, and the
    next helper is served by a new worker."""
    sam = helper_key(work, "sam", "Sam Smith")
    policy = write_policy(work, f"[offer]\nallow=true\ncontrol=allow\nhelpers={sam}\n")
    host = Host(work, cleanups, policy)
    assert rfb_workers(host.proc.proc.pid) == []   # nothing runs before a yes
    offer = host.offer(cleanups, "sam")
    accept(host, offer, listed("Sam Smith", sam) + " Let them see your screen? [y/N]")
    viewer = probe(cleanups, offer, host.x)
    assert pixel(viewer, 10, 10) == "3465a4"
    workers = rfb_workers(host.proc.proc.pid)
    assert len(workers) == 1, workers
    with open(f"/proc/{workers[0]}/status") as f:
        status = dict(line.split(":\t", 1) for line in f.read().splitlines() if ":\t" in line)
    assert status["NoNewPrivs"].strip() == "1", status   # and a seccomp filter:
    assert status["Seccomp"].strip() == "2" and int(status["Seccomp_filters"]) >= 1, status
    os.kill(workers[0], signal.SIGSEGV)
    out = offer.wait_for("The session ended: ")
    assert "the screen server stopped unexpectedly" in out.split("The session ended: ")[1], out
    assert offer.wait_exit() == 0
    host.proc.wait_for("the screen server stopped unexpectedly")
    host.proc.wait_for("Waiting for offers of help")
    assert host.proc.proc.poll() is None
    # The next helper gets a new worker.
    again = host.offer(cleanups, "sam")
    mark = host.proc.mark()
    host.proc.wait_for(listed("Sam Smith", sam), since=mark)
    host.proc.send("y")
    again.wait_for("ready: vnc://127.0.0.1:")
    viewer = probe(cleanups, again, host.x)
    assert pixel(viewer, 10, 10) == "3465a4"
    assert len(rfb_workers(host.proc.proc.pid)) == 1
    again.send("/quit")
    assert again.wait_exit() == 0


@suite.test
def test_authorized_by_ca_with_its_name(work, cleanups):
    ca = make_ca(work, "example-ca", "Example IT")
    helper_key(work, "mary", "Mary Jones")
    certify(work, "mary", "example-ca")
    policy = write_policy(work, f"[offer]\nallow=true\nhelper-ca={ca}\n")
    host = Host(work, cleanups, policy)
    # The name she claims in the offer does not matter: the CA's does.
    offer = host.offer(cleanups, "mary", "--name", "The Boss", pin=host.host_key)
    accept(host, offer, "Mary Jones (Example IT) offers to help you. "
                        "Let them see your screen? [y/N]")
    # Offered help is view-only unless the policy says control=allow.
    mark = host.proc.mark()
    offer.send("/control")
    offer.wait_for("control: refused: view-only by policy")
    time.sleep(0.5)
    assert "Allow?" not in host.proc.out[mark:], host.proc.out[mark:]


@suite.test
def test_refused_not_listed(work, cleanups):
    listed = helper_key(work, "sam", "Sam Smith")
    helper_key(work, "eve", "Eve")
    policy = write_policy(work, f"[offer]\nallow=true\ncontrol=allow\nhelpers={listed}\n")
    host = Host(work, cleanups, policy)
    offer = host.offer(cleanups, "eve")
    line = expect_refused(host, offer, "not an authorized helper for this machine")
    assert line == "not an authorized helper for this machine", line


@suite.test
def test_policy_change_counts_at_once(work, cleanups):
    """The policy is read for every offer: striking a helper off works
    without restarting the host."""
    sam = helper_key(work, "sam", "Sam Smith")
    policy = write_policy(work, f"[offer]\nallow=true\nhelpers={sam}\n")
    host = Host(work, cleanups, policy)
    offer = host.offer(cleanups, "sam")
    host.proc.wait_for(listed("Sam Smith", sam))
    host.proc.send("n")
    assert offer.wait_exit() == 1
    write_policy(work, "[offer]\nallow=true\nhelpers=sha256:" + "0" * 64 + "\n")
    mark = host.proc.mark()
    again = host.offer(cleanups, "sam")
    out = again.wait_for("refused: ")
    assert "not an authorized helper for this machine" in out, out
    time.sleep(QUIET)
    assert "offers to help" not in host.proc.out[mark:], host.proc.out[mark:]


@suite.test
def test_refused_offers_off(work, cleanups):
    sam = helper_key(work, "sam", "Sam Smith")
    policy = write_policy(work, f"[offer]\nallow=false\nhelpers={sam}\n")
    host = Host(work, cleanups, policy)
    expect_refused(host, host.offer(cleanups, "sam"), "this machine does not accept offers of help")


@suite.test
def test_refused_other_ca(work, cleanups):
    ours = make_ca(work, "example-ca", "Example IT")
    make_ca(work, "other-ca", "Other Corp")
    helper_key(work, "olaf", "Olaf")
    certify(work, "olaf", "other-ca")
    policy = write_policy(work, f"[offer]\nallow=true\nhelper-ca={ours}\n")
    host = Host(work, cleanups, policy)
    line = expect_refused(host, host.offer(cleanups, "olaf"),
                          "not an authorized helper for this machine")
    assert "Other Corp" in line, line


@suite.test
def test_refused_expired_certificate(work, cleanups):
    ca = make_ca(work, "example-ca", "Example IT")
    helper_key(work, "mary", "Mary Jones")
    env = person_env(work, "mary")
    request = os.path.join(work, "mary.identity")
    lifeline(env, "id", "--export", request)
    # A certificate whose time is over, signed with the CA's key by GnuTLS's
    # own certtool (lifeline ca sign only makes certificates valid from now).
    template = os.path.join(work, "expired.cfg")
    with open(template, "w") as f:
        f.write('cn = "Mary Jones"\norganization = "Example IT"\ntls_www_client\n'
                'signing_key\nactivation_date = "2024-01-01 00:00:00"\n'
                'expiration_date = "2024-02-01 00:00:00"\n')
    crt = os.path.join(work, "mary-expired.crt")
    subprocess.run(["certtool", "--generate-certificate", "--load-request", request,
                    "--load-ca-certificate", ca,
                    "--load-ca-privkey", os.path.join(work, "example-ca", "ca-key.pem"),
                    "--template", template, "--outfile", crt],
                   check=True, capture_output=True, timeout=30)
    lifeline(env, "id", "--import-cert", crt)
    policy = write_policy(work, f"[offer]\nallow=true\nhelper-ca={ca}\n")
    host = Host(work, cleanups, policy)
    line = expect_refused(host, host.offer(cleanups, "mary"), "expired")
    assert "ask Example IT for a new one" in line, line


@suite.test
def test_wrong_host_key_sends_nothing(work, cleanups):
    sam = helper_key(work, "sam", "Sam Smith")
    policy = write_policy(work, f"[offer]\nallow=true\nhelpers={sam}\n")
    host = Host(work, cleanups, policy)
    other = "0000-0000-0000-0000"
    offer = host.offer(cleanups, "sam", pin=other)
    assert offer.wait_exit() == 1
    assert "key does not match" in offer.err, offer.err
    host.assert_never_asked()


@suite.test
def test_broken_policy_fails_closed(work, cleanups):
    sam = helper_key(work, "sam", "Sam Smith")
    policy = write_policy(work, f"[offer]\nallow=true\nhelpers={sam}\n")
    os.chmod(policy, 0o666)
    host = Host(work, cleanups, policy)
    host.proc.wait_for("Listening")
    assert "can be changed by other users" in host.proc.err, host.proc.err
    expect_refused(host, host.offer(cleanups, "sam"), "this machine does not accept offers of help")


@suite.test
def test_invite_follows_solicited_policy(work, cleanups):
    x = Xvfb(320, 240)
    cleanups.append(x.stop)
    env = person_env(work, "novice", x)
    inv = os.path.join(work, "help.lifeline")
    off = write_policy(work, "[solicited]\nallow=false\n", "off.conf")
    r = lifeline(env, "invite", "--policy", off, "--out", inv, "--no-upnp", check=False)
    assert r.returncode == 1, r
    assert "administrator has turned off invitations" in r.stderr, r.stderr
    assert not os.path.exists(inv)
    capped = write_policy(work, "[solicited]\nmax-lifetime=2h\ncontrol=view-only\n", "cap.conf")
    p = Process([LIFELINE, "invite", "--policy", capped, "--out", inv, "--no-upnp", "--expires",
                 "5h", "--name", "Alice"], env=env, name="invite")
    cleanups.append(p.stop)
    p.wait_for("Waiting for your helper")
    assert "at most 2 hours" in p.err, p.err
    assert "view-only" in p.out, p.out
    with open(inv) as f:
        assert "lifetime=7200" in f.read()


@suite.test
def test_two_hosts_two_helpers_at_once(work, cleanups):
    sam = helper_key(work, "sam", "Sam Smith")
    mary = helper_key(work, "mary", "Mary Jones")
    policy = write_policy(work, f"[offer]\nallow=true\nhelpers={sam};{mary}\n")
    red = Host(work, cleanups, policy, who="novice-red", colour="#cc0000")
    blue = Host(work, cleanups, policy, who="novice-blue", colour="#0000cc")
    to_red = red.offer(cleanups, "sam")
    to_red.wait_for("Connecting")   # its viewer port is taken: the next offer picks another
    to_blue = blue.offer(cleanups, "mary")
    accept(red, to_red, listed("Sam Smith", sam))
    accept(blue, to_blue, listed("Mary Jones", mary))
    sam_sees = probe(cleanups, to_red, red.x)
    mary_sees = probe(cleanups, to_blue, blue.x)
    assert pixel(sam_sees, 100, 100) == "cc0000"
    assert pixel(mary_sees, 100, 100) == "0000cc"
    assert "Sam" not in blue.proc.out and "Mary" not in red.proc.out


@suite.test
def test_offer_by_host_id_through_rendezvous(work, cleanups):
    sam = helper_key(work, "sam", "Sam Smith")
    policy = write_policy(work, f"[offer]\nallow=true\nhelpers={sam}\n")
    rv_port = free_port(4900, 5200)
    url = f"ws://127.0.0.1:{rv_port}/lifeline"
    rv = Process([LIFELINE, "rendezvous", "--listen", f"127.0.0.1:{rv_port}"], name="rendezvous")
    cleanups.append(rv.stop)
    rv.wait_for("listening: ")
    host = Host(work, cleanups, policy, extra=("--rendezvous", url))
    # Read out over the phone: upper case, spaces for dashes.
    spoken = host.host_id.upper().replace("-", " ")
    vnc = free_port()
    # The rendezvous as a person types it: no scheme, no path.
    typed = f"127.0.0.1:{rv_port}"
    offer = Process([LIFELINE, "offer", spoken, "--rendezvous", typed, "--vnc-port", str(vnc)],
                    env=person_env(work, "sam"), name="offer")
    cleanups.append(offer.stop)
    offer.vnc_port = vnc
    out = offer.wait_for("connected via ")
    assert "connected via ice" in out, out   # not an address: only the rendezvous knew the way
    accept(host, offer, listed("Sam Smith", sam))
    viewer = probe(cleanups, offer, host.x)
    assert pixel(viewer, 5, 5) == "3465a4"
    # An unknown host id is a clear error, not a hang; the rendezvous is the
    # one Sam's lifeline.conf names, as a help desk would ship it.
    config = os.path.join(work, "sam", "config", "lifeline")
    os.makedirs(config, exist_ok=True)
    with open(os.path.join(config, "lifeline.conf"), "w") as f:
        f.write(f"[rendezvous]\nurls=127.0.0.1:{rv_port}\n")
    nobody = Process([LIFELINE, "offer", "0000-0000-0000-0000", "-v"],
                     env=person_env(work, "sam"), name="offer-nobody")
    cleanups.append(nobody.stop)
    assert nobody.wait_exit(30) == 1
    assert ("There is no such host at the rendezvous: 0000-0000-0000-0000's computer is "
            "switched off or offline, or Lifeline is not running there.") in nobody.err, nobody.err
    assert f"the rendezvous {url}, from {config}/lifeline.conf" in nobody.err, nobody.err
    # Something that is no rendezvous address is wrong usage, said so.
    bad = lifeline(person_env(work, "sam"), "offer", spoken, "--rendezvous", "ftp://127.0.0.1",
                   check=False)
    assert bad.returncode == 2, bad
    assert '"ftp://127.0.0.1" is not a rendezvous address' in bad.stderr, bad.stderr


@suite.test
def test_offer_tries_each_rendezvous_in_turn(work, cleanups):
    """Sam's lifeline.conf names three rendezvous: the first is down, the
    second does not know the host, the third has it registered. The
    offer goes on to the next after each, and reaches the host."""
    sam = helper_key(work, "sam", "Sam Smith")
    policy = write_policy(work, f"[offer]\nallow=true\nhelpers={sam}\n")
    down = f"127.0.0.1:{free_port(4900, 5000)}"   # nothing listens there
    live = []
    for low in (5000, 5100):
        port = free_port(low, low + 100)
        rv = Process([LIFELINE, "rendezvous", "--listen", f"127.0.0.1:{port}"],
                     name=f"rendezvous-{port}")
        cleanups.append(rv.stop)
        rv.wait_for("listening: ")
        live.append(f"127.0.0.1:{port}")
    empty, registered = live
    host = Host(work, cleanups, policy, extra=("--rendezvous", registered))   # registered now
    config = os.path.join(work, "sam", "config", "lifeline")
    os.makedirs(config, exist_ok=True)
    with open(os.path.join(config, "lifeline.conf"), "w") as f:
        f.write(f"[rendezvous]\nurls={down};{empty};{registered}\n")
    vnc = free_port()
    offer = Process([LIFELINE, "offer", host.host_id, "-v", "--vnc-port", str(vnc)],
                    env=person_env(work, "sam"), name="offer")
    cleanups.append(offer.stop)
    offer.vnc_port = vnc
    out = offer.wait_for("connected via ", timeout=40)
    assert "connected via ice" in out, out
    assert f"trying ws://{empty}/lifeline" in offer.err, offer.err
    assert f"trying ws://{registered}/lifeline" in offer.err, offer.err
    accept(host, offer, listed("Sam Smith", sam))
    viewer = probe(cleanups, offer, host.x)
    assert pixel(viewer, 5, 5) == "3465a4"
    # A host no rendezvous knows: "no such host" only when each of them said so.
    with open(os.path.join(config, "lifeline.conf"), "w") as f:
        f.write(f"[rendezvous]\nurls={empty};{registered}\n")
    nobody = Process([LIFELINE, "offer", "0000-0000-0000-0000"], env=person_env(work, "sam"),
                     name="offer-nobody")
    cleanups.append(nobody.stop)
    assert nobody.wait_exit(40) == 1
    assert "There is no such host at the rendezvous" in nobody.err, nobody.err


def rendezvous_cluster(work, cleanups, count=3):
    """redis-server on a socket of WORK's and COUNT instances sharing it;
    their addresses as a person types them."""
    sock = os.path.join(work, "redis.sock")
    redis = Process(["redis-server", "--port", "0", "--unixsocket", sock, "--unixsocketperm",
                     "700", "--save", "", "--appendonly", "no", "--dir", work], name="redis")
    cleanups.append(redis.stop)
    redis.wait_for("ready to accept connections")
    instances = []
    for i in range(count):
        port = free_port(4900 + 100 * i, 5000 + 100 * i)
        rv = Process([LIFELINE, "rendezvous", "--listen", f"127.0.0.1:{port}", "--redis", sock],
                     name=f"rendezvous-{i}")
        cleanups.append(rv.stop)
        rv.wait_for("listening: ")
        rv.wait_for_log("sharing state through Redis")
        rv.typed = f"127.0.0.1:{port}"
        instances.append(rv)
    return instances


@suite.test
def test_offer_through_cluster_after_an_instance_dies(work, cleanups):
    """A help desk's rendezvous on three machines: the host's lifeline.conf
    lists all three; the instance it registered at dies; it registers at
    the next one, and an offer through the third reaches it."""
    sam = helper_key(work, "sam", "Sam Smith")
    policy = write_policy(work, f"[offer]\nallow=true\nhelpers={sam}\n")
    a, b, c = rendezvous_cluster(work, cleanups)
    config = os.path.join(work, "novice", "config", "lifeline")
    os.makedirs(config, exist_ok=True)
    with open(os.path.join(config, "lifeline.conf"), "w") as f:
        f.write(f"[rendezvous]\nurls={a.typed};{b.typed};{c.typed}\n")
    host = Host(work, cleanups, policy, extra=("-v",))
    a.proc.kill()
    a.proc.wait(5)
    lost = time.monotonic()
    host.proc.wait_for_log(f"registered at the rendezvous ws://{b.typed}/lifeline", timeout=20)
    print(f"# registered again {time.monotonic() - lost:.1f} s after its instance died",
          flush=True)
    assert f"lost the rendezvous ws://{a.typed}/lifeline" in host.proc.err, host.proc.err
    # One more offer if the first one's ICE path broke during the TLS handshake: seen once
    # in 4 runs under ASan on a loaded machine ("An unexpected TLS packet was received" on
    # a pseudo-TCP path that had lost packets), never in the signalling this test is about.
    for attempt in (1, 2):
        vnc = free_port()
        offer = Process([LIFELINE, "offer", host.host_id, "--rendezvous", c.typed, "--vnc-port",
                         str(vnc)], env=person_env(work, "sam"), name="offer")
        cleanups.append(offer.stop)
        offer.vnc_port = vnc
        try:
            out = offer.wait_for("connected via ", timeout=30)
            host.proc.wait_for(listed("Sam Smith", sam))
            break
        except AssertionError:
            if attempt == 2 or "TLS" not in offer.err + host.proc.err:
                raise
            print(f"# the first offer's path broke: {offer.err.strip()[-200:]}", flush=True)
            offer.stop()
    assert "connected via ice" in out, out
    accept(host, offer, listed("Sam Smith", sam))
    viewer = probe(cleanups, offer, host.x)
    assert pixel(viewer, 5, 5) == "3465a4"


@suite.test
def test_invitation_outlives_its_rendezvous_instance(work, cleanups):
    """Alice's lifeline.conf lists three instances of one rendezvous; her
    invitation names all three. The instance her mailbox is at dies: she
    opens it again at the next, and Bob, joining through the rendezvous
    only, finds her there."""
    a, b, c = rendezvous_cluster(work, cleanups)
    config = os.path.join(work, "novice", "config", "lifeline")
    os.makedirs(config, exist_ok=True)
    with open(os.path.join(config, "lifeline.conf"), "w") as f:
        f.write(f"[rendezvous]\nurls={a.typed};{b.typed};{c.typed}\n")
    x = Xvfb(640, 480)
    cleanups.append(x.stop)
    x.run("xsetroot", "-solid", "#3465a4")
    inv = os.path.join(work, "help.lifeline")
    invite = Process([LIFELINE, "invite", "-v", "--no-upnp", "--name", "Alice", "--out", inv],
                     env=person_env(work, "novice", x), name="invite")
    cleanups.append(invite.stop)
    invite.wait_for("Waiting for your helper")
    with open(inv) as f:
        text = f.read()
    assert f"rendezvous-more=ws://{b.typed}/lifeline;ws://{c.typed}/lifeline" in text, text
    a.proc.kill()
    a.proc.wait(5)
    lost = time.monotonic()
    invite.wait_for_log(f"the invitation's mailbox is open again at the rendezvous "
                        f"ws://{b.typed}/lifeline", timeout=20)
    print(f"# open again {time.monotonic() - lost:.1f} s after its instance died", flush=True)
    vnc = free_port()
    join = Process([LIFELINE, "join", "--name", "Bob", "--paths", "ice", "--vnc-port", str(vnc),
                    inv], env=person_env(work, "helper"), name="join")
    cleanups.append(join.stop)
    out = join.wait_for("connected via ", timeout=40)
    assert "connected via ice" in out, out
    invite.wait_for("Bob wants to see your screen. Allow? [y/N]")
    invite.send("y")
    join.wait_for("ready: vnc://127.0.0.1:")
    join.vnc_port = vnc
    viewer = probe(cleanups, join, x)
    assert pixel(viewer, 5, 5) == "3465a4"


README = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "README.md")


def readme_blocks():
    """The README's help desk steps: (role, commands) in order."""
    with open(README) as f:
        text = f.read()
    found = re.findall(r"<!-- helpdesk:(\w+) -->\s*```sh\n(.*?)```", text, re.S)
    assert len(found) >= 7, f"README help desk blocks not found: {found}"
    return [(role, "\n".join(line.strip() for line in body.splitlines())) for role, body in found]


@suite.test
def test_readme_help_desk_setup(work, cleanups):
    """Follows the README's "Help desk setup" as written: each role in its
    own account, files passed between them in one directory, /etc/lifeline
    moved under WORK."""
    bin_dir = os.path.join(work, "bin")
    os.makedirs(bin_dir)
    os.symlink(os.path.abspath(LIFELINE), os.path.join(bin_dir, "lifeline"))
    etc = os.path.join(work, "etc", "lifeline")
    accounts = {"desk": "desk", "helper": "mary", "machine": "root", "user": "novice",
                "offer": "mary"}
    host = offer = None
    for role, commands in readme_blocks():
        commands = commands.replace("/etc/lifeline", etc)
        env = person_env(work, accounts[role])
        env["PATH"] = bin_dir + os.pathsep + env["PATH"]
        if role == "user":
            x = Xvfb(640, 480)
            cleanups.append(x.stop)
            x.run("xsetroot", "-solid", "#4e9a06")
            port = free_port(4600, 4900)
            argv = shlex.split(commands) + ["--policy", os.path.join(etc, "policy.conf"),
                                            "--port", str(port)]
            host = Process([LIFELINE if a == "lifeline" else a for a in argv],
                           env=person_env(work, "novice", x), name="host")
            cleanups.append(host.stop)
            out = host.wait_for("Listening on port")
            host_id = out.split("host id: ")[1].split()[0]
        elif role == "offer":
            commands = commands.replace("HOST-ID", host_id).replace("127.0.0.1",
                                                                   f"127.0.0.1:{port}")
            offer = Process([LIFELINE if a == "lifeline" else a for a in shlex.split(commands)],
                            env=env, name="offer")
            cleanups.append(offer.stop)
        else:
            r = subprocess.run(["bash", "-e", "-c", commands], cwd=work, env=env,
                               capture_output=True, text=True, timeout=60)
            assert r.returncode == 0, f"{role} step failed:\n{commands}\n{r.stdout}\n{r.stderr}"
            if "lifeline id\n" in commands + "\n":
                assert "helper of Example IT" in r.stdout, r.stdout
    host.wait_for("Mary Jones (Example IT) offers to help you. Let them see your screen? [y/N]")
    host.send("y")
    offer.wait_for("ready: vnc://127.0.0.1:")
    offer.send("/control")
    host.wait_for("Mary Jones asks to control your keyboard and mouse (press Esc to take it back). Allow? [y/N]")
    host.send("n")
    offer.wait_for("control: refused")


sys.exit(suite.run())

"""Shared pieces of the end-to-end tests: a private Xvfb with known
content, processes that are always stopped by PID (even when a test
fails), output watchers, and TAP reporting for meson."""

import os
import pty
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import traceback


class Process:
    """A child process whose output is collected by a thread, so tests can
    wait for a line (or a prompt without a line end) as it appears."""

    started = []   # this test's, for what they said when it failed

    def __init__(self, argv, env=None, stdin=subprocess.PIPE, name=None):
        Process.started.append(self)
        self.name = name or os.path.basename(argv[0])
        self.argv = argv
        self.proc = subprocess.Popen(argv, stdin=stdin, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, env=env)
        self.out = ""
        self.err = ""
        self.arrivals = []   # (monotonic time, stdout length after the chunk)
        self._lock = threading.Condition()
        self._threads = [threading.Thread(target=self._pump, args=(self.proc.stdout, "out"), daemon=True),
                         threading.Thread(target=self._pump, args=(self.proc.stderr, "err"), daemon=True)]
        for t in self._threads:
            t.start()

    def _pump(self, stream, attr):
        while True:
            chunk = os.read(stream.fileno(), 4096)
            if not chunk:
                break
            with self._lock:
                setattr(self, attr, getattr(self, attr) + chunk.decode("utf-8", "replace"))
                if attr == "out":
                    self.arrivals.append((time.monotonic(), len(self.out)))
                self._lock.notify_all()

    def wait_for_log(self, text, timeout=20):
        """Waits until TEXT appears on stderr (a -v log line)."""
        deadline = time.monotonic() + timeout
        with self._lock:
            while text not in self.err:
                left = deadline - time.monotonic()
                if left <= 0 or (self.proc.poll() is not None and not self._threads_alive()):
                    raise AssertionError(f"{self.name}: no {text!r} in its log within "
                                         f"{timeout}s.\nstderr:\n{self.err}")
                self._lock.wait(min(left, 0.2))

    def mark(self):
        """A position in stdout, for waiting only for what comes after it."""
        with self._lock:
            return len(self.out)

    def wait_for(self, text, timeout=20, since=0):
        """Waits until TEXT appears on stdout (after position SINCE);
        returns all stdout so far."""
        deadline = time.monotonic() + timeout
        with self._lock:
            while text not in self.out[since:]:
                left = deadline - time.monotonic()
                if left <= 0 or (self.proc.poll() is not None and not self._threads_alive()):
                    raise AssertionError(f"{self.name}: no {text!r} within {timeout}s.\n"
                                         f"stdout:\n{self.out}\nstderr:\n{self.err}")
                self._lock.wait(min(left, 0.2))
            return self.out

    def arrival_time(self, text, since=0):
        """When the chunk that completed TEXT (after SINCE) was read."""
        with self._lock:
            pos = self.out.find(text, since)
            assert pos >= 0, f"{text!r} never arrived"
            end = pos + len(text)
            return next(t for t, length in self.arrivals if length >= end)

    def _threads_alive(self):
        return any(t.is_alive() for t in self._threads)

    def send(self, line):
        self.proc.stdin.write((line + "\n").encode())
        self.proc.stdin.flush()

    def wait_exit(self, timeout=20):
        code = self.proc.wait(timeout)
        for t in self._threads:
            t.join(5)
        return code

    def stop(self):
        """Stops the process by PID: TERM, then KILL."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)


class Terminal(Process):
    """A child process on a terminal of its own (a pty that is its
    controlling terminal, as a person's shell gives it): what it writes to
    stdout and stderr is all in .out, as a person sees it on the screen."""

    def __init__(self, argv, env=None, name=None):
        Process.started.append(self)
        self.name = name or os.path.basename(argv[0])
        self.argv = argv
        self.master, slave = pty.openpty()
        self.proc = subprocess.Popen(["setsid", "--ctty", *argv], stdin=slave, stdout=slave,
                                     stderr=slave, env=env)
        os.close(slave)
        self.out = ""
        self.err = ""
        self.arrivals = []
        self._lock = threading.Condition()
        self._threads = [threading.Thread(target=self._pump_pty, daemon=True)]
        self._threads[0].start()

    def _pump_pty(self):
        while True:
            try:
                chunk = os.read(self.master, 4096)
            except OSError:   # EIO: the last program on the terminal is gone
                break
            if not chunk:
                break
            with self._lock:
                self.out += chunk.decode("utf-8", "replace")
                self.arrivals.append((time.monotonic(), len(self.out)))
                self._lock.notify_all()

    def send(self, line):
        os.write(self.master, (line + "\r").encode())


def ask(process, command, prefix, timeout=20):
    """Sends COMMAND to a tool that answers with a line "PREFIX...";
    returns the rest of that line."""
    mark = process.mark()
    process.send(command)
    start = process.wait_for(prefix, since=mark, timeout=timeout).index(prefix, mark) + len(prefix)
    return process.wait_for("\n", since=start, timeout=timeout)[start:].split("\n")[0]


def viewer_size(probe, want, timeout=10):
    """Asks an rfb-probe its picture's size until it is WANT (or TIMEOUT)."""
    deadline = time.monotonic() + timeout
    while True:
        got = tuple(int(v) for v in ask(probe, "size", "size: ").split())
        if got == want or time.monotonic() > deadline:
            return got
        time.sleep(0.1)


class Xvfb:
    """A private X server on a display number of its own choosing."""

    def server_argv(self, width, height, fd):
        return ["Xvfb", "-displayfd", str(fd), "-screen", "0", f"{width}x{height}x24",
                "-nolisten", "tcp", "-noreset"]

    def __init__(self, width=1024, height=768, prefix=()):
        read_fd, write_fd = os.pipe()
        self.prefix = list(prefix)   # e.g. ["ip", "netns", "exec", NS]
        self.proc = subprocess.Popen(
            self.prefix + self.server_argv(width, height, write_fd),
            pass_fds=(write_fd,), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        os.close(write_fd)
        with os.fdopen(read_fd) as f:
            number = f.readline().strip()
        if not number:
            self.proc.kill()
            raise AssertionError("Xvfb did not start")
        self.display = ":" + number
        self.children = []

    def env(self, **extra):
        e = dict(os.environ, DISPLAY=self.display)
        e.update(extra)
        return e

    def run(self, *argv):
        subprocess.run(self.prefix + list(argv), env=self.env(), check=True, timeout=30,
                       stdout=subprocess.DEVNULL)

    def spawn(self, *argv):
        p = subprocess.Popen(self.prefix + list(argv), env=self.env(), stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL)
        self.children.append(p)
        return p

    def wait_window(self, name, timeout=15):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            tree = subprocess.run(self.prefix + ["xwininfo", "-root", "-tree"], env=self.env(),
                                  capture_output=True, text=True).stdout
            if name in tree:
                return
            time.sleep(0.1)
        raise AssertionError(f"window {name!r} never appeared on {self.display}")

    def screenshot(self, path):
        self.run("import", "-window", "root", path)

    def stop(self):
        for p in self.children:
            if p.poll() is None:
                p.kill()
                p.wait(5)
        self.proc.terminate()
        try:
            self.proc.wait(5)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(5)


class Xvnc(Xvfb):
    """TigerVNC's X server, which (unlike Xvfb) can change its size through
    RANDR (xrandr -s WxH) and shows nothing on the network itself."""

    def server_argv(self, width, height, fd):
        return ["Xvnc", "-displayfd", str(fd), "-geometry", f"{width}x{height}", "-depth", "24",
                "-rfbport", "-1", "-SecurityTypes", "None", "-nolisten", "tcp", "-noreset"]


def free_port(low=5950, high=6400):
    """A free TCP port on 127.0.0.1 at or above 5900, so VNC display
    numbers (port - 5900) work for vncsnapshot."""
    for port in range(low, high):
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
                return port
            except OSError:
                continue
    raise AssertionError("no free port")


def cpu_seconds(pid):
    """utime + stime of PID, its threads and its living children (Lifeline's
    RFB worker), from /proc."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
    except FileNotFoundError:
        return 0.0
    total = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    for task in os.listdir(f"/proc/{pid}/task"):
        try:
            with open(f"/proc/{pid}/task/{task}/children") as f:
                total += sum(cpu_seconds(int(child)) for child in f.read().split())
        except FileNotFoundError:
            continue
    return total


def port_is_closed(port):
    with socket.socket() as s:
        s.settimeout(2)
        return s.connect_ex(("127.0.0.1", port)) != 0


def differing_pixels(a, b, fuzz_percent):
    """Pixels whose colour differs by more than FUZZ_PERCENT (ImageMagick)."""
    r = subprocess.run(["compare", "-metric", "AE", "-fuzz", f"{fuzz_percent}%", a, b, "null:"],
                       capture_output=True, text=True)
    if r.returncode > 1:
        raise AssertionError(f"compare failed: {r.stderr}")
    return int(float(r.stderr.split()[0]))


def image_size(path):
    r = subprocess.run(["identify", "-format", "%w %h", path], capture_output=True, text=True,
                       check=True)
    return tuple(int(v) for v in r.stdout.split())


def grant_control(invite, join, how, granted=None):
    """The helper (JOIN, "Bob") asks for control; the novice (INVITE) is
    told HOW to take it back ("type /stop here") and says yes; then
    GRANTED, if given, is what the novice is told."""
    asked, told = invite.mark(), join.mark()
    join.send("/control")
    invite.wait_for(f"Bob asks to control your keyboard and mouse ({how} to take it back). "
                    "Allow? [y/N]", since=asked)
    invite.send("y")
    join.wait_for("control: granted", since=told)
    if granted is not None:
        invite.wait_for(f"Bob is now controlling your keyboard and mouse. {granted}", since=asked)


def vnc_snapshot(port, path):
    """A new viewer's whole picture from 127.0.0.1:PORT, as PATH (vncsnapshot
    writes JPEG only)."""
    r = subprocess.run(["vncsnapshot", "-quiet", "-allowblank", "-nojpeg", "-nocursor",
                        "-quality", "100", f"127.0.0.1:{port - 5900}", path],
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr


# A JPEG picture matches a reference when at most MAX_DIFFERING of its
# pixels differ by more than JPEG_FUZZ_PERCENT of the colour range.
JPEG_FUZZ_PERCENT = 10
MAX_DIFFERING = 0.01


def assert_part_matches(snap, place, reference, what):
    """The part of SNAP at PLACE (x, y, width, height) is REFERENCE."""
    x, y, width, height = place
    part = f"{os.path.splitext(reference)[0]}-part.png"
    subprocess.run(["convert", snap, "-crop", f"{width}x{height}+{x}+{y}", "+repage", part],
                   check=True, timeout=60)
    assert image_size(reference) == (width, height), (what, image_size(reference))
    off = differing_pixels(part, reference, JPEG_FUZZ_PERCENT)
    assert off <= MAX_DIFFERING * width * height, f"{what}: {off} pixels differ"


def said_before_failing(lines=25):
    """The end of each process's stderr (its -v log), for a failed test."""
    for p in Process.started:
        tail = [l for l in p.err.splitlines() if "libvnc" not in l][-lines:]
        if tail:
            print(f"# --- {p.name}, last lines of stderr:", flush=True)
            for line in tail:
                print(f"#   {line}", flush=True)


def type_into(window, probe, text):
    """Types TEXT through the viewer PROBE and waits until WINDOW (a
    wayland-window or x-event-recorder) logged each key."""
    since = window.mark()
    probe.send("type " + text)
    for ch in text:
        since = window.wait_for(f"key: {ch}\n", since=since).index(f"key: {ch}\n", since) + 1


def assert_nothing_typed_arrives(window, probe, quiet):
    since = window.mark()
    probe.send("type late")
    time.sleep(quiet)
    keys = [l for l in window.out[since:].splitlines() if l.startswith("key:")]
    assert not keys, f"keys arrived: {keys!r}"


def stop_processes(procs):
    """Stops each of PROCS (Popen) by its PID: SIGTERM, then SIGKILL."""
    for p in reversed(procs):
        if p.poll() is None:
            p.send_signal(signal.SIGTERM)
            try:
                p.wait(5)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait(5)


def pipewire_picture(node, env, path):
    """One frame of PipeWire node NODE, as GStreamer's own PipeWire source
    reads it, as PATH (PNG): a reference picture."""
    r = subprocess.run(["gst-launch-1.0", "-q", "pipewiresrc", "path=" + str(node),
                        "num-buffers=1", "!", "videoconvert", "!", "pngenc", "!",
                        "filesink", "location=" + path],
                       env=env, capture_output=True, text=True, timeout=60)
    assert r.returncode == 0 and os.path.getsize(path) > 0, r.stderr


class Suite:
    """Runs test functions, each with a fresh temporary directory, and
    prints TAP. Cleanups registered by a test always run."""

    def __init__(self):
        self.tests = []

    def test(self, fn):
        self.tests.append(fn)
        return fn

    def run(self):
        only = sys.argv[1:] and [a for a in sys.argv[1:] if not a.startswith("-")]
        chosen = [t for t in self.tests if not only or t.__name__ in only]
        print(f"1..{len(chosen)}", flush=True)
        failed = 0
        for i, fn in enumerate(chosen, 1):
            work = tempfile.mkdtemp(prefix="lifeline-e2e-")
            cleanups = []
            Process.started = []
            try:
                fn(work, cleanups)
                print(f"ok {i} {fn.__name__}", flush=True)
            except Exception:
                failed += 1
                print(f"not ok {i} {fn.__name__}", flush=True)
                for line in traceback.format_exc().splitlines():
                    print(f"# {line}", flush=True)
                said_before_failing()
            finally:
                for c in reversed(cleanups):
                    try:
                        c()
                    except Exception as e:  # cleanup must go on
                        print(f"# cleanup failed: {e}", flush=True)
                if os.environ.get("LIFELINE_KEEP_E2E") is None:
                    shutil.rmtree(work, ignore_errors=True)
        return 1 if failed else 0

"""A headless GNOME Wayland session for end-to-end tests, as
gnome-remote-desktop's CI makes one: a private session bus, PipeWire,
WirePlumber, then `mutter --headless --wayland --no-x11` with a virtual
monitor, ready once Mutter owns org.gnome.Mutter.RemoteDesktop and
org.gnome.Mutter.ScreenCast. Everything lives in a fresh 0700 runtime
directory (Mutter aborts without XDG_RUNTIME_DIR) and is stopped by PID.

Measured on Debian 12 (Mutter 43.8, PipeWire 0.3.65): the bus names are
up about 0.15 s after Mutter starts; it runs as root; without a GPU it
offers only shared-memory (MemFd) BGRx buffers."""

import os
import re
import shutil
import subprocess
import tempfile
import time

from harness import pipewire_picture, stop_processes

MUTTER_NAMES = ("org.gnome.Mutter.RemoteDesktop", "org.gnome.Mutter.ScreenCast")


def have_gnome():
    return all(shutil.which(p) for p in ("dbus-daemon", "pipewire", "wireplumber", "mutter"))


class HeadlessGnome:
    """MUTTER False: only the bus, PipeWire and WirePlumber (a desktop
    whose screen a portal hands out: the portal backend's test)."""

    def __init__(self, monitors=("1280x800",), timeout=20, mutter=True):
        self.with_mutter = mutter
        self.dir = tempfile.mkdtemp(prefix="lifeline-gnome-")
        os.chmod(self.dir, 0o700)
        self.procs = []
        self.logs = []
        try:
            self._start(monitors, timeout)
        except BaseException:
            self.stop()
            raise

    def _spawn(self, name, argv, env, stdout=None):
        log = open(os.path.join(self.dir, name + ".log"), "w")
        self.logs.append(log)
        p = subprocess.Popen(argv, env=env, stdout=stdout or log, stderr=log,
                             stdin=subprocess.DEVNULL)
        self.procs.append(p)
        return p

    def _start(self, monitors, timeout):
        base = {k: v for k, v in os.environ.items()
                if k not in ("DISPLAY", "WAYLAND_DISPLAY", "DBUS_SESSION_BUS_ADDRESS",
                             "PIPEWIRE_REMOTE", "XDG_CURRENT_DESKTOP", "XDG_SESSION_TYPE")}
        base.update(XDG_RUNTIME_DIR=self.dir, PIPEWIRE_RUNTIME_DIR=self.dir, NO_AT_BRIDGE="1")
        bus = self._spawn("dbus", ["dbus-daemon", "--session", "--nofork", "--print-address=1",
                                   f"--address=unix:path={self.dir}/bus"], base,
                          stdout=subprocess.PIPE)
        address = bus.stdout.readline().decode().strip()
        assert address, "the session bus did not start"
        base["DBUS_SESSION_BUS_ADDRESS"] = address
        self._spawn("pipewire", ["pipewire"], base)
        self._wait(lambda: os.path.exists(os.path.join(self.dir, "pipewire-0")), timeout,
                   "PipeWire's socket")
        self._spawn("wireplumber", ["wireplumber"], base)
        self.base = base
        if not self.with_mutter:
            return
        argv = ["mutter", "--headless", "--wayland", "--no-x11"]
        for m in monitors:
            argv += ["--virtual-monitor", m]
        self.mutter = self._spawn("mutter", argv, base)
        self.base = base
        self._wait(lambda: all(self._has_owner(n) for n in MUTTER_NAMES), timeout,
                   "Mutter's RemoteDesktop and ScreenCast")
        self._wait(lambda: os.path.exists(os.path.join(self.dir, "wayland-0")), timeout,
                   "Mutter's Wayland socket")

    def _has_owner(self, name):
        assert self.mutter.poll() is None, "mutter exited:\n" + self.log("mutter")
        r = subprocess.run(["gdbus", "call", "--session", "--dest", "org.freedesktop.DBus",
                            "--object-path", "/org/freedesktop/DBus", "--method",
                            "org.freedesktop.DBus.NameHasOwner", name],
                           env=self.base, capture_output=True, text=True, timeout=10)
        return "true" in r.stdout

    def _wait(self, ready, timeout, what):
        deadline = time.monotonic() + timeout
        while not ready():
            assert time.monotonic() < deadline, f"{what} never appeared"
            time.sleep(0.05)

    def log(self, name):
        with open(os.path.join(self.dir, name + ".log")) as f:
            return f.read()

    def env(self, **extra):
        """What a program started in this GNOME session sees."""
        e = dict(self.base, WAYLAND_DISPLAY="wayland-0", XDG_SESSION_TYPE="wayland",
                 XDG_CURRENT_DESKTOP="GNOME")
        e.update(extra)
        return e

    def make_primary(self, connector):
        """Makes CONNECTOR the primary monitor, the others to its left, as
        the Displays settings would (ApplyMonitorsConfig, temporary).
        Mutter 43 headless dies when a virtual monitor is switched off, so
        this is the change of layout the tests can make."""
        state = subprocess.run(["gdbus", "call", "--session", "--dest",
                                "org.gnome.Mutter.DisplayConfig", "--object-path",
                                "/org/gnome/Mutter/DisplayConfig", "--method",
                                "org.gnome.Mutter.DisplayConfig.GetCurrentState"],
                               env=self.base, capture_output=True, text=True, timeout=10)
        serial = state.stdout.split(",")[0].split()[-1]
        modes = re.findall(r"\(\('(Meta-\d+)', [^)]*\), \[\('([^']+)', (\d+), (\d+)",
                           state.stdout)
        logical, x = [], 0
        for name, mode, width, _ in sorted(modes, key=lambda m: m[0] != connector):
            primary = "true" if name == connector else "false"
            logical.append(f"({x}, 0, 1.0, 0, {primary}, [('{name}', '{mode}', @a{{sv}} {{}})])")
            x += int(width)
        r = subprocess.run(["gdbus", "call", "--session", "--dest",
                            "org.gnome.Mutter.DisplayConfig", "--object-path",
                            "/org/gnome/Mutter/DisplayConfig", "--method",
                            "org.gnome.Mutter.DisplayConfig.ApplyMonitorsConfig", serial, "1",
                            "[" + ", ".join(logical) + "]", "{}"],
                           env=self.base, capture_output=True, text=True, timeout=10)
        assert r.returncode == 0, r.stderr

    def reference(self, tools, path, connector=""):
        """The compositor's own picture of monitor CONNECTOR (default: the
        primary one), without the pointer: a screen cast of another
        program's (mutter-peer), read by GStreamer's PipeWire source, as
        PATH (PNG)."""
        peer = subprocess.Popen([os.path.join(tools, "mutter-peer")], env=self.base,
                                stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        try:
            peer.stdin.write(f"screencast {connector}\n".replace(" \n", "\n"))
            peer.stdin.flush()
            line = peer.stdout.readline()
            assert line.startswith("node: "), f"mutter-peer: {line!r}"
            pipewire_picture(line.split()[1], self.base, path)
        finally:
            peer.stdin.close()
            peer.wait(10)

    def stop(self):
        stop_processes(self.procs)
        for p in self.procs:
            if p.stdout is not None:
                p.stdout.close()
        self.procs = []
        for log in self.logs:
            log.close()
        self.logs = []
        shutil.rmtree(self.dir, ignore_errors=True)

"""A headless sway session for end-to-end tests of the wlroots backend:
`WLR_BACKENDS=headless WLR_RENDERER=pixman WLR_LIBINPUT_NO_DEVICES=1
sway` with a config of the test's own. sway refuses to run as root, so
it runs, with everything of the novice's, as the unprivileged user
`nobody` (setpriv), in a fresh 0700 runtime directory of that user's.
Stopped by PID.

Measured on Debian 12 (sway 1.7, wlroots 0.15.1): the Wayland socket is
there about 0.1 s after start; it offers wlr-screencopy version 3 with
shared-memory XRGB8888 buffers, virtual keyboard and pointer."""

import os
import pwd
import shutil
import subprocess
import tempfile
import time

from harness import stop_processes

USER = "nobody"


def have_sway():
    return all(shutil.which(p) for p in ("sway", "swaymsg", "grim", "setpriv"))


class HeadlessSway:
    def __init__(self, outputs=("1280x800",), timeout=20):
        user = pwd.getpwnam(USER)
        self.uid, self.gid = user.pw_uid, user.pw_gid
        self.top = tempfile.mkdtemp(prefix="lifeline-sway-")
        os.chmod(self.top, 0o755)
        self.dir = os.path.join(self.top, "run")       # XDG_RUNTIME_DIR
        self.home = os.path.join(self.top, "home")     # the novice's
        for d in (self.dir, self.home):
            os.mkdir(d, 0o700)
            os.chown(d, self.uid, self.gid)
        self.procs = []
        self.logs = []
        try:
            self._start(outputs, timeout)
        except BaseException:
            self.stop()
            raise

    def _config(self, outputs):
        lines = ["xwayland disable", "default_border none", "focus_follows_mouse no"]
        x = 0
        for i, size in enumerate(outputs, 1):
            lines.append(f"output HEADLESS-{i} resolution {size} position {x} 0")
            x += int(size.split("x")[0])
        path = os.path.join(self.top, "config")
        with open(path, "w") as f:
            f.write("\n".join(lines) + "\n")
        return path

    def _start(self, outputs, timeout):
        config = self._config(outputs)
        self.base = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "XDG_RUNTIME_DIR": self.dir,
                     "HOME": self.home, "LANG": "C.UTF-8"}
        env = dict(self.base, WLR_BACKENDS="headless", WLR_RENDERER="pixman",
                   WLR_LIBINPUT_NO_DEVICES="1", WLR_HEADLESS_OUTPUTS=str(len(outputs)))
        self.sway = self.spawn("sway", ["sway", "-c", config], env)
        deadline = time.monotonic() + timeout
        while not self._ready():
            assert self.sway.poll() is None, "sway exited:\n" + self.log("sway")
            assert time.monotonic() < deadline, "sway's sockets never appeared:\n" + self.log("sway")
            time.sleep(0.05)

    def _ready(self):
        names = os.listdir(self.dir)
        socks = [n for n in names if n.startswith("sway-ipc.")]
        if "wayland-1" not in names and "wayland-0" not in names or not socks:
            return False
        self.display = "wayland-0" if "wayland-0" in names else "wayland-1"
        self.ipc = os.path.join(self.dir, socks[0])
        return True

    def as_user(self, argv):
        """ARGV run as the session's unprivileged user."""
        return ["setpriv", f"--reuid={self.uid}", f"--regid={self.gid}", "--clear-groups",
                "--"] + list(argv)

    def spawn(self, name, argv, env):
        log = open(os.path.join(self.top, name + ".log"), "w")
        self.logs.append(log)
        p = subprocess.Popen(self.as_user(argv), env=env, stdout=log, stderr=log,
                             stdin=subprocess.DEVNULL)
        self.procs.append(p)
        return p

    def log(self, name):
        with open(os.path.join(self.top, name + ".log")) as f:
            return f.read()

    def env(self, **extra):
        """What a program started in this sway session sees."""
        e = dict(self.base, WAYLAND_DISPLAY=self.display, XDG_SESSION_TYPE="wayland",
                 XDG_CURRENT_DESKTOP="sway", SWAYSOCK=self.ipc)
        e.update(extra)
        return e

    def msg(self, *command):
        r = subprocess.run(self.as_user(["swaymsg", "-s", self.ipc, "--"] + list(command)),
                           env=self.env(), capture_output=True, text=True, timeout=10)
        assert r.returncode == 0, f"swaymsg {command}: {r.stdout} {r.stderr}"
        return r.stdout

    def reference(self, path):
        """The compositor's own picture of all its outputs, as grim takes
        it (screencopy of another client), without the pointer."""
        taken = os.path.join(self.home, "grim.png")   # where that user may write
        r = subprocess.run(self.as_user(["grim", taken]), env=self.env(),
                           capture_output=True, text=True, timeout=30)
        assert r.returncode == 0, r.stderr
        shutil.move(taken, path)

    def stop(self):
        stop_processes(self.procs)
        self.procs = []
        for log in self.logs:
            log.close()
        self.logs = []
        shutil.rmtree(self.top, ignore_errors=True)

#!/usr/bin/env python3
"""Lifeline's Debian packages as a person gets them (issue 18): built with
dpkg-buildpackage from a copy of the tree, checked by lintian (no errors;
the warnings are printed), then installed with the README's command,
apt-get install ./lifeline_*.deb, into a fresh Debian 12 root made by
mmdebstrap, where an invitation made by the installed `lifeline invite` on
an Xvfb inside that root is joined by the installed `lifeline join` and a
third-party viewer (vncsnapshot) sees the desktop; the installed server
answers; both packages purge cleanly. Needs root (chroot, mounts).

usage: test_package.py OUTDIR [--debs DIR]   (TAP; OUTDIR keeps the .debs)
       test_package.py --inside ROOT DEBDIR   (internal: in a mount namespace)"""

import glob
import os
import re
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(SOURCE, "tests", "e2e"))
sys.path.insert(0, os.path.join(SOURCE, "tests", "metadata"))
from harness import Process, Xvfb, free_port, image_size  # noqa: E402

results = []
numbered_from = [0]   # the checks made outside the root come first


def check(name, ok, why=""):
    results.append((name, bool(ok), why))
    print(f"{'ok' if ok else 'not ok'} {numbered_from[0] + len(results)} {name}", flush=True)
    if not ok:
        for line in str(why).splitlines()[-40:]:
            print(f"# {line}", flush=True)
    return ok


def run(argv, timeout, **kw):
    return subprocess.run(argv, capture_output=True, text=True, timeout=timeout, **kw)


def copy_tree(dest):
    """The project's files (tracked, and new ones not ignored), without
    build directories: what a clean checkout holds."""
    listed = run(["git", "-C", SOURCE, "ls-files", "-z", "--cached", "--others",
                  "--exclude-standard"], 60)
    for rel in filter(None, listed.stdout.split("\0")):
        src = os.path.join(SOURCE, rel)
        if os.path.isfile(src):
            os.makedirs(os.path.dirname(os.path.join(dest, rel)), exist_ok=True)
            shutil.copy2(src, os.path.join(dest, rel))


def build_packages(out):
    tree = os.path.join(out, "lifeline-0.1.0")
    shutil.rmtree(tree, ignore_errors=True)
    copy_tree(tree)
    env = dict(os.environ, DEB_BUILD_OPTIONS="nocheck parallel=%d" % os.cpu_count())
    r = run(["dpkg-buildpackage", "-us", "-uc", "-b"], 1800, cwd=tree, env=env)
    debs = the_packages(out)
    check("dpkg_buildpackage_builds_both", r.returncode == 0 and len(debs) == 2,
          r.stdout[-3000:] + r.stderr[-3000:])
    shutil.rmtree(tree, ignore_errors=True)
    return debs


def the_packages(folder):
    """lifeline_*.deb and lifeline-rendezvous_*.deb (not the -dbgsym ones)."""
    return sorted(glob.glob(os.path.join(folder, "lifeline_*.deb")) +
                  glob.glob(os.path.join(folder, "lifeline-rendezvous_*.deb")))


def lintian(out):
    changes = glob.glob(os.path.join(out, "*.changes"))
    r = run(["lintian", "--fail-on", "error", "--tag-display-limit", "0", *changes], 900)
    for line in r.stdout.splitlines():
        print(f"# lintian: {line}", flush=True)
    check("lintian_no_errors", changes and r.returncode == 0
          and not re.search(r"^E: ", r.stdout, re.M), r.stdout + r.stderr)


def contents(deb):
    return run(["dpkg-deb", "--contents", deb], 60).stdout


def check_contents(debs):
    main = next(d for d in debs if os.path.basename(d).startswith("lifeline_"))
    server = next(d for d in debs if os.path.basename(d).startswith("lifeline-rendezvous_"))
    want_main = ["./usr/bin/lifeline", "/lifeline/lifeline-rfb-worker",
                 "./usr/share/man/man1/lifeline.1.gz", "org.lifeline.Lifeline.desktop",
                 "apps/org.lifeline.Lifeline.svg", "org.lifeline.Lifeline.metainfo.xml",
                 "./usr/lib/systemd/user/lifeline-host.service"]
    want_server = ["./usr/bin/lifeline-rendezvous", "./lib/systemd/system/lifeline-rendezvous.service",
                   "turnserver.conf.example", "lifeline-rendezvous.1.gz", "self-hosting.md"]
    c, s = contents(main), contents(server)
    check("lifeline_package_holds_the_program_app_and_unit", all(w in c for w in want_main), c)
    check("rendezvous_package_holds_the_server_unit_and_coturn_example",
          all(w in s for w in want_server) and "bin/lifeline\n" not in s, s)
    depends = run(["dpkg-deb", "--field", server, "Depends"], 60).stdout
    check("rendezvous_needs_no_desktop_libraries",
          not re.search(r"gtk|libx11|pipewire", depends, re.I), depends)
    validate_packaged_metadata(main)


def validate_packaged_metadata(deb):
    """The desktop file and AppStream metadata as installed, through the
    validators distributions run."""
    with tempfile.TemporaryDirectory() as tree:
        run(["dpkg-deb", "--extract", deb, tree], 60)
        share = os.path.join(tree, "usr", "share")
        desktop = run(["desktop-file-validate", os.path.join(
            share, "applications", "org.lifeline.Lifeline.desktop")], 60)
        check("packaged_desktop_file_validates", desktop.returncode == 0
              and not desktop.stdout.strip(), desktop.stdout + desktop.stderr)
        meta = run(["appstreamcli", "validate", "--no-net", "--pedantic", os.path.join(
            share, "metainfo", "org.lifeline.Lifeline.metainfo.xml")], 60)
        check("packaged_metainfo_validates", meta.returncode == 0, meta.stdout + meta.stderr)


def fresh_root(root):
    """A minimal Debian 12 with apt (its package lists kept, as on an
    installed system), plus the X server to share. A second try when the
    first fails, as the mirror may drop one download."""
    for attempt in (1, 2):
        shutil.rmtree(root, ignore_errors=True)
        r = run(["mmdebstrap", "--variant=apt", "--include=xvfb,xauth", "--quiet",
                 "--skip=cleanup/apt/lists", "bookworm", root], 1800)
        if r.returncode == 0:
            break
        print(f"# mmdebstrap attempt {attempt} failed: {r.stderr[-500:]}", flush=True)
    return check("fresh_debian_12_root", r.returncode == 0, r.stdout + r.stderr)


def outside(out, debs):
    root = tempfile.mkdtemp(prefix="lifeline-root-", dir=out)
    try:
        if fresh_root(root):
            r = subprocess.run(["unshare", "--mount", "--propagation", "private", sys.executable,
                                os.path.abspath(__file__), "--inside", root,
                                os.path.dirname(debs[0]), str(len(results))],
                               stdout=subprocess.PIPE, text=True, timeout=1800)
            print(r.stdout, end="", flush=True)
            for ok, name in re.findall(r"^(ok|not ok) \d+ (\S+)", r.stdout, re.M):
                results.append((name, ok == "ok", "(inside the root)"))
            if r.returncode != 0 and all(ok for _, ok, _ in results):
                check("inside_the_root", False, f"exit status {r.returncode}")
    finally:
        shutil.rmtree(root, ignore_errors=True)


def in_root(root, argv, timeout=600, **kw):
    return run(["chroot", root, *argv], timeout, **kw)


def install(root, debdir):
    os.makedirs(os.path.join(root, "tmp", "debs"), exist_ok=True)
    for deb in the_packages(debdir):
        shutil.copy(deb, os.path.join(root, "tmp", "debs"))
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    debs = ["./" + os.path.basename(d) for d in the_packages(debdir)]
    # As the README says, in the folder with the packages: apt-get install ./lifeline_*.deb
    r = in_root(root, ["env", "--chdir=/tmp/debs", "apt-get", "install", "-y", *debs], 1500,
                env=env)
    return check("apt_get_install_the_debs", r.returncode == 0, r.stdout[-3000:] + r.stderr)


def session(root):
    """invite and join, both the installed programs, on an Xvfb in the root;
    vncsnapshot (outside) through join's port sees the novice's colour."""
    procs = []
    try:
        x = Xvfb(1024, 768, prefix=["chroot", root])
        procs.append(x)
        subprocess.run(["xsetroot", "-solid", "#3465a4"], env=x.env(), check=True, timeout=30)
        os.makedirs(os.path.join(root, "root"), exist_ok=True)
        base = ["chroot", root, "env", "HOME=/root", "DISPLAY=" + x.display, "XDG_RUNTIME_DIR=/tmp"]
        invite = Process(base + ["lifeline", "invite", "--name", "Alice", "--no-upnp",
                                 "--desktop", "x11", "--out", "/root/help.lifeline"], name="invite")
        procs.append(invite)
        invite.wait_for("Waiting for your helper to connect", timeout=30)
        port = free_port()
        join = Process(base + ["lifeline", "join", "--name", "Bob", "--vnc-port", str(port),
                               "/root/help.lifeline"], name="join")
        procs.append(join)
        invite.wait_for("Bob wants to see your screen. Allow? [y/N]", timeout=30)
        invite.send("y")
        join.wait_for(f"ready: vnc://127.0.0.1:{port}\n", timeout=30)
        check("installed_invite_and_join_connect", "connected via direct" in join.out, join.out)
        snap = os.path.join(root, "tmp", "snap.jpg")
        r = run(["vncsnapshot", "-quiet", "-allowblank", "-nojpeg", "-quality", "100",
                 f"127.0.0.1:{port - 5900}", snap], 60)
        colour = run(["convert", snap, "-crop", "1x1+900+700", "-depth", "8", "txt:-"], 60).stdout
        m = re.search(r"\((\d+),(\d+),(\d+)", colour)
        near = m and all(abs(int(v) - w) <= 12 for v, w in zip(m.groups(), (0x34, 0x65, 0xa4)))
        check("a_viewer_sees_the_novices_desktop", r.returncode == 0 and image_size(snap)
              == (1024, 768) and near, r.stderr + colour)
    finally:
        for p in reversed(procs):
            p.stop()


def server(root):
    port = free_port(30000, 40000)
    p = Process(["chroot", root, "lifeline-rendezvous", "--listen", f"127.0.0.1:{port}"],
                name="lifeline-rendezvous")
    try:
        p.wait_for(f"listening: ws://127.0.0.1:{port}/lifeline", timeout=20)
        check("installed_rendezvous_listens", True)
    except AssertionError as e:
        check("installed_rendezvous_listens", False, str(e))
    finally:
        p.stop()
    unit = os.path.join(root, "lib", "systemd", "system", "lifeline-rendezvous.service")
    wants = os.path.join(root, "etc", "systemd", "system", "multi-user.target.wants",
                         "lifeline-rendezvous.service")
    check("rendezvous_unit_installed_not_enabled", os.path.isfile(unit)
          and not os.path.lexists(wants), unit)


def purge(root):
    r = in_root(root, ["apt-get", "purge", "-y", "lifeline", "lifeline-rendezvous"], 600,
                env=dict(os.environ, DEBIAN_FRONTEND="noninteractive"))
    left = in_root(root, ["dpkg-query", "-W", "-f", "${Status}\\n", "lifeline"], 60).stdout
    check("both_purge_cleanly", r.returncode == 0 and "installed" not in left.replace(
        "not-installed", ""), r.stdout[-2000:] + r.stderr + left)


def inside(root, debdir):
    """In a private mount namespace: /proc and /dev for the root, gone with
    the namespace however this ends."""
    subprocess.run(["mount", "-t", "proc", "proc", os.path.join(root, "proc")], check=True)
    subprocess.run(["mount", "--rbind", "/dev", os.path.join(root, "dev")], check=True)
    shutil.copy("/etc/resolv.conf", os.path.join(root, "etc", "resolv.conf"))
    if install(root, debdir):
        for step in (session, server, purge):
            try:
                step(root)
            except Exception as e:  # one step's failure is reported, the rest go on
                check(step.__name__, False, repr(e))
    return 0 if all(ok for _, ok, _ in results) else 1


def main():
    if sys.argv[1:2] == ["--inside"]:
        numbered_from[0] = int(sys.argv[4])
        sys.exit(inside(sys.argv[2], sys.argv[3]))
    out = os.path.abspath(sys.argv[1])
    os.makedirs(out, exist_ok=True)
    if "--debs" in sys.argv:
        debs = the_packages(sys.argv[sys.argv.index("--debs") + 1])
    else:
        for old in glob.glob(os.path.join(out, "lifeline*")):
            if os.path.isfile(old):
                os.unlink(old)
        debs = build_packages(out)
    if len(debs) == 2:
        if "--debs" not in sys.argv:
            lintian(out)
        check_contents(debs)
        outside(out, debs)
    failed = sum(1 for _, ok, _ in results if not ok)
    print(f"1..{len(results)}", flush=True)
    sys.exit(1 if failed else 0)


main()

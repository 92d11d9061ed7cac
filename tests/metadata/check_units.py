#!/usr/bin/env python3
"""The rendezvous' system unit as systemd reads it (systemd-analyze verify;
its exposure by systemd-analyze security at most 2.0 of 10, running as a
dynamic user with only CAP_NET_BIND_SERVICE, its certificate, key and TURN
secret from /etc/lifeline/), and the firewall rules as firewalld and ufw
read them, opening the ports the programs use by default.

usage: check_units.py DATA_SOURCE_DIR LIFELINE   (TAP)"""

import configparser
import os
import re
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from tap import report  # noqa: E402

DATA, LIFELINE = sys.argv[1], os.path.abspath(sys.argv[2])
results = []


def check(name, ok, why=""):
    results.append((name, ok, why))


with open(os.path.join(DATA, "lifeline-rendezvous.service.in")) as f:
    unit = f.read().replace("@BINDIR@", os.path.dirname(LIFELINE)).replace(
        "@DOCDIR@", "/usr/share/doc/lifeline-rendezvous")
work = tempfile.mkdtemp(prefix="lifeline-units-")
path = os.path.join(work, "lifeline-rendezvous.service")
with open(path, "w") as f:
    f.write(unit)
r = subprocess.run(["systemd-analyze", "verify", "--man=no", path], capture_output=True,
                   text=True, timeout=60)
check("rendezvous_unit_verifies", r.returncode == 0 and not r.stderr.strip(), r.stderr)
r = subprocess.run(["systemd-analyze", "security", "--offline=true", "--threshold=20", path],
                   capture_output=True, text=True, timeout=60)
level = re.search(r"Overall exposure level for \S+: ([0-9.]+)", r.stdout)
print(f"# systemd-analyze security: {level.group(1) if level else '?'}", flush=True)
check("rendezvous_exposure_at_most_2", r.returncode == 0 and level is not None, r.stdout[-2000:])
settings = dict(re.findall(r"^(\w+)=(.*)$", unit, re.M))
check("runs_as_a_dynamic_user_with_one_capability",
      settings.get("DynamicUser") == "yes"
      and settings.get("CapabilityBoundingSet") == "CAP_NET_BIND_SERVICE"
      and settings.get("ProtectSystem") == "strict", str(settings))
program = settings.get("ExecStart", "").split()[0:1]
r = subprocess.run(program + ["--help"], capture_output=True, text=True, timeout=30) \
    if program else None
check("runs_the_server_program", program != [] and program[0].endswith("/lifeline-rendezvous")
      and r.returncode == 0 and "lifeline-rendezvous" in r.stdout, str(program))
credentials = re.findall(r"^LoadCredential=(\S+):(/etc/lifeline/\S+)$", unit, re.M)
check("secrets_from_etc_lifeline",
      sorted(name for name, _ in credentials) == ["tls-cert", "tls-key", "turn-secret"],
      str(credentials))
for name in ("lifeline-host.xml", "lifeline-rendezvous.xml"):
    root = ET.parse(os.path.join(DATA, "firewall", name)).getroot()
    ports = sorted((p.get("protocol"), p.get("port")) for p in root.iter("port"))
    want = [("tcp", "4555")] if "host" in name else [("tcp", "443"), ("udp", "443")]
    check(f"firewalld_{name.split('.')[0].replace('-', '_')}",
          root.tag == "service" and root.find("short") is not None and ports == want, str(ports))
ufw = configparser.ConfigParser()
ufw.read(os.path.join(DATA, "firewall", "lifeline.ufw"))
check("ufw_profiles", ufw.get("Lifeline host", "ports") == "4555/tcp"
      and ufw.get("Lifeline rendezvous", "ports") == "443/tcp|443/udp"
      and all(ufw.has_option(s, k) for s in ufw.sections() for k in ("title", "description")),
      str({s: dict(ufw[s]) for s in ufw.sections()}))
r = subprocess.run([LIFELINE, "host", "--help"], capture_output=True, text=True, timeout=30)
check("host_default_port_is_4555", "(default: 4555)" in r.stdout, r.stdout)

os.unlink(path)
os.rmdir(work)
sys.exit(report(results))

"""A NAT lab of network namespaces: a "public" network (a bridge in its
own namespace, 203.0.113.0/24, TEST-NET-3) with the rendezvous and coturn
on it, and hosts behind routers of a chosen kind. Every namespace, link
and process the lab makes is recorded and removed by teardown(), which
also runs when a case fails."""

import os
import shutil
import subprocess
import tempfile
import time

# Not a documentation range: miniupnpd refuses to map ports on a router
# whose outside address is reserved. Only ever used inside the lab.
PUBLIC_NET = "11.0.0"
PUBLIC_IP = f"{PUBLIC_NET}.1"
RENDEZVOUS_PORT = 8000
TURN_IP = f"{PUBLIC_NET}.2"   # coturn's own address: its TLS listener wants 443 too
TURN_PORT = 3478
TLS_PORT = 443
PROXY_PORT = 8888
ECHO_PORT = 9001
RELAY_PORTS = (49152, 49352)
SINK_IP = f"{PUBLIC_NET}.254"
# tcp443: lets out only TCP to port 443. proxy: lets out nothing from its
# LAN; an HTTP proxy on the router itself (tinyproxy) is the only way out.
KINDS = ("none", "full-cone", "port-restricted", "symmetric", "upnp", "natpmp", "tcp443",
         "proxy")
HERE = os.path.dirname(os.path.abspath(__file__))


def run(*argv, check=True, **kw):
    return subprocess.run(list(argv), check=check, capture_output=True, text=True, **kw)


class Lab:
    def __init__(self, tag, tls=False):
        self.tag = tag            # keeps our names apart from anything else
        # tls: the rendezvous on wss:// at 443 and coturn's TLS listener on
        # 443, with certificates from a CA of the lab's own.
        self.tls = tls
        self.ca = None
        self.router_proxy = {}    # router namespace -> the proxy on it
        self.proxies = {}         # LAN host namespace -> its https_proxy
        self.scratch = tempfile.mkdtemp(prefix="lifeline-lab-")
        self.namespaces = []
        self.processes = []
        self.pub = self.netns("pub")
        run("ip", "netns", "exec", self.pub, "ip", "link", "add", "br0", "type", "bridge")
        run("ip", "netns", "exec", self.pub, "ip", "addr", "add", f"{PUBLIC_IP}/24", "dev", "br0")
        run("ip", "netns", "exec", self.pub, "ip", "addr", "add", f"{TURN_IP}/24", "dev", "br0")
        run("ip", "netns", "exec", self.pub, "ip", "link", "set", "br0", "up")
        self.next_public = 10
        self.next_lan = 1
        self.lan_hosts = {}       # router namespace -> hosts on its LAN so far
        self.cables = {}          # namespace -> its veth's end on the public bridge
        # "The rest of the Internet": a default route for every public host,
        # to a namespace that silently drops what it gets (private
        # destinations included), as the real one does. Without it, sending
        # to a private address fails with "network unreachable", which
        # coturn answers by dropping the whole allocation.
        sink = self.netns("internet")
        self._public_link(sink, "wan", ip=SINK_IP)
        self.exec(self.pub, "ip", "route", "add", "default", "via", SINK_IP)

    # ---- building ----

    def netns(self, name):
        ns = f"ll{self.tag}-{name}"
        run("ip", "netns", "add", ns)
        self.namespaces.append(ns)
        self.exec(ns, "ip", "link", "set", "lo", "up")
        return ns

    def exec(self, ns, *argv, check=True):
        return run("ip", "netns", "exec", ns, *argv, check=check)

    def _public_link(self, ns, ifname, ip=None):
        """A veth from NS to the public bridge; returns NS's public IP."""
        if ip is None:
            ip = f"{PUBLIC_NET}.{self.next_public}"
        self.next_public += 1
        peer = f"p{self.tag}{self.next_public}"
        run("ip", "link", "add", ifname, "netns", ns, "type", "veth", "peer", "name", peer,
            "netns", self.pub)
        self.cables[ns] = peer
        self.exec(self.pub, "ip", "link", "set", peer, "master", "br0", "up")
        self.exec(ns, "ip", "addr", "add", f"{ip}/24", "dev", ifname)
        self.exec(ns, "ip", "link", "set", ifname, "up")
        if ip != SINK_IP and ns != self.pub:
            self.exec(ns, "ip", "route", "add", "default", "via", SINK_IP)
        return ip

    def public_host(self, name):
        ns = self.netns(name)
        ip = self._public_link(ns, "wan")
        return ns, ip

    def router(self, name, kind):
        """A router namespace of KIND with a LAN of its own; returns
        (router namespace, its public IP, LAN prefix)."""
        ns = self.netns(name)
        public_ip = self._public_link(ns, "wan")
        lan = f"10.{self.next_lan}.0"
        self.next_lan += 1
        self.exec(ns, "sysctl", "-qw", "net.ipv4.ip_forward=1")
        self.exec(ns, "ip", "link", "add", "lan", "type", "bridge")
        self.exec(ns, "ip", "addr", "add", f"{lan}.1/24", "dev", "lan")
        self.exec(ns, "ip", "link", "set", "lan", "up")
        rules = self._nat_rules(kind, f"{lan}.2")
        subprocess.run(["ip", "netns", "exec", ns, "nft", "-f", "-"], input=rules, text=True,
                       check=True, capture_output=True)
        if kind in ("upnp", "natpmp"):
            self._start_miniupnpd(ns, name, lan, upnp=(kind == "upnp"))
        if kind == "proxy":
            self._start_proxy(ns, name, lan)
        return ns, public_ip, lan

    def _start_proxy(self, ns, name, lan):
        """tinyproxy on the router, for its LAN, tunnelling only to 443."""
        conf = os.path.join(self.scratch, f"{name}-tinyproxy.conf")
        with open(conf, "w") as f:
            f.write(f"Port {PROXY_PORT}\nListen {lan}.1\nTimeout 600\nAllow {lan}.0/24\n"
                    f"ConnectPort {TLS_PORT}\nMaxClients 64\nLogLevel Connect\n"
                    f"LogFile \"{self.scratch}/{name}-tinyproxy.log\"\n")
        self.spawn(ns, ["tinyproxy", "-d", "-c", conf],
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.router_proxy[ns] = f"http://{lan}.1:{PROXY_PORT}"
        deadline = time.time() + 5
        while time.time() < deadline:
            if f":{PROXY_PORT} " in self.exec(ns, "ss", "-ltn").stdout:
                return
            time.sleep(0.1)
        raise AssertionError("tinyproxy did not start")

    def _start_miniupnpd(self, ns, name, lan, upnp):
        """A port-restricted router that also takes NAT-PMP requests, and
        UPnP ones when UPNP."""
        chains = """
table inet filter {
  chain miniupnpd {
  }
  chain prerouting_miniupnpd {
  }
  chain postrouting_miniupnpd {
  }
  chain upnp_pre { type nat hook prerouting priority -101;
    jump prerouting_miniupnpd
  }
  chain upnp_post { type nat hook postrouting priority 99;
    jump postrouting_miniupnpd
  }
}
"""
        subprocess.run(["ip", "netns", "exec", ns, "nft", "-f", "-"], input=chains, text=True,
                       check=True, capture_output=True)
        self.exec(ns, "nft", "insert", "rule", "inet", "filter", "forward", "jump", "miniupnpd")
        conf = os.path.join(self.scratch, f"{name}-miniupnpd.conf")
        with open(conf, "w") as f:
            f.write(f"ext_ifname=wan\nlistening_ip=lan\nhttp_port=0\n"
                    f"enable_upnp={'yes' if upnp else 'no'}\n"
                    f"enable_natpmp=yes\nsecure_mode=yes\nsystem_uptime=yes\n"
                    f"uuid=3d3cec3a-8cf0-11e0-98ee-00{self.tag:0>10}\n"
                    f"allow 1024-65535 {lan}.0/24 1024-65535\n"
                    f"deny 0-65535 0.0.0.0/0 0-65535\n")
        self.spawn(ns, ["miniupnpd", "-d", "-f", conf, "-P",
                        os.path.join(self.scratch, f"{name}-miniupnpd.pid")],
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.time() + 5
        while time.time() < deadline:
            if (":1900 " if upnp else ":5351 ") in self.exec(ns, "ss", "-lun").stdout:
                return
            time.sleep(0.1)
        raise AssertionError("miniupnpd did not start")

    @staticmethod
    def _nat_rules(kind, first_host):
        masquerade = "masquerade fully-random" if kind == "symmetric" else "masquerade"
        # A full cone forwards whatever arrives on any mapped port to the LAN
        # host (the first one on the LAN, the usual "DMZ host" setting).
        full_cone = f'iifname "wan" dnat to {first_host}' if kind == "full-cone" else ""
        # What the LAN may start outside: everything, TCP to 443, or nothing.
        lan_out = {"tcp443": f'iifname "lan" ct state new tcp dport {TLS_PORT} accept\n'
                             '    iifname "lan" ct state new drop',
                   "proxy": 'iifname "lan" ct state new drop'}.get(kind, "")
        # Like a real router, unsolicited packets from outside are dropped,
        # not answered: a rejected packet would leave a conntrack entry that
        # steals the port the LAN host's mapping needs for hole punching.
        return f"""
table inet filter {{
  chain input {{ type filter hook input priority 0;
    iifname "wan" ct state new drop
  }}
  chain forward {{ type filter hook forward priority 0;
    iifname "wan" ct state new ct status dnat accept
    iifname "wan" ct state new drop
    {lan_out}
  }}
}}
table ip nat {{
  chain pre {{ type nat hook prerouting priority dstnat;
    {full_cone}
  }}
  chain post {{ type nat hook postrouting priority srcnat;
    oifname "wan" {masquerade}
  }}
}}
"""

    def lan_host(self, name, router):
        """A host on ROUTER's LAN; returns (namespace, LAN IP)."""
        router_ns, _, lan = router
        ns = self.netns(name)
        index = self.lan_hosts.get(router_ns, 1) + 1
        self.lan_hosts[router_ns] = index
        ip = f"{lan}.{index}"
        peer = f"l{self.tag}{self.next_lan}{index}"
        run("ip", "link", "add", "eth0", "netns", ns, "type", "veth", "peer", "name", peer,
            "netns", router_ns)
        self.exec(router_ns, "ip", "link", "set", peer, "master", "lan", "up")
        self.exec(ns, "ip", "addr", "add", f"{ip}/24", "dev", "eth0")
        self.exec(ns, "ip", "link", "set", "eth0", "up")
        self.exec(ns, "ip", "route", "add", "default", "via", f"{lan}.1")
        if router_ns in self.router_proxy:
            self.proxies[ns] = self.router_proxy[router_ns]
        return ns, ip

    def set_cable(self, ns, plugged):
        """Unplugs (or plugs back) the public cable of NS, a router or a
        public host: its veth's far end goes down, so nothing passes and
        nobody is told, while routes and NAT state stay as they were."""
        self.exec(self.pub, "ip", "link", "set", self.cables[ns], "up" if plugged else "down")

    def host(self, name, kind):
        """A host behind a router of KIND ("none": on the public net)."""
        if kind == "none":
            return self.public_host(name)[0]
        router = self.router(f"{name}-router", kind)
        return self.lan_host(name, router)[0]

    # ---- processes ----

    def spawn(self, ns, argv, env=None, **kw):
        p = subprocess.Popen(["ip", "netns", "exec", ns, *argv], env=env, **kw)
        self.processes.append(p)
        return p

    def start_public_services(self, lifeline, work):
        secret_file = os.path.join(work, "turn-secret")
        with open(secret_file, "w") as f:
            f.write("lab-secret-" + self.tag + "\n")
        if self.tls:
            self._make_certificates()
        self.start_turn(work)
        argv = [lifeline, "rendezvous", "--turn-url", f"turn:{TURN_IP}:{TURN_PORT}",
                "--turn-secret-file", secret_file]
        if self.tls:
            argv += ["--listen", f"{PUBLIC_IP}:{TLS_PORT}", "--tls-cert", self.server_cert,
                     "--tls-key", self.server_key, "--turn-url", f"turns:{TURN_IP}:{TLS_PORT}"]
            self.rendezvous_url = f"wss://{PUBLIC_IP}:{TLS_PORT}/lifeline"
        else:
            argv += ["--listen", f"{PUBLIC_IP}:{RENDEZVOUS_PORT}"]
            self.rendezvous_url = f"ws://{PUBLIC_IP}:{RENDEZVOUS_PORT}/lifeline"
        self.rendezvous = self.spawn(self.pub, argv, stdout=subprocess.PIPE,
                                     stderr=subprocess.DEVNULL, text=True)
        line = self.rendezvous.stdout.readline()
        assert line.startswith("listening:"), f"rendezvous did not start: {line!r}"
        self.echo = self.spawn(self.pub, ["python3", os.path.join(HERE, "udp_echo.py"), PUBLIC_IP,
                                          str(ECHO_PORT)], stdout=subprocess.PIPE, text=True)
        assert self.echo.stdout.readline().strip() == "ready"
        self._count_relay_bytes()

    def _make_certificates(self):
        """The lab's CA and one certificate for both public addresses."""
        d = self.scratch
        self.ca = os.path.join(d, "ca.pem")
        self.server_cert, self.server_key = os.path.join(d, "server.pem"), os.path.join(d, "server.key")
        ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes"]
        run("openssl", "req", "-x509", *ec, "-keyout", os.path.join(d, "ca.key"), "-out", self.ca,
            "-days", "2", "-subj", "/CN=Lifeline lab CA",
            "-addext", "basicConstraints=critical,CA:TRUE",
            "-addext", "keyUsage=critical,keyCertSign,cRLSign")
        run("openssl", "req", *ec, "-keyout", self.server_key, "-out", os.path.join(d, "server.csr"),
            "-subj", "/CN=lifeline.lab")
        ext = os.path.join(d, "server.ext")
        with open(ext, "w") as f:
            f.write(f"subjectAltName=IP:{PUBLIC_IP},IP:{TURN_IP}\n"
                    "extendedKeyUsage=serverAuth\n")
        run("openssl", "x509", "-req", "-in", os.path.join(d, "server.csr"), "-CA", self.ca,
            "-CAkey", os.path.join(d, "ca.key"), "-CAcreateserial", "-out", self.server_cert,
            "-days", "2", "-extfile", ext)

    def command(self, ns, *argv):
        """ARGV run in NS as a person's program: trusting the lab's CA when
        the lab has one."""
        prefix = ["ip", "netns", "exec", ns]
        if self.ca:
            prefix += ["python3", os.path.join(HERE, "trusting.py"), self.ca]
        return prefix + list(argv)

    def start_turn(self, work):
        """coturn on the public side; again after restart_turn()."""
        userdb = os.path.join(work, "turn-userdb")
        config = os.path.join(work, "turnserver.conf")
        open(config, "w").close()   # never the system's /etc/turnserver.conf
        tls = (["--tls-listening-port", str(TLS_PORT), "--cert", self.server_cert,
                "--pkey", self.server_key] if self.tls else ["--no-tls"])
        self.turn = self.spawn(self.pub, [
            "turnserver", "-c", config, "--listening-ip", TURN_IP, "--listening-port", str(TURN_PORT),
            "--relay-ip", TURN_IP, *tls,
            "--min-port", str(RELAY_PORTS[0]), "--max-port", str(RELAY_PORTS[1]),
            "--fingerprint", "--use-auth-secret", "--static-auth-secret", "lab-secret-" + self.tag,
            "--realm", "lifeline.lab", "--no-cli", "--no-dtls", "--userdb", userdb,
            "--log-file", "stdout", "--pidfile", os.path.join(work, "turn.pid"),
            "--no-multicast-peers", "--allowed-peer-ip", f"{PUBLIC_NET}.0-{PUBLIC_NET}.255"],
            stdout=open(os.path.join(work, "turn.log"), "a"), stderr=subprocess.STDOUT)
        self.turn_work = work
        deadline = time.time() + 10
        wanted = [(f":{TURN_PORT} ", "-lun")] + ([(f":{TLS_PORT} ", "-ltn")] if self.tls else [])
        while time.time() < deadline:   # coturn takes a moment to listen
            if all(port in self.exec(self.pub, "ss", flags).stdout for port, flags in wanted):
                break
            time.sleep(0.1)

    def restart_turn(self):
        """Stops coturn by PID and starts a fresh one: every allocation is gone."""
        self.turn.terminate()
        self.turn.wait(10)
        self.start_turn(self.turn_work)

    def _count_relay_bytes(self):
        """Counts bytes to and from coturn's relay ports on the public side."""
        lo, hi = RELAY_PORTS
        rules = f"""
table inet lab {{
  counter relayed {{ }}
  chain in {{ type filter hook input priority 0;
    udp dport {lo}-{hi} counter name relayed
    tcp dport {lo}-{hi} counter name relayed
  }}
  chain out {{ type filter hook output priority 0;
    udp sport {lo}-{hi} counter name relayed
    tcp sport {lo}-{hi} counter name relayed
  }}
}}
"""
        subprocess.run(["ip", "netns", "exec", self.pub, "nft", "-f", "-"], input=rules,
                       text=True, check=True, capture_output=True)

    def relayed_bytes(self):
        out = self.exec(self.pub, "nft", "list", "counter", "inet", "lab", "relayed").stdout
        return int(out.split("bytes")[1].split()[0])

    def classify(self, ns):
        out = self.exec(ns, "python3", os.path.join(HERE, "udp_probe.py"), PUBLIC_IP,
                        str(ECHO_PORT)).stdout
        return dict(part.split("=", 1) for part in out.split())

    # ---- teardown ----

    def teardown(self):
        for p in reversed(self.processes):
            if p.poll() is None:
                p.terminate()
                try:
                    p.wait(3)
                except subprocess.TimeoutExpired:
                    p.kill()
                    p.wait(3)
        for ns in reversed(self.namespaces):
            run("ip", "netns", "pids", ns, check=False)
            for pid in run("ip", "netns", "pids", ns, check=False).stdout.split():
                run("kill", "-9", pid, check=False)
            run("ip", "netns", "del", ns, check=False)
        shutil.rmtree(self.scratch, ignore_errors=True)


EXPECTED = {
    "none": {"mapping": "independent", "filtering": "open"},
    "full-cone": {"mapping": "independent", "filtering": "open"},
    "port-restricted": {"mapping": "independent", "filtering": "restricted"},
    "symmetric": {"mapping": "dependent", "filtering": "restricted"},
    "upnp": {"mapping": "independent", "filtering": "restricted"},
    "natpmp": {"mapping": "independent", "filtering": "restricted"},
}

#!/usr/bin/env python3
"""Classifies the NAT in front of this host with udp_echo.py: prints
"mapping=independent|dependent filtering=open|restricted public=IP:PORT".
usage: udp_probe.py ECHO_ADDRESS PORT"""

import socket
import sys

address, port = sys.argv[1], int(sys.argv[2])
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("0.0.0.0", 0))
s.settimeout(1.0)


def ask(p, payload=b"probe"):
    for _ in range(3):
        s.sendto(payload, (address, p))
        try:
            return s.recvfrom(512)[0].decode()
        except socket.timeout:
            continue
    return None


first, second = ask(port), ask(port + 1)
other = ask(port, b"other")
mapping = "independent" if first == second else "dependent"
filtering = "open" if other is not None else "restricted"
print(f"mapping={mapping} filtering={filtering} public={first}")

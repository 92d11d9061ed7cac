#!/usr/bin/env python3
"""A public UDP echo for classifying NAT routers. Listens on PORT and
PORT+1; answers each datagram with the address and port it came from.
A datagram "other" is answered from PORT+2 instead, to test filtering.
usage: udp_echo.py ADDRESS PORT"""

import select
import socket
import sys

address, port = sys.argv[1], int(sys.argv[2])
socks = []
for p in (port, port + 1, port + 2):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((address, p))
    socks.append(s)
print("ready", flush=True)
while True:
    readable, _, _ = select.select(socks[:2], [], [])
    for s in readable:
        data, peer = s.recvfrom(512)
        reply = f"{peer[0]}:{peer[1]}".encode()
        (socks[2] if data == b"other" else s).sendto(reply, peer)

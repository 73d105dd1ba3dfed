#!/usr/bin/env python3
"""A DNS server on loopback that answers every query REFUSED at once: the servers the page,
contract and SDK tests start ask it, so DNS stays on this machine and a domain check fails
fast. Prints its port, then serves until killed."""
import socket
import sys

sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
sock.bind(("127.0.0.1", int(sys.argv[1]) if len(sys.argv) > 1 else 0))
print(sock.getsockname()[1], flush=True)
while True:
    query, peer = sock.recvfrom(1500)
    at = 12
    try:
        while query[at]:
            at += 1 + query[at]
    except IndexError:
        continue
    end = at + 5
    if len(query) < end:
        continue
    answer = bytearray(query[:end])
    answer[2] = 0x80 | (query[2] & 0x79)
    answer[3] = 0x05
    answer[4:6] = b"\x00\x01"
    answer[6:12] = bytes(6)
    sock.sendto(bytes(answer), peer)

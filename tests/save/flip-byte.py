#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""flip-byte OFFSET: copy stdin to stdout with the byte at stream offset
OFFSET xor 0x20 (a collector's stream damaged on its way to phypdump)."""
import sys


def main():
    at = int(sys.argv[1], 0)
    pos = 0
    src, dst = sys.stdin.buffer, sys.stdout.buffer
    while True:
        b = src.read(1 << 16)
        if not b:
            break
        if pos <= at < pos + len(b):
            b = bytearray(b)
            b[at - pos] ^= 0x20
            b = bytes(b)
        dst.write(b)
        pos += len(b)


main()

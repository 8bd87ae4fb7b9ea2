#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""flip-byte OFFSET [JOURNAL]: copy stdin to stdout with the byte at stream
offset OFFSET xor 0x20 (a collector's stream damaged on its way to phypdump).
With JOURNAL, the chunk that holds the flip waits (60 s at most) until the
journal has a saved record reaching file offset OFFSET/2 (page data: the
stream carries the file's bytes in order, a few headers more) followed by
a release: written pages went back before the damage arrives, whatever the
timing of the save's syncs."""
import sys
import time


def saved_then_released(journal, upto):
    """A saved record that reaches file offset @upto (page data: the
    headers, bitmaps and descriptors of the fixtures end below 1 MiB),
    followed by a release: written pages went back."""
    try:
        with open(journal) as f:
            seen_saved = False
            for line in f:
                w = line.split()
                if len(w) < 3:
                    continue
                if w[0] == "saved" and int(w[1], 16) + int(w[2], 16) >= upto:
                    seen_saved = True
                elif seen_saved and w[0] == "release":
                    return True
    except FileNotFoundError:
        pass
    return False


def main():
    at = int(sys.argv[1], 0)
    journal = sys.argv[2] if len(sys.argv) > 2 else None
    pos = 0
    src, dst = sys.stdin.buffer, sys.stdout.buffer
    while True:
        b = src.read(1 << 16)
        if not b:
            break
        if pos <= at < pos + len(b):
            if journal:
                dst.flush()
                end = time.monotonic() + 60
                while not saved_then_released(journal, at // 2) and time.monotonic() < end:
                    time.sleep(0.05)
            b = bytearray(b)
            b[at - pos] ^= 0x20
            b = bytes(b)
        dst.write(b)
        pos += len(b)


main()

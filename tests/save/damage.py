#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""damage FILE WHAT: damage a kdump-compressed dump in place, as a disk or a
writer could, and print the file offset (hex) a reader must name.

  truncate  cut the file in the middle of its page data: the first
            descriptor whose page is then past the end is named
  page      flip a byte in the middle of the first zlib page (its checksum
            fails), or at the end of the first lzo page (its end marker)
  desc      flip the top byte of the 100th descriptor's offset
"""
import struct
import sys

from kdumpfile import KdumpFile


def descriptors(k):
    for i in range(k.num_dumpable):
        d = k.off_pd + 24 * i
        off, size, flags = struct.unpack_from("<QII", k.raw, d)
        yield d, off, size, flags


def flip(path, at):
    with open(path, "r+b") as f:
        f.seek(at)
        b = f.read(1)
        f.seek(at)
        f.write(bytes([b[0] ^ 0x20]))


def main():
    path, what = sys.argv[1], sys.argv[2]
    k = KdumpFile(path)
    if what == "truncate":
        data = k.off_pd + 24 * k.num_dumpable
        cut = data + (len(k.raw) - data) // 2
        for d, off, size, _ in descriptors(k):
            if off + size > cut:
                with open(path, "r+b") as f:
                    f.truncate(cut)
                print(hex(d))
                return
    elif what == "page":
        for _, off, size, flags in descriptors(k):
            if flags == 0x1:
                flip(path, off + size // 2)
                print(hex(off))
                return
            if flags == 0x2:
                flip(path, off + size - 1)
                print(hex(off))
                return
    elif what == "desc":
        d = k.off_pd + 24 * 100
        flip(path, d + 5)
        print(hex(d))
        return
    sys.exit(f"damage: cannot do {what} to {path}")


main()

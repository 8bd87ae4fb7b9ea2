# SPDX-License-Identifier: GPL-2.0-or-later
"""excluded-page.py RAW_ELF DUMP: print the physical address of the first page that the
kdump-compressed DUMP leaves out (bitmap2 clear) while RAW_ELF holds data there (more than 64
non-zero bytes), for tests/readers to ask the readers about. Exit 1 when there is none."""
import os
import struct
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "save"))
from kdumpfile import KdumpFile  # noqa: E402

PAGE = 4096


def main():
    raw, dump = sys.argv[1], sys.argv[2]
    k = KdumpFile(dump)
    page = k.block_size
    with open(raw, "rb") as f:
        h = f.read(64)
        if h[:4] != b"\x7fELF" or h[4] != 2 or h[5] != 1:
            sys.exit(f"{raw}: not a little-endian ELF64 file")
        phoff = struct.unpack_from("<Q", h, 32)[0]
        phentsize, phnum = struct.unpack_from("<HH", h, 54)
        f.seek(phoff)
        ph = f.read(phentsize * phnum)
        for i in range(phnum):
            ptype, _, off, _, pa, filesz = struct.unpack_from("<IIQQQQ", ph, i * phentsize)
            if ptype != 1:  # PT_LOAD
                continue
            for pfn in range((pa + page - 1) // page, (pa + filesz) // page):
                if pfn >= k.max_mapnr or k.dumpable(pfn):
                    continue
                f.seek(off + pfn * page - pa)
                if f.read(page).count(0) < page - 64:
                    print(hex(pfn * page))
                    return
    sys.exit("no excluded page with data")


main()

#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""check-safe JOURNAL DUMPFILE[,DUMPFILE...] REFERENCE [--final|--no-final]

Proves the product's rule on a capture's aftermath: every crashed-kernel
page touched by a release the journal records was either filtered out
(excluded in the reference dump) or is already in DUMPFILE with exactly the
reference's descriptor and bytes (or, when the stored bytes differ, bytes
that decompress to the reference's page).  CPU and HPTE areas may go only with the
final record (or, re-arming, after the journal's copy of the vmcore's
headers, whose CRC is checked while the file exists).  With several dump files (the partial files of an interrupted
save and of its resumptions), a page may be in any of them.  Prints a
summary; exits 1 on any violation.
"""
import ctypes
import ctypes.util
import os
import re
import struct
import sys
import zlib

from kdumpfile import KdumpFile

RANGE = re.compile(r"(0x[0-9a-fA-F]+)-(0x[0-9a-fA-F]+)(?:@(0x[0-9a-fA-F]+))?")


HEADERS = {}  # the journal's header copy (re-arming): path, length, CRC


def parse_journal(path):
    """Releases come with whether the copy of the vmcore's headers was
    journaled before them (then the CPU and HPTE areas may go early)."""
    layout, releases, final = None, [], False
    with open(path) as f:
        for line in f:
            if " *" not in line or not line.endswith("\n"):
                continue  # a torn tail: never issued
            body = line.rsplit(" *", 1)[0]
            if body.startswith("layout "):
                layout = body[7:]
            elif body.startswith("headers "):
                _, _, hl, hc, hp = body.split(" ", 4)
                HEADERS.update(path=hp, len=int(hl, 16), crc=int(hc, 16))
            elif body.startswith("release "):
                _, a, l = body.split()
                releases.append((int(a, 16), int(l, 16), bool(HEADERS)))
            elif body.startswith("final "):
                final = True
    cpu = hpte = None
    dump = []
    m = re.match(r"\s*CPU:\s*(\S+?):\s*HPTE:\s*(\S+?):\s*/?\s*DUMP:(.*)", layout, re.S)
    for name, text in (("cpu", m.group(1)), ("hpte", m.group(2))):
        a, l, _ = RANGE.match(text).groups()
        if name == "cpu":
            cpu = (int(a, 16), int(l, 16))
        else:
            hpte = (int(a, 16), int(l, 16))
    for a, l, s in RANGE.findall(m.group(3)):
        a, l = int(a, 16), int(l, 16)
        dump.append((a, l, int(s, 16) if s else a))
    if "@" not in m.group(3) and len(dump) >= 2 and dump[0][0] > dump[1][0]:
        dump[0] = (dump[0][0], dump[0][1], 0)  # the seed's form
    return cpu, hpte, dump, releases, final


def _lzo():
    lib = ctypes.util.find_library("lzo2")
    if not lib:
        return None
    lzo = ctypes.CDLL(lib)
    lzo.__lzo_init_v2(1, -1, -1, -1, -1, -1, -1, -1, -1, -1)
    return lzo


LZO = _lzo()


def content(page, size):
    """The page a reader gets from (descriptor, stored bytes), or None when
    this script cannot decompress it (snappy, zstd)."""
    desc, data = page
    flags = struct.unpack_from("<I", desc, 12)[0]
    if flags == 0:
        return data
    if flags == 0x1:
        try:
            return zlib.decompress(data)
        except zlib.error:
            return None
    if flags == 0x2 and LZO:
        out = ctypes.create_string_buffer(size)
        n = ctypes.c_ulong(size)
        if LZO.lzo1x_decompress_safe(data, len(data), out, ctypes.byref(n), None) == 0 and n.value == size:
            return out.raw
    return None


def same_page(ref, mine, size):
    """Stored bytes equal, or (a damaged stream can re-encode a page: one
    flipped byte of an lzo match may give the same page) both decompress
    to the same page."""
    if ref in mine:
        return True
    want = content(ref, size)
    return want is not None and any(content(m, size) == want for m in mine)


def main():
    jpath, dpath, rpath = sys.argv[1:4]
    want_final = "--final" in sys.argv[4:]
    forbid_final = "--no-final" in sys.argv[4:]
    cpu, hpte, dump, releases, final = parse_journal(jpath)
    # A partial file that is not (yet) a kdump file holds nothing a release
    # could rely on: skip it.  If its pages were needed, no other file has
    # them and the check below fails on those pages.
    ds = []
    for p in dpath.split(","):
        try:
            ds.append(KdumpFile(p))
        except (ValueError, OSError) as e:
            print(f"check-safe: {p}: not read ({e}); its pages count as missing", file=sys.stderr)
    r = KdumpFile(rpath)
    ps = r.block_size
    bad = []
    touched = set()
    released = 0
    if HEADERS and os.path.exists(HEADERS["path"]):
        with open(HEADERS["path"], "rb") as f:
            h = f.read()
        if len(h) != HEADERS["len"] or zlib.crc32(h) != HEADERS["crc"]:
            bad.append(f"the header copy {HEADERS['path']} does not match the journal")
    for a, l, copied in releases:
        released += l
        for name, area in (("CPU", cpu), ("HPTE", hpte)):
            if area[1] and a < area[0] + area[1] and area[0] < a + l and not final and not copied:
                bad.append(f"{name} area released before the end with no copy of the vmcore's "
                           f"headers journaled: 0x{a:x}+0x{l:x}")
        for addr, length, src in dump:
            s, e = max(a, addr), min(a + l, addr + length)
            if s >= e:
                continue
            cs, ce = src + (s - addr), src + (e - addr)
            touched.update(range(cs // ps, (ce + ps - 1) // ps))
    excluded = written = 0
    for pfn in sorted(touched):
        if pfn >= r.max_mapnr or not r.dumpable(pfn):
            excluded += 1
            continue
        ref = r.page(pfn)
        mine = [p for p in (d.page(pfn) for d in ds) if p is not None]
        if not mine:
            bad.append(f"pfn 0x{pfn:x} was released but is not in the dump file")
        elif not same_page(ref, mine, ps):
            bad.append(f"pfn 0x{pfn:x} was released and its saved page differs from the reference")
        else:
            written += 1
    if want_final and not final:
        bad.append("the journal has no final record")
    if forbid_final and final:
        bad.append("the journal says everything was released")
    print(f"check-safe: {len(releases)} releases, {released} bytes; pages touched: "
          f"{excluded} excluded, {written} saved; dump {'incomplete' if ds[-1].incomplete else 'complete'}")
    for b in bad[:20]:
        print("VIOLATION:", b)
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()

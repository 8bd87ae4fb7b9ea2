#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Helpers for the simulator tests (no QEMU needed).

  vmcore_tool.py gen OUT [--arch x86_64|ppc64] [--endian le|be] [--phoff-late]
      Write a small synthetic ELF64 vmcore. Memory content is a function of the
      physical address: the 8-byte word at paddr p (p % 8 == 0) holds
      p ^ 0x5a5a5a5a5a5a5a5a in the vmcore's byte order, so any read can be checked.
      x86_64 (4 KiB pages): PT_LOADs [0,0x9f000) [0x100000,0x400000) [0x500000,0x600000)
        (the last with p_filesz 0x800 short of p_memsz: its tail reads as zero).
      ppc64 (64 KiB pages): PT_LOADs [0,0x300000) [0x400000,0x600000).
      --phoff-late puts a section header table first and the program headers after
      it (as QEMU 7.2 does).
  vmcore_tool.py off VMCORE PADDR        file offset of PADDR in VMCORE (or 'none')
  vmcore_tool.py expect PADDR LEN ENDIAN print the expected bytes (hex) of a synthetic core
  vmcore_tool.py same VMCORE_A VMCORE_B  every PT_LOAD byte of A equals B's byte at the
                                         same paddr, and both have the same notes
  vmcore_tool.py loads VMCORE            print 'paddr memsz filesz offset' per PT_LOAD
  vmcore_tool.py pread VMCORE PADDR LEN  read LEN bytes at PADDR with pread(2): prints
                                         their hex, or ERR:<errno name> (e.g. ERR:EIO)
  vmcore_tool.py write FILE STRING       one write(2) of STRING (\\n, \\t escapes honoured):
                                         prints the count returned, or ERR:<errno name>
  vmcore_tool.py trim VMCORE OUT START END
                                         write VMCORE without the memory [START, END)
                                         (program headers at 64): what a fadump
                                         capture of that memory holds, for reference
  vmcore_tool.py perturb VMCORE SEED [EVERY]
                                         change VMCORE in place, as another boot's memory:
                                         in about one 4 KiB page (by paddr) in EVERY
                                         (default 8), chosen by SEED, the first 8 bytes
                                         in the file are XORed with a non-zero value;
                                         prints the number of pages changed
  vmcore_tool.py crashcheck OUT DUMP1 BASE LINEFILE [LINE0FILE]
                                         check a second crash's vmcore OUT: BASE's notes and
                                         PT_LOADs (paddr, memsz), and at every paddr DUMP1's
                                         byte inside the in-place (no '@') DUMP ranges of the
                                         release_region line in LINEFILE (the held memory;
                                         an empty file: none), BASE's byte elsewhere. With
                                         LINE0FILE, the line read before any release: the
                                         held memory is every page LINEFILE's ranges touch
                                         (a partly released page is held whole), within
                                         LINE0FILE's in-place ranges. Fails
                                         unless DUMP1 and BASE differ both in a held page and
                                         in another page (else the check proves nothing)
  vmcore_tool.py heldbytes LINE0FILE LINEFILE DUMP1
                                         the number of bytes held as crashcheck counts them
                                         with LINE0FILE (DUMP1 gives the page size)
  vmcore_tool.py plan ROOT SEED N MAXLEN
                                         releases for a re-arm test on the simulator at
                                         ROOT: 'B addr len' for every range its rearm file
                                         says blocks, then N 'R addr len' random pieces
                                         (at most MAXLEN bytes) of the in-place ranges of
                                         its release_region line, drawn with SEED
  vmcore_tool.py corpus DIR              write tiny seed inputs for the fuzz target
                                         (a few hundred bytes each, memory mostly p_memsz
                                         beyond p_filesz)
"""
import struct
import sys

PAT = 0x5a5a5a5a5a5a5a5a


def word_bytes(p, be):
    return struct.pack('>Q' if be else '<Q', (p ^ PAT) & 0xffffffffffffffff)


def content(paddr, length, be):
    start = paddr & ~7
    out = bytearray()
    for p in range(start, paddr + length, 8):
        out += word_bytes(p, be)
    off = paddr - start
    return bytes(out[off:off + length])


def note(name, ntype, desc, be):
    e = '>' if be else '<'
    n = name + b'\0'
    pad = lambda b: b + b'\0' * ((4 - len(b) % 4) % 4)
    return struct.pack(e + 'III', len(n), len(desc), ntype) + pad(n) + pad(desc)


def gen(out, arch, endian, phoff_late):
    be = endian == 'be'
    e = '>' if be else '<'
    if arch == 'x86_64':
        machine = 62
        loads = [(0, 0x9f000, 0x9f000), (0x100000, 0x300000, 0x300000),
                 (0x500000, 0x100000, 0x100000 - 0x800)]
    else:
        machine = 21
        loads = [(0, 0x300000, 0x300000), (0x400000, 0x200000, 0x200000)]
    notes = note(b'CORE', 1, b'\x11' * 336, be) + note(b'CORE', 1, b'\x22' * 336, be)
    notes += note(b'VMCOREINFO', 0, b'OSRELEASE=6.12.0-sim\nPAGESIZE=4096\n', be)
    nph = 1 + len(loads)
    shoff = 0
    phoff = 64
    if phoff_late:
        shoff = 64
        phoff = 64 + 64  # one null section header first
    data_off = (phoff + 56 * nph + 4095) & ~4095
    hdr = bytearray(data_off)
    ident = b'\x7fELF' + bytes([2, 2 if be else 1, 1, 0]) + b'\0' * 8
    struct.pack_into(e + '16sHHIQQQIHHHHHH', hdr, 0, ident, 4, machine, 1, 0, phoff, shoff, 0,
                     64, 56, nph, 64 if phoff_late else 0, 1 if phoff_late else 0, 0)
    cur = data_off
    phs = [(4, 0, cur, 0, 0, len(notes), len(notes))]
    cur += len(notes)
    for (p, m, f) in loads:
        phs.append((1, 7, cur, 0xc000000000000000 + p if arch == 'ppc64' else 0, p, f, m))
        cur += f
    for i, (t, fl, off, va, pa, fs, ms) in enumerate(phs):
        struct.pack_into(e + 'IIQQQQQQ', hdr, phoff + 56 * i, t, fl, off, va, pa, fs, ms, 0)
    with open(out, 'wb') as fh:
        fh.write(hdr)
        fh.write(notes)
        for (p, m, f) in loads:
            chunk = 1 << 20
            for s in range(p, p + f, chunk):
                fh.write(content(s, min(chunk, p + f - s), be))


def tiny(be, machine, phoff, loads, notes):
    e = '>' if be else '<'
    nph = len(loads) + (1 if notes else 0)
    data = phoff + 56 * nph
    buf = bytearray(data)
    ident = b'\x7fELF' + bytes([2, 2 if be else 1, 1, 0]) + b'\0' * 8
    struct.pack_into(e + '16sHHIQQQIHHHHHH', buf, 0, ident, 4, machine, 1, 0, phoff, 0, 0,
                     64, 56, nph, 0, 0, 0)
    i = 0
    cur = data
    if notes:
        struct.pack_into(e + 'IIQQQQQQ', buf, phoff, 4, 0, cur, 0, 0, len(notes), len(notes), 0)
        i = 1
        cur += len(notes)
    body = bytearray(notes)
    for (p, m, f) in loads:
        struct.pack_into(e + 'IIQQQQQQ', buf, phoff + 56 * (i), 1, 7, cur, 0, p, f, m, 0)
        i += 1
        body += content(p, f, be)
        cur += f
    return bytes(buf + body)


def corpus(d):
    import os
    os.makedirs(d, exist_ok=True)
    for be in (False, True):
        n = note(b'CORE', 1, b'\1' * 32, be) + note(b'VMCOREINFO', 0, b'PAGESIZE=4096\n', be)
        m = 21 if be else 62
        seeds = {
            'basic': tiny(be, m, 64, [(0, 0x40000, 64), (0x100000, 0x80000, 64)], n),
            'late-phoff': tiny(be, m, 0x80, [(0, 0x200000, 32)], n),
            'no-notes': tiny(be, m, 64, [(0x1000, 0x3000, 16), (0x9000, 0x1000, 0)], b''),
            'many': tiny(be, m, 64, [(i * 0x20000, 0x10000, 8) for i in range(12)], n),
        }
        for k, v in seeds.items():
            with open(os.path.join(d, '%s-%s' % (k, 'be' if be else 'le')), 'wb') as fh:
                fh.write(v)


def parse(path):
    with open(path, 'rb') as fh:
        eh = fh.read(64)
        if eh[:4] != b'\x7fELF' or eh[4] != 2:
            raise SystemExit('%s: not ELF64' % path)
        e = '>' if eh[5] == 2 else '<'
        phoff, = struct.unpack_from(e + 'Q', eh, 32)
        phentsize, phnum = struct.unpack_from(e + 'HH', eh, 54)
        loads, notes = [], b''
        for i in range(phnum):
            fh.seek(phoff + i * phentsize)
            t, fl, off, va, pa, fs, ms, al = struct.unpack(e + 'IIQQQQQQ', fh.read(56))
            if t == 1:
                loads.append((pa, ms, fs, off))
            elif t == 4:
                fh.seek(off)
                notes += fh.read(fs)
        return sorted(loads), notes, e


def trim(src, out, start, end):
    with open(src, 'rb') as fh:
        eh = bytearray(fh.read(64))
    e = '>' if eh[5] == 2 else '<'
    phoff, = struct.unpack_from(e + 'Q', eh, 32)
    phentsize, phnum = struct.unpack_from(e + 'HH', eh, 54)
    phs = []
    with open(src, 'rb') as fh:
        for i in range(phnum):
            fh.seek(phoff + i * phentsize)
            phs.append(list(struct.unpack(e + 'IIQQQQQQ', fh.read(56))))
    newph = []
    for ph in phs:
        t, fl, off, va, pa, fs, ms, al = ph
        if t == 4:
            newph.append(ph)
            continue
        if t != 1:
            continue
        for (s, x) in ((pa, min(pa + ms, start)), (max(pa, end), pa + ms)):
            if s >= x:
                continue
            skip = s - pa
            nfs = max(0, min(fs - skip, x - s))
            newph.append([t, fl, off + skip, va + skip if va else 0, s, nfs, x - s, al])
    hdr_len = 64 + 56 * len(newph)
    cur = (hdr_len + 4095) & ~4095
    layout = []
    for ph in newph:
        layout.append((ph[2], ph[5], cur))
        ph[2] = cur
        cur += ph[5]
    struct.pack_into(e + 'QQ', eh, 32, 64, 0)  # e_phoff, e_shoff
    struct.pack_into(e + 'HHHH', eh, 56, len(newph), 64, 0, 0)
    with open(src, 'rb') as fi, open(out, 'wb') as fo:
        fo.write(eh)
        for ph in newph:
            fo.write(struct.pack(e + 'IIQQQQQQ', *ph))
        for (soff, n, doff) in layout:
            fo.seek(doff)
            fi.seek(soff)
            while n:
                b = fi.read(min(n, 8 << 20))
                if not b:
                    raise SystemExit('short read in ' + src)
                fo.write(b)
                n -= len(b)


def off_of(path, paddr):
    loads, _, _ = parse(path)
    for (pa, ms, fs, off) in loads:
        if pa <= paddr < pa + fs:
            return off + paddr - pa
    return None


def read_paddr(fh, loads, paddr, length):
    out = bytearray()
    while length:
        for (pa, ms, fs, off) in loads:
            if pa <= paddr < pa + ms:
                n = min(length, pa + ms - paddr)
                infile = max(0, min(n, pa + fs - paddr))
                if infile:
                    fh.seek(off + paddr - pa)
                    b = fh.read(infile)
                    if len(b) != infile:
                        raise SystemExit('short read at paddr %#x' % paddr)
                    out += b
                out += b'\0' * (n - infile)
                paddr += n
                length -= n
                break
        else:
            raise SystemExit('paddr %#x not in any PT_LOAD' % paddr)
    return bytes(out)


def same(a, b):
    la, na, _ = parse(a)
    lb, nb, _ = parse(b)
    if na != nb:
        print('notes differ')
        return 1
    total = 0
    with open(a, 'rb') as fa, open(b, 'rb') as fb:
        for (pa, ms, fs, off) in la:
            chunk = 4 << 20
            for s in range(pa, pa + ms, chunk):
                n = min(chunk, pa + ms - s)
                if read_paddr(fa, la, s, n) != read_paddr(fb, lb, s, n):
                    print('content differs in [%#x, %#x)' % (s, s + n))
                    return 1
                total += n
    print('same: %d bytes compared' % total)
    return 0


def perturb(path, seed, every):
    loads, _, _ = parse(path)
    n = 0
    with open(path, 'r+b') as fh:
        for (pa, ms, fs, off) in loads:
            first = (pa + 4095) & ~4095
            for page in range(first, pa + fs - 8, 4096):
                h = ((page >> 12) * 0x9E3779B97F4A7C15 + seed * 0xBF58476D1CE4E5B9) & (2**64 - 1)
                h ^= h >> 31
                if h % every:
                    continue
                fh.seek(off + page - pa)
                b = fh.read(8)
                x = (h | 1).to_bytes(8, 'little')
                fh.seek(off + page - pa)
                fh.write(bytes(p ^ q for p, q in zip(b, x)))
                n += 1
    print(n)


def held_ranges(linefile):
    import re
    line = open(linefile).read()
    if 'DUMP:' not in line:
        return []
    out = []
    for a, ln, at in re.findall(r'(0x[0-9a-fA-F]+)-(0x[0-9a-fA-F]+)(@0x[0-9a-fA-F]+)?',
                                line.split('DUMP:', 1)[1]):
        if not at and int(ln, 16):
            out.append((int(a, 16), int(a, 16) + int(ln, 16)))
    return sorted(out)


def page_size_of(vmcore):
    """The simulator's page size for a dump of this machine: 64 KiB on ppc64
    (EM_PPC64, 21), 4 KiB elsewhere (phypdump-sim's default)."""
    with open(vmcore, 'rb') as f:
        eh = f.read(20)
    machine = struct.unpack_from('>H' if eh[5] == 2 else '<H', eh, 18)[0]
    return 65536 if machine == 21 else 4096


def held_pages(linefile, line0file, ps):
    """The memory a crash keeps of the held dump: released bytes leave the
    release_region line at once, but a page goes back only once all its dump
    bytes are released, so every page the line still touches is held whole,
    its area bytes (the in-place ranges of the boot line, @line0file) all."""
    pages = []
    for s, e in held_ranges(linefile):
        s, e = s - s % ps, e + (-e) % ps
        if pages and s <= pages[-1][1]:
            pages[-1] = (pages[-1][0], max(pages[-1][1], e))
        else:
            pages.append((s, e))
    out = []
    for a, b in held_ranges(line0file):
        for s, e in pages:
            if max(a, s) < min(b, e):
                out.append((max(a, s), min(b, e)))
    return sorted(out)


def plan(root, seed, n, maxlen):
    import random
    import re
    fad = root + '/sys/kernel/fadump/'
    for a, ln in re.findall(r'(0x[0-9a-f]+)-(0x[0-9a-f]+)', open(fad + 'rearm').read()):
        print('B', a, ln)
    r = random.Random(seed)
    inplace = [(s, e - s) for s, e in held_ranges(fad + 'release_region')]
    for _ in range(n if inplace else 0):
        a, ln = r.choice(inplace)
        s = a + r.randrange(ln)
        print('R %#x %#x' % (s, r.randrange(1, min(a + ln - s, maxlen) + 1)))


def crashcheck(out, dump1, base, linefile, line0file=None):
    lo, no, _ = parse(out)
    l1, _, _ = parse(dump1)
    lb, nb, _ = parse(base)
    if no != nb:
        print('crashcheck: notes differ from the base')
        return 1
    if [(pa, ms) for (pa, ms, fs, off) in lo] != [(pa, ms) for (pa, ms, fs, off) in lb]:
        print('crashcheck: PT_LOADs differ from the base')
        return 1
    held = held_pages(linefile, line0file, page_size_of(dump1)) if line0file else held_ranges(linefile)
    held_diff = other_diff = total = 0
    chunk = 4 << 20
    with open(out, 'rb') as fo, open(dump1, 'rb') as f1, open(base, 'rb') as fb:
        for (pa, ms, fs, off) in lo:
            for s in range(pa, pa + ms, chunk):
                n = min(chunk, pa + ms - s)
                got = read_paddr(fo, lo, s, n)
                want_b = read_paddr(fb, lb, s, n)
                want = bytearray(want_b)
                inheld = bytearray(n)
                for (hs, he) in held:
                    a, e = max(hs, s), min(he, s + n)
                    if a < e:
                        want[a - s:e - s] = read_paddr(f1, l1, a, e - a)
                        inheld[a - s:e - s] = b'\1' * (e - a)
                if got != want:
                    i = next(k for k in range(n) if got[k] != want[k])
                    print('crashcheck: byte at paddr %#x is %#x, want %#x (%s)' % (
                        s + i, got[i], want[i], 'held: dump 1' if inheld[i] else 'the base'))
                    return 1
                # test power: pages where dump 1 and the base differ
                if not all(any(ls <= x < ls + lm for (ls, lm, _, _) in l1) for x in (s, s + n - 1)):
                    total += n
                    continue
                d1 = read_paddr(f1, l1, s, n)
                for p in range(s - s % 4096, s + n, 4096):
                    a, e = max(p, s) - s, min(p + 4096, s + n) - s
                    if d1[a:e] == want_b[a:e]:
                        continue
                    if all(inheld[a:e]):
                        held_diff += 1
                    elif not any(inheld[a:e]):
                        other_diff += 1
                total += n
    print('crashcheck: %d bytes compared, %d held bytes in %d ranges; %d held pages differ from '
          'the base, %d other pages differ from dump 1' % (
              total, sum(e - s for s, e in held), len(held), held_diff, other_diff))
    if held and not held_diff or not other_diff:
        print('crashcheck: dump 1 and the base do not differ where they must: the check proves nothing')
        return 1
    return 0


def main():
    a = sys.argv[1:]
    if not a:
        print(__doc__)
        return 2
    if a[0] == 'gen':
        arch, endian, late = 'x86_64', 'le', False
        rest = a[2:]
        while rest:
            o = rest.pop(0)
            if o == '--arch':
                arch = rest.pop(0)
            elif o == '--endian':
                endian = rest.pop(0)
            elif o == '--phoff-late':
                late = True
            else:
                raise SystemExit('unknown option ' + o)
        gen(a[1], arch, endian, late)
        return 0
    if a[0] == 'off':
        o = off_of(a[1], int(a[2], 0))
        print('none' if o is None else o)
        return 0
    if a[0] == 'expect':
        print(content(int(a[1], 0), int(a[2], 0), a[3] == 'be').hex())
        return 0
    if a[0] == 'same':
        return same(a[1], a[2])
    if a[0] == 'pread':
        import errno
        import os
        o = off_of(a[1], int(a[2], 0))
        if o is None:
            print('ERR:NOTLOADED')
            return 0
        fd = os.open(a[1], os.O_RDONLY)
        try:
            print(os.pread(fd, int(a[3], 0), o).hex())
        except OSError as ex:
            print('ERR:' + errno.errorcode.get(ex.errno, str(ex.errno)))
        finally:
            os.close(fd)
        return 0
    if a[0] == 'write':
        import errno
        import os
        data = a[2].encode().decode('unicode_escape').encode('latin-1')
        try:
            fd = os.open(a[1], os.O_WRONLY)
        except OSError as ex:
            print('ERR:' + errno.errorcode.get(ex.errno, str(ex.errno)))
            return 0
        try:
            print(os.write(fd, data))
        except OSError as ex:
            print('ERR:' + errno.errorcode.get(ex.errno, str(ex.errno)))
        finally:
            os.close(fd)
        return 0
    if a[0] == 'trim':
        trim(a[1], a[2], int(a[3], 0), int(a[4], 0))
        return 0
    if a[0] == 'perturb':
        perturb(a[1], int(a[2], 0), int(a[3], 0) if len(a) > 3 else 8)
        return 0
    if a[0] == 'plan':
        plan(a[1], int(a[2], 0), int(a[3], 0), int(a[4], 0))
        return 0
    if a[0] == 'crashcheck':
        return crashcheck(*a[1:6])
    if a[0] == 'heldbytes':
        print(sum(e - s for s, e in held_pages(a[2], a[1], page_size_of(a[3]))))
        return 0
    if a[0] == 'corpus':
        corpus(a[1])
        return 0
    if a[0] == 'loads':
        for (pa, ms, fs, off) in parse(a[1])[0]:
            print('%#x %#x %#x %#x' % (pa, ms, fs, off))
        return 0
    print(__doc__)
    return 2


if __name__ == '__main__':
    sys.exit(main())

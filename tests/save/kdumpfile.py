# SPDX-License-Identifier: GPL-2.0-or-later
"""Read kdump-compressed dump files (makedumpfile's format) for tests.

Only what the tests need: the header fields, bitmap2, and for a pfn its page
descriptor and stored bytes.  Native little-endian, as makedumpfile on x86_64
and ppc64le writes it.
"""
import struct

INCOMPLETE = 0x8


class KdumpFile:
    def __init__(self, path):
        with open(path, "rb") as f:
            self.raw = f.read()
        h = self.raw
        if h[:8] != b"KDUMP   ":
            raise ValueError(f"{path}: not a kdump-compressed file")
        self.status = struct.unpack_from("<I", h, 424)[0]
        self.block_size, self.sub_hdr_size, self.bitmap_blocks = struct.unpack_from("<iiI", h, 428)
        bs = self.block_size
        self.max_mapnr = struct.unpack_from("<Q", h, bs + 96)[0]
        half = self.bitmap_blocks * bs // 2
        self.off_bm2 = (1 + self.sub_hdr_size) * bs + half
        self.off_pd = (1 + self.sub_hdr_size + self.bitmap_blocks) * bs
        self.bm2 = h[self.off_bm2:self.off_bm2 + (self.max_mapnr + 7) // 8]
        # index of each dumpable pfn's descriptor
        self.index = {}
        n = 0
        for byte_i, byte in enumerate(self.bm2):
            if not byte:
                continue
            for bit in range(8):
                if byte >> bit & 1:
                    self.index[byte_i * 8 + bit] = n
                    n += 1
        self.num_dumpable = n

    @property
    def incomplete(self):
        return bool(self.status & INCOMPLETE)

    def dumpable(self, pfn):
        return pfn in self.index

    def page(self, pfn):
        """(descriptor bytes, stored data) of a dumpable pfn, or None when
        this file does not (yet) hold it whole."""
        i = self.index.get(pfn)
        if i is None:
            return None
        d = self.off_pd + 24 * i
        if d + 24 > len(self.raw):
            return None
        desc = self.raw[d:d + 24]
        off, size = struct.unpack_from("<QI", desc, 0)
        if off == 0 or size == 0 or off + size > len(self.raw):
            return None
        return desc, self.raw[off:off + size]

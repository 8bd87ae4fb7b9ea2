/* SPDX-License-Identifier: GPL-2.0-or-later */
/* kdump_synth.h — builds small synthetic kdump-compressed dumps and their
 * flattened streams for tests: 4 KiB blocks, one sub-header block, a
 * bitmap of two blocks, 64 pfns of which the caller picks the dumpable. */
#ifndef PD_KDUMP_SYNTH_H
#define PD_KDUMP_SYNTH_H

#include <stdint.h>
#include <string.h>

#define SYN_BS 4096u
#define SYN_PFNS 64u
#define SYN_OFF_BM2 (2 * SYN_BS + SYN_BS)
#define SYN_OFF_PD (4 * SYN_BS)

struct syn_rec {
	uint64_t off;
	const unsigned char *data;
	size_t len;
};

struct syn_dump {
	unsigned char head[464];
	unsigned char sub[104];
	unsigned char bm1[SYN_BS], bm2[SYN_BS];
	unsigned char pd[SYN_PFNS * 24];
	unsigned char data[SYN_PFNS * SYN_BS];
	unsigned ndump;
	uint64_t off_data;
};

static inline void syn_build(struct syn_dump *d, const unsigned char *dumpable)
{
	uint32_t v32;
	uint64_t v64;
	unsigned i;

	memset(d, 0, sizeof(*d));
	memcpy(d->head, "KDUMP   ", 8);
	v32 = 6;
	memcpy(d->head + 8, &v32, 4);
	v32 = SYN_BS;
	memcpy(d->head + 428, &v32, 4);
	v32 = 1;
	memcpy(d->head + 432, &v32, 4);
	v32 = 2;
	memcpy(d->head + 436, &v32, 4);
	v32 = 31;
	memcpy(d->sub + 8, &v32, 4);
	v64 = SYN_PFNS;
	memcpy(d->sub + 96, &v64, 8);
	for (i = 0; i < SYN_PFNS; i++) {
		d->bm1[i / 8] |= (unsigned char)(1u << (i % 8));
		if (dumpable[i]) {
			d->bm2[i / 8] |= (unsigned char)(1u << (i % 8));
			d->ndump++;
		}
	}
	d->off_data = SYN_OFF_PD + 24ull * d->ndump;
	for (i = 0; i < d->ndump; i++) {
		uint64_t off = d->off_data + (uint64_t)i * SYN_BS;
		uint32_t size = SYN_BS;

		memcpy(d->pd + i * 24, &off, 8);
		memcpy(d->pd + i * 24 + 8, &size, 4);
		memset(d->data + (size_t)i * SYN_BS, (int)(i + 1), SYN_BS);
	}
}

/* Put a flattened record (big-endian header) into @out; returns bytes. */
static inline size_t syn_flat_rec(unsigned char *out, uint64_t off, const void *data, uint64_t len)
{
	int i;

	for (i = 0; i < 8; i++) {
		out[i] = (unsigned char)(off >> (56 - 8 * i));
		out[8 + i] = (unsigned char)(len >> (56 - 8 * i));
	}
	memcpy(out + 16, data, len);
	return 16 + len;
}

static inline size_t syn_flat_header(unsigned char *out)
{
	memset(out, 0, 4096);
	memcpy(out, "makedumpfile", 12);
	out[23] = 1;
	out[31] = 1;
	return 4096;
}

static inline size_t syn_flat_end(unsigned char *out)
{
	memset(out, 0xff, 16);
	return 16;
}

#endif

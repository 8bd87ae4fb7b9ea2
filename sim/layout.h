/* SPDX-License-Identifier: GPL-2.0-or-later */
/* layout: where the crashed kernel's memory lives in the simulated dump boot.
 *
 * Input: the vmcore's PT_LOADs (crashed-kernel physical memory, sorted, disjoint),
 * the boot memory size B, the page size, the number of CPUs and a layout kind.
 * Output: the reserved areas (CPU state, HPTE, DUMP ranges) as release_region
 * lists them at boot, and the PT_LOAD pieces of the simulated /proc/vmcore, each
 * with the reserved physical address that backs it.
 *
 * LAYOUT_FADUMP (firmware-assisted dump as QEMU lays it out, facts.md §2):
 *   CPU state area at B, length 0x10 + 0x500 per CPU (0x510 for one CPU);
 *   HPTE right after it, length 0;
 *   boot memory copy ("real mode region") at B + roundup(cpu_len, 4 KiB), B bytes,
 *     holding the crashed memory [0, B);
 *   the fadump crash-info header, FADUMP_HDR_SIZE (0x1b0) bytes, after the copy;
 *   in-place memory from I = copy end + 0x1b0 (not page aligned) upwards.
 *   Crashed memory in [B, I) is NOT in the dump: on a real machine the first
 *   kernel had that range reserved for the dump itself, so it held nothing of the
 *   crashed kernel. Loads there are dropped from /proc/vmcore.
 * LAYOUT_SEED (the seed document's example, the save area above the crashed memory):
 *   CPU state area at C = roundup(max(end of memory, B), page), length 0x10000;
 *   HPTE at C + 0x10020, length 0x1000 (the seed's 0x20 gap);
 *   boot memory copy right after the HPTE (so not page aligned), B bytes;
 *   in-place memory from B upwards: every byte of the vmcore is in the dump.
 *
 * In both layouts:
 *   - the copy always spans B bytes, holes included (firmware copies a block);
 *   - in-place DUMP ranges are the vmcore's PT_LOADs clipped to [I, inf) (I = B
 *     for the seed), adjacent loads merged; memory holes between PT_LOADs are
 *     not reserved and never listed;
 *   - /proc/vmcore keeps the vmcore's PT_LOADs, split at B (and at I): the part
 *     below B is backed by copy + paddr, the in-place part by paddr itself.
 *   - DUMP ranges are sorted by source address: the copy (source 0) first.
 * B must be a non-zero multiple of the page size; the page size a power of two
 * between 4 KiB and 1 MiB. Returns -1 with a message on bad parameters.
 */
#ifndef SIM_LAYOUT_H
#define SIM_LAYOUT_H

#include <stddef.h>
#include <stdint.h>

#include "elfcore.h"

enum layout_kind { LAYOUT_FADUMP, LAYOUT_SEED };

#define FADUMP_HDR_SIZE 0x1b0u
#define FADUMP_CPU_HDR 0x10u
#define FADUMP_CPU_PER_CPU 0x500u
#define SEED_CPU_LEN 0x10000u
#define SEED_HPTE_GAP 0x20u
#define SEED_HPTE_LEN 0x1000u

struct sim_area {
	uint64_t addr;      /* reserved physical address */
	uint64_t len;
	uint64_t src;       /* crashed-kernel physical address it holds (== addr in place) */
	int relocated;      /* 1 for the boot memory copy */
};

struct vm_piece {
	uint64_t paddr;     /* crashed-kernel physical address */
	uint64_t memsz;
	uint64_t filesz;    /* bytes present in VMCORE; the rest reads as zero */
	uint64_t src_off;   /* offset of paddr's byte in the VMCORE file */
	uint64_t vaddr;
	uint32_t flags;
	uint64_t backing;   /* reserved physical address of paddr's byte */
};

struct layout {
	enum layout_kind kind;
	uint64_t page_size;
	uint64_t boot_mem;
	uint64_t mem_end;        /* end of the highest PT_LOAD */
	uint64_t inplace_start;  /* I */
	uint64_t param_addr;     /* PARAM_AREA address for the device tree */
	struct sim_area cpu, hpte, copy;
	size_t ndump;
	struct sim_area *dump;   /* dump[0] is the copy */
	size_t npieces;
	struct vm_piece *pieces; /* sorted by paddr */
};

int layout_build(const struct elfcore *ec, enum layout_kind kind, uint64_t boot_mem,
		 uint64_t page_size, unsigned ncpus, struct layout *out,
		 char *err, size_t errlen);
void layout_free(struct layout *l);

#endif

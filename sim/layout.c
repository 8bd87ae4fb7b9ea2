/* SPDX-License-Identifier: GPL-2.0-or-later */
/* layout: crashed memory onto simulated reserved memory; see layout.h. */
#include "layout.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int fail(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -1;
}

static uint64_t align_up(uint64_t v, uint64_t a)
{
	return (v + a - 1) & ~(a - 1);
}

void layout_free(struct layout *l)
{
	free(l->dump);
	free(l->pieces);
	memset(l, 0, sizeof(*l));
}

/* Append the part [lo, hi) of load ld as a vmcore piece backed at base + paddr - lo_src. */
static void add_piece(struct layout *l, const struct elfcore_load *ld, uint64_t lo, uint64_t hi,
		      uint64_t backing)
{
	struct vm_piece *p = &l->pieces[l->npieces++];
	uint64_t skip = lo - ld->paddr;

	p->paddr = lo;
	p->memsz = hi - lo;
	p->filesz = ld->filesz > skip ? ld->filesz - skip : 0;
	if (p->filesz > p->memsz)
		p->filesz = p->memsz;
	p->src_off = ld->offset + skip;
	p->vaddr = ld->vaddr ? ld->vaddr + skip : 0;
	p->flags = ld->flags;
	p->backing = backing;
}

int layout_build(const struct elfcore *ec, enum layout_kind kind, uint64_t boot_mem,
		 uint64_t page_size, unsigned ncpus, struct layout *out,
		 char *err, size_t errlen)
{
	struct layout l;
	uint64_t cpu_len;
	size_t i;
	const uint64_t limit = (uint64_t)1 << 60; /* keep every sum far from overflow */

	memset(&l, 0, sizeof(l));
	memset(out, 0, sizeof(*out));
	if (page_size < 4096 || page_size > (1u << 20) || (page_size & (page_size - 1)))
		return fail(err, errlen, "page size %#llx: must be a power of two from 4 KiB to 1 MiB",
			    (unsigned long long)page_size);
	if (boot_mem == 0 || boot_mem % page_size)
		return fail(err, errlen, "boot memory size %#llx: must be a non-zero multiple of the page size %#llx",
			    (unsigned long long)boot_mem, (unsigned long long)page_size);
	if (ec->nloads == 0)
		return fail(err, errlen, "the vmcore has no memory");
	if (ncpus == 0)
		ncpus = 1;
	if (ncpus > 65536)
		return fail(err, errlen, "too many CPUs (%u)", ncpus);
	l.kind = kind;
	l.page_size = page_size;
	l.boot_mem = boot_mem;
	l.mem_end = ec->loads[ec->nloads - 1].paddr + ec->loads[ec->nloads - 1].memsz;
	if (l.mem_end > limit || boot_mem > limit)
		return fail(err, errlen, "memory above 2^60 is not supported");

	if (kind == LAYOUT_FADUMP) {
		cpu_len = FADUMP_CPU_HDR + (uint64_t)FADUMP_CPU_PER_CPU * ncpus;
		l.cpu = (struct sim_area){ boot_mem, cpu_len, boot_mem, 0 };
		l.hpte = (struct sim_area){ boot_mem + cpu_len, 0, boot_mem + cpu_len, 0 };
		l.copy.addr = boot_mem + align_up(cpu_len, 4096);
		l.inplace_start = l.copy.addr + boot_mem + FADUMP_HDR_SIZE;
	} else {
		uint64_t c = align_up(l.mem_end > boot_mem ? l.mem_end : boot_mem, page_size);

		l.cpu = (struct sim_area){ c, SEED_CPU_LEN, c, 0 };
		l.hpte.addr = c + SEED_CPU_LEN + SEED_HPTE_GAP;
		l.hpte.len = SEED_HPTE_LEN;
		l.hpte.src = l.hpte.addr;
		l.copy.addr = l.hpte.addr + SEED_HPTE_LEN;
		l.inplace_start = boot_mem;
	}
	l.copy.len = boot_mem;
	l.copy.src = 0;
	l.copy.relocated = 1;
	l.param_addr = (l.mem_end & ~(uint64_t)(page_size - 1)) - 0x800;
	if (l.mem_end < page_size)
		l.param_addr = 0;

	l.dump = calloc(ec->nloads + 1, sizeof(*l.dump));
	l.pieces = calloc(2 * ec->nloads, sizeof(*l.pieces));
	if (!l.dump || !l.pieces) {
		layout_free(&l);
		return fail(err, errlen, "out of memory");
	}
	l.dump[l.ndump++] = l.copy;
	for (i = 0; i < ec->nloads; i++) {
		const struct elfcore_load *ld = &ec->loads[i];
		uint64_t s = ld->paddr, e = ld->paddr + ld->memsz;

		if (s < boot_mem)
			add_piece(&l, ld, s, e < boot_mem ? e : boot_mem, l.copy.addr + s);
		if (e > l.inplace_start) {
			uint64_t a = s > l.inplace_start ? s : l.inplace_start;
			struct sim_area *last = &l.dump[l.ndump - 1];

			add_piece(&l, ld, a, e, a);
			if (l.ndump > 1 && last->addr + last->len == a)
				last->len += e - a;
			else
				l.dump[l.ndump++] = (struct sim_area){ a, e - a, a, 0 };
		}
	}
	*out = l;
	return 0;
}

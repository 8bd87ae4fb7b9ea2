/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests of the simulator's modules: elfcore, layout, reserve,
 * vmcore_view, devtree. Built plainly and with ASan/UBSan (sim.mk).
 * Prints one line per failed check and "units: N passed, M failed". */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "crash.h"
#include "devtree.h"
#include "elfcore.h"
#include "rangeset.h"
#include "layout.h"
#include "options.h"
#include "preflight.h"
#include "reserve.h"
#include "vmcore_view.h"

static int passed, failed;

#define CHECK(cond) do { if (cond) passed++; else { failed++; \
	fprintf(stderr, "FAIL %s:%d: %s\n", __FILE__, __LINE__, #cond); } } while (0)
#define CHECK_STR(got, want) do { const char *g_ = (got), *w_ = (want); \
	if (g_ && strcmp(g_, w_) == 0) passed++; else { failed++; \
	fprintf(stderr, "FAIL %s:%d:\n  got  %s\n  want %s\n", __FILE__, __LINE__, \
		g_ ? g_ : "(null)", w_); } } while (0)

/* ---- a tiny ELF64 core writer ---- */
struct ld { uint64_t paddr, memsz, filesz; };

static size_t build_core(uint8_t *buf, size_t cap, int be, uint16_t machine, uint64_t phoff,
			 const struct ld *lds, size_t n, const uint8_t *notes, size_t nlen)
{
	size_t nph = n + (nlen ? 1 : 0), i, k = 0;
	uint64_t data = phoff + 56 * nph, cur;

	memset(buf, 0, cap);
	memcpy(buf, "\177ELF", 4);
	buf[4] = 2;
	buf[5] = be ? 2 : 1;
	buf[6] = 1;
	elfcore_put16(buf + 16, 4, be);
	elfcore_put16(buf + 18, machine, be);
	elfcore_put32(buf + 20, 1, be);
	elfcore_put64(buf + 32, phoff, be);
	elfcore_put16(buf + 52, 64, be);
	elfcore_put16(buf + 54, 56, be);
	elfcore_put16(buf + 56, (uint16_t)nph, be);
	cur = data;
	if (nlen) {
		uint8_t *p = buf + phoff;

		elfcore_put32(p, 4, be);
		elfcore_put64(p + 8, cur, be);
		elfcore_put64(p + 32, nlen, be);
		elfcore_put64(p + 40, nlen, be);
		memcpy(buf + cur, notes, nlen);
		cur += nlen;
		k = 1;
	}
	for (i = 0; i < n; i++) {
		uint8_t *p = buf + phoff + 56 * (k + i);
		uint64_t j;

		elfcore_put32(p, 1, be);
		elfcore_put64(p + 8, cur, be);
		elfcore_put64(p + 24, lds[i].paddr, be);
		elfcore_put64(p + 32, lds[i].filesz, be);
		elfcore_put64(p + 40, lds[i].memsz, be);
		for (j = 0; j < lds[i].filesz && cur + j < cap; j++)
			buf[cur + j] = (uint8_t)((lds[i].paddr + j) * 7 + 1);
		cur += lds[i].filesz;
	}
	return cur;
}

static size_t put_note(uint8_t *p, int be, const char *name, uint32_t type, size_t desclen)
{
	size_t nl = strlen(name) + 1, np = (nl + 3) & ~(size_t)3, dp = (desclen + 3) & ~(size_t)3;

	elfcore_put32(p, (uint32_t)nl, be);
	elfcore_put32(p + 4, (uint32_t)desclen, be);
	elfcore_put32(p + 8, type, be);
	memset(p + 12, 0, np + dp);
	memcpy(p + 12, name, nl);
	return 12 + np + dp;
}

static uint8_t corebuf[1 << 16];

static int parse_buf(const uint8_t *b, size_t len, struct elfcore *ec, char *err)
{
	struct elfcore_membuf m = { b, len };

	return elfcore_parse(elfcore_membuf_read, &m, len, ec, err, 256);
}

static void test_elfcore(void)
{
	struct ld lds[2] = { { 0x200000, 0x1000, 0x1000 }, { 0, 0x2000, 0x1800 } };
	uint8_t notes[1024];
	size_t nl = 0, len;
	struct elfcore ec;
	char err[256];
	int be;

	for (be = 0; be < 2; be++) {
		nl = put_note(notes, be, "CORE", 1, 336);
		nl += put_note(notes + nl, be, "CORE", 1, 336);
		nl += put_note(notes + nl, be, "VMCOREINFO", 0, 20);
		/* program headers after a fake section table, at 0x100 */
		len = build_core(corebuf, sizeof(corebuf), be, be ? ELFCORE_EM_PPC64 : ELFCORE_EM_X86_64,
				 0x100, lds, 2, notes, nl);
		CHECK(parse_buf(corebuf, len, &ec, err) == 0);
		CHECK(ec.big_endian == be && ec.nloads == 2);
		CHECK(ec.loads[0].paddr == 0 && ec.loads[0].filesz == 0x1800 && ec.loads[0].memsz == 0x2000);
		CHECK(ec.loads[1].paddr == 0x200000);
		CHECK(ec.n_prstatus == 2 && ec.has_vmcoreinfo && ec.notes_len == nl);
		elfcore_free(&ec);
	}
	/* malformed inputs: each must fail cleanly */
	len = build_core(corebuf, sizeof(corebuf), 0, ELFCORE_EM_X86_64, 64, lds, 2, notes, 0);
	CHECK(parse_buf(corebuf, 40, &ec, err) != 0);                 /* truncated header */
	CHECK(parse_buf(corebuf, 100, &ec, err) != 0);                /* truncated phdrs */
	CHECK(parse_buf(corebuf, len - 1, &ec, err) != 0);            /* data past EOF */
	corebuf[4] = 1;
	CHECK(parse_buf(corebuf, len, &ec, err) != 0 && strstr(err, "ELF64"));
	corebuf[4] = 2;
	elfcore_put16(corebuf + 18, 3, 0);
	CHECK(parse_buf(corebuf, len, &ec, err) != 0 && strstr(err, "machine"));
	elfcore_put16(corebuf + 18, ELFCORE_EM_X86_64, 0);
	elfcore_put64(corebuf + 64 + 32, 0x3000, 0);                  /* filesz > memsz */
	CHECK(parse_buf(corebuf, len, &ec, err) != 0);
	{
		struct ld ov[2] = { { 0, 0x2000, 0x2000 }, { 0x1000, 0x1000, 0x1000 } };

		len = build_core(corebuf, sizeof(corebuf), 0, ELFCORE_EM_X86_64, 64, ov, 2, NULL, 0);
		CHECK(parse_buf(corebuf, len, &ec, err) != 0 && strstr(err, "overlap"));
	}
	/* a note whose size runs past its segment */
	nl = put_note(notes, 0, "CORE", 1, 336);
	elfcore_put32(notes + 4, 100000, 0);
	len = build_core(corebuf, sizeof(corebuf), 0, ELFCORE_EM_X86_64, 64, lds, 2, notes, nl);
	CHECK(parse_buf(corebuf, len, &ec, err) != 0 && strstr(err, "note"));
	/* phoff pointing past the end */
	len = build_core(corebuf, sizeof(corebuf), 0, ELFCORE_EM_X86_64, 64, lds, 2, NULL, 0);
	elfcore_put64(corebuf + 32, ~0ull - 10, 0);
	CHECK(parse_buf(corebuf, len, &ec, err) != 0);
}

/* the QEMU numbers of facts.md §2: 320 MiB boot memory, one CPU, 64 KiB pages */
static void test_layout(void)
{
	struct elfcore ec;
	struct elfcore_load lds[2] = {
		{ 0, 0x20000000, 0x20000000, 0x10000, 0, 0 },
		{ 0x20000000, 0x60000000, 0x60000000, 0x20010000, 0, 0 },
	};
	struct layout l;
	char err[256];

	memset(&ec, 0, sizeof(ec));
	ec.loads = lds;
	ec.nloads = 2;
	CHECK(layout_build(&ec, LAYOUT_FADUMP, 0x14000000, 0x10000, 1, &l, err, sizeof(err)) == 0);
	CHECK(l.cpu.addr == 0x14000000 && l.cpu.len == 0x510);
	CHECK(l.hpte.addr == 0x14000510 && l.hpte.len == 0);
	CHECK(l.copy.addr == 0x14001000 && l.copy.len == 0x14000000);
	CHECK(l.inplace_start == 0x280011b0);
	CHECK(l.ndump == 2 && l.dump[1].addr == 0x280011b0 && l.dump[1].len == 0x80000000ull - 0x280011b0ull);
	/* vmcore pieces: [0,B) from the copy, [I, end) in place; [B, I) is not in the dump */
	CHECK(l.npieces == 2);
	CHECK(l.pieces[0].paddr == 0 && l.pieces[0].memsz == 0x14000000 && l.pieces[0].backing == 0x14001000);
	CHECK(l.pieces[1].paddr == 0x280011b0 && l.pieces[1].src_off == 0x20010000 + 0x080011b0 &&
	      l.pieces[1].backing == 0x280011b0 && l.pieces[1].memsz == 0x80000000ull - 0x280011b0ull);
	layout_free(&l);

	/* the seed: save area above memory, everything in the dump */
	CHECK(layout_build(&ec, LAYOUT_SEED, 0x10000000, 0x1000, 1, &l, err, sizeof(err)) == 0);
	CHECK(l.cpu.addr == 0x80000000 && l.cpu.len == 0x10000);
	CHECK(l.hpte.addr == 0x80010020 && l.hpte.len == 0x1000);
	CHECK(l.copy.addr == 0x80011020 && l.copy.len == 0x10000000);
	CHECK(l.ndump == 2 && l.dump[1].addr == 0x10000000 && l.dump[1].len == 0x70000000);
	CHECK(l.npieces == 3 && l.pieces[0].memsz == 0x10000000 && l.pieces[1].paddr == 0x10000000 &&
	      l.pieces[1].src_off == 0x10000 + 0x10000000);
	layout_free(&l);

	/* bad parameters */
	CHECK(layout_build(&ec, LAYOUT_FADUMP, 0x1234, 0x1000, 1, &l, err, sizeof(err)) != 0);
	CHECK(layout_build(&ec, LAYOUT_FADUMP, 0x100000, 0x3000, 1, &l, err, sizeof(err)) != 0);
	CHECK(layout_build(&ec, LAYOUT_FADUMP, 0, 0x1000, 1, &l, err, sizeof(err)) != 0);
}

/* A small fadump machine, 4 KiB pages, boot memory 1 MiB, memory [0,0x9f000)
 * [0x100000,0x400000) [0x500000,0x600000):
 * CPU 0x100000-0x510, HPTE 0x100510-0, copy 0x101000-0x100000@0,
 * in place 0x2011b0-0x1fee50, 0x500000-0x100000. */
static void small_machine(struct elfcore *ec, struct elfcore_load *lds, struct layout *l,
			  struct reserve *r, enum layout_kind kind)
{
	char err[256];

	memset(ec, 0, sizeof(*ec));
	lds[0] = (struct elfcore_load){ 0, 0x9f000, 0x9f000, 0x1000, 0, 0 };
	lds[1] = (struct elfcore_load){ 0x100000, 0x300000, 0x300000, 0xa0000, 0, 0 };
	lds[2] = (struct elfcore_load){ 0x500000, 0x100000, 0x100000, 0x3a0000, 0, 0 };
	ec->loads = lds;
	ec->nloads = 3;
	if (layout_build(ec, kind, 0x100000, 0x1000, 1, l, err, sizeof(err)) ||
	    reserve_init(r, l, kind == LAYOUT_SEED ? RESERVE_AT_SEED : RESERVE_AT_ALWAYS)) {
		fprintf(stderr, "setup failed: %s\n", err);
		exit(1);
	}
}

static void test_reserve(void)
{
	struct elfcore ec;
	struct elfcore_load lds[3];
	struct layout l;
	struct reserve r;
	uint64_t a, n, fr;
	char *line;

	/* write parsing */
	CHECK(reserve_parse_write("0x1000 0x2000\n", 14, &a, &n) == 0 && a == 0x1000 && n == 0x2000);
	CHECK(reserve_parse_write("1000\t \t2000", 11, &a, &n) == 0 && a == 0x1000 && n == 0x2000);
	CHECK(reserve_parse_write("0XaBc 0x1", 9, &a, &n) == 0 && a == 0xabc && n == 1);
	CHECK(reserve_parse_write("0x1000", 6, &a, &n) == -EINVAL);
	CHECK(reserve_parse_write("0x1000 ", 7, &a, &n) == -EINVAL);
	CHECK(reserve_parse_write("0x1000 0x10 0x10", 16, &a, &n) == -EINVAL);
	CHECK(reserve_parse_write("0x 0x10", 7, &a, &n) == -EINVAL);
	CHECK(reserve_parse_write("0x1g 0x10", 9, &a, &n) == -EINVAL);
	CHECK(reserve_parse_write("10000000000000000 1", 19, &a, &n) == -EINVAL); /* > 64 bits */
	CHECK(reserve_parse_write("", 0, &a, &n) == -EINVAL);
	CHECK(reserve_parse_write("1 1\n\n", 5, &a, &n) == -EINVAL);

	small_machine(&ec, lds, &l, &r, LAYOUT_FADUMP);
	line = reserve_format(&r);
	CHECK_STR(line, "CPU:0x100000-0x510: HPTE:0x100510-0x0: DUMP:0x101000-0x100000@0x0, "
		  "0x2011b0-0x1fee50, 0x500000-0x100000:\n");
	free(line);
	CHECK(reserve_remaining(&r) == 0x510 + 0x100000 + 0x1fee50 + 0x100000);
	/* EINVAL: len 0, overflow, outside areas, straddling a hole, the header gap */
	CHECK(reserve_release(&r, 0x500000, 0, &fr) == -EINVAL);
	CHECK(reserve_release(&r, ~0ull - 0xfff, 0x2000, &fr) == -EINVAL);
	CHECK(reserve_release(&r, 0x0, 0x1000, &fr) == -EINVAL);          /* boot memory itself */
	CHECK(reserve_release(&r, 0x4ff000, 0x2000, &fr) == -EINVAL);     /* hole + dump */
	CHECK(reserve_release(&r, 0x201000, 0x1000, &fr) == -EINVAL);     /* header gap */
	CHECK(reserve_release(&r, 0x100500, 0x100, &fr) == -EINVAL);      /* CPU end + gap */
	CHECK(reserve_release(&r, 0x5ff000, 0x1001, &fr) == -EINVAL);     /* one byte past */
	CHECK(reserve_remaining(&r) == 0x510 + 0x100000 + 0x1fee50 + 0x100000);
	/* whole pages only */
	CHECK(reserve_release(&r, 0x500800, 0x1000, &fr) == 0 && fr == 0);
	CHECK(!reserve_is_freed(&r, 0x500000, 0x502000));
	CHECK(reserve_release(&r, 0x500000, 0x2000, &fr) == 0 && fr == 0x2000);
	CHECK(reserve_is_freed(&r, 0x501fff, 0x502000) && !reserve_is_freed(&r, 0x502000, 0x503000));
	/* idempotent */
	CHECK(reserve_release(&r, 0x500000, 0x2000, &fr) == 0 && fr == 0);
	CHECK(reserve_release(&r, 0x500800, 0x800, &fr) == 0 && fr == 0);
	/* split */
	CHECK(reserve_release(&r, 0x580000, 0x1000, &fr) == 0 && fr == 0x1000);
	line = reserve_format(&r);
	CHECK_STR(line, "CPU:0x100000-0x510: HPTE:0x100510-0x0: DUMP:0x101000-0x100000@0x0, "
		  "0x2011b0-0x1fee50, 0x502000-0x7e000, 0x581000-0x7f000:\n");
	free(line);
	/* the first in-place page 0x201000 holds only the header and dump bytes
	 * from 0x2011b0: a write from 0x2011b0 frees it */
	CHECK(reserve_release(&r, 0x2011b0, 0xe50, &fr) == 0 && fr == 0xe50);
	/* copy shrinks from the front: @src follows */
	CHECK(reserve_release(&r, 0x101000, 0x3000, &fr) == 0 && fr == 0x3000);
	line = reserve_format(&r);
	CHECK_STR(line, "CPU:0x100000-0x510: HPTE:0x100510-0x0: DUMP:0x104000-0xfd000@0x3000, "
		  "0x202000-0x1fe000, 0x502000-0x7e000, 0x581000-0x7f000:\n");
	free(line);
	/* a write that ends mid-page leaves that page */
	CHECK(reserve_release(&r, 0x104000, 0x1800, &fr) == 0 && fr == 0x1000);
	/* CPU area: its page holds nothing else, so it can go */
	CHECK(reserve_release(&r, 0x100000, 0x510, &fr) == 0 && fr == 0x510);
	line = reserve_format(&r);
	/* the half page released leaves the line at once, though its page stays */
	CHECK_STR(line, "CPU:0x100000-0x0: HPTE:0x100510-0x0: DUMP:0x105800-0xfb800@0x4800, "
		  "0x202000-0x1fe000, 0x502000-0x7e000, 0x581000-0x7f000:\n");
	CHECK(!reserve_is_freed(&r, 0x105000, 0x106000));
	free(line);
	CHECK(!r.ended);
	/* release the rest: the last write ends the dump */
	CHECK(reserve_release(&r, 0x101000, 0x100000, &fr) == 0 && !r.ended);
	CHECK(reserve_release(&r, 0x2011b0, 0x1fee50, &fr) == 0 && !r.ended);
	line = reserve_format(&r);
	CHECK_STR(line, "CPU:0x100000-0x0: HPTE:0x100510-0x0: DUMP:0x502000-0x7e000, 0x581000-0x7f000:\n");
	free(line);
	CHECK(reserve_release(&r, 0x500000, 0x100000, &fr) == 0 && r.ended && fr == 0xfd000);
	CHECK(reserve_remaining(&r) == 0 && reserve_is_freed(&r, 0x2011b0, 0x2011b1));
	reserve_free(&r);
	layout_free(&l);

	/* 64 KiB pages: page 0x100000 holds the CPU area, a gap and the copy's
	 * start, so no single write can free it; the second of the two does. */
	{
		char err[256];

		memset(&ec, 0, sizeof(ec));
		lds[0] = (struct elfcore_load){ 0, 0x400000, 0x400000, 0x10000, 0, 0 };
		ec.loads = lds;
		ec.nloads = 1;
		CHECK(layout_build(&ec, LAYOUT_FADUMP, 0x100000, 0x10000, 1, &l, err, sizeof(err)) == 0);
		CHECK(reserve_init(&r, &l, RESERVE_AT_ALWAYS) == 0);
		CHECK(reserve_release(&r, 0x100000, 0x510, &fr) == 0 && fr == 0);
		CHECK(!reserve_is_freed(&r, 0x100000, 0x110000));
		/* the copy frees page 0x100000 with it (the CPU bytes went before);
		 * its last page also holds in-place bytes after the header: it stays */
		CHECK(reserve_release(&r, 0x101000, 0x100000, &fr) == 0 && fr == 0xff510);
		CHECK(reserve_is_freed(&r, 0x100000, 0x110000) && !reserve_is_freed(&r, 0x200000, 0x210000));
		line = reserve_format(&r);
		CHECK_STR(line, "CPU:0x100000-0x0: HPTE:0x100510-0x0: DUMP:0x2011b0-0x1fee50:\n");
		free(line);
		CHECK(reserve_release(&r, 0x2011b0, 0x1fee50, &fr) == 0 && r.ended);
		CHECK(reserve_is_freed(&r, 0x100000, 0x100001));
		reserve_free(&r);
		layout_free(&l);
	}

	/* seed layout: the seed's form while the copy is whole, @ afterwards */
	small_machine(&ec, lds, &l, &r, LAYOUT_SEED);
	line = reserve_format(&r);
	CHECK_STR(line, "CPU:0x600000-0x10000: HPTE:0x610020-0x1000: DUMP:0x611020-0x100000, "
		  "0x100000-0x300000, 0x500000-0x100000:\n");
	free(line);
	CHECK(reserve_release(&r, 0x100000, 0x1000, &fr) == 0 && fr == 0x1000);
	line = reserve_format(&r);
	CHECK_STR(line, "CPU:0x600000-0x10000: HPTE:0x610020-0x1000: DUMP:0x611020-0x100000, "
		  "0x101000-0x2ff000, 0x500000-0x100000:\n");
	free(line);
	/* the copy's last partial page has nothing else reserved in it: it goes too */
	CHECK(reserve_release(&r, 0x711020 - 0x2020, 0x2020, &fr) == 0 && fr == 0x2020);
	line = reserve_format(&r);
	CHECK_STR(line, "CPU:0x600000-0x10000: HPTE:0x610020-0x1000: DUMP:0x611020-0xfdfe0@0x0, "
		  "0x101000-0x2ff000, 0x500000-0x100000:\n");
	free(line);
	/* the copy alone, still whole: '@' again (a lone '@'-less range is ambiguous) */
	reserve_free(&r);
	layout_free(&l);
	small_machine(&ec, lds, &l, &r, LAYOUT_SEED);
	CHECK(reserve_release(&r, 0x100000, 0x300000, &fr) == 0 && fr == 0x300000);
	CHECK(reserve_release(&r, 0x500000, 0x100000, &fr) == 0 && fr == 0x100000);
	line = reserve_format(&r);
	CHECK_STR(line, "CPU:0x600000-0x10000: HPTE:0x610020-0x1000: DUMP:0x611020-0x100000@0x0:\n");
	free(line);
	/* release_mem */
	reserve_release_all(&r, &fr);
	CHECK(r.ended && reserve_remaining(&r) == 0 && fr == 0x10000 + 0x1000 + 0x100000);
	reserve_free(&r);
	layout_free(&l);
}

/* The rearm file: states, the blocked list, EBUSY, the write parser. */
static void test_rearm(void)
{
	struct elfcore ec;
	struct elfcore_load lds[3];
	struct layout l;
	struct reserve r;
	uint64_t fr;
	char *line;

	CHECK(reserve_parse_rearm("1", 1) == 0);
	CHECK(reserve_parse_rearm("1\n", 2) == 0);
	CHECK(reserve_parse_rearm("", 0) == -EINVAL);
	CHECK(reserve_parse_rearm("0", 1) == -EINVAL);
	CHECK(reserve_parse_rearm("2\n", 2) == -EINVAL);
	CHECK(reserve_parse_rearm("1 ", 2) == -EINVAL);
	CHECK(reserve_parse_rearm("11", 2) == -EINVAL);
	CHECK(reserve_parse_rearm("1\n\n", 3) == -EINVAL);
	CHECK(reserve_parse_rearm("\n", 1) == -EINVAL);
	CHECK(reserve_parse_rearm("01", 2) == -EINVAL);
	CHECK(reserve_parse_rearm("0x1", 3) == -EINVAL);
	CHECK(reserve_parse_rearm("1\0", 2) == -EINVAL);

	small_machine(&ec, lds, &l, &r, LAYOUT_FADUMP);
	line = reserve_rearm_format(&r);
	CHECK_STR(line, "blocked 0x100000-0x510, 0x101000-0x100000\n");
	free(line);
	CHECK(reserve_rearm_state(&r) == REARM_BLOCKED);
	CHECK(reserve_rearm(&r) == -EBUSY && !r.armed);
	/* in-place releases do not unblock; a partial page of the copy does count
	 * (byte granular: the firmware overwrites the area, not whole pages) */
	CHECK(reserve_release(&r, 0x500000, 0x100000, &fr) == 0);
	CHECK(reserve_release(&r, 0x101000, 0x800, &fr) == 0 && fr == 0);
	CHECK(reserve_release(&r, 0x180000, 0x1000, &fr) == 0);
	line = reserve_rearm_format(&r);
	CHECK_STR(line, "blocked 0x100000-0x510, 0x101800-0x7e800, 0x181000-0x80000\n");
	free(line);
	CHECK(reserve_release(&r, 0x101000, 0x100000, &fr) == 0);
	line = reserve_rearm_format(&r);
	CHECK_STR(line, "blocked 0x100000-0x510\n");
	free(line);
	CHECK(reserve_rearm(&r) == -EBUSY && reserve_rearm_state(&r) == REARM_BLOCKED);
	CHECK(reserve_release(&r, 0x100000, 0x510, &fr) == 0);
	line = reserve_rearm_format(&r);
	CHECK_STR(line, "ready\n");
	free(line);
	CHECK(reserve_rearm_state(&r) == REARM_READY);
	CHECK(reserve_rearm(&r) == 0 && r.armed && reserve_rearm_state(&r) == REARM_ARMED);
	CHECK(reserve_rearm(&r) == 0 && r.armed);
	line = reserve_rearm_format(&r);
	CHECK_STR(line, "armed\n");
	free(line);
	/* re-arming frees nothing: the in-place memory is still held */
	line = reserve_format(&r);
	CHECK_STR(line, "CPU:0x100000-0x0: HPTE:0x100510-0x0: DUMP:0x2011b0-0x1fee50:\n");
	free(line);
	CHECK(reserve_remaining(&r) == 0x1fee50 && !reserve_is_freed(&r, 0x2011b0, 0x400000));
	CHECK(reserve_release(&r, 0x2011b0, 0x1fee50, &fr) == 0 && r.ended && r.armed);
	reserve_free(&r);
	layout_free(&l);

	/* seed layout: CPU, HPTE (a 0x20 gap between them) and the copy */
	small_machine(&ec, lds, &l, &r, LAYOUT_SEED);
	line = reserve_rearm_format(&r);
	CHECK_STR(line, "blocked 0x600000-0x10000, 0x610020-0x1000, 0x611020-0x100000\n");
	free(line);
	CHECK(reserve_release(&r, 0x610020, 0x1000, &fr) == 0);
	CHECK(reserve_release(&r, 0x611020, 0x100000, &fr) == 0);
	line = reserve_rearm_format(&r);
	CHECK_STR(line, "blocked 0x600000-0x10000\n");
	free(line);
	CHECK(reserve_release(&r, 0x600000, 0x10000, &fr) == 0);
	CHECK(reserve_rearm_state(&r) == REARM_READY && reserve_rearm(&r) == 0);
	/* release_mem after re-arming ends the dump; armed stays */
	reserve_release_all(&r, &fr);
	CHECK(r.ended && r.armed);
	reserve_free(&r);
	layout_free(&l);
}

/* The second crash: the sysrq parser, the held ranges, the refusals. */
static void test_crash(void)
{
	struct elfcore ec, other;
	struct elfcore_load lds[3];
	struct layout l;
	struct reserve r;
	struct pd_rangeset held;
	uint64_t fr;
	char err[512];

	CHECK(crash_parse_sysrq("c", 1) == 'c');
	CHECK(crash_parse_sysrq("c\n", 2) == 'c');
	CHECK(crash_parse_sysrq("", 0) == -EINVAL);
	CHECK(crash_parse_sysrq("C", 1) == -EINVAL);
	CHECK(crash_parse_sysrq("b", 1) == -EINVAL);
	CHECK(crash_parse_sysrq("cc", 2) == -EINVAL);
	CHECK(crash_parse_sysrq("c\n\n", 3) == -EINVAL);
	CHECK(crash_parse_sysrq("c ", 2) == -EINVAL);
	CHECK(crash_parse_sysrq("\nc", 2) == -EINVAL);

	pd_rangeset_init(&held);
	small_machine(&ec, lds, &l, &r, LAYOUT_FADUMP);
	/* not re-armable: the firmware would overwrite held bytes; refused, saying why */
	err[0] = 0;
	CHECK(crash_held(&r, &l, &held, err, sizeof(err)) == -1 && held.n == 0);
	CHECK(strstr(err, "CPU state area") && strstr(err, "re-arm rule was broken"));
	CHECK(reserve_release(&r, 0x100000, 0x510, &fr) == 0);
	CHECK(reserve_release(&r, 0x101000, 0x80000, &fr) == 0);
	CHECK(crash_held(&r, &l, &held, err, sizeof(err)) == -1);
	CHECK(strstr(err, "boot-memory copy destination") != NULL);
	CHECK(reserve_release(&r, 0x181000, 0x80000, &fr) == 0);
	/* held: the in-place ranges minus the freed pages; a partly released page
	 * is still reserved, so its bytes (released ones included) are held */
	CHECK(reserve_release(&r, 0x500000, 0x1000, &fr) == 0);
	CHECK(reserve_release(&r, 0x300800, 0x1000, &fr) == 0);
	CHECK(crash_held(&r, &l, &held, err, sizeof(err)) == 0);
	CHECK(held.n == 2 && held.iv[0].start == 0x2011b0 && held.iv[0].end == 0x400000 &&
	      held.iv[1].start == 0x501000 && held.iv[1].end == 0x600000);
	/* a held byte where the firmware writes would be refused: fake one by
	 * moving the header gap into an area (a broken layout) */
	r.dump[1].addr -= 0x100;
	r.dump[1].len += 0x100;
	CHECK(crash_held(&r, &l, &held, err, sizeof(err)) == -1 && held.n == 0);
	CHECK(strstr(err, "lies in an area the firmware overwrites") != NULL);
	r.dump[1].addr += 0x100;
	r.dump[1].len -= 0x100;
	/* ended: nothing held */
	reserve_release_all(&r, &fr);
	CHECK(crash_held(&r, &l, &held, err, sizeof(err)) == 0 && held.n == 0);
	/* the same machine: machine, byte order, CPU count */
	other = ec;
	CHECK(crash_same_machine(&other, &ec, err, sizeof(err)) == 0);
	other.big_endian = !ec.big_endian;
	CHECK(crash_same_machine(&other, &ec, err, sizeof(err)) == -1 && strstr(err, "same machine"));
	other = ec;
	other.n_prstatus = ec.n_prstatus + 1;
	CHECK(crash_same_machine(&other, &ec, err, sizeof(err)) == -1 && strstr(err, "CPUs"));
	/* a base without memory where the dump is held: refused, nothing written */
	other = ec;
	other.nloads = 2;
	pd_rangeset_add(&held, 0x500000, 0x501000);
	CHECK(crash_write("/nonexistent-dir/out", &other, -1, &ec, -1, &held, err, sizeof(err)) == -1);
	CHECK(strstr(err, "no memory in [0x500000, 0x501000)") != NULL);
	/* an unwritable path: a clear error */
	CHECK(crash_write("/nonexistent-dir/out", &ec, -1, &ec, -1, &held, err, sizeof(err)) == -1);
	CHECK(strstr(err, "cannot create /nonexistent-dir/out.tmp.") != NULL);
	pd_rangeset_free(&held);
	reserve_free(&r);
	layout_free(&l);
}

/* Random releases against a naive byte/page model of the spec's rules. */
static void test_reserve_model(void)
{
	enum { PG = 0x1000, SPAN = 0x720000, NPG = SPAN / PG };
	static uint8_t area[SPAN], req[SPAN], pfree[NPG];
	static uint32_t parea[NPG];
	struct elfcore ec;
	struct elfcore_load lds[3];
	struct layout l;
	struct reserve r;
	unsigned seed = 12345, iter, mismatches = 0;
	uint64_t i, fr, unreq, rem;
	int kind;

	for (kind = 0; kind < 2; kind++) {
		small_machine(&ec, lds, &l, &r, kind ? LAYOUT_SEED : LAYOUT_FADUMP);
		memset(area, 0, sizeof(area));
		memset(req, 0, sizeof(req));
		memset(pfree, 0, sizeof(pfree));
		memset(parea, 0, sizeof(parea));
		unreq = 0;
		for (i = 0; i < SPAN; i++)
			if (pd_rangeset_covers(&r.areas, i, i + 1)) {
				area[i] = 1;
				parea[i / PG]++;
				unreq++;
			}
		rem = unreq;
		CHECK(rem == r.area_bytes);
		for (iter = 0; iter < 4000 && !r.ended; iter++) {
			uint64_t a, n, p;
			int inside = 1, rc;

			seed = seed * 1103515245u + 12345u;
			a = (seed >> 4) % SPAN;
			seed = seed * 1103515245u + 12345u;
			n = 1 + (seed >> 4) % (iter % 7 == 0 ? 0x40000 : 0x3000);
			if (iter % 5 == 0) /* often start at an area start, to get more accepted */
				a = r.areas.iv[(seed >> 8) % r.areas.n].start + (seed % 3) * PG;
			if (a + n > SPAN)
				n = SPAN - a;
			for (i = a; i < a + n; i++)
				if (!area[i])
					inside = 0;
			rc = reserve_release(&r, a, n, &fr);
			if ((rc == 0) != inside) {
				if (!mismatches++)
					fprintf(stderr, "accept mismatch at %#llx+%#llx\n",
						(unsigned long long)a, (unsigned long long)n);
				continue;
			}
			if (!inside)
				continue;
			for (i = a; i < a + n; i++)
				if (!req[i]) {
					req[i] = 1;
					unreq--;
				}
			for (p = a / PG; p <= (a + n - 1) / PG; p++) {
				int ok = 1;

				/* every area byte of the page released, now or before */
				for (i = p * PG; i < (p + 1) * PG; i++)
					if (area[i] && !req[i])
						ok = 0;
				if (ok && !pfree[p]) {
					pfree[p] = 1;
					rem -= parea[p];
				}
			}
			if (unreq == 0) {
				memset(pfree, 1, sizeof(pfree));
				rem = 0;
			}
			if (rem != reserve_remaining(&r) || ((unreq == 0) != r.ended)) {
				if (!mismatches++)
					fprintf(stderr, "remaining mismatch after %#llx+%#llx: model %#llx sim %#llx\n",
						(unsigned long long)a, (unsigned long long)n,
						(unsigned long long)rem,
						(unsigned long long)reserve_remaining(&r));
			}
			for (p = 0; p < NPG && !r.ended; p++)
				if (parea[p] && pfree[p] != reserve_is_freed(&r, p * PG, (p + 1) * PG)) {
					if (!mismatches++)
						fprintf(stderr, "page %#llx mismatch\n", (unsigned long long)p * PG);
				}
		}
		CHECK(mismatches == 0);
		CHECK(iter > 100);
		reserve_free(&r);
		layout_free(&l);
	}
}

static void test_view(void)
{
	struct ld lds[2] = { { 0, 0x3000, 0x3000 }, { 0x5000, 0x2000, 0x1800 } };
	uint8_t notes[1024], buf[0x3000];
	size_t nl, len;
	struct elfcore ec;
	struct layout l;
	struct reserve r;
	struct vmcore_view v;
	char err[256];
	char path[] = "/tmp/sim-unit-XXXXXX";
	int fd = mkstemp(path);
	uint64_t fr;
	long long got;

	CHECK(fd >= 0);
	unlink(path);
	nl = put_note(notes, 1, "CORE", 1, 336);
	nl += put_note(notes + nl, 1, "VMCOREINFO", 0, 20);
	len = build_core(corebuf, sizeof(corebuf), 1, ELFCORE_EM_PPC64, 0x80, lds, 2, notes, nl);
	CHECK(write(fd, corebuf, len) == (ssize_t)len);
	CHECK(parse_buf(corebuf, len, &ec, err) == 0);
	CHECK(layout_build(&ec, LAYOUT_SEED, 0x2000, 0x1000, 1, &l, err, sizeof(err)) == 0);
	CHECK(reserve_init(&r, &l, RESERVE_AT_SEED) == 0);
	CHECK(vmcore_view_init(&v, fd, &ec, &l, &r, VIEW_POISON) == 0);
	/* header: big endian, phdrs at 64, 1 note + 3 loads (0-0x2000 copy, 0x2000-0x3000, 0x5000) */
	got = vmcore_view_read(&v, 0, buf, 0x1000);
	CHECK(got == 0x1000 && buf[5] == 2 && elfcore_get64(buf + 32, 1) == 64 &&
	      elfcore_get16(buf + 56, 1) == 4 && elfcore_get16(buf + 18, 1) == ELFCORE_EM_PPC64);
	{
		struct elfcore ec2;
		struct elfcore_membuf m;
		uint8_t *img = malloc(v.size);
		size_t i;

		CHECK(img && vmcore_view_read(&v, 0, img, v.size) == (long long)v.size);
		m.data = img;
		m.len = v.size;
		CHECK(elfcore_parse(elfcore_membuf_read, &m, v.size, &ec2, err, sizeof(err)) == 0);
		CHECK(ec2.nloads == 3 && ec2.notes_len == nl && memcmp(ec2.notes_buf, notes, nl) == 0);
		/* every byte equals the original; file offset ≡ paddr mod page */
		for (i = 0; i < ec2.nloads; i++) {
			const struct elfcore_load *x = &ec2.loads[i];
			uint64_t j;
			int ok = (x->offset & 0xfff) == (x->paddr & 0xfff);

			for (j = 0; j < x->memsz; j++) {
				uint8_t want = j < x->filesz ? (uint8_t)((x->paddr + j) * 7 + 1) : 0;

				if (img[x->offset + j] != want && j < x->filesz)
					ok = 0;
			}
			CHECK(ok);
		}
		CHECK(ec2.loads[2].filesz == 0x1800 && ec2.loads[2].memsz == 0x2000);
		elfcore_free(&ec2);
		free(img);
	}
	/* poison: release in-place page 0x5000 */
	CHECK(reserve_release(&r, 0x5000, 0x1000, &fr) == 0 && fr == 0x1000);
	got = vmcore_view_read(&v, v.loads[2].file_off, buf, 16);
	CHECK(got == 16 && memcmp(buf, "PHYPPOISPHYPPOIS", 16) == 0);
	got = vmcore_view_read(&v, v.loads[2].file_off + 0x1000, buf, 16);
	CHECK(got == 16 && buf[0] == (uint8_t)(0x6000 * 7 + 1));
	/* EIO mode: the same read fails as a whole, the next page reads */
	v.mode = VIEW_EIO;
	CHECK(vmcore_view_read(&v, v.loads[2].file_off + 0xff0, buf, 0x20) == -EIO);
	CHECK(vmcore_view_read(&v, v.loads[2].file_off + 0x1000, buf, 0x20) == 0x20);
	vmcore_view_free(&v);
	reserve_free(&r);
	layout_free(&l);
	elfcore_free(&ec);
	close(fd);
}

static void test_devtree(void)
{
	struct elfcore ec;
	struct elfcore_load lds[2] = {
		{ 0, 0x20000000, 0x20000000, 0x10000, 0, 0 },
		{ 0x20000000, 0x60000000, 0x60000000, 0x20010000, 0, 0 },
	};
	struct layout l;
	uint8_t dt[DEVTREE_KERNEL_DUMP_SIZE], tok[4];
	char err[256];

	memset(&ec, 0, sizeof(ec));
	ec.loads = lds;
	ec.nloads = 2;
	CHECK(layout_build(&ec, LAYOUT_FADUMP, 0x14000000, 0x10000, 1, &l, err, sizeof(err)) == 0);
	devtree_kernel_dump(&l, dt);
	CHECK(elfcore_get32(dt, 1) == 1 && elfcore_get16(dt + 4, 1) == 4 && elfcore_get32(dt + 8, 1) == 40);
	CHECK(elfcore_get16(dt + 40 + 4, 1) == 1 && elfcore_get64(dt + 40 + 16, 1) == 0x510 &&
	      elfcore_get64(dt + 40 + 32, 1) == 0x14000000);
	CHECK(elfcore_get16(dt + 80 + 4, 1) == 2 && elfcore_get64(dt + 80 + 16, 1) == 0 &&
	      elfcore_get64(dt + 80 + 32, 1) == 0x14000510);
	CHECK(elfcore_get16(dt + 120 + 4, 1) == 0x11 && elfcore_get64(dt + 120 + 8, 1) == 0 &&
	      elfcore_get64(dt + 120 + 16, 1) == 0x14000000 && elfcore_get64(dt + 120 + 32, 1) == 0x14001000);
	CHECK(elfcore_get16(dt + 160 + 4, 1) == 0x100 && elfcore_get64(dt + 160 + 8, 1) == 0x7ffff800);
	devtree_configure_token(tok);
	CHECK(elfcore_get32(tok, 1) == DEVTREE_RTAS_TOKEN);
	layout_free(&l);
}

static void test_options(void)
{
	struct sim_options o;
	char *a1[] = { "phypdump-sim", "--layout", "seed", "--released", "poison", "--boot-mem",
		       "64M", "--page-size", "0x10000", "--seed-node", "--timeline", "t.json", "-f",
		       "--crash-base", "core2", "--crash-out", "out.core", "--rearm-fail", "2",
		       "core", "mnt", NULL };
	char *a2[] = { "phypdump-sim", "core", "mnt", NULL };
	char *a3[] = { "phypdump-sim", "--layout", "opal", "core", "mnt", NULL };
	char *a4[] = { "phypdump-sim", "core", NULL };
	char *a5[] = { "phypdump-sim", "--boot-mem", "12Q", "core", "mnt", NULL };

	optind = 0; /* glibc: reinitialize getopt between parses */
	CHECK(sim_options_parse(21, a1, &o) == 0);
	CHECK(o.layout == LAYOUT_SEED && o.released == VIEW_POISON && o.boot_mem == 64ull << 20 &&
	      o.page_size == 0x10000 && o.seed_node && o.foreground &&
	      !strcmp(o.timeline, "t.json") && !strcmp(o.vmcore, "core") && !strcmp(o.mountpoint, "mnt") &&
	      !strcmp(o.crash_base, "core2") && !strcmp(o.crash_out, "out.core") && o.rearm_fail == 2);
	optind = 0;
	CHECK(sim_options_parse(3, a2, &o) == 0);
	CHECK(o.layout == LAYOUT_FADUMP && o.released == VIEW_EIO && o.boot_mem == 256ull << 20 &&
	      o.page_size == 0 && !o.seed_node && !o.foreground && !o.timeline && !o.crash_base &&
	      !o.crash_out && o.rearm_fail == 0);
	fprintf(stderr, "(error and usage messages follow, as expected)\n");
	optind = 0;
	CHECK(sim_options_parse(5, a3, &o) == 2);
	optind = 0;
	CHECK(sim_options_parse(2, a4, &o) == 2);
	optind = 0;
	CHECK(sim_options_parse(5, a5, &o) == 2);
	{
		static const char *const badn[] = { "-1", "x", "", "1x", "2000000" };
		size_t k;

		for (k = 0; k < sizeof(badn) / sizeof(badn[0]); k++) {
			char *a6[] = { "phypdump-sim", "--rearm-fail", (char *)badn[k], "core", "mnt", NULL };

			optind = 0;
			CHECK(sim_options_parse(5, a6, &o) == 2);
		}
	}

	CHECK(sim_in_path("sh") && !sim_in_path("no-such-program-phypdump"));
}

int main(void)
{
	test_elfcore();
	test_layout();
	test_reserve();
	test_reserve_model();
	test_rearm();
	test_crash();
	test_view();
	test_devtree();
	test_options();
	printf("units: %d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}

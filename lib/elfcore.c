/* SPDX-License-Identifier: GPL-2.0-or-later */
/* elfcore: bounds-checked ELF64 vmcore parser; see elfcore.h. */
#include "elfcore.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define EHDR_SIZE 64
#define PHDR_SIZE 56
#define PT_LOAD 1
#define PT_NOTE 4
#define ET_CORE 4
#define NT_PRSTATUS 1
#define MAX_PHNUM 65535

uint16_t elfcore_get16(const uint8_t *p, int be)
{
	return be ? (uint16_t)(p[0] << 8 | p[1]) : (uint16_t)(p[1] << 8 | p[0]);
}

uint32_t elfcore_get32(const uint8_t *p, int be)
{
	return be ? (uint32_t)elfcore_get16(p, 1) << 16 | elfcore_get16(p + 2, 1)
		  : (uint32_t)elfcore_get16(p + 2, 0) << 16 | elfcore_get16(p, 0);
}

uint64_t elfcore_get64(const uint8_t *p, int be)
{
	return be ? (uint64_t)elfcore_get32(p, 1) << 32 | elfcore_get32(p + 4, 1)
		  : (uint64_t)elfcore_get32(p + 4, 0) << 32 | elfcore_get32(p, 0);
}

void elfcore_put16(uint8_t *p, uint16_t v, int be)
{
	p[be ? 0 : 1] = (uint8_t)(v >> 8);
	p[be ? 1 : 0] = (uint8_t)v;
}

void elfcore_put32(uint8_t *p, uint32_t v, int be)
{
	elfcore_put16(p + (be ? 0 : 2), (uint16_t)(v >> 16), be);
	elfcore_put16(p + (be ? 2 : 0), (uint16_t)v, be);
}

void elfcore_put64(uint8_t *p, uint64_t v, int be)
{
	elfcore_put32(p + (be ? 0 : 4), (uint32_t)(v >> 32), be);
	elfcore_put32(p + (be ? 4 : 0), (uint32_t)v, be);
}

int elfcore_membuf_read(void *ctx, uint64_t off, void *buf, size_t len)
{
	const struct elfcore_membuf *m = ctx;

	if (off > m->len || len > m->len - off)
		return -1;
	memcpy(buf, m->data + off, len);
	return 0;
}

static int fail(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err && errlen) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return -1;
}

static int cmp_load(const void *a, const void *b)
{
	const struct elfcore_load *x = a, *y = b;

	return x->paddr < y->paddr ? -1 : x->paddr > y->paddr;
}

static uint64_t pad4(uint64_t v)
{
	return (v + 3) & ~(uint64_t)3;
}

/* Walk the notes of one PT_NOTE segment. */
static int walk_notes(struct elfcore *ec, const uint8_t *p, size_t len,
		      char *err, size_t errlen)
{
	size_t off = 0;

	while (off < len) {
		uint32_t namesz, descsz, type;
		uint64_t name_end, end;

		if (len - off < 12) {
			/* trailing zero padding is tolerated, other junk is not */
			while (off < len && p[off] == 0)
				off++;
			if (off < len)
				return fail(err, errlen, "truncated note header at note offset %zu", off);
			break;
		}
		namesz = elfcore_get32(p + off, ec->big_endian);
		descsz = elfcore_get32(p + off + 4, ec->big_endian);
		type = elfcore_get32(p + off + 8, ec->big_endian);
		if (namesz == 0 && descsz == 0 && type == 0)
			break; /* the kernel's terminating empty note */
		name_end = (uint64_t)off + 12 + pad4(namesz);
		end = name_end + pad4(descsz);
		if (end > len)
			return fail(err, errlen, "note at offset %zu runs past its segment "
				    "(namesz %u, descsz %u)", off, namesz, descsz);
		if (type == NT_PRSTATUS && namesz == 5 && memcmp(p + off + 12, "CORE", 5) == 0)
			ec->n_prstatus++;
		if (namesz == 11 && memcmp(p + off + 12, "VMCOREINFO", 11) == 0)
			ec->has_vmcoreinfo = 1;
		off = (size_t)end;
	}
	return 0;
}

void elfcore_free(struct elfcore *ec)
{
	free(ec->loads);
	free(ec->notes_buf);
	memset(ec, 0, sizeof(*ec));
}

int elfcore_parse(elfcore_read_fn rd, void *ctx, uint64_t file_size,
		  struct elfcore *out, char *err, size_t errlen)
{
	uint8_t eh[EHDR_SIZE];
	uint8_t ph[PHDR_SIZE];
	struct elfcore ec;
	uint64_t phoff;
	uint16_t phentsize, phnum, type;
	size_t i, nl = 0;
	int be;

	memset(&ec, 0, sizeof(ec));
	memset(out, 0, sizeof(*out));
	if (file_size < EHDR_SIZE || rd(ctx, 0, eh, EHDR_SIZE))
		return fail(err, errlen, "file too short for an ELF header");
	if (memcmp(eh, "\177ELF", 4) != 0)
		return fail(err, errlen, "not an ELF file (bad magic)");
	if (eh[4] != 2)
		return fail(err, errlen, "not ELF64 (EI_CLASS %u); only 64-bit vmcores are supported", eh[4]);
	if (eh[5] != 1 && eh[5] != 2)
		return fail(err, errlen, "bad EI_DATA %u", eh[5]);
	be = eh[5] == 2;
	ec.big_endian = be;
	ec.ident_abi = eh[7];
	type = elfcore_get16(eh + 16, be);
	if (type != ET_CORE)
		return fail(err, errlen, "not a core file (e_type %u)", type);
	ec.machine = elfcore_get16(eh + 18, be);
	if (ec.machine != ELFCORE_EM_X86_64 && ec.machine != ELFCORE_EM_PPC64)
		return fail(err, errlen, "unsupported machine %u (x86_64 and ppc64 only)", ec.machine);
	ec.e_flags = elfcore_get32(eh + 48, be);
	phoff = elfcore_get64(eh + 32, be);
	phentsize = elfcore_get16(eh + 54, be);
	phnum = elfcore_get16(eh + 56, be);
	if (phnum == 0 || phnum == MAX_PHNUM)
		return fail(err, errlen, "no program headers (e_phnum %u; extended numbering unsupported)", phnum);
	if (phentsize < PHDR_SIZE)
		return fail(err, errlen, "e_phentsize %u too small", phentsize);
	if (phoff > file_size || (uint64_t)phnum * phentsize > file_size - phoff)
		return fail(err, errlen, "program headers (offset %#llx, %u x %u) run past the end of the file",
			    (unsigned long long)phoff, phnum, phentsize);

	ec.loads = calloc(phnum, sizeof(*ec.loads));
	if (!ec.loads)
		return fail(err, errlen, "out of memory");
	for (i = 0; i < phnum; i++) {
		uint32_t ptype;
		uint64_t off, filesz, memsz, paddr;

		if (rd(ctx, phoff + (uint64_t)i * phentsize, ph, PHDR_SIZE)) {
			fail(err, errlen, "cannot read program header %zu", i);
			goto bad;
		}
		ptype = elfcore_get32(ph, be);
		off = elfcore_get64(ph + 8, be);
		paddr = elfcore_get64(ph + 24, be);
		filesz = elfcore_get64(ph + 32, be);
		memsz = elfcore_get64(ph + 40, be);
		if (ptype != PT_LOAD && ptype != PT_NOTE)
			continue;
		if (off > file_size || filesz > file_size - off) {
			fail(err, errlen, "segment %zu (offset %#llx, size %#llx) runs past the end of the file",
			     i, (unsigned long long)off, (unsigned long long)filesz);
			goto bad;
		}
		if (ptype == PT_NOTE) {
			uint8_t *nb;
			size_t base = ec.notes_len;

			if (filesz == 0)
				continue;
			if (filesz > ELFCORE_MAX_NOTE_BYTES || ++nl > ELFCORE_MAX_NOTES) {
				fail(err, errlen, "note segment %zu too large or too many note segments", i);
				goto bad;
			}
			nb = realloc(ec.notes_buf, base + (size_t)filesz);
			if (!nb) {
				fail(err, errlen, "out of memory");
				goto bad;
			}
			ec.notes_buf = nb;
			if (rd(ctx, off, nb + base, (size_t)filesz)) {
				fail(err, errlen, "cannot read note segment %zu", i);
				goto bad;
			}
			ec.notes_len = base + (size_t)filesz;
			if (walk_notes(&ec, nb + base, (size_t)filesz, err, errlen))
				goto bad;
			continue;
		}
		if (memsz == 0)
			continue;
		if (filesz > memsz) {
			fail(err, errlen, "PT_LOAD %zu has p_filesz %#llx > p_memsz %#llx", i,
			     (unsigned long long)filesz, (unsigned long long)memsz);
			goto bad;
		}
		if (paddr + memsz < paddr) {
			fail(err, errlen, "PT_LOAD %zu wraps around the address space", i);
			goto bad;
		}
		if (ec.nloads >= ELFCORE_MAX_LOADS) {
			fail(err, errlen, "more than %d PT_LOAD segments", ELFCORE_MAX_LOADS);
			goto bad;
		}
		ec.loads[ec.nloads].paddr = paddr;
		ec.loads[ec.nloads].memsz = memsz;
		ec.loads[ec.nloads].filesz = filesz;
		ec.loads[ec.nloads].offset = off;
		ec.loads[ec.nloads].vaddr = elfcore_get64(ph + 16, be);
		ec.loads[ec.nloads].flags = elfcore_get32(ph + 4, be);
		ec.nloads++;
	}
	if (ec.nloads == 0) {
		fail(err, errlen, "no PT_LOAD segment: not a vmcore");
		goto bad;
	}
	qsort(ec.loads, ec.nloads, sizeof(*ec.loads), cmp_load);
	for (i = 1; i < ec.nloads; i++) {
		if (ec.loads[i].paddr < ec.loads[i - 1].paddr + ec.loads[i - 1].memsz) {
			fail(err, errlen, "PT_LOADs at paddr %#llx and %#llx overlap",
			     (unsigned long long)ec.loads[i - 1].paddr,
			     (unsigned long long)ec.loads[i].paddr);
			goto bad;
		}
	}
	*out = ec;
	return 0;
bad:
	elfcore_free(&ec);
	return -1;
}

/* SPDX-License-Identifier: GPL-2.0-or-later */
/* elf_synth.h — little-endian writers and the ELF64 x86_64 core header the
 * unit tests build vmcores from (program headers at offset 64). */
#ifndef PD_ELF_SYNTH_H
#define PD_ELF_SYNTH_H

#include <stdint.h>
#include <string.h>

static inline void le16(unsigned char *p, uint16_t v)
{
	p[0] = (unsigned char)v;
	p[1] = (unsigned char)(v >> 8);
}

static inline void le32(unsigned char *p, uint32_t v)
{
	le16(p, (uint16_t)v);
	le16(p + 2, (uint16_t)(v >> 16));
}

static inline void le64(unsigned char *p, uint64_t v)
{
	le32(p, (uint32_t)v);
	le32(p + 4, (uint32_t)(v >> 32));
}

/* The 64-byte ELF header of an x86_64 core with @phnum program headers. */
static inline void elf_core_header(unsigned char *h, uint16_t phnum)
{
	memset(h, 0, 64);
	memcpy(h, "\x7f" "ELF", 4);
	h[4] = 2;	/* ELFCLASS64 */
	h[5] = 1;	/* little endian */
	h[6] = 1;	/* EV_CURRENT */
	le16(h + 16, 4);	/* ET_CORE */
	le16(h + 18, 62);	/* EM_X86_64 */
	le32(h + 20, 1);
	le64(h + 32, 64);	/* e_phoff */
	le16(h + 52, 64);	/* e_ehsize */
	le16(h + 54, 56);	/* e_phentsize */
	le16(h + 56, phnum);
}

#endif

/* SPDX-License-Identifier: GPL-2.0-or-later */
/* elfcore: parse the program headers and notes of an ELF64 vmcore.
 *
 * Contract:
 *  - Accepts ELF64 core files (ET_CORE) of EM_X86_64 or EM_PPC64, little or big
 *    endian, with the program headers wherever e_phoff says (QEMU puts section
 *    headers first); section headers are ignored.
 *  - Every offset and size is bounds-checked against the file size and against
 *    overflow; malformed input gives -1 and a message in err, never a crash.
 *  - PT_LOAD segments are returned sorted by p_paddr; overlapping PT_LOADs,
 *    p_filesz > p_memsz, data past the end of the file, zero or more than
 *    ELFCORE_MAX_LOADS loads are errors. Zero-length PT_LOADs are dropped.
 *  - PT_NOTE segments (at most ELFCORE_MAX_NOTES, each at most
 *    ELFCORE_MAX_NOTE_BYTES) are read whole into memory (notes_buf) and walked:
 *    NT_PRSTATUS notes are counted and a VMCOREINFO note is looked for. A note
 *    whose header or padded name/desc run past its segment is an error.
 *  - The file is read only through the caller's read callback, so the same code
 *    runs on a file (pread) and on a buffer (the fuzz target).
 */
#ifndef PD_ELFCORE_H
#define PD_ELFCORE_H

#include <stddef.h>
#include <stdint.h>

#define ELFCORE_MAX_LOADS 4096
#define ELFCORE_MAX_NOTES 64
#define ELFCORE_MAX_NOTE_BYTES (16u << 20)

#define ELFCORE_EM_X86_64 62
#define ELFCORE_EM_PPC64 21

struct elfcore_load {
	uint64_t paddr;
	uint64_t memsz;
	uint64_t filesz;  /* bytes present in the file; the rest reads as zero */
	uint64_t offset;  /* file offset of the first byte */
	uint64_t vaddr;
	uint32_t flags;
};

struct elfcore {
	int big_endian;
	uint16_t machine;
	uint32_t e_flags;
	uint8_t ident_abi;      /* e_ident[EI_OSABI] */
	size_t nloads;
	struct elfcore_load *loads;
	uint8_t *notes_buf;     /* all PT_NOTE contents, concatenated */
	size_t notes_len;
	unsigned n_prstatus;
	int has_vmcoreinfo;
};

/* Read exactly len bytes at off into buf; return 0, or -1 on error/short read. */
typedef int (*elfcore_read_fn)(void *ctx, uint64_t off, void *buf, size_t len);

int elfcore_parse(elfcore_read_fn rd, void *ctx, uint64_t file_size,
		  struct elfcore *out, char *err, size_t errlen);
void elfcore_free(struct elfcore *ec);

/* Convenience: a read callback over a memory buffer (struct elfcore_membuf). */
struct elfcore_membuf {
	const uint8_t *data;
	size_t len;
};
int elfcore_membuf_read(void *ctx, uint64_t off, void *buf, size_t len);

/* Byte order helpers used by the simulator's writers too. */
uint16_t elfcore_get16(const uint8_t *p, int be);
uint32_t elfcore_get32(const uint8_t *p, int be);
uint64_t elfcore_get64(const uint8_t *p, int be);
void elfcore_put16(uint8_t *p, uint16_t v, int be);
void elfcore_put32(uint8_t *p, uint32_t v, int be);
void elfcore_put64(uint8_t *p, uint64_t v, int be);

#endif

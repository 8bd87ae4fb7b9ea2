/* SPDX-License-Identifier: GPL-2.0-or-later */
/* vmcore_view: the simulated /proc/vmcore image.
 *
 * Layout of the image, as the kernel builds /proc/vmcore (fs/proc/vmcore.c):
 *   offset 0       ELF64 header (the vmcore's class, byte order, machine, OS ABI
 *                  and e_flags; e_phoff = 64, no section headers)
 *   offset 64      program headers: one PT_NOTE (if the vmcore has notes), then
 *                  one PT_LOAD per layout piece (struct vm_piece), by paddr
 *   page aligned   the notes: every PT_NOTE of the vmcore concatenated, unchanged
 *   page aligned   each PT_LOAD's memory: the pages [rounddown(paddr), roundup(end))
 *                  one after another, p_offset = start of its pages + paddr % page,
 *                  so file offset ≡ paddr (mod page size), as the kernel does.
 * "page" is the simulated page size. Bytes of those pages outside the PT_LOAD read
 * as zero. p_filesz/p_memsz keep the vmcore's (bytes past p_filesz read as zero).
 *
 * Data: every byte comes from VMCORE itself (pread), also for the boot memory,
 * whose relocated copy holds the same content. A byte whose backing reserved
 * address (vm_piece.backing + offset) lies in a freed page:
 *   VIEW_EIO:    vmcore_view_read() fails with -EIO for the whole request (the
 *                kernel then retries page by page, so unreleased pages in the same
 *                readahead window still read fine, and mmap faults give SIGBUS);
 *   VIEW_POISON: the byte reads as POISON_PATTERN[backing address % 8], i.e. the
 *                8 bytes "PHYPPOIS" repeated, aligned on physical addresses.
 * After the final release every read fails with -EIO.
 * The caller serializes vmcore_view_read() against reserve changes (a read lock).
 */
#ifndef SIM_VMCORE_VIEW_H
#define SIM_VMCORE_VIEW_H

#include <stddef.h>
#include <stdint.h>

#include "elfcore.h"
#include "layout.h"
#include "reserve.h"

#define POISON_PATTERN "PHYPPOIS"

enum view_mode { VIEW_EIO, VIEW_POISON };

struct view_load {
	uint64_t file_off;   /* p_offset in the image */
	const struct vm_piece *piece;
};

struct vmcore_view {
	int fd;                      /* VMCORE, read only */
	enum view_mode mode;
	const struct layout *layout;
	const struct reserve *reserve;
	uint8_t *hdr;                /* ELF header + program headers */
	size_t hdr_len;
	const uint8_t *notes;
	size_t notes_len;
	uint64_t notes_off;
	size_t nloads;
	struct view_load *loads;
	uint64_t size;               /* image size */
};

int vmcore_view_init(struct vmcore_view *v, int fd, const struct elfcore *ec,
		     const struct layout *l, const struct reserve *r, enum view_mode mode);
void vmcore_view_free(struct vmcore_view *v);

/* Fill buf with len bytes at image offset off (clipped at the image end).
 * Returns the byte count, or -EIO. */
long long vmcore_view_read(const struct vmcore_view *v, uint64_t off, uint8_t *buf, size_t len);

/* Calls fn(ctx, off, len) for every image range backed by reserved physical
 * memory in [start, end) (for page-cache invalidation after a release). */
void vmcore_view_ranges_of(const struct vmcore_view *v, uint64_t start, uint64_t end,
			   void (*fn)(void *ctx, uint64_t off, uint64_t len), void *ctx);

#endif

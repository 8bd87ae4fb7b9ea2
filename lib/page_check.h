/* SPDX-License-Identifier: GPL-2.0-or-later */
/* page_check.h — before a written page's memory goes back, its copy in the
 * dump file, read back and decompressed, must equal that page in the vmcore.
 *
 * Why: the capture engine gives memory back on the strength of the dump
 * file.  A byte changed between the collector and the disk (a flipped bit in
 * the pipe, a writer's bug) would otherwise go unnoticed until someone opens
 * the dump, and by then the memory that could have told is gone for good.
 *
 * How a page is found: as any reader of the file finds it, from the file's
 * own bytes: the header, bitmap2 (the pfn's bit must be set), the descriptor
 * that is the rank of that bit, the data it points to (inside the file, at
 * most a page), decompressed (lib/kdump_format.h, one implementation).  A
 * zero page's shared descriptor is checked the same way: it must decompress
 * to the page the vmcore holds, which must then be zeros.  The vmcore's page
 * is read through its PT_LOADs as makedumpfile reads it: bytes no PT_LOAD
 * holds (holes, memsz past filesz) are zeros.
 *
 * Contract:
 *  - pd_page_check_open(): @dump_fd is read with pread and never closed
 *    here; @source (the file the collector reads: /proc/vmcore, or the
 *    resume view) is opened and its ELF headers parsed.  -1 with @err
 *    (PD_ERR_IO, or PD_ERR_REFUSED for a source that is not an ELF core);
 *    the checker is then finalized already.
 *  - pd_page_check_pfns(): checks every pfn of [s, e) and returns 0 when
 *    every one matches.  Otherwise -1 with @err (kind PD_ERR_REFUSED) naming
 *    the first pfn that differs or cannot be found in the file, and the file
 *    offset of its data (or of its descriptor, or of its bitmap2 byte).  Call
 *    it only once the file is durable: what it compares is what a reader
 *    gets back.  Pfns may come in any order; ascending is O(1) per page.
 *  - A build without decompressors (PD_NO_DECOMPRESSORS, the static test
 *    build for the emulated POWER guest) cannot check compressed pages: they
 *    are counted in ->unchecked, never in ->checked.
 *  - Memory is bounded (a few pages and a 64 KiB bitmap window), whatever
 *    the dump's size.
 */
#ifndef PD_PAGE_CHECK_H
#define PD_PAGE_CHECK_H

#include <stdbool.h>
#include <stdint.h>

#include "elfcore.h"
#include "kdump_format.h"
#include "pd_error.h"

#define PD_PAGE_CHECK_BATCH 64	/* pages read from the vmcore at once */
#define PD_PAGE_CHECK_WINDOW ((size_t)1 << 20)	/* page data read ahead from the dump */

struct pd_page_check {
	int dump_fd, src_fd;
	char source[256];		/* for messages */
	struct elfcore ec;
	bool have_ec, have_layout;
	struct pd_kdump_layout l;
	uint64_t cur_pfn, cur_idx;	/* descriptor index of the first set bit >= cur_pfn */
	unsigned char bm[65536];	/* window of bitmap2 (dropped at each call) */
	uint64_t bm_off, bm_len;
	unsigned char *vm;		/* PD_PAGE_CHECK_BATCH pages of the vmcore */
	unsigned char *stored, *page;	/* one stored page, one decompressed */
	unsigned char desc[PD_PAGE_CHECK_BATCH * PD_PAGE_DESC_SIZE];
	bool have_last;			/* ->page holds the descriptor below */
	struct pd_kdump_desc last;
	/* Page data is read ahead in one window; a page behind it (the shared
	 * zero page, at the start of the data) keeps its own decompressed copy.
	 * Both are dropped at each pd_page_check_pfns(): only bytes read back
	 * in that call are compared. */
	unsigned char *win, *back_page;
	uint64_t win_off, win_len;
	bool have_back;
	struct pd_kdump_desc back;
	/* what was done */
	uint64_t checked, unchecked;
	double seconds;
};

int pd_page_check_open(struct pd_page_check *pc, int dump_fd, const char *source,
		       struct pd_error *err);
int pd_page_check_pfns(struct pd_page_check *pc, uint64_t pfn_start, uint64_t pfn_end,
		       struct pd_error *err);
/* Frees what open took (the dump's descriptor stays open); idempotent. */
void pd_page_check_close(struct pd_page_check *pc);

#endif

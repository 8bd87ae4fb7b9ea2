/* SPDX-License-Identifier: GPL-2.0-or-later */
/* kdump_track.h — follows a kdump-compressed dump file as its pieces arrive
 * (from makedumpfile's flattened stream) and tells which pfns are excluded
 * and which are written.
 *
 * File layout: lib/kdump_format.h.
 *
 * Contract:
 *  - Call pd_kdump_track_chunk() for every chunk AFTER it is written to the
 *    dump file: the tracker reads bitmap2 back from that file (through the
 *    read callback) to map descriptors to pfns, so its memory does not grow
 *    with the dump.
 *  - excluded(): pfns whose bitmap2 bit arrived as 0 (filtered out; never
 *    read again by makedumpfile).  written(): pfns whose descriptor and whole
 *    data block are both in the file.  Each pfn is reported at most once.
 *  - Anything unexpected (pieces out of the documented order, a bitmap2 byte
 *    written twice, a descriptor that does not fit) makes the tracker
 *    "confused": it reports nothing more, and says why in ->why.  Callers
 *    then stop releasing incrementally; the file itself is still written
 *    exactly as the stream says.
 *  - ->single_cycle is decided when the first descriptor or data arrives:
 *    true when all of bitmap2 was already in (makedumpfile ran one cycle).
 */
#ifndef PD_KDUMP_TRACK_H
#define PD_KDUMP_TRACK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kdump_format.h"
#include "pd_error.h"
#include "rangeset.h"


struct pd_kdump_events {
	int (*excluded)(void *arg, uint64_t pfn_start, uint64_t pfn_end);
	int (*written)(void *arg, uint64_t pfn_start, uint64_t pfn_end);
	void *arg;
};

struct pd_kdump_pending {
	uint64_t pfn, data_start, data_end;
};

struct pd_kdump_track {
	pd_read_fn rd;			/* reads the dump file back */
	void *rd_ctx;
	struct pd_kdump_layout layout;
	struct pd_kdump_events ev;
	bool confused, events_failed;
	struct pd_error why;

	/* header */
	unsigned char head[PD_KDUMP_HEADER_SIZE];
	struct pd_rangeset head_got;
	bool have_header, have_sub;
	uint32_t status;
	uint64_t block_size, sub_hdr_size, bitmap_blocks, max_mapnr;
	int dump_level;
	uint64_t off_bitmap2, len_bitmap2, off_pd;

	/* progress through the file */
	struct pd_rangeset bm2_got;	/* byte offsets within bitmap2 */
	bool cycles_known, single_cycle;
	uint64_t off_data;		/* 0 until the first data record */
	uint64_t pd_next;		/* file offset of the next descriptor */
	unsigned char carry[PD_PAGE_DESC_SIZE];
	size_t ncarry;
	uint64_t pfn_cursor;		/* next pfn to look at in bitmap2 */
	struct pd_rangeset data_got;
	struct pd_kdump_pending *pend;	/* FIFO of descriptors awaiting data */
	size_t pend_head, pend_n, pend_cap;
	unsigned char bmbuf[65536];	/* window of bitmap2 read back */
	uint64_t bmbuf_off, bmbuf_len;

	/* counts */
	uint64_t excluded_pfns, dumpable_pfns, descriptors, written_pfns, zero_pages;
};

void pd_kdump_track_init(struct pd_kdump_track *t, pd_read_fn rd, void *rd_ctx,
			 const struct pd_kdump_events *ev);
void pd_kdump_track_free(struct pd_kdump_track *t);
/* Returns -1 only when an event callback failed (then ->events_failed);
 * confusion is not an error of the call. */
int pd_kdump_track_chunk(struct pd_kdump_track *t, uint64_t offset,
			 const unsigned char *data, size_t len);
/* Number of dumpable pages (descriptors), once known; 0 before. */
uint64_t pd_kdump_track_num_dumpable(const struct pd_kdump_track *t);

#endif

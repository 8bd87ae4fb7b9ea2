/* SPDX-License-Identifier: GPL-2.0-or-later */
/* kdump_verify.h — an independent reader of a finished kdump-compressed
 * dump (makedumpfile's format, lib/kdump_format.h): does it open, and does
 * every page in it come back, as crash, drgn or makedumpfile -R will need?
 *
 * It checks, in file order, failing at the first fault:
 *   - the header (signature, version, a plausible layout, not marked
 *     incomplete) and the sub-header (max_mapnr fits the bitmaps);
 *   - the notes and VMCOREINFO lie inside the sub-header's blocks, the
 *     erase info inside the file; VMCOREINFO is there and says OSRELEASE;
 *   - both bitmaps are in the file, and bitmap2 (dumped) only lists pfns
 *     bitmap1 (present) lists;
 *   - one descriptor per set bit of bitmap2, all in the file; each points
 *     inside the page data after the descriptors, stores at most a page
 *     (exactly a page when stored as is), has known flags (one compression
 *     at most) and decompresses to exactly one page;
 *   - the kernel log is reachable: VMCOREINFO names the log's symbols (prb
 *     for the printk ring buffer of Linux 5.10 and later, else log_buf) and
 *     the pages holding them are in the dump (x86_64 and ppc64 addresses).
 *
 * Contract: the file is read only through @rd (bounds-checked reads of
 * exactly the bytes asked; fuzz_kdump_verify feeds it garbage) and never
 * beyond @file_size.  Memory is bounded (a few pages, 64 KiB windows, the
 * VMCOREINFO note up to 1 MiB) whatever the dump's size.  Returns 0 with
 * @r filled in, or -1 with @err saying what is wrong (kind PD_ERR_REFUSED)
 * and @r->bad_offset the file offset where it is (PD_ERR_IO when a read
 * failed for another reason than the file's end, PD_ERR_UNSUPPORTED for a
 * page this build cannot decompress).
 */
#ifndef PD_KDUMP_VERIFY_H
#define PD_KDUMP_VERIFY_H

#include <stdbool.h>
#include <stdint.h>

#include "kdump_format.h"
#include "pd_error.h"

struct pd_kdump_verify_result {
	struct pd_kdump_layout l;
	char machine[66], release[66];	/* from the header's utsname */
	uint64_t present_pfns;		/* set bits of bitmap1 */
	uint64_t dumped_pfns;		/* set bits of bitmap2 = descriptors */
	uint64_t stored_pages;		/* distinct stored pages decompressed */
	uint64_t vmcoreinfo_bytes;
	char log_symbol[32];		/* "prb" or "log_buf" */
	uint64_t log_paddr;		/* where that symbol is */
	uint64_t bad_offset;		/* on failure: the file offset at fault */
};

int pd_kdump_verify(pd_read_fn rd, void *ctx, uint64_t file_size,
		    struct pd_kdump_verify_result *r, struct pd_error *err);

/* The same on a file by name, opened read-only: -1 with @err (PD_ERR_IO)
 * when it cannot be opened; every message is prefixed with @path. */
int pd_kdump_verify_file(const char *path, struct pd_kdump_verify_result *r,
			 struct pd_error *err);

#endif

/* SPDX-License-Identifier: GPL-2.0-or-later */
/* resume_view.h — the vmcore as an interrupted capture left it readable.
 *
 * Why: every page an earlier capture of this dump released was either
 * filtered out of the dump or already durable in that capture's partial
 * dump file; every other page is still reserved and readable in the vmcore.
 * So the whole vmcore can be served again without reading released memory,
 * and a collector run on it makes the dump the interrupted one would have
 * made (makedumpfile is deterministic: same bytes in, same file out).
 *
 * A read of the view at vmcore offset @off:
 *   - bytes outside the PT_LOADs (ELF header, notes): from the vmcore;
 *   - crashed memory no capture released: from the vmcore;
 *   - crashed memory released, page by page (the dump's page size): from the
 *     first partial file whose verified bytes hold that page's bitmap2 bit
 *     (clear: the page was filtered out, and reads as zeros, which is what
 *     makedumpfile's only reason to look at such a page, its zero test, saw)
 *     and, for a dumped page, its descriptor and data (decompressed: zlib,
 *     lzo, snappy, zstd, or stored as is).  A released page no file holds
 *     fails the read (EIO): it is never made up.
 *
 * Re-armed (pd_resume_view_init_rearm(), on the boot after a second crash):
 * the same view of the FIRST dump's vmcore, whose /proc/vmcore is gone:
 *   - bytes outside its PT_LOADs: from the copy of its headers the journal
 *     names (lib/rearm.h), checked against the journal's CRC;
 *   - released memory: from the partial files, as above;
 *   - memory still held when the second crash came: from the second dump's
 *     vmcore at the same physical address (through its PT_LOADs).  The
 *     caller checks first, with pd_rearm_check(), that the second dump
 *     holds it there.
 *
 * Contract:
 *  - pd_resume_view_init() verifies every "saved" record of every target in
 *    the journal against the file (CRC-32 of those bytes); a missing file,
 *    or one that does not match, refuses the resume (PD_ERR_REFUSED) with
 *    the file and offset named.  Only verified bytes are ever used.
 *  - pd_resume_view_read() returns 0 with @len bytes, or -1 with @err; it
 *    never opens or reads released memory in the vmcore.
 *  - The view is read-only and thread-compatible (one reader at a time).
 */
#ifndef PD_RESUME_VIEW_H
#define PD_RESUME_VIEW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "elfcore.h"
#include "journal.h"
#include "kdump_format.h"
#include "pd_error.h"
#include "rangeset.h"
#include "rearm.h"

struct pd_resume_src {
	char *path;
	int fd;
	bool usable;			/* header and sub-header verified */
	struct pd_kdump_layout l;
	struct pd_rangeset ok;		/* verified byte ranges of the file */
	unsigned char *bm2;		/* bitmap2, as far as verified */
	uint64_t bm2_len;		/* verified bytes of it, from its start */
	uint64_t *rank;			/* set bits before each 512-byte chunk */
};

struct pd_resume_view {
	int vmcore_fd;
	uint64_t vmcore_size;
	struct elfcore ec;
	struct pd_rangeset released;	/* crashed physical bytes released */
	uint64_t page;			/* the dump's page size */
	struct pd_resume_src *src;
	size_t nsrc;
	unsigned char *page_buf;	/* one decompressed page */
	unsigned char *cbuf;		/* one stored page */
	uint64_t pages_from_file, pages_zero;	/* served so far */
	bool rearm;			/* the first dump, from a second one */
	struct pd_rearm_headers hdr;	/* its headers (rearm) */
	struct elfcore ec2;		/* the second dump's vmcore (rearm) */
	uint64_t bytes_from_dump2;	/* held memory served from it */
};

/* @vmcore: the file to read unreleased memory from; @js: this dump's journal. */
int pd_resume_view_init(struct pd_resume_view *v, const char *vmcore,
			const struct pd_journal_state *js, struct pd_error *err);
/* @vmcore2: the second dump's vmcore; @js: the FIRST dump's journal. */
int pd_resume_view_init_rearm(struct pd_resume_view *v, const char *vmcore2,
			      const struct pd_journal_state *js, struct pd_error *err);
int pd_resume_view_read(struct pd_resume_view *v, void *buf, size_t len, uint64_t off,
			struct pd_error *err);
void pd_resume_view_fini(struct pd_resume_view *v);

#endif

/* SPDX-License-Identifier: GPL-2.0-or-later */
/* backend.h — the ways memory goes back to the kernel.
 *
 *  release_region  one write() of "<addr> <len>\n" per range to
 *                  /sys/kernel/fadump/release_region (incremental);
 *  release_mem     "1" to /sys/kernel/fadump/release_mem, once, at the end
 *                  (stock firmware-assisted dump: everything at once);
 *  dry run         logs what it would release, releases nothing.
 *
 * Contract:
 *  - release() gives back one reserved physical range; only incremental
 *    back ends support it (others return -1 with a message).
 *  - release_all() gives back everything still reserved: for release_region
 *    it writes every boot-time area in full (the kernel skips what is already
 *    released and frees the pages that straddled earlier ranges); for
 *    release_mem it writes "1".  After it the dump is gone.
 *  - Every failed write reports the path, the range and errno; nothing is
 *    retried (a refused release means our view of the kernel is wrong: stop).
 */
#ifndef PD_BACKEND_H
#define PD_BACKEND_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "pd_error.h"
#include "rr_grammar.h"

enum pd_backend_kind {
	PD_BACKEND_RELEASE_REGION,
	PD_BACKEND_RELEASE_MEM,
	PD_BACKEND_DRY_RUN,
};

struct pd_backend {
	enum pd_backend_kind kind;
	bool incremental;
	char path[4096];	/* release_region or release_mem file */
	int fd;			/* release_region: kept open */
	FILE *log;		/* dry run */
	uint64_t writes;	/* write() calls issued */
	uint64_t bytes;		/* bytes asked for */
};

int pd_backend_open_release_region(struct pd_backend *b, const char *path,
				   struct pd_error *err);
int pd_backend_open_release_mem(struct pd_backend *b, const char *path,
				struct pd_error *err);
void pd_backend_open_dry_run(struct pd_backend *b, FILE *log);

int pd_backend_release(struct pd_backend *b, uint64_t addr, uint64_t len,
		       struct pd_error *err);
/* @boot: the areas at boot (release_region writes each in full). */
int pd_backend_release_all(struct pd_backend *b, const struct pd_rr *boot,
			   struct pd_error *err);
void pd_backend_close(struct pd_backend *b);
const char *pd_backend_name(const struct pd_backend *b);

#endif

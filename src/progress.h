/* SPDX-License-Identifier: GPL-2.0-or-later */
/* progress.h — what a person watching phypdump save sees while it runs: on a
 * terminal, one redrawn line with a bar (pages saved, memory returned, rate,
 * ETA); otherwise a log line every few seconds.  Never prints memory
 * content. */
#ifndef PD_PROGRESS_H
#define PD_PROGRESS_H

#include <stdbool.h>
#include <stdint.h>

#include "units.h"
#include <stdio.h>

struct pd_progress {
	FILE *out;
	bool tty;
	double t0, last;
	double interval;
	bool drawn;
};

struct pd_progress_sample {
	uint64_t pages_done, pages_total;	/* total 0: not known yet */
	uint64_t stream_bytes;
	uint64_t returned, reserved_start;
};

void pd_progress_init(struct pd_progress *p, FILE *out, double t0);
void pd_progress_update(struct pd_progress *p, const struct pd_progress_sample *s, bool force);
void pd_progress_done(struct pd_progress *p);

#endif

/* SPDX-License-Identifier: GPL-2.0-or-later */
/* timeline.h — the release timeline: one JSON object a line, for tests,
 * benchmarks and plots.
 *   {"t":<seconds since start>,"event":"start","reserved":<bytes>}
 *   {"t":...,"event":"release","addr":<a>,"len":<l>,"reserved":<bytes left>}
 *   {"t":...,"event":"end","reserved":<bytes left>,"ok":true|false}
 * Times are CLOCK_MONOTONIC; lines are flushed as written. */
#ifndef PD_TIMELINE_H
#define PD_TIMELINE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

struct pd_timeline {
	FILE *f;
	double t0;
};

double pd_now(void);
int pd_timeline_open(struct pd_timeline *tl, const char *path, double t0, uint64_t reserved);
void pd_timeline_release(struct pd_timeline *tl, uint64_t addr, uint64_t len, uint64_t reserved);
/* The stream's figures (the ideal curve is drawn from them: bench/). */
void pd_timeline_stream(struct pd_timeline *tl, double scanned, double streamed, uint64_t written_pages,
			uint64_t page_size);
void pd_timeline_end(struct pd_timeline *tl, uint64_t reserved, bool ok);
void pd_timeline_close(struct pd_timeline *tl);

#endif

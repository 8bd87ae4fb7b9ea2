/* SPDX-License-Identifier: GPL-2.0-or-later */
/* timeline: one JSON object per line for every change of the reserved memory,
 * for tests, benchmarks and plots.
 *
 *   {"t":12.345678901,"event":"release","addr":"0x1000","len":"0x2000",
 *    "freed":8192,"reserved":123456}
 *
 * t: CLOCK_MONOTONIC seconds; event: "start" (at mount, addr/len 0), "release"
 * (an accepted release_region write), "release_mem" (the stock interface), "rearm"
 * (the rearm write that re-armed the dump; addr, len, freed 0), "end" (the dump
 * ended: everything released), "crash" (sysrq c; reserved = the held bytes carried
 * into the new dump, 0 when none was written); addr/len: the write as given (hex
 * strings, so 64-bit values survive JSON readers that use doubles); freed: bytes
 * of reserved areas freed by this event; reserved: area bytes still reserved
 * after it. Each line is written with one write(2) and flushed, so a reader
 * never sees half a line. Rejected writes (EINVAL) are not recorded.
 * A NULL timeline (no --timeline option) ignores every call.
 */
#ifndef SIM_TIMELINE_H
#define SIM_TIMELINE_H

#include <stdint.h>

struct timeline;

/* NULL with errno set on failure. The file is created or truncated. */
struct timeline *timeline_open(const char *path);
void timeline_event(struct timeline *tl, const char *event, uint64_t addr, uint64_t len,
		    uint64_t freed, uint64_t reserved);
void timeline_close(struct timeline *tl);

#endif

/* SPDX-License-Identifier: GPL-2.0-or-later */
/* options: the command line of phypdump-sim.
 *
 *   phypdump-sim [--layout fadump|seed] [--released eio|poison] [--boot-mem SIZE]
 *                [--page-size SIZE] [--seed-node] [--timeline FILE]
 *                [--crash-base VMCORE2] [--crash-out FILE] [--rearm-fail N] [-f] [-h]
 *                VMCORE MOUNTPOINT
 *
 * sim_options_parse() fills opts with the defaults (fadump, eio, 256 MiB, page
 * size 0 = by machine, no seed node, no timeline, no crash base (VMCORE itself),
 * no crash output, background) and then the
 * arguments. Returns 0 to go on, 1 when --help was printed on stdout (exit 0),
 * 2 after printing what was wrong and the usage on stderr (exit 2). Values are
 * only checked for syntax here; layout_build() checks sizes against each other.
 * Sizes are parsed by lib/units.h (pd_parse_size).
 * Uses getopt_long, so it is called once per process.
 */
#ifndef SIM_OPTIONS_H
#define SIM_OPTIONS_H

#include <stdint.h>

#include "layout.h"
#include "vmcore_view.h"

struct sim_options {
	enum layout_kind layout;
	enum view_mode released;
	uint64_t boot_mem;
	uint64_t page_size;     /* 0: 4 KiB for x86_64, 64 KiB for ppc64 */
	int seed_node;
	int foreground;
	const char *timeline;   /* NULL: none */
	const char *crash_base; /* NULL: the second crash's memory is VMCORE's */
	const char *crash_out;  /* NULL: a second crash writes no vmcore */
	unsigned rearm_fail;    /* the first N re-arms from ready fail with EIO */
	const char *vmcore;
	const char *mountpoint;
};

int sim_options_parse(int argc, char **argv, struct sim_options *opts);

#endif

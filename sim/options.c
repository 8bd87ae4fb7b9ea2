/* SPDX-License-Identifier: GPL-2.0-or-later */
/* options: phypdump-sim's command line; see options.h. */
#include "options.h"
#include "units.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void usage(FILE *f)
{
	fprintf(f,
		"usage: phypdump-sim [options] VMCORE MOUNTPOINT\n"
		"Mount a simulated POWER dump boot (proc/vmcore, sys/kernel/fadump/release_region,\n"
		"device tree) built from an ELF64 vmcore (x86_64 or ppc64, either byte order).\n"
		"  --layout fadump|seed    physical layout (default fadump)\n"
		"  --released eio|poison   what reads of released memory return (default eio)\n"
		"  --boot-mem SIZE         boot memory, copied by firmware (default 256M)\n"
		"  --page-size SIZE        page size (default 4K for x86_64, 64K for ppc64)\n"
		"  --seed-node             also create proc/device-tree/rtas/ibm,dump-kernel\n"
		"  --timeline FILE         write a JSON line per release to FILE\n"
		"  --crash-base VMCORE2    memory of the production boot at a second crash\n"
		"                          (echo c > MOUNTPOINT/proc/sysrq-trigger; default VMCORE)\n"
		"  --crash-out FILE        where a second crash, once re-armed, writes its vmcore\n"
		"  --rearm-fail N          the first N re-arms fail with EIO (registration failed)\n"
		"  -f, --foreground        stay in the foreground\n"
		"  -h, --help              this help\n"
		"SIZE: a number with an optional K, M or G suffix (powers of 1024); 0x for hex.\n"
		"Unmount with: fusermount3 -u MOUNTPOINT (or SIGINT/SIGTERM to the process).\n");
}

static int bad(const char *what, const char *arg, const char *hint)
{
	fprintf(stderr, "phypdump-sim: %s: bad value '%s' (%s)\n", what, arg, hint);
	return 2;
}

int sim_options_parse(int argc, char **argv, struct sim_options *o)
{
	static const struct option lopts[] = {
		{ "layout", required_argument, NULL, 'L' },
		{ "released", required_argument, NULL, 'R' },
		{ "boot-mem", required_argument, NULL, 'B' },
		{ "page-size", required_argument, NULL, 'P' },
		{ "seed-node", no_argument, NULL, 'S' },
		{ "timeline", required_argument, NULL, 'T' },
		{ "crash-base", required_argument, NULL, 'C' },
		{ "crash-out", required_argument, NULL, 'O' },
		{ "rearm-fail", required_argument, NULL, 'F' },
		{ "foreground", no_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	memset(o, 0, sizeof(*o));
	o->layout = LAYOUT_FADUMP;
	o->released = VIEW_EIO;
	o->boot_mem = 256ull << 20;
	while ((c = getopt_long(argc, argv, "fh", lopts, NULL)) != -1) {
		switch (c) {
		case 'L':
			if (!strcmp(optarg, "fadump"))
				o->layout = LAYOUT_FADUMP;
			else if (!strcmp(optarg, "seed"))
				o->layout = LAYOUT_SEED;
			else
				return bad("--layout", optarg, "fadump or seed");
			break;
		case 'R':
			if (!strcmp(optarg, "eio"))
				o->released = VIEW_EIO;
			else if (!strcmp(optarg, "poison"))
				o->released = VIEW_POISON;
			else
				return bad("--released", optarg, "eio or poison");
			break;
		case 'B':
			if (pd_parse_size(optarg, &o->boot_mem))
				return bad("--boot-mem", optarg, "a size such as 256M");
			break;
		case 'P':
			if (pd_parse_size(optarg, &o->page_size) || o->page_size == 0)
				return bad("--page-size", optarg, "a size such as 64K");
			break;
		case 'S':
			o->seed_node = 1;
			break;
		case 'T':
			o->timeline = optarg;
			break;
		case 'C':
			o->crash_base = optarg;
			break;
		case 'O':
			o->crash_out = optarg;
			break;
		case 'F': {
			char *end;
			unsigned long v;

			errno = 0;
			v = strtoul(optarg, &end, 10);
			if (errno || end == optarg || *end || optarg[0] == '-' || v > 1000000)
				return bad("--rearm-fail", optarg, "a count from 0 to 1000000");
			o->rearm_fail = (unsigned)v;
			break;
		}
		case 'f':
			o->foreground = 1;
			break;
		case 'h':
			usage(stdout);
			return 1;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (argc - optind != 2) {
		fprintf(stderr, "phypdump-sim: expected VMCORE and MOUNTPOINT\n");
		usage(stderr);
		return 2;
	}
	o->vmcore = argv[optind];
	o->mountpoint = argv[optind + 1];
	return 0;
}

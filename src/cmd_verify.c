/* SPDX-License-Identifier: GPL-2.0-or-later */
/* phypdump verify — read a finished kdump-compressed dump back as a reader
 * would (lib/kdump_verify.h) and say whether it is whole. */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "commands.h"
#include "json_out.h"
#include "kdump_verify.h"

static void verify_usage(FILE *f)
{
	fprintf(f,
		"Usage: phypdump verify [--json] FILE\n"
		"\n"
		"Read a kdump-compressed dump back as crash or drgn would: its header, both\n"
		"bitmaps, every page descriptor, every page (it must decompress to exactly a\n"
		"page), VMCOREINFO, and the pages that hold the kernel log.\n"
		"\n"
		"Exit status: 0 the dump is whole, 1 it is damaged (the message names the\n"
		"file offset), 2 usage error, 5 this build cannot decompress its pages.\n");
}

int cmd_verify(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'J' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct pd_kdump_verify_result r;
	struct pd_error err = { 0 };
	bool json = false;
	int c, rc;

	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'J': json = true; break;
		case 'h': verify_usage(stdout); return PD_EXIT_OK;
		default: verify_usage(stderr); return PD_EXIT_USAGE;
		}
	}
	if (argc - optind != 1) {
		verify_usage(stderr);
		return PD_EXIT_USAGE;
	}
	rc = pd_kdump_verify_file(argv[optind], &r, &err);
	if (json) {
		printf("{\"ok\":%s,\"file\":", rc ? "false" : "true");
		json_str(stdout, argv[optind]);
		printf(",\"dumped_pages\":%" PRIu64 ",\"stored_pages\":%" PRIu64, r.dumped_pfns,
		       r.stored_pages);
		if (rc) {
			printf(",\"bad_offset\":%" PRIu64 ",\"error\":", r.bad_offset);
			json_str(stdout, err.msg);
		}
		printf("}\n");
	}
	if (rc && err.kind == PD_ERR_UNSUPPORTED) {
		fprintf(stderr, "phypdump verify: cannot verify: %s\n", err.msg);
		return PD_EXIT_UNSUPPORTED;
	}
	if (rc) {
		fprintf(stderr, "phypdump verify: DAMAGED: %s\n", err.msg);
		return PD_EXIT_FAILED;
	}
	fprintf(stderr, "phypdump verify: %s is whole: Linux %.65s %.65s, %" PRIu64 " of %" PRIu64
		" present pages dumped, every one decompresses; VMCOREINFO %" PRIu64 " bytes; "
		"kernel log (%s) at 0x%" PRIx64 " is in the dump\n", argv[optind], r.release,
		r.machine, r.dumped_pfns, r.present_pfns, r.vmcoreinfo_bytes, r.log_symbol, r.log_paddr);
	return PD_EXIT_OK;
}

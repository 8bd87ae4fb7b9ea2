/* SPDX-License-Identifier: GPL-2.0-or-later */
/* phypdump — save a firmware-assisted dump and give memory back as it goes. */
#include <stdio.h>
#include <string.h>

#include "commands.h"

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: phypdump COMMAND [OPTIONS]\n"
		"\n"
		"Commands:\n"
		"  status   tell what this boot holds: the dump's areas, how much memory is\n"
		"           still reserved, how it can be released, the journal's progress\n"
		"  save     save the dump with makedumpfile and release its memory as each\n"
		"           part is safely on disk\n"
		"  receive  the remote end of an ssh target (started by save through ssh)\n"
		"  verify   read a finished dump back and check every page (phypdump verify FILE)\n"
		"  exit-codes  print the exit code table as PD_EXIT_NAME=N lines (for shell)\n"
		"\n"
		"Options:\n"
		"  -h, --help      this help (phypdump COMMAND --help for a command's)\n"
		"  -V, --version   print the version\n"
		"\n"
		"See phypdump(8).\n");
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return PD_EXIT_USAGE;
	}
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
		usage(stdout);
		return PD_EXIT_OK;
	}
	if (!strcmp(argv[1], "-V") || !strcmp(argv[1], "--version")) {
		printf("phypdump %s\n", PHYPDUMP_VERSION);
		return PD_EXIT_OK;
	}
	if (!strcmp(argv[1], "exit-codes")) {
		if (argc > 2) {
			fprintf(stderr, "phypdump exit-codes: takes no arguments\n");
			return PD_EXIT_USAGE;
		}
#define PD_EXIT_PRINT(name, num, text) printf("PD_EXIT_%s=%d\n", #name, num);
		PD_EXIT_CODES(PD_EXIT_PRINT)
#undef PD_EXIT_PRINT
		return PD_EXIT_OK;
	}
	if (!strcmp(argv[1], "status"))
		return cmd_status(argc - 1, argv + 1);
	if (!strcmp(argv[1], "save"))
		return cmd_save(argc - 1, argv + 1);
	if (!strcmp(argv[1], "receive"))
		return cmd_receive(argc - 1, argv + 1);
	if (!strcmp(argv[1], "verify"))
		return cmd_verify(argc - 1, argv + 1);
	fprintf(stderr, "phypdump: unknown command '%s' (try 'phypdump --help')\n", argv[1]);
	return PD_EXIT_USAGE;
}

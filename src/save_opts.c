/* SPDX-License-Identifier: GPL-2.0-or-later */
/* save_opts.c — phypdump save's command line. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "commands.h"
#include "save.h"
#include "units.h"
#include "dump_state.h"

static void save_usage(FILE *f)
{
	fprintf(f,
		"Usage: phypdump save [OPTIONS] [DUMPDIR]\n"
		"\n"
		"Save the firmware-assisted dump held by this boot and release its memory as\n"
		"each part is safely on disk.  DUMPDIR defaults to /var/crash/HOST-DATE.\n"
		"\n"
		"  --core-collector LINE  kdump.conf core_collector (default \"%s\");\n"
		"                         -F and the vmcore are added\n"
		"  --no-release           keep all dump memory reserved\n"
		"  --dry-run              release nothing; log what would be released\n"
		"  --min-release SIZE     coalesce releases to at least SIZE (default 1M)\n"
		"  --sync-memory SIZE     fdatasync the dump once SIZE of memory waits on it\n"
		"                         (default 32M), so that it can go back\n"
		"  --sync-interval SIZE   fdatasync after SIZE of output at most (default 32M),\n"
		"                         and half a second after the last sync\n"
		"  --sync-worker          fdatasync and check pages in a worker thread beside\n"
		"                         makedumpfile's stream (fast local disks; not the\n"
		"                         default: see README, \"Syncs off the stream\")\n"
		"  --sync-inline          fdatasync and check in the read loop (the default)\n"
		"  --page-size BYTES      page size of the running kernel (default: this system's)\n"
		"  --root DIR             look for /proc and /sys under DIR (default /)\n"
		"  --vmcore FILE          the dump to read (default ROOT/proc/vmcore)\n"
		"  --journal FILE         release journal (default ROOT/%s)\n"
		"  --no-dmesg             do not save the crashed kernel's log first\n"
		"  --no-page-check        release written pages without first comparing\n"
		"                         their copy in the dump file with the vmcore\n"
		"  --verify               once the dump is written, read it all back as a\n"
		"                         reader would (phypdump verify) before the last\n"
		"                         memory goes back; a damaged dump fails the save\n"
		"  --no-rearm             do not re-arm firmware-assisted dump before the\n"
		"                         dump ends (default: re-arm as soon as the kernel's\n"
		"                         rearm file reads ready, so that a crash during\n"
		"                         the rest of the save is captured)\n"
		"  --stall-timeout SECONDS\n"
		"                         fail the save when one operation on the dump\n"
		"                         target (a write, fdatasync, close, rename...) is\n"
		"                         blocked this long: an NFS server that went away\n"
		"                         (default %d; 0: wait for ever)\n"
		"  --json                 print the summary as JSON on stdout\n"
		"\n"
		"ssh target (the dump goes to the remote host; DUMPDIR keeps the logs):\n"
		"  --target ssh://[USER@]HOST[:PORT]/PATH\n"
		"                         write PATH/HOST-DATE/vmcore there through ssh\n"
		"                         (phypdump receive on the remote host)\n"
		"  --sshkey FILE          the private key (kdump.conf sshkey)\n"
		"  --ssh-option OPT       one more ssh -o option (repeatable); host keys\n"
		"                         are always checked and BatchMode is always on\n"
		"  --remote-phypdump CMD  phypdump on the remote host (default phypdump)\n"
		"  --net-timeout SECONDS  fail when the remote host answers nothing for\n"
		"                         this long (default 120)\n"
		"\n"
		"Run again after any failure: save resumes an interrupted dump (same collector\n"
		"line, the partial file the journal names) without reading released memory.\n"
		"\n"
		"Exit status: 0 saved, 1 the capture failed (the dump is marked incomplete and\n"
		"unsaved memory stays reserved; run save again to resume), 2 usage error,\n"
		"3 refused (the dump's state or journal says it cannot be saved safely),\n"
		"4 this boot holds no dump, 5 a dump phypdump cannot save (OPAL, unreadable\n"
		"vmcore: use the stock capture), 6 another capture holds this dump.\n",
		PD_DEFAULT_COLLECTOR, PD_DEFAULT_JOURNAL, PD_DEFAULT_STALL_TIMEOUT);
}

int save_parse_options(struct save *s, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "root", required_argument, NULL, 'r' },
		{ "vmcore", required_argument, NULL, 'v' },
		{ "core-collector", required_argument, NULL, 'c' },
		{ "journal", required_argument, NULL, 'j' },
		{ "no-release", no_argument, NULL, 'n' },
		{ "dry-run", no_argument, NULL, 'D' },
		{ "min-release", required_argument, NULL, 'm' },
		{ "sync-interval", required_argument, NULL, 's' },
		{ "sync-memory", required_argument, NULL, 'M' },
		{ "page-size", required_argument, NULL, 'p' },
		{ "no-dmesg", no_argument, NULL, 'g' },
		{ "no-page-check", no_argument, NULL, 'P' },
		{ "sync-inline", no_argument, NULL, 'I' },
		{ "sync-worker", no_argument, NULL, 'B' },
		{ "verify", no_argument, NULL, 'V' },
		{ "no-rearm", no_argument, NULL, 'A' },
		{ "json", no_argument, NULL, 'J' },
		{ "target", required_argument, NULL, 'T' },
		{ "sshkey", required_argument, NULL, 'K' },
		{ "ssh-option", required_argument, NULL, 'o' },
		{ "remote-phypdump", required_argument, NULL, 'R' },
		{ "net-timeout", required_argument, NULL, 't' },
		{ "stall-timeout", required_argument, NULL, 'S' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	s->o.root = "/";
	s->o.collector = PD_DEFAULT_COLLECTOR;
	s->o.min_release = PD_CAPTURE_DEFAULT_MIN_RELEASE;
	s->o.sync_bytes = PD_CAPTURE_DEFAULT_SYNC_BYTES;
	s->o.sync_memory = PD_CAPTURE_DEFAULT_SYNC_MEMORY;
	s->o.sync_seconds = PD_CAPTURE_DEFAULT_SYNC_SECONDS;
	s->o.page_size = (uint64_t)sysconf(_SC_PAGESIZE);
	s->o.net_timeout = 120;
	s->o.stall_timeout = PD_DEFAULT_STALL_TIMEOUT;
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'r': s->o.root = optarg; break;
		case 'v': s->o.vmcore = optarg; break;
		case 'c': s->o.collector = optarg; s->o.collector_given = true; break;
		case 'j': s->o.journal = optarg; break;
		case 'n': s->o.no_release = true; break;
		case 'D': s->o.dry_run = true; break;
		case 'g': s->o.no_dmesg = true; break;
		case 'P': s->o.no_page_check = true; break;
		case 'I': s->o.sync_worker = false; break;
		case 'B': s->o.sync_worker = true; break;
		case 'V': s->o.verify = true; break;
		case 'A': s->o.no_rearm = true; break;
		case 'J': s->o.json = true; break;
		case 'T': s->o.target = optarg; break;
		case 'K': s->o.sshkey = optarg; break;
		case 'R': s->o.remote_cmd = optarg; break;
		case 'o':
			if (s->o.nssh_opts >= SAVE_NET_MAX_OPTS) {
				fprintf(stderr, "phypdump save: at most %d --ssh-option\n", SAVE_NET_MAX_OPTS);
				return PD_EXIT_USAGE;
			}
			s->o.ssh_opts[s->o.nssh_opts++] = optarg;
			break;
		case 't': {
			char *end;

			s->o.net_timeout = strtod(optarg, &end);
			if (*end || end == optarg || !(s->o.net_timeout >= 1 && s->o.net_timeout <= 86400)) {
				fprintf(stderr, "phypdump save: --net-timeout: '%s' is not a number of seconds "
					"(1 to 86400)\n", optarg);
				return PD_EXIT_USAGE;
			}
			break;
		}
		case 'S': {
			char *end;

			s->o.stall_timeout = strtod(optarg, &end);
			if (*end || end == optarg ||
			    !(s->o.stall_timeout == 0 || (s->o.stall_timeout >= 1 && s->o.stall_timeout <= 86400))) {
				fprintf(stderr, "phypdump save: --stall-timeout: '%s' is not a number of seconds "
					"(1 to 86400, or 0 for no limit)\n", optarg);
				return PD_EXIT_USAGE;
			}
			break;
		}
		case 'm':
			if (pd_parse_size(optarg, &s->o.min_release) || !s->o.min_release) {
				fprintf(stderr, "phypdump save: --min-release: '%s' is not a size\n", optarg);
				return PD_EXIT_USAGE;
			}
			break;
		case 's':
			if (pd_parse_size(optarg, &s->o.sync_bytes) || !s->o.sync_bytes) {
				fprintf(stderr, "phypdump save: --sync-interval: '%s' is not a size\n", optarg);
				return PD_EXIT_USAGE;
			}
			break;
		case 'M':
			if (pd_parse_size(optarg, &s->o.sync_memory) || !s->o.sync_memory) {
				fprintf(stderr, "phypdump save: --sync-memory: '%s' is not a size\n", optarg);
				return PD_EXIT_USAGE;
			}
			break;
		case 'p':
			if (pd_parse_size(optarg, &s->o.page_size) || !s->o.page_size ||
			    (s->o.page_size & (s->o.page_size - 1))) {
				fprintf(stderr, "phypdump save: --page-size: '%s' is not a power of two\n", optarg);
				return PD_EXIT_USAGE;
			}
			break;
		case 'h':
			save_usage(stdout);
			return PD_EXIT_OK;
		default:
			save_usage(stderr);
			return PD_EXIT_USAGE;
		}
	}
	if (argc - optind > 1) {
		fprintf(stderr, "phypdump save: one dump directory only ('%s' is extra)\n", argv[optind + 1]);
		return PD_EXIT_USAGE;
	}
	if (s->o.no_release && s->o.dry_run) {
		fprintf(stderr, "phypdump save: --no-release and --dry-run exclude each other\n");
		return PD_EXIT_USAGE;
	}
	if (optind < argc)
		s->o.dumpdir = argv[optind];
	if (!s->o.target && (s->o.sshkey || s->o.nssh_opts || s->o.remote_cmd)) {
		fprintf(stderr, "phypdump save: --sshkey, --ssh-option and --remote-phypdump need "
			"--target ssh://...\n");
		return PD_EXIT_USAGE;
	}
	if (s->o.target && s->o.verify) {
		fprintf(stderr, "phypdump save: --verify reads the dump back from a local file; with --target,\n"
			"run 'phypdump verify FILE' on the remote host after the save\n");
		return PD_EXIT_USAGE;
	}
	if (s->o.target) {
		struct pd_error e;
		int i;

		save_net_init(&s->net);
		if (save_net_parse(&s->net, s->o.target, &e)) {
			fprintf(stderr, "phypdump save: %s\n", e.msg);
			return PD_EXIT_USAGE;
		}
		if (s->o.sshkey && access(s->o.sshkey, R_OK)) {
			fprintf(stderr, "phypdump save: --sshkey %s: cannot read it; create one and copy it to "
				"the remote host (phypdump-capture --propagate)\n", s->o.sshkey);
			return PD_EXIT_USAGE;
		}
		s->remote = true;
		s->net.key = s->o.sshkey;
		s->net.timeout = s->o.net_timeout;
		if (s->o.remote_cmd)
			s->net.remote_cmd = s->o.remote_cmd;
		for (i = 0; i < s->o.nssh_opts; i++)
			s->net.opts[s->net.nopts++] = s->o.ssh_opts[i];
	}
	return -1;
}

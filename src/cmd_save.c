/* SPDX-License-Identifier: GPL-2.0-or-later */
/* phypdump save — write the dump and give memory back as it goes.
 *
 * The rule this file exists to keep: memory is released only when its
 * content is durably saved (written and fdatasync'ed) or deliberately
 * filtered out, and nothing will read it again.
 *
 *   makedumpfile -F ... /proc/vmcore  --pipe-->  flat_stream parser
 *       --> dump_writer (pwrite at the record's offset)
 *       --> kdump_track (excluded pfns per bitmap2, written pfns per descriptor+data)
 *       --> ledger (coalesce; durable only after fdatasync)
 *       --> releaser (region map -> journal, synced -> release_region)
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "argsplit.h"
#include "backend.h"
#include "collector.h"
#include "commands.h"
#include "dump_state.h"
#include "dump_writer.h"
#include "flat_stream.h"
#include "json_out.h"
#include "kdump_track.h"
#include "ledger.h"
#include "progress.h"
#include "region_map.h"
#include "releaser.h"
#include "timeline.h"
#include "units.h"

#define DEFAULT_COLLECTOR "makedumpfile -l -d 31"

enum release_mode { REL_NONE, REL_INCREMENTAL, REL_AT_END, REL_DRY_RUN };

struct save_opts {
	const char *root, *vmcore, *collector, *journal, *dumpdir;
	bool no_release, dry_run, json, no_dmesg;
	uint64_t min_release, sync_bytes, page_size;
	double sync_seconds;
};

struct save {
	struct save_opts o;
	char vmcore[PATH_MAX], dumpdir[PATH_MAX], tmp[PATH_MAX];
	struct pd_dump_state st;
	struct pd_rr boot;		/* the areas at the start of this dump */
	bool have_boot;
	enum release_mode mode;
	const char *mode_why;
	struct pd_map map;
	struct pd_journal *journal;
	struct pd_backend backend;
	bool have_backend;
	struct pd_releaser rel;
	struct pd_ledger ledger;
	bool ledger_ready;
	bool incremental;		/* releasing while the dump is written */
	bool incremental_stopped;
	struct pd_kdump_track track;
	struct pd_dump_writer w;
	struct pd_flat_parser parser;
	struct pd_collector col;
	int log_fd;
	struct pd_timeline tl;
	struct pd_progress prog;
	double t0, t_end, last_sync, t_half, t_ninety;
	uint64_t reserved_start, returned;
	bool failed;
	struct pd_error err;
	const char *hint;		/* what to do next, on failure */
};

static volatile sig_atomic_t interrupted;

static void on_signal(int sig)
{
	interrupted = sig;
}

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
		"  --sync-interval SIZE   fdatasync the dump every SIZE written or every\n"
		"                         second, whichever comes first (default 32M)\n"
		"  --page-size BYTES      page size of the running kernel (default: this system's)\n"
		"  --root DIR             look for /proc and /sys under DIR (default /)\n"
		"  --vmcore FILE          the dump to read (default ROOT/proc/vmcore)\n"
		"  --journal FILE         release journal (default ROOT/%s)\n"
		"  --no-dmesg             do not save the crashed kernel's log first\n"
		"  --json                 print the summary as JSON on stdout\n"
		"\n"
		"Exit status: 0 saved, 1 the capture failed (the dump is marked incomplete and\n"
		"unsaved memory stays reserved), 2 usage error, 3 refused (the dump's state or\n"
		"journal says it cannot be saved safely), 4 this boot holds no dump.\n",
		DEFAULT_COLLECTOR, PD_DEFAULT_JOURNAL);
}

static void root_path(char *out, size_t size, const char *root, const char *rel)
{
	size_t n = strlen(root);

	while (n && root[n - 1] == '/')
		n--;
	snprintf(out, size, "%.*s/%s", (int)n, root, rel);
}

static int fail(struct save *s, const char *hint)
{
	s->failed = true;
	if (hint && !s->hint)
		s->hint = hint;
	return -1;
}

/* Observer: every successful release. */
static void on_release(void *arg, uint64_t addr, uint64_t len)
{
	struct save *s = arg;
	double el = pd_now() - s->t0;

	s->returned += len;
	if (s->returned > s->reserved_start)
		s->returned = s->reserved_start;
	pd_timeline_release(&s->tl, addr, len, s->reserved_start - s->returned);
	if (!s->t_half && s->returned * 2 >= s->reserved_start)
		s->t_half = el;
	if (!s->t_ninety && s->returned * 10 >= s->reserved_start * 9)
		s->t_ninety = el;
}

static int ensure_ledger(struct save *s)
{
	uint64_t min;

	if (s->ledger_ready)
		return 0;
	min = s->o.min_release / s->track.block_size;
	pd_releaser_init(&s->rel, &s->map, s->journal, &s->backend,
			 s->journal ? NULL : NULL, s->track.block_size);
	s->rel.on_release = on_release;
	s->rel.on_release_arg = s;
	pd_releaser_set_batch(&s->rel, true);
	pd_ledger_init(&s->ledger, min ? min : 1, pd_releaser_pfns, &s->rel);
	s->ledger_ready = true;
	return 0;
}

static int ledger_failed(struct save *s)
{
	if (s->rel.failed)
		s->err = s->rel.error;
	else
		s->err = s->ledger.error;
	return fail(s, "The kernel or the journal refused a release. Nothing more will be released;\n"
		    "check the kernel log and 'phypdump status'.");
}

static int ev_excluded(void *arg, uint64_t a, uint64_t b)
{
	struct save *s = arg;

	if (!s->incremental)
		return 0;
	ensure_ledger(s);
	return pd_ledger_excluded(&s->ledger, a, b) ? ledger_failed(s) : 0;
}

static int ev_written(void *arg, uint64_t a, uint64_t b)
{
	struct save *s = arg;

	if (!s->incremental)
		return 0;
	ensure_ledger(s);
	return pd_ledger_written(&s->ledger, a, b) ? ledger_failed(s) : 0;
}

static void stop_incremental(struct save *s, const char *why)
{
	if (!s->incremental)
		return;
	s->incremental = false;
	s->incremental_stopped = true;
	if (s->prog.drawn)
		pd_progress_done(&s->prog);
	fprintf(stderr, "phypdump save: incremental release stopped: %s\n"
		"phypdump save: the rest of the memory goes back once the whole dump is on disk.\n", why);
}

static int on_data(void *arg, uint64_t off, const unsigned char *d, size_t len)
{
	struct save *s = arg;

	if (pd_dump_writer_write(&s->w, off, d, len, &s->err))
		return fail(s, "Free space in the dump directory's file system (or choose another\n"
			    "directory), then run phypdump save again if no memory was released.");
	if (pd_kdump_track_chunk(&s->track, off, d, len))
		return -1;
	if (s->track.confused && s->incremental)
		stop_incremental(s, s->track.why.msg);
	return 0;
}

static int sync_now(struct save *s)
{
	if (pd_dump_writer_sync(&s->w, &s->err))
		return fail(s, "The dump could not be made durable; nothing unsaved was released.");
	s->last_sync = pd_now();
	/* One cycle: makedumpfile reads no metadata once it writes, so what is
	 * on disk can go.  Several cycles: later cycles may read metadata in
	 * pages already written, so written pages wait for the end. */
	if (s->incremental && s->ledger_ready && s->track.cycles_known && s->track.single_cycle &&
	    pd_ledger_durable(&s->ledger))
		return ledger_failed(s);
	return 0;
}

static void sample(struct save *s, struct pd_progress_sample *ps)
{
	ps->pages_total = pd_kdump_track_num_dumpable(&s->track);
	ps->pages_done = s->track.descriptors;
	ps->stream_bytes = s->parser.pos;
	ps->returned = s->returned;
	ps->reserved_start = s->reserved_start;
}

/* Decide how memory goes back, and set up the journal. */
static int plan_release(struct save *s)
{
	enum pd_release_mechanism m = pd_detect_mechanism(&s->st.det);
	struct pd_error e;

	if (s->o.no_release) {
		s->mode = REL_NONE;
		s->mode_why = "--no-release: all dump memory stays reserved";
		return 0;
	}
	if (m == PD_RELEASE_NONE) {
		s->mode = REL_NONE;
		s->mode_why = "this kernel offers no way to release dump memory";
		return 0;
	}
	if (m == PD_RELEASE_ALL_AT_ONCE) {
		s->mode = s->o.dry_run ? REL_DRY_RUN : REL_AT_END;
		s->mode_why = "stock firmware-assisted dump: everything goes back at the end (release_mem)";
		if (s->o.dry_run)
			pd_backend_open_dry_run(&s->backend, stderr);
		else if (pd_backend_open_release_mem(&s->backend, s->st.det.release_mem, &s->err))
			return fail(s, "Run phypdump save as root.");
		s->have_backend = true;
		return 0;
	}
	/* Incremental: release_region is there. */
	if (pd_map_init(&s->map, &s->boot, s->o.page_size, &e)) {
		s->mode = s->st.det.release_mem[0] ? REL_AT_END : REL_NONE;
		s->mode_why = "the dump's areas cannot be mapped safely; nothing is released early";
		fprintf(stderr, "phypdump save: %s\n", e.msg);
		if (s->mode == REL_AT_END) {
			if (pd_backend_open_release_mem(&s->backend, s->st.det.release_mem, &s->err))
				return fail(s, "Run phypdump save as root.");
			s->have_backend = true;
		}
		return 0;
	}
	if (s->o.dry_run) {
		pd_backend_open_dry_run(&s->backend, stderr);
		s->mode = REL_DRY_RUN;
		s->mode_why = "--dry-run: releases are only logged";
	} else {
		if (pd_backend_open_release_region(&s->backend, s->st.det.release_region, &s->err))
			return fail(s, "Run phypdump save as root.");
		s->mode = REL_INCREMENTAL;
		s->mode_why = "incremental (release_region)";
	}
	s->have_backend = true;
	s->incremental = true;
	return 0;
}

/* The journal: refuse when earlier runs already released dump memory. */
static int open_journal(struct save *s)
{
	struct pd_journal_state *js = &s->st.journal;
	const char *path = s->st.journal_path;
	char old[PATH_MAX + 64];

	if (s->st.journal_rc < 0) {
		s->err = s->st.journal_err;
		fail(s, "The release journal is damaged, so phypdump cannot know which dump memory\n"
		     "is already gone. Move it away only if no phypdump ran on this boot before.");
		return -1;
	}
	if (s->st.journal_rc == 0 && s->st.journal_stale) {
		/* An earlier boot's journal: keep it for the record, start anew. */
		snprintf(old, sizeof(old), "%s.%s", path, js->boot_id);
		if (rename(path, old))
			return pd_fail_errno(&s->err, errno, "cannot move the old journal %s aside", path),
			       fail(s, NULL);
		pd_journal_state_free(js);
		s->st.journal_rc = 1;
	}
	if (s->st.journal_rc == 0 && (js->releases || js->final)) {
		char done[32];

		pd_human_bytes(done, sizeof(done), pd_rangeset_total(&js->released));
		pd_fail(&s->err, "an earlier phypdump save on this boot already released %s of this dump "
			"(journal %s)", done, path);
		s->hint = js->target[0] ?
			"A new capture would read memory that the running system now owns and write a\n"
			"corrupt dump. The earlier capture's dump is named in the journal's target line.\n"
			"To give back what is still reserved: echo 1 > /sys/kernel/fadump/release_mem" :
			"A new capture would read memory that the running system now owns and write a\n"
			"corrupt dump. To give back what is still reserved: echo 1 > /sys/kernel/fadump/release_mem";
		s->failed = true;
		return -1;
	}
	if (!s->incremental && s->mode != REL_AT_END)
		return 0;	/* nothing will be released: no journal needed */
	if (s->st.journal_rc == 0) {
		s->journal = pd_journal_append(path, js, &s->err);
	} else {
		const char *boot_id = s->st.boot_id[0] ? s->st.boot_id : "unknown";

		s->journal = pd_journal_create(path, boot_id, s->o.page_size, &s->boot, &s->err);
	}
	if (!s->journal)
		return fail(s, "The journal must be writable before any memory is released.");
	if (pd_journal_add_target(s->journal, s->w.final_path, &s->err))
		return fail(s, NULL);
	return 0;
}

static void default_dumpdir(struct save *s)
{
	char host[128] = "localhost", date[64];
	time_t now = time(NULL);
	struct tm tm;

	gethostname(host, sizeof(host) - 1);
	localtime_r(&now, &tm);
	strftime(date, sizeof(date), "%Y-%m-%d-%H:%M:%S", &tm);
	snprintf(s->dumpdir, sizeof(s->dumpdir), "/var/crash/%s-%s", host, date);
}

/* The kernel ends the dump when its last reserved byte goes: release_region
 * disappears (writes to an open descriptor then fail with ENOENT or ENODEV). */
static bool dump_ended(const struct save *s)
{
	return s->st.det.release_region[0] && access(s->st.det.release_region, F_OK) &&
	       errno == ENOENT;
}

/* Release one whole boot area at the end; the dump ending on the way is
 * success, not a refusal. */
static int final_area(struct save *s, uint64_t addr, uint64_t len)
{
	if (!len || dump_ended(s))
		return 0;
	if (pd_releaser_range(&s->rel, addr, len) == 0 && pd_releaser_commit(&s->rel) == 0)
		return 0;
	if (dump_ended(s)) {
		s->rel.failed = false;
		return 0;
	}
	return -1;
}

/* Everything is durable: give the rest back. */
static int final_release(struct save *s)
{
	size_t i;

	if (s->mode == REL_INCREMENTAL || s->mode == REL_DRY_RUN) {
		if (!s->ledger_ready && s->track.block_size)
			ensure_ledger(s);
		if (s->ledger_ready && s->incremental) {
			if (pd_ledger_durable(&s->ledger) || pd_ledger_flush(&s->ledger) ||
			    pd_releaser_commit(&s->rel))
				return ledger_failed(s);
		}
		if (!s->ledger_ready) {
			pd_releaser_init(&s->rel, &s->map, s->journal, &s->backend, NULL,
					 s->o.page_size);
			s->rel.on_release = on_release;
			s->rel.on_release_arg = s;
		}
		/* Whole areas: the kernel frees what is left, straddling pages
		 * included, and ends the dump when the last byte goes. */
		if (final_area(s, s->boot.cpu.addr, s->boot.cpu.len) ||
		    final_area(s, s->boot.hpte.addr, s->boot.hpte.len))
			return ledger_failed(s);
		for (i = 0; i < s->boot.ndump; i++)
			if (final_area(s, s->boot.dump[i].addr, s->boot.dump[i].len))
				return ledger_failed(s);
		if (s->journal && pd_journal_add_final(s->journal, "release_region", &s->err))
			return fail(s, NULL);
		s->returned = s->reserved_start;
		return 0;
	}
	if (s->mode == REL_AT_END) {
		if (pd_journal_add_final(s->journal, "release_mem", &s->err) ||
		    pd_backend_release_all(&s->backend, &s->boot, &s->err))
			return fail(s, "Release the memory by hand: echo 1 > /sys/kernel/fadump/release_mem");
		s->returned = s->reserved_start;
		pd_timeline_release(&s->tl, 0, s->reserved_start, 0);
		if (!s->t_half)
			s->t_half = pd_now() - s->t0;
		if (!s->t_ninety)
			s->t_ninety = pd_now() - s->t0;
	}
	return 0;
}

static int run_capture(struct save *s, char **argv)
{
	unsigned char *buf;
	size_t bufsize = 1 << 20;
	struct pd_progress_sample ps;
	int rc = 0;

	buf = malloc(bufsize);
	if (!buf)
		return pd_fail(&s->err, "out of memory"), fail(s, NULL);
	if (pd_collector_start(&s->col, argv, s->log_fd, &s->err)) {
		free(buf);
		return fail(s, NULL);
	}
	s->last_sync = pd_now();
	for (;;) {
		ssize_t n = read(s->col.out, buf, bufsize);

		if (interrupted) {
			pd_fail(&s->err, "interrupted by signal %d", (int)interrupted);
			rc = fail(s, "Run phypdump save again if no memory was released; see 'phypdump status'.");
			break;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			pd_fail_errno(&s->err, errno, "reading the collector's output failed");
			rc = fail(s, NULL);
			break;
		}
		if (n == 0)
			break;
		if (pd_flat_feed(&s->parser, buf, (size_t)n)) {
			if (!s->failed) {
				s->err = s->parser.error;
				fail(s, "The collector's output is not a valid flattened dump; check its options\n"
				     "and makedumpfile.log in the dump directory.");
			}
			rc = -1;
			break;
		}
		if (s->w.unsynced >= s->o.sync_bytes ||
		    (s->w.unsynced && pd_now() - s->last_sync >= s->o.sync_seconds)) {
			if (sync_now(s)) {
				rc = -1;
				break;
			}
		}
		/* One journal sync for everything this chunk made releasable. */
		if (s->ledger_ready && pd_releaser_commit(&s->rel)) {
			rc = ledger_failed(s);
			break;
		}
		sample(s, &ps);
		pd_progress_update(&s->prog, &ps, false);
	}
	free(buf);
	if (rc) {
		pd_collector_kill(&s->col);
		pd_collector_wait(&s->col, &(struct pd_error){ 0 });
		return rc;
	}
	if (pd_collector_wait(&s->col, &s->err))
		return fail(s, "See makedumpfile.log in the dump directory for the collector's messages.");
	if (pd_flat_finish(&s->parser)) {
		s->err = s->parser.error;
		return fail(s, "The collector stopped before the end of the dump; see makedumpfile.log.");
	}
	sample(s, &ps);
	pd_progress_update(&s->prog, &ps, true);
	pd_progress_done(&s->prog);
	return 0;
}

static uint64_t class_count(const char *log, const char *label)
{
	const char *p = strstr(log, label);

	if (!p)
		return UINT64_MAX;
	p = strchr(p, ':');
	return p ? strtoull(p + 1, NULL, 0) : UINT64_MAX;
}

static void summary(struct save *s, bool ok)
{
	static const char *const classes[][2] = {
		{ "zero", "Pages filled with zero" }, { "cache", "Non-private cache pages" },
		{ "cache_private", "Private cache pages" }, { "user", "User process data pages" },
		{ "free", "Free pages" }, { "hwpoison", "Hwpoison pages" }, { "offline", "Offline pages" },
		{ "remaining", "Remaining pages" }, { "total", "Total pages" },
	};
	char logp[PATH_MAX + 32], *log = NULL, ret[32], res[32], size[32];
	double total = (s->t_end ? s->t_end : pd_now()) - s->t0;
	FILE *f;
	size_t i;

	snprintf(logp, sizeof(logp), "%s/makedumpfile.log", s->dumpdir);
	f = fopen(logp, "r");
	if (f) {
		log = calloc(1, 1 << 20);
		if (log)
			(void)!fread(log, 1, (1 << 20) - 1, f);
		fclose(f);
	}
	pd_human_bytes(ret, sizeof(ret), s->returned);
	pd_human_bytes(res, sizeof(res), s->reserved_start);
	pd_human_bytes(size, sizeof(size), s->w.size);
	if (s->o.json) {
		printf("{\"ok\":%s,", ok ? "true" : "false");
		printf("\"dump\":");
		json_str(stdout, ok ? s->w.final_path : s->w.path);
		printf(",\"dump_bytes\":%" PRIu64 ",\"release\":", s->w.size);
		json_str(stdout, s->mode_why ? s->mode_why : "none");
		printf(",\"cycles\":%s,", !s->track.cycles_known ? "null" :
		       s->track.single_cycle ? "\"one\"" : "\"several\"");
		printf("\"pages\":{\"excluded\":%" PRIu64 ",\"dumpable\":%" PRIu64 ",\"written\":%" PRIu64
		       ",\"zero_written\":%" PRIu64, s->track.excluded_pfns, s->track.dumpable_pfns,
		       s->track.written_pfns, s->track.zero_pages);
		for (i = 0; log && i < sizeof(classes) / sizeof(classes[0]); i++) {
			uint64_t v = class_count(log, classes[i][1]);

			if (v != UINT64_MAX)
				printf(",\"%s\":%" PRIu64, classes[i][0], v);
		}
		printf("},\"reserved_bytes_at_start\":%" PRIu64 ",\"returned_bytes\":%" PRIu64
		       ",\"release_writes\":%" PRIu64 ",\"syncs\":%" PRIu64 ",\"seconds\":%.3f",
		       s->reserved_start, s->returned, s->backend.writes, s->w.syncs, total);
		{
			struct rusage ru;

			getrusage(RUSAGE_SELF, &ru);
			printf(",\"peak_rss_kib\":%ld", ru.ru_maxrss);
		}
		printf(",\"half_returned_at\":");
		if (s->t_half)
			printf("%.3f", s->t_half);
		else
			printf("null");
		printf(",\"ninety_returned_at\":");
		if (s->t_ninety)
			printf("%.3f", s->t_ninety);
		else
			printf("null");
		if (!ok) {
			printf(",\"error\":");
			json_str(stdout, s->err.msg);
		}
		printf("}\n");
	}
	if (ok) {
		fprintf(stderr, "phypdump save: dump saved: %s (%s)\n", s->w.final_path, size);
		fprintf(stderr, "  pages:    %" PRIu64 " excluded, %" PRIu64 " written (%" PRIu64
			" of them zero)\n", s->track.excluded_pfns, s->track.written_pfns,
			s->track.zero_pages);
		for (i = 0; log && i < sizeof(classes) / sizeof(classes[0]); i++) {
			uint64_t v = class_count(log, classes[i][1]);

			if (v != UINT64_MAX && v)
				fprintf(stderr, "            %-26s %" PRIu64 "\n", classes[i][1], v);
		}
		fprintf(stderr, "  memory:   %s of %s returned in %" PRIu64 " release writes", ret, res,
			s->backend.writes);
		if (s->t_half && total > 0)
			fprintf(stderr, "; half back after %.1fs (%.0f%% of the run), 90%% after %.1fs",
				s->t_half, 100 * s->t_half / total, s->t_ninety);
		fprintf(stderr, "\n  release:  %s%s\n", s->mode_why ? s->mode_why : "none",
			!s->track.cycles_known || s->mode != REL_INCREMENTAL ? "" :
			s->incremental_stopped ? " (stopped early, see above)" :
			s->track.single_cycle ? "; one makedumpfile cycle: written pages went back once synced" :
			"; several makedumpfile cycles: written pages were held to the end");
		fprintf(stderr, "  time:     %.1fs\n", total);
	}
	free(log);
}

static int setup(struct save *s, int argc, char **argv)
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
		{ "page-size", required_argument, NULL, 'p' },
		{ "no-dmesg", no_argument, NULL, 'g' },
		{ "json", no_argument, NULL, 'J' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	s->o.root = "/";
	s->o.collector = DEFAULT_COLLECTOR;
	/* 1 MiB, not the ledger's 16: on the 8 GiB fixture runs of at least
	 * 1 MiB hold 98.7% of the excluded pages (338 writes), runs of 16 MiB
	 * only 81.8%; the rest would wait for the end. */
	s->o.min_release = 1 << 20;
	s->o.sync_bytes = 32 << 20;
	s->o.sync_seconds = 1.0;
	s->o.page_size = (uint64_t)sysconf(_SC_PAGESIZE);
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'r': s->o.root = optarg; break;
		case 'v': s->o.vmcore = optarg; break;
		case 'c': s->o.collector = optarg; break;
		case 'j': s->o.journal = optarg; break;
		case 'n': s->o.no_release = true; break;
		case 'D': s->o.dry_run = true; break;
		case 'g': s->o.no_dmesg = true; break;
		case 'J': s->o.json = true; break;
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
		snprintf(s->dumpdir, sizeof(s->dumpdir), "%s", argv[optind]);
	else
		default_dumpdir(s);
	if (s->o.vmcore)
		snprintf(s->vmcore, sizeof(s->vmcore), "%s", s->o.vmcore);
	else
		root_path(s->vmcore, sizeof(s->vmcore), s->o.root, "proc/vmcore");
	return -1;
}

static void report_failure(struct save *s)
{
	char ret[32], left[32];

	pd_progress_done(&s->prog);
	pd_human_bytes(ret, sizeof(ret), s->returned);
	pd_human_bytes(left, sizeof(left), s->reserved_start - s->returned);
	fprintf(stderr, "phypdump save: FAILED: %s\n", s->err.msg);
	if (s->w.fd >= 0 || s->w.bytes)
		fprintf(stderr, "phypdump save: %s is incomplete (marked so in its header).\n", s->w.path);
	if (s->reserved_start)
		fprintf(stderr, "phypdump save: %s of dump memory was released (all of it saved or filtered"
			" out);\nphypdump save: %s stays reserved.\n", ret, left);
	if (s->hint)
		fprintf(stderr, "%s\n", s->hint);
}

int cmd_save(int argc, char **argv)
{
	struct save *s = calloc(1, sizeof(*s));
	struct sigaction sa;
	char **cargv = NULL, path[PATH_MAX + 32];
	int rc, ok = 0;
	struct pd_kdump_events ev = { ev_excluded, ev_written, NULL };

	if (!s) {
		fprintf(stderr, "phypdump save: out of memory\n");
		return 1;
	}
	s->w.fd = -1;
	s->log_fd = -1;
	s->col.pid = -1;
	rc = setup(s, argc, argv);
	if (rc >= 0)
		goto out_free;
	rc = PD_EXIT_REFUSED;
	if (pd_dump_state_read(s->o.root, s->o.journal, &s->st, &s->err)) {
		fprintf(stderr, "phypdump save: %s\nphypdump save: refusing to read or release anything.\n",
			s->err.msg);
		goto out_state;
	}
	if (!s->st.holds_dump && !s->o.vmcore) {
		fprintf(stderr, "phypdump save: this boot holds no firmware-assisted dump "
			"(no %s device tree node with /proc/vmcore); nothing to save.\n",
			"ibm,kernel-dump or ibm,dump-kernel");
		rc = PD_EXIT_NO_DUMP;
		goto out_state;
	}
	if (access(s->vmcore, R_OK)) {
		fprintf(stderr, "phypdump save: cannot read %s: %s\n", s->vmcore, strerror(errno));
		rc = PD_EXIT_NO_DUMP;
		goto out_state;
	}
	/* The areas at the start of this dump: from the journal if one was
	 * begun on this boot, else from release_region now. */
	if (s->st.journal_rc == 0 && !s->st.journal_stale) {
		s->have_boot = !pd_rr_copy(&s->boot, &s->st.journal.layout);
	} else if (s->st.have_line) {
		s->have_boot = !pd_rr_copy(&s->boot, &s->st.current);
	}
	s->reserved_start = s->st.reserved_known ? s->st.reserved_bytes : 0;
	cargv = pd_collector_argv(s->o.collector, s->vmcore, &s->err);
	if (!cargv) {
		fprintf(stderr, "phypdump save: %s\n", s->err.msg);
		rc = PD_EXIT_USAGE;
		goto out_state;
	}
	if (plan_release(s))
		goto fail_early;
	if (s->mode == REL_INCREMENTAL && !s->have_boot) {
		pd_fail(&s->err, "release_region is there but its areas could not be read");
		goto fail_early;
	}
	if (pd_dump_writer_open(&s->w, s->dumpdir, "vmcore", &s->err)) {
		fail(s, "Choose a dump directory on a writable file system.");
		goto fail_early;
	}
	if (open_journal(s)) {
		/* Nothing was written yet: do not leave an empty file behind. */
		unlink(s->w.path);
		rmdir(s->dumpdir);
		goto fail_early;
	}

	s->t0 = pd_now();
	snprintf(path, sizeof(path), "%s/release-timeline.jsonl", s->dumpdir);
	pd_timeline_open(&s->tl, path, s->t0, s->reserved_start);
	pd_progress_init(&s->prog, stderr, s->t0);
	snprintf(path, sizeof(path), "%s/makedumpfile.log", s->dumpdir);
	s->log_fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_APPEND, 0600);
	fprintf(stderr, "phypdump save: %s -> %s\nphypdump save: release: %s\n", s->vmcore,
		s->w.final_path, s->mode_why);

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	if (!s->o.no_dmesg) {
		struct pd_error e;

		snprintf(path, sizeof(path), "%s/vmcore-dmesg.txt", s->dumpdir);
		if (pd_dump_dmesg(cargv[0], s->vmcore, path, s->log_fd, &e))
			fprintf(stderr, "phypdump save: warning: the crashed kernel's log was not saved: %s\n",
				e.msg);
	}
	ev.arg = s;
	pd_kdump_track_init(&s->track, s->w.fd, &ev);
	pd_flat_init(&s->parser, on_data, s);
	if (run_capture(s, cargv) || sync_now(s))
		goto fail_late;
	if (!s->track.have_header || !s->track.have_sub) {
		pd_fail(&s->err, "the collector's dump has no kdump header");
		fail(s, "Use a kdump-compressed collector (makedumpfile without -E).");
		goto fail_late;
	}
	if (pd_dump_writer_finish(&s->w, &s->err))
		goto fail_late;
	if (final_release(s))
		goto fail_done;
	s->t_end = pd_now();
	pd_timeline_end(&s->tl, s->reserved_start - s->returned, true);
	summary(s, true);
	ok = 1;
	rc = PD_EXIT_OK;
	goto out;

fail_late:
	pd_dump_writer_abandon(&s->w);
fail_done:
	s->t_end = pd_now();
	pd_timeline_end(&s->tl, s->reserved_start - s->returned, false);
	report_failure(s);
	summary(s, false);
	rc = 1;
	goto out;
fail_early:
	fprintf(stderr, "phypdump save: %s\n", s->err.msg);
	if (s->hint)
		fprintf(stderr, "%s\n", s->hint);
	rc = PD_EXIT_REFUSED;
out:
	(void)ok;
	pd_timeline_close(&s->tl);
	if (s->log_fd >= 0)
		close(s->log_fd);
	if (s->ledger_ready)
		pd_ledger_free(&s->ledger);
	pd_releaser_free(&s->rel);
	pd_kdump_track_free(&s->track);
	if (s->journal)
		pd_journal_close(s->journal);
	if (s->have_backend)
		pd_backend_close(&s->backend);
	pd_map_free(&s->map);
	pd_rr_free(&s->boot);
out_state:
	pd_argv_free(cargv);
	pd_dump_state_free(&s->st);
out_free:
	if (s->w.fd >= 0)
		pd_dump_writer_abandon(&s->w);
	free(s);
	return rc;
}

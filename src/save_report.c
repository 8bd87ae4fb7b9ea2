/* SPDX-License-Identifier: GPL-2.0-or-later */
/* save_report.c — what phypdump save tells the user: progress of memory
 * coming back, the summary (text or JSON), and what holds after a failure. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "json_out.h"
#include "save.h"
#include "stall.h"
#include "units.h"

/* Observer: every successful release. */
void save_on_release(void *arg, uint64_t addr, uint64_t len)
{
	struct save *s = arg;
	uint64_t ret = s->cap.returned, res = s->cap.reserved_start;
	double el = pd_now() - s->t0;

	pd_timeline_release(&s->tl, addr, len, res - (ret > res ? res : ret));
	if (!s->t_half && ret * 2 >= res)
		s->t_half = el;
	if (!s->t_ninety && ret * 10 >= res * 9)
		s->t_ninety = el;
}

/* Observer: re-arming. */
void save_on_rearm(void *arg, enum pd_rearm_state st, const struct pd_error *why)
{
	struct save *s = arg;

	switch (st) {
	case PD_REARM_ARMED:
		s->t_rearmed = pd_now() - s->t0;
		if (s->t_rearmed <= 0)
			s->t_rearmed = 1e-6;
		s->rearm = "armed";
		if (why)
			fprintf(stderr, "phypdump save: %s: a crash is captured\n", why->msg);
		else
			fprintf(stderr, "phypdump save: re-armed: a crash from now on is captured (%.1f s after "
				"the start)\n", s->t_rearmed);
		break;
	case PD_REARM_ABSENT:
		s->rearm = "absent";
		fprintf(stderr, "phypdump save: this kernel has no rearm file (sys/kernel/fadump/rearm): a crash "
			"before the dump ends is not captured\n");
		break;
	default:
		s->rearm = "failed";
		fprintf(stderr, "phypdump save: re-arming failed: %s.\nphypdump save: the save goes on; until "
			"re-armed, a crash before the dump ends is not captured\n", why ? why->msg : "?");
		break;
	}
}

static uint64_t class_count(const char *log, const char *label)
{
	const char *p = strstr(log, label);

	if (!p)
		return UINT64_MAX;
	p = strchr(p, ':');
	return p ? strtoull(p + 1, NULL, 0) : UINT64_MAX;
}

void save_summary(struct save *s, bool ok)
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
	pd_stall_begin("read", logp);	/* in the dump directory: watched */
	f = fopen(logp, "r");
	if (f) {
		log = calloc(1, 1 << 20);
		if (log)
			(void)!fread(log, 1, (1 << 20) - 1, f);
		fclose(f);
	}
	pd_stall_end();
	pd_human_bytes(ret, sizeof(ret), s->cap.returned);
	pd_human_bytes(res, sizeof(res), s->cap.reserved_start);
	pd_human_bytes(size, sizeof(size), s->w.size);
	if (s->o.json) {
		printf("{\"ok\":%s,", ok ? "true" : "false");
		printf("\"dump\":");
		json_str(stdout, ok ? s->w.final_path : s->w.path);
		printf(",\"dump_bytes\":%" PRIu64 ",\"release\":", s->w.size);
		json_str(stdout, s->cap.mode_why ? s->cap.mode_why : "none");
		printf(",\"resumed\":%s", s->cap.resume ? "true" : "false");
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
		       s->cap.reserved_start, s->cap.returned, s->cap.backend.writes, s->w.syncs, total);
		{
			struct rusage ru;

			getrusage(RUSAGE_SELF, &ru);
			printf(",\"peak_rss_kib\":%ld", ru.ru_maxrss);
		}
		printf(",\"page_size\":%" PRIu64 ",\"scan_done_at\":%.3f,\"stream_done_at\":%.3f",
		       (uint64_t)s->track.block_size, s->t_scanned, s->t_streamed);
		{
			uint64_t chk, unchk;
			double secs;
			bool on = pd_capture_check_stats(&s->cap, &chk, &unchk, &secs);

			printf(",\"page_check\":{\"on\":%s,\"pages\":%" PRIu64 ",\"unchecked\":%" PRIu64
			       ",\"seconds\":%.3f}", on ? "true" : "false", chk, unchk, secs);
		}
		printf(",\"rearm\":");
		json_str(stdout, s->rearm ? s->rearm : "blocked");
		printf(",\"rearmed_at\":");
		if (s->t_rearmed)
			printf("%.3f", s->t_rearmed);
		else
			printf("null");
		printf(",\"earlier_dump\":");
		if (s->earlier)
			json_str(stdout, s->earlier);
		else
			printf("null");
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
			s->cap.backend.writes);
		if (s->t_half && total > 0)
			fprintf(stderr, "; half back after %.1fs (%.0f%% of the run), 90%% after %.1fs",
				s->t_half, 100 * s->t_half / total, s->t_ninety);
		fprintf(stderr, "\n  release:  %s%s\n", s->cap.mode_why ? s->cap.mode_why : "none",
			!s->track.cycles_known || s->cap.mode != PD_CAPTURE_INCREMENTAL ? "" :
			s->track.single_cycle ? "; one makedumpfile cycle: written pages went back once synced" :
			"; several makedumpfile cycles: written pages were held to the end");
		uint64_t chk, unchk;
		double secs;

		if (pd_capture_check_stats(&s->cap, &chk, &unchk, &secs)) {
			fprintf(stderr, "  checked:  %" PRIu64 " written pages equal the vmcore before their "
				"memory went back (%.1fs)", chk, secs);
			if (unchk)
				fprintf(stderr, "; %" PRIu64 " compressed pages unchecked (no decompressors "
					"in this build)", unchk);
			fprintf(stderr, "\n");
		}
		if (s->t_rearmed && total > 0)
			fprintf(stderr, "  re-armed: after %.1fs (%.0f%% of the run)\n", s->t_rearmed,
				100 * s->t_rearmed / total);
		fprintf(stderr, "  time:     %.1fs\n", total);
	}
	free(log);
}

void save_report_failure(struct save *s)
{
	char ret[32], left[32];
	uint64_t res = s->cap.reserved_start, r = s->cap.returned;

	pd_progress_done(&s->prog);
	pd_human_bytes(ret, sizeof(ret), r);
	pd_human_bytes(left, sizeof(left), res - (r > res ? res : r));
	fprintf(stderr, "phypdump save: FAILED: %s\n", s->err.msg);
	if (s->renamed && !s->damaged)
		fprintf(stderr, "phypdump save: the dump itself is complete: %s\n", s->w.final_path);
	else if (s->w.fd >= 0 || s->w.bytes)
		fprintf(stderr, "phypdump save: %s is incomplete (marked so in its header);\n"
			"phypdump save: run phypdump save again to finish it.\n", s->w.path);
	if (res)
		fprintf(stderr, "phypdump save: %s of dump memory was released by this run (all of it saved"
			" or filtered out);\nphypdump save: %s stays reserved.\n", ret, left);
	if (s->hint)
		fprintf(stderr, "%s\n", s->hint);
}

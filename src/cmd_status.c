/* SPDX-License-Identifier: GPL-2.0-or-later */
/* phypdump status — what this boot holds. */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <unistd.h>
#include <string.h>

#include "commands.h"
#include "fileio.h"
#include "dump_state.h"
#include "json_out.h"
#include "progress.h"
#include "rearm.h"

static void status_usage(FILE *f)
{
	fprintf(f,
		"Usage: phypdump status [--root DIR] [--journal FILE] [--json]\n"
		"\n"
		"Tell whether this boot holds a firmware-assisted dump, its CPU, HPTE and\n"
		"DUMP areas, how much memory is still reserved, how it can be released\n"
		"(incremental, all at once, none) and the journal's progress.\n"
		"\n"
		"  --root DIR      look for /proc and /sys under DIR (default /)\n"
		"  --journal FILE  the release journal (default ROOT/%s)\n"
		"  --json          one JSON object instead of text\n"
		"\n"
		"Exit status: 0 a dump is held, 2 usage error, 3 the kernel's files or the\n"
		"journal could not be read, 4 no dump is held, 5 an OPAL dump boot (a dump\n"
		"phypdump does not save).\n",
		PD_DEFAULT_JOURNAL);
}

static const char *tri(int v)
{
	return v < 0 ? "unknown" : v ? "1" : "0";
}

static void print_area(const char *name, const struct pd_range *r)
{
	char h[32];

	pd_human_bytes(h, sizeof(h), r->len);
	printf("  %-17s 0x%" PRIx64 " + 0x%" PRIx64 " (%" PRIu64 " bytes, %s)\n",
	       name, r->addr, r->len, r->len, h);
}

/* Bytes the journal says are durable in the partial dump files. */
static uint64_t saved_bytes(const struct pd_journal_state *js)
{
	uint64_t n = 0;
	size_t i, k;

	for (i = 0; i < js->ntargets; i++)
		for (k = 0; k < js->targets[i].nsaved; k++)
			n += js->targets[i].saved[k].len;
	return n;
}

/* Re-arming: the kernel's state, and an earlier dump's. */
struct rearm_info {
	enum pd_rearm_state kernel;
	bool pending;			/* an earlier re-armed dump waits to be finished */
	char dir[PATH_MAX];		/* its directory */
	char why[512];			/* how it is known to be earlier */
	char result[PATH_MAX + 600];	/* what became of the last one, or "" */
};

static void rearm_info(const struct pd_dump_state *s, struct rearm_info *ri)
{
	const struct pd_journal_state *js = &s->journal;
	char path[PATH_MAX + 16], vm[PATH_MAX];
	struct pd_error e;

	memset(ri, 0, sizeof(*ri));
	if (!s->det.rearm[0] || pd_rearm_read_state(s->det.rearm, &ri->kernel, NULL, 0, &e))
		ri->kernel = PD_REARM_ABSENT;
	snprintf(path, sizeof(path), "%s.earlier", s->journal_path);
	if (pd_read_small(path, ri->result, sizeof(ri->result)) < 0)
		ri->result[0] = 0;
	if (s->journal_rc != 0 || !js->rearmed || js->final || js->finished || !js->target[0])
		return;
	pd_path_join(vm, sizeof(vm), s->det.root, "proc/vmcore");
	if (access(vm, R_OK) || pd_rearm_is_earlier_dump(js, s->boot_id, s->have_line ? &s->current : NULL,
							 vm, ri->why, sizeof(ri->why), &e) != 1)
		return;
	ri->pending = true;
	pd_dir_of(ri->dir, sizeof(ri->dir), js->target);
}

/* An earlier save of this dump released memory and did not finish. */
static bool resumable(const struct pd_dump_state *s, const struct rearm_info *ri)
{
	return s->journal_rc == 0 && !s->journal_stale && !s->journal.final && s->holds_dump &&
	       !ri->pending && pd_rangeset_total(&s->journal.released);
}

static void print_text(const struct pd_dump_state *s, const struct rearm_info *ri)
{
	const struct pd_detect *d = &s->det;
	enum pd_release_mechanism m = pd_detect_mechanism(d);
	char h[32];
	size_t i;

	if (s->holds_dump)
		printf("This boot holds a firmware-assisted dump.\n");
	else if (d->dump_boot)
		printf("This is a dump boot, but its dump is no longer held (released or never exported).\n");
	else
		printf("This boot holds no dump.\n");
	printf("  %-17s %s\n", "root:", d->root);
	printf("  %-17s %s\n", "dump boot:", d->dump_boot ? d->dump_node : "no");
	printf("  %-17s %s\n", "firmware support:",
	       d->fw_support ? "yes (ibm,configure-kernel-dump)" : "no");
	printf("  %-17s enabled=%s registered=%s%s\n", "fadump:", tri(d->fadump_enabled),
	       tri(d->fadump_registered), d->sysfs_legacy ? " (legacy sysfs names)" : "");
	printf("  %-17s %s\n", "/proc/vmcore:", d->have_vmcore ? "present" : "absent");
	if (s->have_line) {
		print_area("CPU area:", &s->current.cpu);
		print_area("HPTE area:", &s->current.hpte);
		printf("  %-17s %zu range%s\n", "DUMP areas:", s->current.ndump,
		       s->current.ndump == 1 ? "" : "s");
		for (i = 0; i < s->current.ndump; i++) {
			const struct pd_range *r = &s->current.dump[i];

			pd_human_bytes(h, sizeof(h), r->len);
			printf("    0x%" PRIx64 " + 0x%" PRIx64 " (%s)", r->addr, r->len, h);
			if (r->src != r->addr)
				printf(", copy of crashed memory at 0x%" PRIx64, r->src);
			printf("\n");
		}
		if (s->current.overlapping)
			printf("  WARNING: the areas overlap in reserved memory; phypdump will not release\n"
			       "  memory from this layout (it could free dump content). Check the kernel.\n");
	}
	if (s->reserved_known) {
		pd_human_bytes(h, sizeof(h), s->reserved_bytes);
		printf("  %-17s %" PRIu64 " bytes (%s)%s\n", "still reserved:", s->reserved_bytes, h,
		       s->have_line ? "" : ", from mem_reserved");
	} else if (s->holds_dump) {
		printf("  %-17s unknown\n", "still reserved:");
	}
	printf("  %-17s %s", "release:", pd_mechanism_name(m));
	if (m == PD_RELEASE_INCREMENTAL)
		printf(" (%s)", d->release_region);
	else if (m == PD_RELEASE_ALL_AT_ONCE)
		printf(" (%s)", d->release_mem);
	printf("\n");
	if (s->journal_rc == 1) {
		printf("  %-17s none at %s\n", "journal:", s->journal_path);
	} else if (s->journal_rc < 0) {
		printf("  %-17s DAMAGED: %s\n", "journal:", s->journal_err.msg);
	} else {
		uint64_t done = pd_rangeset_total(&s->journal.released);
		uint64_t total = pd_rr_reserved_bytes(&s->journal.layout);

		pd_human_bytes(h, sizeof(h), done);
		printf("  %-17s %s: %" PRIu64 " release%s, %" PRIu64 " bytes (%s) released",
		       "journal:", s->journal_path, s->journal.releases,
		       s->journal.releases == 1 ? "" : "s", done, h);
		if (total)
			printf(", %.1f%% of %" PRIu64, 100.0 * (double)done / (double)total, total);
		if (s->journal.final)
			printf(", finished (%s)", s->journal.final_how);
		if (s->journal.torn_tail)
			printf(", last record torn (never issued)");
		if (s->journal_stale)
			printf(", from an earlier boot (stale)");
		printf("\n");
		if (resumable(s, ri)) {
			char sv[32];

			pd_human_bytes(sv, sizeof(sv), saved_bytes(&s->journal));
			printf("  %-17s an interrupted save: %s of its dump file durable and checksummed\n"
			       "  %-17s (%s); 'phypdump save' finishes it (collector \"%s\")\n",
			       "resumable:", sv, "", s->journal.target,
			       s->journal.collector[0] ? s->journal.collector : "?");
		}
	}
	if (ri->kernel != PD_REARM_ABSENT)
		printf("  %-17s %s%s\n", "rearm:", pd_rearm_state_name(ri->kernel),
		       ri->kernel == PD_REARM_ARMED ? " (re-armed: a crash from now on is captured)" :
		       ri->kernel == PD_REARM_READY ? " (phypdump save re-arms now)" : "");
	if (ri->pending)
		printf("  %-17s the dump in %s was re-armed by boot %s and not finished (%s);\n"
		       "  %-17s 'phypdump save' finishes it from this boot's dump first, then saves this one\n",
		       "earlier dump:", ri->dir, s->journal.rearm_boot_id, ri->why, "");
	else if (ri->result[0])
		printf("  %-17s %s\n", "earlier dump:", ri->result);
}

static void json_area(const char *name, const struct pd_range *r, int with_src)
{
	printf("\"%s\":{\"addr\":%" PRIu64 ",\"len\":%" PRIu64, name, r->addr, r->len);
	if (with_src)
		printf(",\"src\":%" PRIu64, r->src);
	printf("}");
}

static void json_flag(const char *name, int v)
{
	printf("\"%s\":", name);
	if (v < 0)
		printf("null");
	else
		printf("%d", v);
}

static void print_json(const struct pd_dump_state *s, const struct rearm_info *ri)
{
	const struct pd_detect *d = &s->det;
	enum pd_release_mechanism m = pd_detect_mechanism(d);
	size_t i;

	printf("{\"holds_dump\":%s,\"root\":", s->holds_dump ? "true" : "false");
	json_str(stdout, d->root);
	printf(",\"dump_boot\":%s,\"dump_node\":", d->dump_boot ? "true" : "false");
	if (d->dump_boot)
		json_str(stdout, d->dump_node);
	else
		printf("null");
	printf(",\"firmware_support\":%s,\"fadump\":{", d->fw_support ? "true" : "false");
	json_flag("enabled", d->fadump_enabled);
	printf(",");
	json_flag("registered", d->fadump_registered);
	printf(",\"legacy_sysfs\":%s},\"vmcore\":%s,\"areas\":",
	       d->sysfs_legacy ? "true" : "false", d->have_vmcore ? "true" : "false");
	if (s->have_line) {
		printf("{");
		json_area("cpu", &s->current.cpu, 0);
		printf(",");
		json_area("hpte", &s->current.hpte, 0);
		printf(",\"dump\":[");
		for (i = 0; i < s->current.ndump; i++) {
			printf("%s{\"addr\":%" PRIu64 ",\"len\":%" PRIu64 ",\"src\":%" PRIu64 "}",
			       i ? "," : "", s->current.dump[i].addr, s->current.dump[i].len,
			       s->current.dump[i].src);
		}
		printf("],\"overlapping\":%s}", s->current.overlapping ? "true" : "false");
	} else {
		printf("null");
	}
	printf(",\"reserved_bytes\":");
	if (s->reserved_known)
		printf("%" PRIu64, s->reserved_bytes);
	else
		printf("null");
	printf(",\"release\":");
	json_str(stdout, pd_mechanism_name(m));
	printf(",\"release_path\":");
	if (m == PD_RELEASE_INCREMENTAL)
		json_str(stdout, d->release_region);
	else if (m == PD_RELEASE_ALL_AT_ONCE)
		json_str(stdout, d->release_mem);
	else
		printf("null");
	printf(",\"journal\":");
	if (s->journal_rc == 1) {
		printf("null");
	} else if (s->journal_rc < 0) {
		printf("{\"path\":");
		json_str(stdout, s->journal_path);
		printf(",\"error\":");
		json_str(stdout, s->journal_err.msg);
		printf("}");
	} else {
		printf("{\"path\":");
		json_str(stdout, s->journal_path);
		printf(",\"releases\":%" PRIu64 ",\"released_bytes\":%" PRIu64
		       ",\"layout_bytes\":%" PRIu64 ",\"final\":%s,\"torn_tail\":%s,\"stale\":%s",
		       s->journal.releases, pd_rangeset_total(&s->journal.released),
		       pd_rr_reserved_bytes(&s->journal.layout), s->journal.final ? "true" : "false",
		       s->journal.torn_tail ? "true" : "false", s->journal_stale ? "true" : "false");
		printf(",\"resumable\":%s,\"saved_bytes\":%" PRIu64 ",\"target\":",
		       resumable(s, ri) ? "true" : "false", saved_bytes(&s->journal));
		json_str(stdout, s->journal.target);
		printf(",\"collector\":");
		json_str(stdout, s->journal.collector);
		printf("}");
	}
	printf(",\"rearm\":");
	if (ri->kernel == PD_REARM_ABSENT)
		printf("null");
	else
		json_str(stdout, pd_rearm_state_name(ri->kernel));
	printf(",\"earlier_dump\":{\"pending\":%s,\"dir\":", ri->pending ? "true" : "false");
	if (ri->pending)
		json_str(stdout, ri->dir);
	else
		printf("null");
	printf(",\"result\":");
	if (ri->result[0])
		json_str(stdout, ri->result);
	else
		printf("null");
	printf("}}\n");
}

int cmd_status(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "root", required_argument, NULL, 'r' },
		{ "journal", required_argument, NULL, 'j' },
		{ "json", no_argument, NULL, 'J' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *root = "/", *journal = NULL;
	struct pd_dump_state s;
	struct rearm_info ri;
	struct pd_error err;
	int json = 0, c, rc;

	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'r':
			root = optarg;
			break;
		case 'j':
			journal = optarg;
			break;
		case 'J':
			json = 1;
			break;
		case 'h':
			status_usage(stdout);
			return PD_EXIT_OK;
		default:
			status_usage(stderr);
			return PD_EXIT_USAGE;
		}
	}
	if (optind != argc) {
		fprintf(stderr, "phypdump status: unexpected argument '%s'\n", argv[optind]);
		return PD_EXIT_USAGE;
	}
	if (pd_dump_state_read(root, journal, &s, &err)) {
		fprintf(stderr,
			"phypdump status: %s\n"
			"The dump's state cannot be read, so nothing should be released. Check that\n"
			"the kernel exports release_region in the documented format (phypdump(8)).\n",
			err.msg);
		pd_dump_state_free(&s);
		return PD_EXIT_REFUSED;
	}
	rearm_info(&s, &ri);
	if (json)
		print_json(&s, &ri);
	else
		print_text(&s, &ri);
	rc = s.journal_rc < 0 ? PD_EXIT_REFUSED : s.holds_dump ? PD_EXIT_OK : PD_EXIT_NO_DUMP;
	{
		char opal[PATH_MAX];

		/* An OPAL (PowerNV) memory-preserving dump boot: a dump is held
		 * that phypdump does not save (the stock capture does). */
		pd_path_join(opal, sizeof(opal), s.det.root, "proc/device-tree/ibm,opal/dump/mpipl-boot");
		if (rc != PD_EXIT_REFUSED && !access(opal, F_OK)) {
			fprintf(stderr, "phypdump status: this is an OPAL (PowerNV) memory-preserving dump "
				"boot; phypdump saves pseries firmware-assisted dumps only: use the stock "
				"capture\n");
			rc = PD_EXIT_UNSUPPORTED;
		}
	}
	if (s.journal_rc < 0)
		fprintf(stderr,
			"phypdump status: the journal is damaged: %s\n"
			"It records which dump memory was already released; until it is repaired or\n"
			"moved away, 'phypdump save' will not run on this dump.\n",
			s.journal_err.msg);
	pd_dump_state_free(&s);
	return rc;
}

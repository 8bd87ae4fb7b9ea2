/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "dump_state.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fileio.h"

/*
 * Read and parse release_region: 0, 1 when it is gone, -1 with @err.  A line
 * longer than one read() is read in pieces, and a process releasing memory
 * meanwhile (a save in progress) can change it between them: a line that
 * does not parse is read again, and is malformed only when it reads the same
 * twice running (or still changes after PD_RR_READS reads).
 */
#define PD_RR_READS 4
static int read_release_region(const char *path, struct pd_rr *out, struct pd_error *err)
{
	char *prev = NULL;
	size_t prev_len = 0;
	struct pd_error sub;
	int rc = 0;

	for (int i = 0; i < PD_RR_READS; i++) {
		char *line;
		size_t len;
		bool same;

		rc = pd_read_file(path, (size_t)64 << 20, &line, &len);
		if (rc > 0)
			break;
		if (rc < 0) {
			pd_fail_errno(err, errno, "cannot read %s", path);
			break;
		}
		rc = pd_rr_parse(line, len, out, &sub);
		same = prev && prev_len == len && memcmp(prev, line, len) == 0;
		free(prev);
		prev = line;
		prev_len = len;
		if (rc == 0)
			break;
		if (same || i == PD_RR_READS - 1) {
			pd_fail(err, "%s: %s", path, sub.msg);
			break;
		}
	}
	free(prev);
	return rc;
}

int pd_dump_state_released_held(const struct pd_journal_state *js, const struct pd_rr *line,
				uint64_t *at)
{
	const struct pd_range *a[2] = { &line->cpu, &line->hpte };
	struct pd_rangeset now;
	int held = 0;
	size_t i;

	pd_rangeset_init(&now);
	for (i = 0; i < 2 && !held; i++)
		if (a[i]->len && pd_rangeset_add(&now, a[i]->addr, a[i]->addr + a[i]->len))
			held = -1;
	for (i = 0; i < line->ndump && !held; i++)
		if (line->dump[i].len &&
		    pd_rangeset_add(&now, line->dump[i].addr, line->dump[i].addr + line->dump[i].len))
			held = -1;
	for (i = 0; i < js->released_sure.n && !held; i++)
		if (pd_rangeset_intersects(&now, js->released_sure.iv[i].start, js->released_sure.iv[i].end)) {
			*at = js->released_sure.iv[i].start;
			held = 1;
		}
	pd_rangeset_free(&now);
	return held;
}

int pd_dump_state_read(const char *root, const char *journal_path,
		       struct pd_dump_state *s, struct pd_error *err)
{
	char path[PATH_MAX];
	int rc;

	memset(s, 0, sizeof(*s));
	pd_journal_state_init(&s->journal);
	if (pd_detect(root, &s->det, err))
		return -1;

	if (s->det.release_region[0]) {
		rc = read_release_region(s->det.release_region, &s->current, err);
		if (rc > 0)
			s->det.release_region[0] = 0;	/* went away meanwhile */
		else if (rc < 0)
			return -1;
		else
			s->have_line = true;
	}

	pd_path_join(path, sizeof(path), s->det.root, "proc/sys/kernel/random/boot_id");
	if (pd_read_small(path, s->boot_id, sizeof(s->boot_id)) < 0)
		s->boot_id[0] = 0;

	if (journal_path)
		snprintf(s->journal_path, sizeof(s->journal_path), "%s", journal_path);
	else
		pd_path_join(s->journal_path, sizeof(s->journal_path), s->det.root, PD_DEFAULT_JOURNAL);
	s->journal_rc = pd_journal_load(s->journal_path, &s->journal, &s->journal_err);
	if (s->journal_rc == 0 && s->boot_id[0] && strcmp(s->boot_id, s->journal.boot_id))
		s->journal_stale = true;
	/* Where the boot ids cannot tell (one is unknown), the memory can. */
	if (s->journal_rc == 0 && !s->journal_stale && s->have_line &&
	    (!s->boot_id[0] || !strcmp(s->journal.boot_id, "unknown"))) {
		uint64_t at;

		s->journal_stale = pd_dump_state_released_held(&s->journal, &s->current, &at) == 1;
	}

	s->holds_dump = s->det.dump_boot && (s->have_line || s->det.have_vmcore);
	if (s->have_line) {
		s->reserved_known = true;
		s->reserved_bytes = pd_rr_reserved_bytes(&s->current);
	} else if (s->holds_dump && s->det.mem_reserved >= 0) {
		s->reserved_known = true;
		s->reserved_bytes = (uint64_t)s->det.mem_reserved;
	}
	return 0;
}

void pd_dump_state_free(struct pd_dump_state *s)
{
	pd_rr_free(&s->current);
	pd_journal_state_free(&s->journal);
}

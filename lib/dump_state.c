#include "dump_state.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fileio.h"

static void root_join(char *out, size_t size, const char *root, const char *rel)
{
	size_t n = strlen(root);

	while (n && root[n - 1] == '/')
		n--;
	snprintf(out, size, "%.*s/%s", (int)n, root, rel);
}

int pd_dump_state_read(const char *root, const char *journal_path,
		       struct pd_dump_state *s, struct pd_error *err)
{
	char path[PATH_MAX], *line;
	size_t len;
	struct pd_error sub;
	int rc;

	memset(s, 0, sizeof(*s));
	pd_journal_state_init(&s->journal);
	if (pd_detect(root, &s->det, err))
		return -1;

	if (s->det.release_region[0]) {
		rc = pd_read_file(s->det.release_region, (size_t)64 << 20, &line, &len);
		if (rc > 0) {
			s->det.release_region[0] = 0;	/* went away meanwhile */
		} else if (rc < 0) {
			return pd_fail_errno(err, errno, "cannot read %s", s->det.release_region);
		} else {
			rc = pd_rr_parse(line, len, &s->current, &sub);
			free(line);
			if (rc)
				return pd_fail(err, "%s: %s", s->det.release_region, sub.msg);
			s->have_line = true;
		}
	}

	root_join(path, sizeof(path), s->det.root, "proc/sys/kernel/random/boot_id");
	if (pd_read_small(path, s->boot_id, sizeof(s->boot_id)) < 0)
		s->boot_id[0] = 0;

	if (journal_path)
		snprintf(s->journal_path, sizeof(s->journal_path), "%s", journal_path);
	else
		root_join(s->journal_path, sizeof(s->journal_path), s->det.root, PD_DEFAULT_JOURNAL);
	s->journal_rc = pd_journal_load(s->journal_path, &s->journal, &s->journal_err);
	if (s->journal_rc == 0 && s->boot_id[0] && strcmp(s->boot_id, s->journal.boot_id))
		s->journal_stale = true;

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

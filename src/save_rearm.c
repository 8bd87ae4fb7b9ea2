/* SPDX-License-Identifier: GPL-2.0-or-later */
/* save_rearm.c — dump boot 2: the first dump, re-armed by an earlier boot
 * and not finished when the second crash came, is finished first, from this
 * boot's vmcore (lib/rearm.h, lib/resume_view.h), into its own directory.
 * Nothing is released while doing so: the first dump's held memory is this
 * boot's dump now, saved next as usual.
 *
 * The first dump stays where boot 1 wrote it (the directory of its
 * journal's last target); this boot's dump gets its own directory, as any
 * dump.  The first dump's journal then gets a "finished" record and is
 * moved aside (<journal>.<boot id>), and one line saying what became of
 * the first dump is kept in <journal>.earlier for phypdump status.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "argsplit.h"
#include "exit_codes.h"
#include "fileio.h"
#include "rearm.h"
#include "save.h"
#include "save_resume.h"
#include "units.h"

#define FINISHING_NAME "vmcore-incomplete.finishing"

/* One line into @path, durably (temporary name, fsync, rename). */
static int write_line(const char *path, const char *line, struct pd_error *err)
{
	char tmp[PATH_MAX + 8], dir[PATH_MAX];
	int fd, dfd;

	snprintf(tmp, sizeof(tmp), "%s.new", path);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0 || pd_write_all(fd, line, strlen(line)) || pd_write_all(fd, "\n", 1) || fsync(fd)) {
		if (fd >= 0)
			close(fd);
		return pd_fail_errno(err, errno, "cannot write %s", tmp);
	}
	close(fd);
	if (rename(tmp, path))
		return pd_fail_errno(err, errno, "cannot rename %s", tmp);
	pd_dir_of(dir, sizeof(dir), path);
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd >= 0) {
		fsync(dfd);
		close(dfd);
	}
	return 0;
}

/* The first dump's story ends: its journal says so and goes aside, and
 * <journal>.earlier keeps one line for status. */
static int conclude(struct save *s, struct pd_dump_state *st, const char *how, const char *line)
{
	const struct pd_journal_state *js = &st->journal;
	char aside[PATH_MAX + 96], earlier[PATH_MAX + 16];
	struct pd_journal *j;
	struct pd_error e;
	struct stat sb;
	unsigned k;

	j = pd_journal_append(st->journal_path, js, &e);
	if (!j || pd_journal_add_finished(j, how, &e)) {
		pd_journal_close(j);
		fprintf(stderr, "phypdump save: %s\n", e.msg);
		return PD_EXIT_FAILED;
	}
	pd_journal_close(j);
	snprintf(earlier, sizeof(earlier), "%s.earlier", st->journal_path);
	if (write_line(earlier, line, &e))
		fprintf(stderr, "phypdump save: warning: %s\n", e.msg);
	for (k = 0; k < 1000; k++) {
		if (k)
			snprintf(aside, sizeof(aside), "%s.%s.%u", st->journal_path, js->boot_id, k);
		else
			snprintf(aside, sizeof(aside), "%s.%s", st->journal_path, js->boot_id);
		if (lstat(aside, &sb))
			break;
	}
	if (rename(st->journal_path, aside)) {
		fprintf(stderr, "phypdump save: cannot move the first dump's journal %s aside: %s\n",
			st->journal_path, strerror(errno));
		return PD_EXIT_FAILED;
	}
	fprintf(stderr, "phypdump save: the first dump's journal is kept as %s\n", aside);
	free(s->earlier);
	s->earlier = strdup(line);
	return -1;
}

/* Dump 1 cannot be finished: it stays as boot 1 left it (vmcore-incomplete,
 * flagged), with the reason beside it. */
static int unfinishable(struct save *s, struct pd_dump_state *st, const char *dir, const char *why)
{
	char line[PATH_MAX + 1024], note[PATH_MAX + 32];
	struct pd_error e;

	fprintf(stderr,
		"phypdump save: the first dump (%s) cannot be finished from this boot's dump: %s.\n"
		"phypdump save: it stays incomplete (its partial file is vmcore-incomplete, marked so in its\n"
		"phypdump save: header): the pages it had saved can be read, the rest is lost. Keep it for\n"
		"phypdump save: what it holds, or remove it. This boot's dump is saved next, as usual.\n",
		dir, why);
	snprintf(note, sizeof(note), "%s/vmcore-unfinishable.txt", dir);
	snprintf(line, sizeof(line), "unfinishable %s: %s", dir, why);
	if (write_line(note, line, &e))
		fprintf(stderr, "phypdump save: warning: %s\n", e.msg);
	return conclude(s, st, "unfinishable", line);
}

/* Remove the first dump's partial files and header copy: the dump is whole. */
static void drop_first_partials(const struct pd_journal_state *js, const char *final)
{
	size_t i;

	for (i = 0; i < js->ntargets; i++)
		if (strcmp(js->targets[i].path, final) && !pd_target_unlink(js->targets[i].path))
			fprintf(stderr, "phypdump save: removed the first dump's partial file %s (its pages are "
				"in %s)\n", js->targets[i].path, final);
	if (js->have_headers)
		pd_target_unlink(js->headers_path);
}

/* Run the journal's collector on the re-armed view into DIR/vmcore.
 * 0 finished; 1 refused (disagreement: @err); else an exit code. */
static int finish_first(struct save *s, struct pd_dump_state *st, const char *vmcore2,
			const char *dir, struct pd_error *err)
{
	const struct pd_journal_state *js = &st->journal;
	struct save *d = calloc(1, sizeof(*d));
	struct pd_capture_opts co;
	char **cargv = NULL, journal[PATH_MAX + 16], log[PATH_MAX + 32], tmp[PATH_MAX + 32], size[32];
	int rc = PD_EXIT_FAILED;

	if (!d)
		return pd_fail(err, "out of memory"), PD_EXIT_FAILED;
	d->o = s->o;
	d->o.collector = js->collector;
	d->w.fd = -1;
	d->log_fd = -1;
	d->col.pid = -1;
	d->t0 = pd_now();
	snprintf(d->dumpdir, sizeof(d->dumpdir), "%s", dir);
	if (save_view_start_rearm(js, vmcore2, d->source, sizeof(d->source), err)) {
		rc = err->kind == PD_ERR_REFUSED ? 1 : PD_EXIT_FAILED;
		goto out;
	}
	/* Nothing is released (the held memory is this boot's dump); the
	 * engine still checks every page of the file against the view.  Its
	 * journal is never written (nothing is released); its lock is the
	 * journal directory's, as this boot's capture's. */
	memset(&co, 0, sizeof(co));
	snprintf(journal, sizeof(journal), "%s.finishing", st->journal_path);
	co.root = s->o.root;
	co.journal = journal;
	co.vmcore = d->source;
	co.check_source = d->source;
	co.no_release = true;
	co.no_page_check = s->o.no_page_check;
	co.sys_page_size = s->o.page_size;
	if (pd_capture_init(&d->cap, &co, err))
		goto out;
	d->have_cap = true;
	cargv = pd_collector_argv(js->collector, d->source, err);
	if (!cargv)
		goto out;
	snprintf(tmp, sizeof(tmp), "%s/" FINISHING_NAME, dir);
	pd_target_unlink(tmp);	/* an interrupted attempt's: not a journal target, holds nothing unique */
	if (pd_dump_writer_open_tmp(&d->w, dir, "vmcore", FINISHING_NAME, err) ||
	    pd_capture_begin(&d->cap, d->w.path, d->w.fd, js->collector, err))
		goto out;
	snprintf(log, sizeof(log), "%s/makedumpfile.log", dir);
	d->log_fd = pd_target_open(log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
	pd_progress_init(&d->prog, stderr, d->t0);
	fprintf(stderr, "phypdump save: finishing the first dump: %s -> %s (core_collector \"%s\")\n",
		d->source, d->w.final_path, js->collector);
	if (save_run_collector(d, cargv) || save_sync(d)) {
		*err = d->err;
		goto out;
	}
	if (!d->track.have_header || !d->track.have_sub) {
		pd_fail(err, "the collector's dump has no kdump header");
		goto out;
	}
	if (pd_capture_check_finish(&d->cap)) {
		*err = d->cap.error;
		goto out;
	}
	if (pd_dump_writer_finish(&d->w, err))
		goto out;
	save_view_stop(d);
	pd_human_bytes(size, sizeof(size), d->w.size);
	fprintf(stderr, "phypdump save: the first dump is finished: %s (%s, %.1fs)\n", d->w.final_path,
		size, pd_now() - d->t0);
	drop_first_partials(js, d->w.final_path);
	rc = 0;
out:
	if (rc) {
		if (d->have_cap)
			pd_capture_stop(&d->cap, NULL);
		if (d->w.fd >= 0)
			pd_dump_writer_abandon(&d->w);
	}
	save_view_stop(d);
	if (d->log_fd >= 0)
		pd_close_fd(d->log_fd);
	pd_kdump_track_free(&d->track);
	pd_argv_free(cargv);
	if (d->have_cap)
		pd_capture_fini(&d->cap);
	free(d);
	return rc;
}

int save_earlier_dump(struct save *s)
{
	struct pd_dump_state st;
	struct pd_error err;
	const struct pd_journal_state *js;
	char vmcore[PATH_MAX], why[512], dir[PATH_MAX], final[PATH_MAX + 16], line[PATH_MAX + 600];
	struct stat sb;
	int rc = -1, k;

	if (pd_dump_state_read(s->o.root, s->o.journal, &st, &err))
		goto out;	/* the save itself reports it */
	js = &st.journal;
	if (st.journal_rc != 0 || !js->rearmed || js->final || js->finished || !js->target[0])
		goto out;
	if (s->o.vmcore)
		snprintf(vmcore, sizeof(vmcore), "%s", s->o.vmcore);
	else
		pd_path_join(vmcore, sizeof(vmcore), st.det.root, "proc/vmcore");
	if (access(vmcore, R_OK))
		goto out;	/* no dump on this boot: the save says so */
	k = pd_rearm_is_earlier_dump(js, st.boot_id, st.have_line ? &st.current : NULL, vmcore, why,
				     sizeof(why), &err);
	if (k < 0) {
		fprintf(stderr, "phypdump save: the journal %s holds a re-armed dump, and whether it is this "
			"boot's cannot be told: %s\nNothing was released; check %s, then run phypdump save "
			"again.\n", st.journal_path, err.msg, vmcore);
		rc = PD_EXIT_REFUSED;
		goto out;
	}
	if (!k)
		goto out;	/* this boot's own dump: an ordinary resume */
	pd_dir_of(dir, sizeof(dir), js->target);
	snprintf(s->earlier_dir, sizeof(s->earlier_dir), "%s", dir);
	fprintf(stderr, "phypdump save: the journal %s holds a dump that boot %s re-armed and did not "
		"finish (%s):\nphypdump save: finishing that first dump (%s) from this boot's dump first\n",
		st.journal_path, js->rearm_boot_id, why, dir);
	snprintf(final, sizeof(final), "%s/vmcore", dir);
	if (!lstat(final, &sb) && S_ISREG(sb.st_mode)) {
		snprintf(line, sizeof(line), "finished %s (it was complete already)", final);
		fprintf(stderr, "phypdump save: the first dump was complete already: %s\n", final);
		drop_first_partials(js, final);
		rc = conclude(s, &st, "complete", line);
		goto out;
	}
	if (!st.have_line) {
		rc = unfinishable(s, &st, dir, "this boot's dump layout is unknown (no release_region), so "
				  "whether it holds the first dump's memory in place cannot be checked");
		goto out;
	}
	if (!js->collector[0]) {
		rc = unfinishable(s, &st, dir, "its journal names no core_collector line");
		goto out;
	}
	if (pd_rearm_check(js, &st.current, vmcore, &err)) {
		if (err.kind != PD_ERR_REFUSED) {
			fprintf(stderr, "phypdump save: checking this boot's dump against the first one's journal "
				"failed: %s\nNothing was released; run phypdump save again.\n", err.msg);
			rc = PD_EXIT_FAILED;
			goto out;
		}
		rc = unfinishable(s, &st, dir, err.msg);
		goto out;
	}
	fprintf(stderr, "phypdump save: this boot's dump holds the first dump's memory in place (layout and "
		"%zu sampled pages checked)\n", js->nsamples);
	k = finish_first(s, &st, vmcore, dir, &err);
	if (k == 1) {
		rc = unfinishable(s, &st, dir, err.msg);
	} else if (k) {
		fprintf(stderr, "phypdump save: FAILED to finish the first dump (%s): %s\n"
			"Nothing was released; fix the cause and run phypdump save again: it finishes the\n"
			"first dump, then saves this boot's.\n", dir, err.msg);
		rc = k;
	} else {
		snprintf(line, sizeof(line), "finished %s/vmcore from the dump of the next crash", dir);
		rc = conclude(s, &st, "from-next-dump", line);
	}
out:
	pd_dump_state_free(&st);
	return rc;
}

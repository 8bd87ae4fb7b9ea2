/* SPDX-License-Identifier: GPL-2.0-or-later */
/* phypdump save — write the dump and give memory back as it goes.
 *
 * This file strings the pieces together (save.h); the release rule is the
 * capture engine's (lib/capture.h).  A save after an interrupted one resumes
 * it: the collector reads a view of the vmcore in which memory already
 * released is served from the partial dump files (save_resume.c).
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "argsplit.h"
#include "commands.h"
#include "fileio.h"
#include "kdump_verify.h"
#include "save.h"
#include "save_resume.h"

extern volatile sig_atomic_t save_interrupted;

static void on_signal(int sig)
{
	save_interrupted = sig;
}

static int exit_code(const struct pd_error *e)
{
	switch (e->kind) {
	case PD_ERR_USAGE: return PD_EXIT_USAGE;
	case PD_ERR_NO_DUMP: return PD_EXIT_NO_DUMP;
	case PD_ERR_UNSUPPORTED: return PD_EXIT_UNSUPPORTED;
	case PD_ERR_BUSY: return PD_EXIT_BUSY;
	default: return PD_EXIT_REFUSED;
	}
}

static void default_dumpdir(char *out, size_t size)
{
	char host[128] = "localhost", date[64];
	time_t now = time(NULL);
	struct tm tm;

	gethostname(host, sizeof(host) - 1);
	localtime_r(&now, &tm);
	strftime(date, sizeof(date), "%Y-%m-%d-%H:%M:%S", &tm);
	snprintf(out, size, "/var/crash/%s-%s", host, date);
}

/* An ssh target: the logs stay here (DUMPDIR, or /var/crash/HOST-DATE);
 * the dump goes to PATH/HOST-DATE on the remote host, or, resuming, beside
 * the partial file the journal names there. */
static int choose_remote_dir(struct save *s)
{
	const struct pd_journal_state *js = &s->cap.st.journal;
	size_t ul = strlen(s->net.url);
	const char *base;

	if (s->o.dumpdir)
		snprintf(s->dumpdir, sizeof(s->dumpdir), "%s", s->o.dumpdir);
	else
		default_dumpdir(s->dumpdir, sizeof(s->dumpdir));
	if (s->cap.resume && js->target[0]) {
		if (strncmp(js->target, s->net.url, ul) || js->target[ul] != '/')
			return pd_fail_kind(&s->err, PD_ERR_REFUSED,
					    "the interrupted save wrote to %s, not to %s: resume it with the same "
					    "target (the memory it released is only in that file)", js->target,
					    s->net.url);
		pd_dir_of(s->net.dir, sizeof(s->net.dir), js->target + ul);
		return 0;
	}
	base = strrchr(s->dumpdir, '/');
	base = base ? base + 1 : s->dumpdir;
	if ((size_t)snprintf(s->net.dir, sizeof(s->net.dir), "%s/%s", s->net.base, base) >=
	    sizeof(s->net.dir))
		return pd_fail_kind(&s->err, PD_ERR_USAGE, "the remote path is too long");
	return 0;
}

/* DUMPDIR holds the earlier re-armed dump (a service that took it for this
 * boot's interrupted save): this boot's dump goes beside it, DUMPDIR-N. */
static void next_to_earlier(struct save *s)
{
	char a[PATH_MAX], b[PATH_MAX], base[PATH_MAX];
	struct stat sb;
	unsigned k;

	if (!realpath(s->dumpdir, a) || !realpath(s->earlier_dir, b) || strcmp(a, b))
		return;
	snprintf(base, sizeof(base), "%s", s->dumpdir);
	for (k = 2; k < 1000; k++) {
		if ((size_t)snprintf(s->dumpdir, sizeof(s->dumpdir), "%.*s-%u", PATH_MAX - 16, base, k) >=
		    sizeof(s->dumpdir) || pd_target_lstat(s->dumpdir, &sb))
			break;
	}
	fprintf(stderr, "phypdump save: %s holds the earlier dump; this boot's dump goes to %s\n", base,
		s->dumpdir);
}

/* The collector line and the dump directory.  A resumed save runs the line
 * the journal recorded (another would filter differently, and released
 * memory it then asked for is gone) in the directory of the partial dump. */
static int choose_line_and_dir(struct save *s)
{
	const struct pd_journal_state *js = &s->cap.st.journal;

	if (s->cap.resume && js->collector[0]) {
		if (s->o.collector_given && strcmp(s->o.collector, js->collector))
			return pd_fail_kind(&s->err, PD_ERR_REFUSED,
					    "the interrupted save ran core_collector \"%s\"; resuming with \"%s\" "
					    "would ask for memory that is already released. Run the same line "
					    "(or none: the journal's is used)", js->collector, s->o.collector);
		s->o.collector = js->collector;
	}
	if (s->remote)
		return choose_remote_dir(s);
	if (s->o.dumpdir) {
		snprintf(s->dumpdir, sizeof(s->dumpdir), "%s", s->o.dumpdir);
		if (s->earlier_dir[0])
			next_to_earlier(s);
	} else if (s->cap.resume && js->target[0]) {
		pd_dir_of(s->dumpdir, sizeof(s->dumpdir), js->target);
	} else {
		default_dumpdir(s->dumpdir, sizeof(s->dumpdir));
	}
	return 0;
}

/* A partial dump left in the directory by an earlier save of this dump that
 * released nothing holds nothing unique (all its memory is still reserved):
 * start again.  Any other file is never touched. */
static void drop_useless_partial(struct save *s)
{
	const struct pd_journal_state *js = &s->cap.st.journal;
	char p[PATH_MAX + 32];
	size_t i;

	if (s->cap.resume || s->cap.st.journal_rc != 0)
		return;
	snprintf(p, sizeof(p), "%s/vmcore-incomplete", s->dumpdir);
	for (i = 0; i < js->ntargets; i++)
		if (!strcmp(js->targets[i].path, p) && !pd_target_unlink(p)) {
			fprintf(stderr, "phypdump save: replacing %s (an earlier save of this dump that "
				"released nothing)\n", p);
			return;
		}
}

/* URL + remote path [+ "/" name] into a PATH_MAX buffer (cut, never overrun). */
static void names(struct save *s, char *out, const char *name, const char *path)
{
	int n = snprintf(out, PATH_MAX, "%s", s->net.url);

	if (n < 0 || n >= PATH_MAX)
		return;
	n += snprintf(out + n, (size_t)(PATH_MAX - n), "%s", path);
	if (name[0] && n < PATH_MAX)
		snprintf(out + n, (size_t)(PATH_MAX - n), "/%s", name);
}

static int open_remote(struct save *s)
{
	char tmp[64];

	if (pd_dump_writer_mkdir(s->dumpdir, &s->err))
		return -1;
	/* Each run of this dump adds one target: a resumed run's file name is
	 * new on the remote host too. */
	if (s->cap.resume)
		snprintf(tmp, sizeof(tmp), "vmcore-incomplete.%zu", s->cap.st.journal.ntargets);
	else
		snprintf(tmp, sizeof(tmp), "vmcore-incomplete");
	if (save_net_open(&s->net, s->dumpdir, tmp, &s->err))
		return -1;
	s->w.fd = -1;
	if (s->net.fallback) {
		names(s, s->w.path, "vmcore.flat-incomplete", s->net.dir);
		names(s, s->w.final_path, "vmcore.flat", s->net.dir);
	} else {
		names(s, s->w.path, "", s->net.text);
		names(s, s->w.final_path, "vmcore", s->net.dir);
	}
	return 0;
}

static int open_output(struct save *s)
{
	char tmp[64];
	unsigned k;

	if (s->remote)
		return open_remote(s);
	if (!s->cap.resume)
		return pd_dump_writer_open(&s->w, s->dumpdir, "vmcore", &s->err);
	/* Beside the partial files, which the view still reads. */
	for (k = 1; k < 1000; k++) {
		struct stat sb;
		char p[PATH_MAX + 80];

		snprintf(tmp, sizeof(tmp), "vmcore-incomplete.%u", k);
		snprintf(p, sizeof(p), "%s/%s", s->dumpdir, tmp);
		if (pd_target_lstat(p, &sb))
			break;
	}
	return pd_dump_writer_open_tmp(&s->w, s->dumpdir, "vmcore", tmp, &s->err);
}

/* The complete dump is in place: the partial files of earlier runs are
 * copies of part of it. */
static void drop_partials(struct save *s)
{
	const struct pd_journal_state *js = &s->cap.st.journal;
	size_t i;

	for (i = 0; i < js->ntargets; i++) {
		const char *t = js->targets[i].path;
		size_t ul = s->remote ? strlen(s->net.url) : 0;
		struct pd_error e;

		if (!strncmp(t, "ssh://", 6)) {
			if (s->remote && !s->net.fallback && !strncmp(t, s->net.url, ul) && t[ul] == '/' &&
			    !save_net_unlink(&s->net, t + ul, &e))
				fprintf(stderr, "phypdump save: removed the partial dump %s (its pages are in %s)\n",
					t, s->w.final_path);
			else
				fprintf(stderr, "phypdump save: the partial dump %s is a copy of part of %s: "
					"remove it\n", t, s->w.final_path);
			continue;
		}
		if (strcmp(js->targets[i].path, s->w.final_path) && !pd_target_unlink(js->targets[i].path))
			fprintf(stderr, "phypdump save: removed the partial dump %s (its pages are in %s)\n",
				js->targets[i].path, s->w.final_path);
	}
}

/* The copy of the vmcore's headers served a later boot only until the
 * dump was whole. */
static void drop_headers_copy(struct save *s)
{
	const struct pd_journal_state *js = &s->cap.st.journal;
	char p[PATH_MAX + 32];

	if (s->remote)
		return;
	if (js->have_headers)
		pd_target_unlink(js->headers_path);
	snprintf(p, sizeof(p), "%s/" PD_REARM_HEADERS_NAME, s->dumpdir);
	pd_target_unlink(p);
}

/* The interrupted save got as far as the rename: its partial file is now
 * the complete dump, and only the releasing is left. */
static bool dump_already_complete(struct save *s)
{
	const struct pd_journal_state *js = &s->cap.st.journal;
	char dir[PATH_MAX], final[PATH_MAX + 16];
	struct stat sb;

	if (!js->target[0] || !strncmp(js->target, "ssh://", 6) || !pd_target_lstat(js->target, &sb))
		return false;
	pd_dir_of(dir, sizeof(dir), js->target);
	snprintf(final, sizeof(final), "%s/vmcore", dir);
	if (pd_target_lstat(final, &sb) || !S_ISREG(sb.st_mode))
		return false;
	if (strlen(final) >= sizeof(s->w.final_path))
		return false;
	memcpy(s->w.final_path, final, strlen(final) + 1);
	return true;
}

static int finish_releasing(struct save *s)
{
	fprintf(stderr, "phypdump save: the interrupted save had finished the dump (%s);\n"
		"phypdump save: giving back the memory that is still reserved\n", s->w.final_path);
	/* It may have been stopped before it removed its partial files. */
	drop_partials(s);
	if (pd_capture_begin(&s->cap, NULL, -1, NULL, &s->err) || pd_capture_end(&s->cap)) {
		if (!s->err.msg[0] || pd_capture_stopped(&s->cap))
			s->err = s->cap.error;
		fprintf(stderr, "phypdump save: FAILED: %s\nphypdump save: the dump itself is complete: %s\n"
			"Give the memory back by hand: echo 1 > /sys/kernel/fadump/release_mem\n",
			s->err.msg, s->w.final_path);
		return PD_EXIT_FAILED;
	}
	fprintf(stderr, "phypdump save: dump saved: %s; all of its memory is back\n", s->w.final_path);
	return PD_EXIT_OK;
}

static void start_run(struct save *s, char **cargv)
{
	struct sigaction sa;
	char path[PATH_MAX + 32];

	if (!s->t0)
		s->t0 = pd_now();
	pd_progress_init(&s->prog, stderr, s->t0);
	snprintf(path, sizeof(path), "%s/makedumpfile.log", s->dumpdir);
	s->log_fd = pd_target_open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
	fprintf(stderr, "phypdump save: %s%s -> %s\nphypdump save: release: %s\n",
		s->cap.resume ? "resuming: " : "", s->cap.vmcore, s->w.final_path, s->cap.mode_why);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	snprintf(path, sizeof(path), "%s/vmcore-dmesg.txt", s->dumpdir);
	if (!s->o.no_dmesg && pd_target_lstat(path, &(struct stat){ 0 })) {
		struct pd_error e;

		if (pd_dump_dmesg(cargv[0], s->source, path, s->log_fd, &e))
			fprintf(stderr, "phypdump save: warning: the crashed kernel's log was not saved: %s\n",
				e.msg);
	}
}

static void engine_failed_at_end(struct save *s)
{
	s->err = s->cap.error;
	s->hint = SAVE_HINT_DAMAGED;
}

/* --verify: the finished dump, read back by an independent reader, before
 * the last memory goes back (a damaged dump keeps it reserved). */
static int verify_dump(struct save *s)
{
	struct pd_kdump_verify_result r;
	struct pd_error e;

	fprintf(stderr, "phypdump save: verifying %s\n", s->w.final_path);
	if (pd_kdump_verify_file(s->w.final_path, &r, &e)) {
		struct pd_error ue;

		pd_capture_stop(&s->cap, &e);
		s->err = e;
		s->damaged = true;
		/* Not a complete dump: a rerun must not take it for one and only
		 * release the rest (the memory still held may be what repairs it). */
		if (pd_dump_writer_unfinish(&s->w, &ue)) {
			fprintf(stderr, "phypdump save: %s\n", ue.msg);
			s->hint = "The dump is damaged (see the offset above); the memory not yet released stays\n"
				  "reserved. Check the disk and the collector, move the dump away and run phypdump save again.";
		} else {
			s->renamed = false;
			s->hint = "The dump is damaged (see the offset above): it is marked incomplete again, and the\n"
				  "memory not yet released stays reserved. Check the disk and the collector, then run\n"
				  "phypdump save again: it resumes the dump.";
		}
		return -1;
	}
	fprintf(stderr, "phypdump save: verified: %" PRIu64 " pages decompress, VMCOREINFO and the "
		"kernel log (%s) are in the dump\n", r.dumped_pfns, r.log_symbol);
	return 0;
}

int cmd_save(int argc, char **argv)
{
	struct save *s = calloc(1, sizeof(*s));
	struct pd_capture_opts co;
	char **cargv = NULL, tlpath[PATH_MAX + 32];
	int rc;

	if (!s) {
		fprintf(stderr, "phypdump save: out of memory\n");
		return PD_EXIT_FAILED;
	}
	s->w.fd = -1;
	s->log_fd = -1;
	s->col.pid = -1;
	rc = save_parse_options(s, argc, argv);
	if (rc >= 0)
		goto out_free;
	/* A collector line that cannot work is a usage error, whatever the boot. */
	cargv = pd_collector_argv(s->o.collector, "/proc/vmcore", &s->err);
	if (!cargv) {
		fprintf(stderr, "phypdump save: %s\n", s->err.msg);
		rc = PD_EXIT_USAGE;
		goto out_free;
	}
	pd_argv_free(cargv);
	cargv = NULL;
	/* From the first touch of the dump target on (an earlier dump's
	 * directory included). */
	if (save_stall_start(s)) {
		rc = PD_EXIT_FAILED;
		goto out_free;
	}
	/* The start: re-arming is timed from here. */
	s->t0 = pd_now();
	/* An earlier dump that another boot re-armed comes first: its held
	 * memory is this boot's dump, which is released as it is saved. */
	rc = save_earlier_dump(s);
	if (rc >= 0)
		goto out_free;
	memset(&co, 0, sizeof(co));
	co.root = s->o.root;
	co.journal = s->o.journal;
	co.vmcore = s->o.vmcore;
	co.sys_page_size = s->o.page_size;
	co.min_release = s->o.min_release;
	co.sync_memory = s->o.sync_memory;
	co.no_release = s->o.no_release;
	co.dry_run = s->o.dry_run ? stderr : NULL;
	co.can_resume = save_can_resume();
	co.no_page_check = s->o.no_page_check;
	co.check_source = s->source;	/* filled in before pd_capture_begin() */
	co.on_release = save_on_release;
	co.on_release_arg = s;
	/* Re-arm only where a later boot can finish this dump: a local dump
	 * file with its saved records, and a build that can mount the view. */
	co.no_rearm = s->o.no_rearm || s->o.target || !save_can_resume();
	co.on_rearm = save_on_rearm;
	co.on_rearm_arg = s;
	if (s->o.no_rearm)
		s->rearm = "off";
	else if (s->o.target)
		s->rearm = "off", fprintf(stderr, "phypdump save: no re-arming with an ssh target: a crash "
					  "before the dump ends is not captured\n");
	if (pd_capture_init(&s->cap, &co, &s->err)) {
		fprintf(stderr, "phypdump save: %s\n", s->err.msg);
		rc = exit_code(&s->err);
		goto out_free;
	}
	s->have_cap = true;
	if (s->cap.note[0])
		fprintf(stderr, "phypdump save: %s\n", s->cap.note);
	if (s->cap.mode != PD_CAPTURE_INCREMENTAL && !s->rearm)
		s->rearm = "off";
	if (choose_line_and_dir(s))
		goto fail_early;
	if (s->cap.resume && dump_already_complete(s)) {
		rc = finish_releasing(s);
		goto out;
	}
	snprintf(s->source, sizeof(s->source), "%s", s->cap.vmcore);
	if (s->cap.resume && save_view_start(s, s->source, sizeof(s->source), &s->err))
		goto fail_early;
	cargv = pd_collector_argv(s->o.collector, s->source, &s->err);
	if (!cargv) {
		fprintf(stderr, "phypdump save: %s\n", s->err.msg);
		rc = PD_EXIT_USAGE;
		goto out;
	}
	drop_useless_partial(s);
	if (open_output(s)) {
		s->err.kind = PD_ERR_REFUSED;
		s->hint = s->remote ? "Nothing was released. Check the target with phypdump-capture --check (host, key,\n"
			  "known_hosts, phypdump on the remote host, space there), then run phypdump save again." :
			  "Choose a dump directory on a writable file system.";
		goto fail_early;
	}
	if (!s->remote)
		save_stall_target(s->dumpdir);
	/* Before begin: re-arming may release the CPU and HPTE areas there. */
	snprintf(tlpath, sizeof(tlpath), "%s/release-timeline.jsonl", s->dumpdir);
	pd_timeline_open(&s->tl, tlpath, s->t0, s->cap.reserved_start);
	if (pd_capture_begin(&s->cap, s->w.path, s->w.fd, s->o.collector, &s->err)) {
		/* Nothing was written: leave nothing behind. */
		pd_timeline_close(&s->tl);
		if (!s->remote) {
			pd_target_unlink(s->w.path);
			pd_target_unlink(tlpath);
			pd_target_rmdir(s->dumpdir);
		}
		pd_dump_writer_abandon(&s->w);
		fprintf(stderr, "phypdump save: %s\n", s->err.msg);
		rc = PD_EXIT_FAILED;
		goto out;
	}
	start_run(s, cargv);
	if (save_run_collector(s, cargv) || save_sync(s))
		goto fail_late;
	if (!s->track.have_header || !s->track.have_sub) {
		pd_fail(&s->err, "the collector's dump has no kdump header");
		save_fail(s, "Use a kdump-compressed collector (makedumpfile without -E).");
		goto fail_late;
	}
	/* Everything written is durable: check what is left before the
	 * resume view (the check's source) goes away. */
	if (pd_capture_check_finish(&s->cap)) {
		engine_failed_at_end(s);
		goto fail_late;
	}
	if (s->remote ? save_net_finish(&s->net, &s->err) : pd_dump_writer_finish(&s->w, &s->err)) {
		save_fail(s, NULL);
		goto fail_late;
	}
	s->renamed = true;
	save_view_stop(s);
	if (s->o.verify && verify_dump(s))
		goto fail_done;
	/* The complete dump is in place (renamed, its directory synced): the
	 * partial files are copies of part of it, needed by nothing now.  They
	 * go before the end, so that a save killed from here on leaves none:
	 * once the dump has ended, no later run would come back for them. */
	if (s->cap.resume)
		drop_partials(s);
	drop_headers_copy(s);
	if (pd_capture_end(&s->cap)) {
		s->err = s->cap.error;
		s->hint = s->cap.check_failed ?
			  SAVE_HINT_DAMAGED :
			  "The dump is saved. Give the memory back by hand: echo 1 > /sys/kernel/fadump/release_mem";
		goto fail_done;
	}
	s->t_end = pd_now();
	pd_timeline_stream(&s->tl, s->t_scanned, s->t_streamed, s->track.written_pfns,
			   (uint64_t)s->track.block_size);
	pd_timeline_end(&s->tl, s->cap.reserved_start - s->cap.returned, true);
	save_summary(s, true);
	rc = PD_EXIT_OK;
	goto out;

fail_late:
	pd_dump_writer_abandon(&s->w);
	if (s->remote)
		save_net_close(&s->net);
fail_done:
	s->t_end = pd_now();
	pd_timeline_end(&s->tl, s->cap.reserved_start - s->cap.returned, false);
	save_report_failure(s);
	save_summary(s, false);
	rc = PD_EXIT_FAILED;
	goto out;
fail_early:
	fprintf(stderr, "phypdump save: %s\n", s->err.msg);
	if (s->hint)
		fprintf(stderr, "%s\n", s->hint);
	rc = exit_code(&s->err);
out:
	/* The page check reads the resume view: done with it before the view
	 * goes (a failed run releases nothing more anyway). */
	if (s->have_cap && rc != PD_EXIT_OK)
		pd_capture_stop(&s->cap, NULL);
	save_view_stop(s);
	pd_timeline_close(&s->tl);
	if (s->log_fd >= 0)
		pd_close_fd(s->log_fd);
	pd_kdump_track_free(&s->track);
	pd_argv_free(cargv);
	if (s->have_cap)
		pd_capture_fini(&s->cap);
out_free:
	if (s->w.fd >= 0)
		pd_dump_writer_abandon(&s->w);
	if (s->remote)
		save_net_close(&s->net);
	save_stall_stop();
	free(s->earlier);
	free(s);
	return rc;
}

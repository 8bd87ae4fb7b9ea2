/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "capture.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "crc32.h"
#include "elfcore.h"
#include "fileio.h"
#include "stall.h"
#include "units.h"

/* ---- init: what the boot holds, the lock, the journal, the layout ---- */

/* flock the journal's directory for the whole capture (created 0700 when
 * missing, as the journal's own directory is). */
static int take_lock(struct pd_capture *c, struct pd_error *err)
{
	char dir[PATH_MAX];
	size_t failed;

	pd_dir_of(dir, sizeof(dir), c->st.journal_path);
	if (pd_mkdir_p(dir, 0700, &failed))
		return pd_fail_errno(err, errno, "cannot create the journal directory %.*s",
				     (int)failed, dir);
	c->lock_fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (c->lock_fd < 0)
		return pd_fail_errno(err, errno, "cannot open the journal directory %s", dir);
	if (flock(c->lock_fd, LOCK_EX | LOCK_NB)) {
		/* A kernel built without file locking (tinyconfig, as the
		 * emulated POWER test guest is): go on, and say so. */
		if (errno == ENOSYS || errno == EOPNOTSUPP || errno == ENOLCK) {
			snprintf(c->note, sizeof(c->note), "this kernel cannot lock files (%s): the "
				 "capture runs without the lock that keeps a second one out",
				 strerror(errno));
			return 0;
		}
		if (errno == EWOULDBLOCK)
			return pd_fail_kind(err, PD_ERR_BUSY,
					    "another capture of this dump is running (it holds the lock on %s); "
					    "wait for it, or stop it first", dir);
		return pd_fail_errno(err, errno, "cannot lock %s", dir);
	}
	return 0;
}

/* Every byte of crashed memory the vmcore describes must be held by the
 * boot-time layout.  A line that no longer holds some of it was read after
 * memory was released (the journal that knew is lost, or another one was
 * named): deriving releases or a dump from it would be wrong. */
static int check_layout_holds_vmcore(struct pd_capture *c, struct pd_error *err)
{
	struct elfcore ec;
	struct stat sb;
	char msg[256];
	int fd, rc = 0;
	size_t i;

	fd = open(c->vmcore, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &sb)) {
		rc = pd_fail_kind(err, PD_ERR_UNSUPPORTED, "cannot read %s: %s", c->vmcore,
				  strerror(errno));
		goto out;
	}
	/* Not an ELF core: the collector will refuse it before it reports
	 * anything, so nothing can be released from it either. */
	if (elfcore_parse(pd_fd_read, &fd, (uint64_t)sb.st_size, &ec, msg, sizeof(msg))) {
		snprintf(c->note, sizeof(c->note), "%.80s is not an ELF vmcore the layout can be "
			 "checked against: %.80s", c->vmcore, msg);
		goto out;
	}
	for (i = 0; i < ec.nloads && !rc; i++) {
		const struct elfcore_load *l = &ec.loads[i];
		uint64_t held = pd_map_held_bytes(&c->map, l->paddr, l->memsz);

		if (held != l->memsz) {
			char gone[32];

			pd_human_bytes(gone, sizeof(gone), l->memsz - held);
			rc = pd_fail_kind(err, PD_ERR_REFUSED,
					  "%s of the crashed memory at 0x%" PRIx64 "-0x%" PRIx64
					  " that %s describes is not held by the dump's areas: it was released "
					  "by a capture whose journal (%s) is missing or another; a dump now "
					  "would be silently wrong",
					  gone, l->paddr, l->paddr + l->memsz, c->vmcore, c->st.journal_path);
		}
	}
	elfcore_free(&ec);
out:
	if (fd >= 0)
		close(fd);
	return rc;
}

/* The journal's rules: refuse a damaged one, move another boot's aside,
 * resume (or refuse) after earlier releases. */
static int journal_rules(struct pd_capture *c, struct pd_error *err)
{
	struct pd_dump_state *s = &c->st;
	char old[PATH_MAX + 80];

	if (s->journal_rc < 0)
		return pd_fail_kind(err, PD_ERR_REFUSED,
				    "%s; phypdump cannot know which dump memory is already gone "
				    "(move the journal away only if nothing ran on this boot before)",
				    s->journal_err.msg);
	if (s->journal_rc == 0 && s->journal_stale) {
		snprintf(old, sizeof(old), "%s.%s", s->journal_path, s->journal.boot_id);
		if (rename(s->journal_path, old))
			return pd_fail_errno(err, errno, "cannot move the old journal %s aside",
					     s->journal_path);
		pd_journal_state_free(&s->journal);
		s->journal_rc = 1;
	}
	if (s->journal_rc)
		return 0;
	if (s->journal.final)
		return pd_fail_kind(err, PD_ERR_NO_DUMP,
				    "this dump was saved and all of its memory released already (journal %s, final %s)",
				    s->journal_path, s->journal.final_how);
	if (!pd_rangeset_total(&s->journal.released))
		return 0;
	c->resume = true;
	if (!c->o.can_resume) {
		char done[32];

		pd_human_bytes(done, sizeof(done), pd_rangeset_total(&s->journal.released));
		return pd_fail_kind(err, PD_ERR_REFUSED,
				    "an earlier capture on this boot already released %s of this dump "
				    "(journal %s): finish it with 'phypdump save', which resumes it; or give "
				    "back the rest with echo 1 > /sys/kernel/fadump/release_mem (the dump is lost)",
				    done, s->journal_path);
	}
	return 0;
}

/* How memory will go back. */
static int plan(struct pd_capture *c, struct pd_error *err)
{
	enum pd_release_mechanism m = c->o.release_region ? PD_RELEASE_INCREMENTAL :
				      pd_detect_mechanism(&c->st.det);
	const char *rr = c->o.release_region ? c->o.release_region : c->st.det.release_region;
	struct pd_error sub;
	char vm[PATH_MAX];

	if (c->o.no_release) {
		c->mode = PD_CAPTURE_KEEP;
		c->mode_why = "no release: all dump memory stays reserved";
		return 0;
	}
	/* Under a root other than "/" (a simulated dump boot) the tests name
	 * the vmcore the simulator serves; in production only /proc/vmcore is
	 * the memory release_region frees. */
	pd_path_join(vm, sizeof(vm), c->st.det.root, "proc/vmcore");
	if (strcmp(vm, c->vmcore) && !strcmp(c->st.det.root, "/"))
		return pd_fail_kind(err, PD_ERR_USAGE,
				    "%s is not this dump boot's vmcore (%s): releasing memory while "
				    "reading another file would free what that file does not hold; "
				    "add --no-release, or use --root for a simulated dump boot",
				    c->vmcore, vm);
	if (c->o.require_incremental && (m != PD_RELEASE_INCREMENTAL || !rr[0]))
		return pd_fail_kind(err, PD_ERR_UNSUPPORTED,
				    "no release_region under %s: this kernel cannot release dump memory "
				    "incrementally (not a dump boot, or no release_region support)",
				    c->st.det.root);
	if (m == PD_RELEASE_NONE) {
		c->mode = PD_CAPTURE_KEEP;
		c->mode_why = "this kernel offers no way to release dump memory";
		return 0;
	}
	if (m == PD_RELEASE_ALL_AT_ONCE) {
		c->mode_why = "stock firmware-assisted dump: everything goes back at the end (release_mem)";
		if (c->o.dry_run) {
			c->mode = PD_CAPTURE_DRY_RUN;
			pd_backend_open_dry_run(&c->backend, c->o.dry_run);
		} else {
			c->mode = PD_CAPTURE_AT_END;
			if (pd_backend_open_release_mem(&c->backend, c->st.det.release_mem, err))
				return pd_error_context(err, "run phypdump as root");
		}
		c->have_backend = true;
		return 0;
	}
	if (!c->boot.ndump)
		return pd_fail_kind(err, PD_ERR_REFUSED,
				    "release_region is there but the dump's areas could not be read");
	if (pd_map_init(&c->map, &c->boot, c->o.sys_page_size, &sub)) {
		/* Overlapping areas (the seed's own example): no release can be
		 * derived from them, so everything goes at the end, at once. */
		snprintf(c->note, sizeof(c->note), "%s", sub.msg);
		c->mode_why = "the dump's areas cannot be mapped safely; nothing is released early";
		if (!c->st.det.release_mem[0] || c->o.dry_run || c->o.require_incremental) {
			if (c->o.require_incremental)
				return pd_fail_kind(err, PD_ERR_REFUSED, "%s", sub.msg);
			c->mode = PD_CAPTURE_KEEP;
			return 0;
		}
		c->mode = PD_CAPTURE_AT_END;
		if (pd_backend_open_release_mem(&c->backend, c->st.det.release_mem, err))
			return pd_error_context(err, "run phypdump as root");
		c->have_backend = true;
		return 0;
	}
	c->have_map = true;
	if (c->st.journal_rc != 0 && !access(c->vmcore, R_OK) && check_layout_holds_vmcore(c, err))
		return -1;
	if (c->o.dry_run) {
		pd_backend_open_dry_run(&c->backend, c->o.dry_run);
		c->mode = PD_CAPTURE_DRY_RUN;
		c->mode_why = "dry run: releases are only logged";
	} else {
		if (pd_backend_open_release_region(&c->backend, rr, err))
			return pd_error_context(err, "run phypdump as root");
		c->mode = PD_CAPTURE_INCREMENTAL;
		c->mode_why = "incremental (release_region)";
	}
	c->have_backend = true;
	return 0;
}

/* makedumpfile --phyp-release=PATH names release_region itself. */
static int explicit_line(struct pd_capture *c, const char *path, struct pd_error *err)
{
	struct pd_error sub;
	char *line;
	size_t len;
	int rc = pd_read_file(path, (size_t)64 << 20, &line, &len);

	if (rc > 0)
		return pd_fail_kind(err, PD_ERR_UNSUPPORTED, "%s does not exist: this boot holds no "
				    "dump whose memory can be released incrementally", path);
	if (rc < 0)
		return pd_fail_errno(err, errno, "cannot read %s", path);
	pd_rr_free(&c->st.current);
	rc = pd_rr_parse(line, len, &c->st.current, &sub);
	free(line);
	if (rc)
		return pd_fail_kind(err, PD_ERR_REFUSED, "%s: %s", path, sub.msg);
	c->st.have_line = true;
	return 0;
}

static bool opal_dump_boot(const struct pd_capture *c)
{
	char p[PATH_MAX];

	pd_path_join(p, sizeof(p), c->st.det.root, "proc/device-tree/ibm,opal/dump/mpipl-boot");
	return access(p, F_OK) == 0;
}

int pd_capture_init(struct pd_capture *c, const struct pd_capture_opts *o, struct pd_error *err)
{
	const char *root = o->root ? o->root : "/";

	memset(c, 0, sizeof(*c));
	c->o = *o;
	c->lock_fd = -1;
	c->out_fd = -1;
	c->check_fd = -1;
	c->backend.fd = -1;
	pd_rangeset_init(&c->unsaved);
	pd_rangeset_init(&c->unchecked);
	if (!c->o.sys_page_size)
		c->o.sys_page_size = (uint64_t)sysconf(_SC_PAGESIZE);
	if (!c->o.min_release)
		c->o.min_release = PD_CAPTURE_DEFAULT_MIN_RELEASE;
	if (!c->o.sync_memory)
		c->o.sync_memory = PD_CAPTURE_DEFAULT_SYNC_MEMORY;
	if (c->o.sys_page_size & (c->o.sys_page_size - 1)) {
		pd_fail_kind(err, PD_ERR_USAGE, "the page size must be a power of two");
		goto fail;
	}
	if (pd_dump_state_read(root, o->journal, &c->st, err)) {
		err->kind = PD_ERR_REFUSED;
		pd_error_context(err, "refusing to read or release anything");
		goto fail;
	}
	if (o->vmcore)
		snprintf(c->vmcore, sizeof(c->vmcore), "%s", o->vmcore);
	else
		pd_path_join(c->vmcore, sizeof(c->vmcore), c->st.det.root, "proc/vmcore");
	if (opal_dump_boot(c)) {
		pd_fail_kind(err, PD_ERR_UNSUPPORTED,
			     "this is an OPAL (PowerNV) memory-preserving dump boot: phypdump saves "
			     "pseries firmware-assisted dumps only; save it with the stock capture "
			     "(/sys/firmware/opal/mpipl)");
		goto fail;
	}
	/* A writer that names release_region itself (makedumpfile
	 * --phyp-release=PATH, a simulated dump boot) says where the dump is. */
	if (!c->st.holds_dump && !o->vmcore && !o->release_region) {
		pd_fail_kind(err, PD_ERR_NO_DUMP,
			     "this boot holds no firmware-assisted dump (no ibm,kernel-dump or "
			     "ibm,dump-kernel device tree node with /proc/vmcore); nothing to save");
		goto fail;
	}
	if (access(c->vmcore, R_OK) && !(o->release_region && !o->vmcore && errno == ENOENT)) {
		/* Gone: the dump was released.  There but unreadable: a security
		 * policy or not root; the stock capture must take it. */
		if (errno == ENOENT)
			pd_fail_kind(err, PD_ERR_NO_DUMP, "cannot read %s: %s; this boot holds no dump "
				     "any more", c->vmcore, strerror(errno));
		else
			pd_fail_kind(err, PD_ERR_UNSUPPORTED, "cannot read %s: %s (a security policy, or "
				     "not root?); save the dump with the stock capture", c->vmcore,
				     strerror(errno));
		goto fail;
	}
	if (o->release_region && explicit_line(c, o->release_region, err))
		goto fail;
	if (take_lock(c, err) || journal_rules(c, err))
		goto fail;
	/* The areas at the start of this dump: the journal's if one was begun
	 * on this boot, else release_region now. */
	if ((c->st.journal_rc == 0 && pd_rr_copy(&c->boot, &c->st.journal.layout)) ||
	    (c->st.journal_rc != 0 && c->st.have_line && pd_rr_copy(&c->boot, &c->st.current))) {
		pd_fail(err, "out of memory");
		goto fail;
	}
	c->reserved_start = c->st.reserved_known ? c->st.reserved_bytes : 0;
	if (plan(c, err))
		goto fail;
	return 0;
fail:
	pd_capture_fini(c);
	return -1;
}

/* ---- begin: the journal names the target ---- */

static bool will_release(const struct pd_capture *c)
{
	return c->mode == PD_CAPTURE_INCREMENTAL || c->mode == PD_CAPTURE_AT_END;
}

/* The target's directory entry must be durable before memory goes on the
 * strength of the file's content (makedumpfile creates its file itself). */
static int sync_dir_of(const char *target, struct pd_error *err)
{
	char dir[PATH_MAX];
	int rc;

	pd_stall_begin("access", target);
	rc = access(target, F_OK);
	pd_stall_end();
	if (rc)
		return 0;	/* not created yet: its writer syncs it */
	pd_dir_of(dir, sizeof(dir), target);
	if (pd_sync_target_dir(dir))
		return pd_fail_errno(err, errno, "cannot sync the dump's directory %s", dir);
	return 0;
}

/* The page check reads the dump file back: through the front end's
 * descriptor, or the target opened read-only (a regular file only: a
 * flattened stream on stdout cannot be read back). */
static int open_check(struct pd_capture *c, const char *target, int out_fd, struct pd_error *err)
{
	struct stat sb;
	int fd = out_fd;

	if (c->o.no_page_check)
		return 0;
	if (fd < 0 && target) {
		pd_stall_begin("open", target);
		if (!stat(target, &sb) && S_ISREG(sb.st_mode))
			fd = c->check_fd = open(target, O_RDONLY | O_CLOEXEC);
		pd_stall_end();
		pd_stall_watch_fd(c->check_fd, target);
	}
	if (fd < 0) {
		snprintf(c->note, sizeof(c->note), "the dump file cannot be read back (%s): written "
			 "pages are released without the per-page check", target ? target : "no file");
		return 0;
	}
	c->check = malloc(sizeof(*c->check));
	if (!c->check)
		return pd_fail(err, "out of memory");
	if (pd_page_check_open(c->check, fd, c->o.check_source ? c->o.check_source : c->vmcore, err)) {
		free(c->check);
		c->check = NULL;
		if (c->mode == PD_CAPTURE_KEEP) {
			/* Nothing is released here: say so, go on. */
			snprintf(c->note, sizeof(c->note), "the dump will not be checked against the "
				 "vmcore: %.200s", err->msg);
			return 0;
		}
		return pd_error_context(err, "the per-page check cannot start (--no-page-check "
					"releases written pages unchecked)");
	}
	c->check_on = true;
	return 0;
}

static int final_area(struct pd_capture *c, const struct pd_range *a);
static int stop_with(struct pd_capture *c, const struct pd_error *e);
static int maybe_rearm(struct pd_capture *c);
static int stop_from_parts(struct pd_capture *c);

static void rearm_report(struct pd_capture *c, enum pd_rearm_state st, const struct pd_error *why)
{
	if (c->o.on_rearm)
		c->o.on_rearm(c->o.on_rearm_arg, st, why);
}

/* Re-arming gives up for this run; the capture goes on. */
static void rearm_give_up(struct pd_capture *c, struct pd_error *why)
{
	c->rearm_done = true;
	rearm_report(c, PD_REARM_UNKNOWN, why);
}

static bool area_released(const struct pd_capture *c, const struct pd_range *a)
{
	return !a->len || (c->resume && pd_rangeset_covers(&c->st.journal.released, a->addr, a->addr + a->len));
}

/* The header copy (journaled).  Its failure is not the capture's. */
static int prepare_rearm(struct pd_capture *c, const char *target, struct pd_error *err)
{
	const struct pd_journal_state *js = &c->st.journal;
	char dir[PATH_MAX], path[PATH_MAX + 32];
	uint64_t size, len;
	uint32_t crc;
	struct pd_error e;
	struct stat sb;

	if (c->mode != PD_CAPTURE_INCREMENTAL || c->o.no_rearm || !c->journal)
		return 0;
	if (!c->st.det.rearm[0]) {
		c->rearm_done = true;
		rearm_report(c, PD_REARM_ABSENT, NULL);
		return 0;
	}
	if (c->st.journal_rc == 0 && js->have_headers && !stat(js->headers_path, &sb) &&
	    (uint64_t)sb.st_size == js->headers_len) {
		c->headers_saved = true;	/* an earlier run on this boot made it */
	} else {
		if (c->o.headers_dir)
			snprintf(dir, sizeof(dir), "%s", c->o.headers_dir);
		else if (target && strncmp(target, "ssh://", 6))
			pd_dir_of(dir, sizeof(dir), target);
		else
			return rearm_give_up(c, &(struct pd_error){ .msg = "no local directory for the copy "
					     "of the vmcore's headers: re-arming needs one" }), 0;
		snprintf(path, sizeof(path), "%s/" PD_REARM_HEADERS_NAME, dir);
		if (pd_rearm_save_headers(c->vmcore, path, &size, &len, &crc, &e) ||
		    pd_journal_add_headers(c->journal, size, len, crc, path, &e)) {
			pd_error_context(&e, "the vmcore's headers could not be saved for re-arming");
			rearm_give_up(c, &e);
			return 0;
		}
		c->headers_saved = true;
	}
	(void)err;
	return 0;
}

/* With the first commit: the CPU and HPTE areas.  Nothing reads them again
 * (the notes are durable in the copy), and they block re-arming. */
static int early_areas(struct pd_capture *c)
{
	if (!c->headers_saved || c->early_areas)
		return 0;
	c->early_areas = true;
	if (!area_released(c, &c->boot.cpu) && final_area(c, &c->boot.cpu))
		return -1;
	if (!area_released(c, &c->boot.hpte) && final_area(c, &c->boot.hpte))
		return -1;
	return 0;
}

/* After a commit: re-arm when the kernel says nothing blocks it. */
static int maybe_rearm(struct pd_capture *c)
{
	struct pd_journal_saved *sm = NULL;
	enum pd_rearm_state st;
	struct pd_error e;
	struct pd_rr held;
	char *line = NULL;
	size_t len, n = 0, i;

	if (!c->headers_saved || c->rearm_done || c->stopped || c->ended)
		return 0;
	if (pd_rearm_read_state(c->st.det.rearm, &st, NULL, 0, &e))
		return rearm_give_up(c, &e), 0;
	/* Blocked, while runs shorter than --min-release wait to be coalesced:
	 * they may be what still blocks (on the rig, 256 KiB and 832 KiB runs
	 * in the boot-memory copy held re-arming to the end of the save).
	 * They are ready (saved or filtered): release them now and look again.
	 * On the synchronous path, right after a commit that left nothing
	 * unsynced.  With the worker (called between jobs): queued, so that
	 * the next job makes them, after its sync if unsaved bytes ask for one
	 * (the same rule as every release it makes), and this looks again once
	 * that job is collected.  Left to coalesce, they would wait for a
	 * moment with nothing unsynced, which a streaming save never has: a
	 * worker save then ended without re-arming. */
	if (st == PD_REARM_BLOCKED && c->have_ledger && pd_ledger_ready_pfns(&c->ledger)) {
		if (c->async)
			return pd_ledger_flush(&c->ledger) ? stop_from_parts(c) : 0;
		if (!c->unsaved.n) {
			if (pd_ledger_flush(&c->ledger) || pd_releaser_commit(&c->rel))
				return stop_from_parts(c);
			if (pd_rearm_read_state(c->st.det.rearm, &st, NULL, 0, &e))
				return rearm_give_up(c, &e), 0;
		}
	}
	if (st == PD_REARM_BLOCKED || st == PD_REARM_ABSENT)
		return 0;	/* later; absent: the dump ended meanwhile */
	if (st == PD_REARM_ARMED) {
		c->rearm_done = c->rearmed = true;	/* an earlier run re-armed */
		pd_fail(&e, "re-armed already, by an earlier run of this capture");
		rearm_report(c, PD_REARM_ARMED, &e);
		return 0;
	}
	if (st != PD_REARM_READY) {
		pd_fail(&e, "%s reads neither ready, armed nor blocked: not re-arming", c->st.det.rearm);
		return rearm_give_up(c, &e), 0;
	}
	/* What is still held now, and a few CRCs of it for the next boot. */
	memset(&held, 0, sizeof(held));
	if (pd_read_file(c->backend.path, (size_t)64 << 20, &line, &len) ||
	    pd_rr_parse(line, len, &held, &e)) {
		if (!line)
			pd_fail_errno(&e, errno, "cannot read %s", c->backend.path);
		free(line);
		return rearm_give_up(c, &e), 0;
	}
	free(line);
	if (pd_rearm_samples(c->vmcore, &held, &sm, &n, &e)) {
		pd_rr_free(&held);
		return rearm_give_up(c, &e), 0;
	}
	pd_rr_free(&held);
	for (i = 0; i < n; i++)
		if (pd_journal_add_sample(c->journal, sm[i].off, sm[i].len, sm[i].crc, &e))
			break;
	free(sm);
	/* Synced with the rearm record, before the kernel hears of it. */
	if (i < n || pd_journal_add_rearm(c->journal, c->st.boot_id[0] ? c->st.boot_id : "unknown", n, &e))
		return stop_with(c, &e);
	c->rearm_done = true;
	if (pd_rearm_write(c->st.det.rearm, &e)) {
		/* EIO: the registration failed after the invalidation; the kernel
		 * is ready again and a later write retries (a few times). */
		bool retry = e.errnum == EIO && ++c->rearm_tries < PD_CAPTURE_REARM_TRIES;

		pd_error_context(&e, "%s", e.errnum == EBUSY ?
				 "the kernel still sees unsaved memory in the areas a new registration "
				 "reuses (cat the rearm file)" : retry ?
				 "the registration failed (see the kernel log); trying again after the next "
				 "releases" : "the registration failed (see the kernel log); after the save "
				 "phypdump-capture registers again");
		rearm_report(c, PD_REARM_UNKNOWN, &e);
		c->rearm_done = !retry;
		return 0;
	}
	c->rearmed = true;
	rearm_report(c, PD_REARM_ARMED, NULL);
	return 0;
}

int pd_capture_begin(struct pd_capture *c, const char *target, int out_fd,
		     const char *collector, struct pd_error *err)
{
	struct pd_dump_state *s = &c->st;

	c->out_fd = out_fd;
	c->begun = true;
	if (open_check(c, target, out_fd, err))
		return -1;
	if (!will_release(c))
		return 0;	/* nothing will be released: no journal needed */
	if (s->journal_rc == 0) {
		c->journal = pd_journal_append(s->journal_path, &s->journal, err);
	} else {
		c->journal = pd_journal_create(s->journal_path, s->boot_id[0] ? s->boot_id : "unknown",
					       c->o.sys_page_size, &c->boot, err);
	}
	if (!c->journal)
		return pd_error_context(err, "the journal must be writable before any memory is released");
	if (target && sync_dir_of(target, err))
		return -1;
	if ((target && pd_journal_add_target(c->journal, target, err)) ||
	    (collector && pd_journal_add_collector(c->journal, collector, err)))
		return -1;
	return prepare_rearm(c, target, err);
}

/* ---- events ---- */

static void on_release(void *arg, uint64_t addr, uint64_t len)
{
	struct pd_capture *c = arg;

	c->released_bytes += len;
	c->returned += len;
	if (c->returned > c->reserved_start)
		c->returned = c->reserved_start;
	if (c->o.on_release)
		c->o.on_release(c->o.on_release_arg, addr, len);
}

static int stop_with(struct pd_capture *c, const struct pd_error *e)
{
	if (!c->stopped) {
		c->stopped = true;
		if (e && e->msg[0])
			c->error = *e;
		else if (!c->error.msg[0])
			pd_fail(&c->error, "capture: internal error");
	}
	return -1;
}

/* A ledger or releaser call failed: keep the first message, stop. */
static int stop_from_parts(struct pd_capture *c)
{
	if (c->rel.failed)
		return stop_with(c, &c->rel.error);
	return stop_with(c, &c->ledger.error);
}

static void close_check(struct pd_capture *c);
static void async_stop(struct pd_capture *c);

void pd_capture_stop(struct pd_capture *c, const struct pd_error *why)
{
	stop_with(c, why);
	async_stop(c);	/* the worker begins no release after this */
	close_check(c);	/* nothing is released any more: nothing to check */
}

bool pd_capture_stopped(const struct pd_capture *c)
{
	return c->stopped;
}

/* Incremental events matter only while releasing as the dump is saved. */
static bool live(const struct pd_capture *c)
{
	return c->begun && !c->stopped && !c->ended && c->have_ledger &&
	       (c->mode == PD_CAPTURE_INCREMENTAL || c->mode == PD_CAPTURE_DRY_RUN);
}

int pd_capture_set_page_size(struct pd_capture *c, uint64_t pfn_bytes)
{
	uint64_t min;

	if (c->pfn_bytes)
		return c->pfn_bytes == pfn_bytes ? 0 : -1;
	if (!pfn_bytes || (pfn_bytes & (pfn_bytes - 1))) {
		struct pd_error e;

		pd_fail(&e, "the dump's page size %" PRIu64 " is not a power of two", pfn_bytes);
		return stop_with(c, &e);
	}
	c->pfn_bytes = pfn_bytes;
	if (!c->have_map)
		return 0;
	pd_releaser_init(&c->rel, &c->map, c->journal, &c->backend,
			 c->resume ? &c->st.journal.released : NULL, pfn_bytes);
	c->rel.on_release = on_release;
	c->rel.on_release_arg = c;
	/* One journal sync for everything a commit makes. */
	pd_releaser_set_batch(&c->rel, true);
	min = (c->o.min_release + pfn_bytes - 1) / pfn_bytes;
	pd_ledger_init(&c->ledger, min ? min : 1, pd_releaser_pfns, &c->rel);
	c->have_ledger = true;
	return 0;
}

void pd_capture_set_cycles(struct pd_capture *c, bool single)
{
	c->cycles_known = true;
	c->single_cycle = single;
}

int pd_capture_excluded(struct pd_capture *c, uint64_t s, uint64_t e)
{
	if (!live(c) || s >= e)
		return 0;
	return pd_ledger_excluded(&c->ledger, s, e) ? stop_from_parts(c) : 0;
}

int pd_capture_beyond(struct pd_capture *c, uint64_t pfn)
{
	uint64_t top = 0, end;
	size_t i;

	if (!live(c))
		return 0;
	for (i = 0; i < c->boot.ndump; i++)
		if (c->boot.dump[i].src + c->boot.dump[i].len > top)
			top = c->boot.dump[i].src + c->boot.dump[i].len;
	end = top / c->pfn_bytes + (top % c->pfn_bytes != 0);
	return pfn < end ? pd_capture_excluded(c, pfn, end) : 0;
}

int pd_capture_written(struct pd_capture *c, uint64_t s, uint64_t e)
{
	struct pd_error err;

	if (!live(c) || s >= e)
		return 0;
	if (c->check_done)
		return pd_fail(&err, "capture: pages written after the page check finished"),
		       stop_with(c, &err);
	if (c->check && pd_rangeset_add(&c->unchecked, s, e))
		return pd_fail(&err, "capture: out of memory"), stop_with(c, &err);
	c->waiting += (e - s) * c->pfn_bytes;
	return pd_ledger_written(&c->ledger, s, e) ? stop_from_parts(c) : 0;
}

bool pd_capture_sync_due(const struct pd_capture *c, uint64_t unsynced, uint64_t sync_bytes,
			 double since, double sync_seconds)
{
	/* Several cycles: written pages wait for the end whatever is synced. */
	bool memory = c->waiting && (!c->cycles_known || c->single_cycle);

	if (memory && c->waiting >= c->o.sync_memory)
		return true;
	if (unsynced >= sync_bytes)
		return true;
	return (unsynced || memory) && since >= sync_seconds;
}

/* Check every pfn of @set against its copy in the (durable) file.  No
 * engine state is touched but the checker: the worker calls it too. */
static int check_set(struct pd_page_check *pc, const struct pd_rangeset *set, struct pd_error *e,
		     bool *failed)
{
	size_t i;

	for (i = 0; i < set->n; i++)
		if (pd_page_check_pfns(pc, set->iv[i].start, set->iv[i].end, e)) {
			*failed = e->kind == PD_ERR_REFUSED;
			return -1;
		}
	return 0;
}

/* Every written pfn not yet checked: its copy in the (durable) file must
 * equal the source's page before anything may release it. */
static int check_written(struct pd_capture *c)
{
	struct pd_error e;

	if (!c->check)
		return 0;
	if (check_set(c->check, &c->unchecked, &e, &c->check_failed))
		return stop_with(c, &e);
	pd_rangeset_clear(&c->unchecked);
	return 0;
}

/* Every pfn the file's bitmap2 lists (release_mem gives all back at once). */
static int check_whole_dump(struct pd_capture *c)
{
	struct pd_kdump_layout l;
	struct pd_error e;
	unsigned char buf[4096];
	uint64_t b, run = UINT64_MAX, pfn;
	int fd;

	if (!c->check)
		return 0;
	fd = c->check->dump_fd;
	if (pd_kdump_read_layout(pd_fd_read, &fd, &l, &e))
		return pd_error_context(&e, "page check: the dump file's header (offset 0)"),
		       c->check_failed = true, stop_with(c, &e);
	for (b = 0; b < (l.max_mapnr + 7) / 8; b += sizeof(buf)) {
		size_t n = (l.max_mapnr + 7) / 8 - b < sizeof(buf) ? (size_t)((l.max_mapnr + 7) / 8 - b) :
			   sizeof(buf);

		if (pd_fd_read(&fd, l.off_bitmap2 + b, buf, n))
			return pd_fail_kind(&e, PD_ERR_REFUSED, "page check: the dump file's bitmap2 "
					    "(file offset 0x%" PRIx64 ") cannot be read back",
					    l.off_bitmap2 + b), c->check_failed = true, stop_with(c, &e);
		for (pfn = b * 8; pfn < (b + n) * 8 && pfn < l.max_mapnr; pfn++) {
			bool set = buf[pfn / 8 - b] >> (pfn % 8) & 1;

			if (set && run == UINT64_MAX)
				run = pfn;
			if (!set && run != UINT64_MAX) {
				if (pd_rangeset_add(&c->unchecked, run, pfn))
					return pd_fail(&e, "out of memory"), stop_with(c, &e);
				run = UINT64_MAX;
			}
		}
	}
	if (run != UINT64_MAX && pd_rangeset_add(&c->unchecked, run, l.max_mapnr))
		return pd_fail(&e, "out of memory"), stop_with(c, &e);
	return check_written(c);
}

static void close_check(struct pd_capture *c)
{
	if (!c->check)
		return;
	c->checked_pages = c->check->checked;
	c->unchecked_pages = c->check->unchecked;
	c->check_seconds = c->check->seconds;
	pd_page_check_close(c->check);
	free(c->check);
	c->check = NULL;
}

static bool all_at_end(const struct pd_capture *c)
{
	return c->mode == PD_CAPTURE_AT_END || (c->mode == PD_CAPTURE_DRY_RUN && !c->have_map);
}

int pd_capture_check_finish(struct pd_capture *c)
{
	int rc;

	if (pd_capture_async_finish(c))
		return -1;
	if (c->check_done || !c->check)
		return c->stopped ? -1 : 0;
	/* Kept (the service releases it all at once after the save), or all at
	 * the end: every dumped page; else what is not yet checked. */
	rc = all_at_end(c) || c->mode == PD_CAPTURE_KEEP ? check_whole_dump(c) : check_written(c);
	close_check(c);
	c->check_done = true;
	return rc;
}

bool pd_capture_check_stats(const struct pd_capture *c, uint64_t *checked, uint64_t *unchecked,
			    double *seconds)
{
	*checked = c->check ? c->check->checked : c->checked_pages;
	*unchecked = c->check ? c->check->unchecked : c->unchecked_pages;
	*seconds = c->check ? c->check->seconds : c->check_seconds;
	return c->check_on;
}

int pd_capture_file_written(struct pd_capture *c, uint64_t off, uint64_t len)
{
	struct pd_error e;

	/* From the first byte: the header and bitmaps come before the page
	 * size is known, and a resume needs them verified too. */
	if (!c->begun || c->stopped || c->ended || !len || (c->out_fd < 0 && !c->o.checksum) || !c->journal ||
	    c->mode != PD_CAPTURE_INCREMENTAL)
		return 0;
	if (pd_rangeset_add(&c->unsaved, off, off + len))
		return pd_fail(&e, "capture: out of memory"), stop_with(c, &e);
	return 0;
}

int pd_capture_pin(struct pd_capture *c, uint64_t s, uint64_t e)
{
	if (!live(c))
		return 0;
	return pd_ledger_pin(&c->ledger, s, e) ? stop_from_parts(c) : 0;
}

int pd_capture_unpin(struct pd_capture *c, uint64_t s, uint64_t e)
{
	if (!live(c))
		return 0;
	return pd_ledger_unpin(&c->ledger, s, e) ? stop_from_parts(c) : 0;
}

/* Journal a CRC for every file range of @set.  They are durable (the
 * caller synced); the records ride on the next journal sync, which comes
 * before any release that relies on them.  Touches the journal and reads
 * the file only: the worker calls it too. */
static int journal_saved_set(struct pd_capture *c, const struct pd_rangeset *set, struct pd_error *e)
{
	static unsigned char buf[1 << 20];	/* one caller at a time: the worker or, without it, the front end */
	size_t i;

	for (i = 0; i < set->n; i++) {
		uint64_t off = set->iv[i].start, end = set->iv[i].end, p;
		uint32_t crc = 0;

		if (c->o.checksum && c->o.checksum(c->o.checksum_arg, off, end - off, &crc, e))
			return -1;
		for (p = c->o.checksum ? end : off; p < end;) {
			size_t n = end - p < sizeof(buf) ? (size_t)(end - p) : sizeof(buf);

			if (pd_fd_read(&c->out_fd, p, buf, n))
				return pd_fail_errno(e, errno ? errno : EIO,
						     "reading back the dump file to checksum it failed");
			crc = pd_crc32_update(crc, buf, n);
			p += n;
		}
		if (pd_journal_add_saved(c->journal, off, end - off, crc, e))
			return -1;
	}
	return 0;
}

/* Journal a CRC for every file range written since the last time. */
static int journal_saved(struct pd_capture *c)
{
	struct pd_error e;

	if (journal_saved_set(c, &c->unsaved, &e))
		return stop_with(c, &e);
	pd_rangeset_clear(&c->unsaved);
	return 0;
}

int pd_capture_durable(struct pd_capture *c)
{
	if (c->async && pd_capture_async_finish(c))
		return -1;
	if (!live(c))
		return 0;
	c->waiting = 0;
	if (check_written(c))
		return -1;
	if (c->unsaved.n && journal_saved(c))
		return -1;
	/* One cycle: makedumpfile reads no metadata once it writes, so what
	 * is on disk can go.  Several cycles: later cycles may read metadata
	 * in pages already written, so written pages wait for the end. */
	if (c->cycles_known && c->single_cycle && pd_ledger_durable(&c->ledger))
		return stop_from_parts(c);
	return 0;
}

int pd_capture_commit(struct pd_capture *c)
{
	struct pd_error e;

	if (c->async && pd_capture_async_finish(c))
		return -1;
	if (!live(c) || !c->rel.npend)
		return 0;
	/* The releases rely on what the file says (bitmap2, pages): it is made
	 * durable and checksummed first. */
	if (c->unsaved.n) {
		if (!c->o.sync) {
			if (journal_saved(c))	/* the front end synced them */
				return -1;
		} else if (c->o.sync(c->o.sync_arg, &e)) {
			return stop_with(c, &e);
		} else if (pd_capture_durable(c)) {
			/* Everything written is durable now: written pages go too. */
			return -1;
		}
	}
	if (early_areas(c))
		return -1;
	if (pd_releaser_commit(&c->rel))
		return stop_from_parts(c);
	return maybe_rearm(c);
}

/* ---- the end ---- */

/* The kernel ends the dump when its last reserved byte goes: release_region
 * disappears (writes to an open descriptor then fail with ENOENT or ENODEV). */
static bool dump_ended(const struct pd_capture *c)
{
	return c->backend.kind == PD_BACKEND_RELEASE_REGION && c->backend.path[0] &&
	       access(c->backend.path, F_OK) && errno == ENOENT;
}

/* Release one whole boot area; the dump ending on the way is success.  The
 * releaser is fresh for each call (batch off): a failure of one area is
 * reported as such, never hidden by clearing a failed flag. */
static int final_area(struct pd_capture *c, const struct pd_range *a)
{
	struct pd_releaser r;
	int rc;

	if (!a->len || dump_ended(c))
		return 0;
	pd_releaser_init(&r, &c->map, c->journal, &c->backend, NULL, c->o.sys_page_size);
	r.on_release = on_release;
	r.on_release_arg = c;
	rc = pd_releaser_range(&r, a->addr, a->len);
	if (rc && !dump_ended(c))
		stop_with(c, &r.error);
	pd_releaser_free(&r);
	return c->stopped ? -1 : 0;
}

int pd_capture_end(struct pd_capture *c)
{
	struct pd_error e;
	size_t i;

	if (c->ended)
		return pd_fail(&c->error, "capture: ended twice");
	if (c->async && pd_capture_async_finish(c))
		return -1;
	if (c->stopped)
		return -1;
	if (c->unsaved.n && c->journal && journal_saved(c))
		return -1;
	c->ended = true;
	if (c->mode == PD_CAPTURE_KEEP)
		return 0;
	if (all_at_end(c)) {
		if (check_whole_dump(c))
			return -1;
		if ((c->journal && pd_journal_add_final(c->journal, "release_mem", &e)) ||
		    pd_backend_release_all(&c->backend, &c->boot, &e))
			return pd_error_context(&e, "release the memory by hand: echo 1 > "
						"/sys/kernel/fadump/release_mem"),
			       stop_with(c, &e);
		c->returned = c->reserved_start;
		if (c->o.on_release)
			c->o.on_release(c->o.on_release_arg, 0, c->reserved_start);
		return 0;
	}
	/* Incremental (or its dry run): what is left of the ledger, pins and
	 * all, then the whole areas (the kernel frees what is left, pages that
	 * straddled earlier ranges included, and ends the dump). */
	if (c->have_ledger) {
		if (check_written(c))
			return -1;
		if (pd_ledger_durable(&c->ledger) || pd_ledger_unpin(&c->ledger, 0, UINT64_MAX) ||
		    pd_ledger_flush(&c->ledger) || pd_releaser_commit(&c->rel))
			return stop_from_parts(c);
	}
	if (!c->early_areas && (final_area(c, &c->boot.cpu) || final_area(c, &c->boot.hpte)))
		return -1;
	for (i = 0; i < c->boot.ndump; i++)
		if (final_area(c, &c->boot.dump[i]))
			return -1;
	if (c->journal && pd_journal_add_final(c->journal, "release_region", &e))
		return stop_with(c, &e);
	c->returned = c->reserved_start;
	return 0;
}

bool pd_capture_pfns_released(const struct pd_capture *c, uint64_t s, uint64_t e)
{
	return c->have_ledger && pd_rangeset_intersects(&c->ledger.released, s, e);
}

void pd_capture_fini(struct pd_capture *c)
{
	async_stop(c);
	if (c->have_ledger)
		pd_ledger_free(&c->ledger);
	pd_releaser_free(&c->rel);
	c->have_ledger = false;
	if (c->journal)
		pd_journal_close(c->journal);
	c->journal = NULL;
	if (c->have_backend)
		pd_backend_close(&c->backend);
	c->have_backend = false;
	if (c->have_map)
		pd_map_free(&c->map);
	c->have_map = false;
	pd_rr_free(&c->boot);
	pd_rangeset_free(&c->unsaved);
	pd_rangeset_free(&c->unchecked);
	close_check(c);
	if (c->check_fd >= 0)
		pd_close_fd(c->check_fd);
	c->check_fd = -1;
	pd_dump_state_free(&c->st);
	if (c->lock_fd >= 0)
		close(c->lock_fd);
	c->lock_fd = -1;
}

/* ---- the durability worker (pd_capture_async_*) ---- */

/* One job: what the worker does while the front end keeps writing.  Its
 * sets and lists are moved out of the engine when the job is handed over
 * and belong to the worker until it is collected. */
struct async_job {
	struct pd_interval *first;	/* releases already safe: made first */
	size_t nfirst;
	bool sync;			/* fdatasync, then check, then CRCs */
	struct pd_rangeset check;	/* written pfns to compare with the source */
	struct pd_rangeset saved;	/* file ranges to journal CRCs of */
	struct pd_rangeset durable;	/* written pfns the sync makes releasable */
	struct pd_interval *after;	/* releases safe once synced */
	size_t nafter;
	/* results */
	int rc;
	struct pd_error err;
	bool check_failed, synced;
	struct pd_interval *done;	/* releases made, for the observer */
	size_t ndone, capdone;
};

struct pd_capture_async {
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int wake[2];			/* a byte when a job is finished */
	bool have_job, finished, quit;
	atomic_bool stop;		/* release nothing more */
	struct async_job job;
	size_t pend_safe;		/* leading entries of rel.pend that may go now */
	uint64_t jobs, syncs;
	uint64_t collected;		/* jobs taken back */
	uint64_t rearm_seen;		/* ->collected when maybe_rearm() last looked */
};

static void on_release_async(void *arg, uint64_t addr, uint64_t len)
{
	struct async_job *j = arg;

	if (j->ndone == j->capdone) {
		size_t cap = j->capdone ? j->capdone * 2 : 64;
		struct pd_interval *p = realloc(j->done, cap * sizeof(*p));

		if (!p)
			return;	/* the observer misses it; the release stands */
		j->done = p;
		j->capdone = cap;
	}
	j->done[j->ndone].start = addr;
	j->done[j->ndone].end = addr + len;
	j->ndone++;
}

/* Make the releases of @iv: journal records, one journal sync, then the
 * kernel, through a releaser of the worker's own (the engine's keeps
 * collecting for the next job).  Frees @iv. */
static int async_release(struct pd_capture *c, struct async_job *j, struct pd_interval *iv, size_t n)
{
	struct pd_releaser r;
	int rc;

	if (!n) {
		free(iv);
		return 0;
	}
	pd_releaser_init(&r, &c->map, c->journal, &c->backend, NULL, c->pfn_bytes);
	pd_releaser_set_batch(&r, true);
	r.on_release = on_release_async;
	r.on_release_arg = j;
	r.pend = iv;
	r.npend = r.cappend = n;
	rc = pd_releaser_commit(&r);
	if (rc)
		j->err = r.error;
	pd_releaser_free(&r);
	return rc;
}

static void async_run(struct pd_capture *c, struct pd_capture_async *a, struct async_job *j)
{
	struct pd_interval *first = j->first, *after = j->after;

	j->first = j->after = NULL;
	j->rc = -1;
	if (atomic_load(&a->stop))
		goto out;
	j->rc = async_release(c, j, first, j->nfirst);
	first = NULL;
	if (j->rc)
		goto out;
	j->rc = -1;
	if (j->sync) {
		if (pd_fdatasync_fd(c->out_fd)) {
			pd_fail_errno(&j->err, errno, "syncing the dump file failed");
			goto out;
		}
		if (c->check && check_set(c->check, &j->check, &j->err, &j->check_failed))
			goto out;
		if (journal_saved_set(c, &j->saved, &j->err))
			goto out;
		j->synced = true;
	}
	if (atomic_load(&a->stop))
		goto out;
	j->rc = async_release(c, j, after, j->nafter);
	after = NULL;
out:
	free(first);
	free(after);
	if (atomic_load(&a->stop) && j->rc && !j->err.msg[0])
		j->rc = 0;	/* stopped by the front end: not a failure of its own */
}

static void *async_main(void *arg)
{
	struct pd_capture *c = arg;
	struct pd_capture_async *a = c->async;
	char byte = 1;

	pthread_mutex_lock(&a->mu);
	for (;;) {
		while (!a->quit && !(a->have_job && !a->finished))
			pthread_cond_wait(&a->cv, &a->mu);
		if (a->quit)
			break;
		pthread_mutex_unlock(&a->mu);
		async_run(c, a, &a->job);
		pthread_mutex_lock(&a->mu);
		a->finished = true;
		pthread_cond_broadcast(&a->cv);
		while (write(a->wake[1], &byte, 1) < 0 && errno == EINTR)
			;
	}
	pthread_mutex_unlock(&a->mu);
	return NULL;
}

int pd_capture_async_start(struct pd_capture *c, struct pd_error *err)
{
	struct pd_capture_async *a;
	int rc;

	if (c->async || !c->begun || c->stopped || c->out_fd < 0 || c->o.checksum ||
	    (c->mode != PD_CAPTURE_INCREMENTAL && c->mode != PD_CAPTURE_DRY_RUN) || !c->have_map)
		return 0;
	a = calloc(1, sizeof(*a));
	if (!a)
		return pd_fail(err, "out of memory");
	if (pipe2(a->wake, O_CLOEXEC | O_NONBLOCK)) {
		free(a);
		return pd_fail_errno(err, errno, "cannot create the durability worker's pipe");
	}
	pthread_mutex_init(&a->mu, NULL);
	pthread_cond_init(&a->cv, NULL);
	atomic_init(&a->stop, false);
	c->async = a;
	rc = pthread_create(&a->thread, NULL, async_main, c);
	if (rc) {
		c->async = NULL;
		close(a->wake[0]);
		close(a->wake[1]);
		pthread_mutex_destroy(&a->mu);
		pthread_cond_destroy(&a->cv);
		free(a);
		return pd_fail_errno(err, rc, "cannot start the durability worker");
	}
	return 0;
}

int pd_capture_async_fd(const struct pd_capture *c)
{
	return c->async ? c->async->wake[0] : -1;
}

static void free_job(struct async_job *j)
{
	free(j->first);
	free(j->after);
	free(j->done);
	pd_rangeset_free(&j->check);
	pd_rangeset_free(&j->saved);
	pd_rangeset_free(&j->durable);
	memset(j, 0, sizeof(*j));
}

/* Take the finished job back: the releases it made reach the observer;
 * then what it synced and checked becomes releasable (one cycle), and the
 * releases that makes are safe for the next job. */
static int collect(struct pd_capture *c, bool wait)
{
	struct pd_capture_async *a = c->async;
	struct async_job *j = &a->job;
	char drain[64];
	size_t i, before;
	int rc = 0;

	pthread_mutex_lock(&a->mu);
	if (!a->have_job) {
		pthread_mutex_unlock(&a->mu);
		return c->stopped ? -1 : 0;
	}
	while (wait && !a->finished)
		pthread_cond_wait(&a->cv, &a->mu);
	if (!a->finished) {
		pthread_mutex_unlock(&a->mu);
		return 0;
	}
	pthread_mutex_unlock(&a->mu);
	while (read(a->wake[0], drain, sizeof(drain)) > 0)
		;
	for (i = 0; i < j->ndone; i++)
		on_release(c, j->done[i].start, j->done[i].end - j->done[i].start);
	if (j->synced)
		a->syncs++;
	if (j->rc) {
		if (j->check_failed)
			c->check_failed = true;
		rc = stop_with(c, &j->err);
	} else if (j->synced && !c->stopped && c->cycles_known && c->single_cycle) {
		/* The releases this makes rely on the synced, checked
		 * snapshot only: safe now, unless releases waiting on a later
		 * sync are queued before them. */
		before = c->rel.npend;
		if (pd_ledger_durable_in(&c->ledger, &j->durable))
			rc = stop_from_parts(c);
		else if (a->pend_safe == before)
			a->pend_safe = c->rel.npend;
	}
	pthread_mutex_lock(&a->mu);
	free_job(j);
	a->have_job = a->finished = false;
	pthread_mutex_unlock(&a->mu);
	a->collected++;
	return rc || c->stopped ? -1 : 0;
}

int pd_capture_async_poll(struct pd_capture *c)
{
	if (!c->async)
		return c->stopped ? -1 : 0;
	return collect(c, false);
}

static int copy_set(struct pd_rangeset *to, const struct pd_rangeset *from)
{
	size_t i;

	for (i = 0; i < from->n; i++)
		if (pd_rangeset_add(to, from->iv[i].start, from->iv[i].end))
			return -1;
	return 0;
}

static struct pd_interval *take_pend(struct pd_capture *c, size_t from, size_t to)
{
	struct pd_interval *iv;

	if (from == to)
		return NULL;
	iv = malloc((to - from) * sizeof(*iv));
	if (iv)
		memcpy(iv, c->rel.pend + from, (to - from) * sizeof(*iv));
	return iv;
}

int pd_capture_async_kick(struct pd_capture *c, bool sync_due)
{
	struct pd_capture_async *a = c->async;
	struct async_job *j;
	struct pd_error e;
	size_t safe, n;
	bool sync;

	if (!a)
		return 0;
	if (collect(c, false))
		return -1;
	if (!live(c) || a->have_job)
		return 0;
	/* No job in flight: the journal and the back end are the front end's
	 * again, so the engine's own releases and re-arm happen here, as
	 * pd_capture_commit() makes them on the synchronous path: the CPU and
	 * HPTE areas once the header copy is durable, and a look at the rearm
	 * file after each job that released memory (not on every record). */
	if (early_areas(c))
		return -1;
	if (a->rearm_seen != a->collected) {
		a->rearm_seen = a->collected;
		if (maybe_rearm(c))
			return -1;
	}
	j = &a->job;
	n = c->rel.npend;
	/* Nothing unsaved in the file: every queued release is safe. */
	safe = c->unsaved.n ? a->pend_safe : n;
	/* Releases that wait on unsaved bytes (bitmap2) need a sync too.  And
	 * the worker is the pace: written memory waiting (one cycle) is synced
	 * as soon as it is idle, whatever --sync-memory says; the syncs then
	 * cost the stream nothing, and memory goes back as fast as the check
	 * can compare it. */
	sync = sync_due || (n > safe) ||
	       (c->waiting && c->cycles_known && c->single_cycle);
	if (!sync && !safe)
		return 0;
	memset(j, 0, sizeof(*j));
	pd_rangeset_init(&j->check);
	pd_rangeset_init(&j->saved);
	pd_rangeset_init(&j->durable);
	j->first = take_pend(c, 0, safe);
	j->nfirst = safe;
	if ((safe && !j->first) || (n > safe && !(j->after = take_pend(c, safe, n)))) {
		free_job(j);
		return pd_fail(&e, "capture: out of memory"), stop_with(c, &e);
	}
	/* Everything queued is in the job now (n > safe implies a sync). */
	c->rel.npend = 0;
	if (sync) {
		j->sync = true;
		j->nafter = n - safe;
		/* Moved: the front end adds to fresh sets while the worker works. */
		j->check = c->unchecked;
		j->saved = c->unsaved;
		pd_rangeset_init(&c->unchecked);
		pd_rangeset_init(&c->unsaved);
		if (copy_set(&j->durable, c->check ? &j->check : &c->ledger.written)) {
			free_job(j);
			return pd_fail(&e, "capture: out of memory"), stop_with(c, &e);
		}
		c->waiting = 0;
	}
	a->pend_safe = 0;
	a->jobs++;
	pthread_mutex_lock(&a->mu);
	a->have_job = true;
	a->finished = false;
	pthread_cond_broadcast(&a->cv);
	pthread_mutex_unlock(&a->mu);
	return sync ? 1 : 0;
}

int pd_capture_async_finish(struct pd_capture *c)
{
	struct pd_capture_async *a = c->async;
	int rc;

	if (!a)
		return c->stopped ? -1 : 0;
	rc = collect(c, true);
	pthread_mutex_lock(&a->mu);
	a->quit = true;
	pthread_cond_broadcast(&a->cv);
	pthread_mutex_unlock(&a->mu);
	pthread_join(a->thread, NULL);
	close(a->wake[0]);
	close(a->wake[1]);
	pthread_mutex_destroy(&a->mu);
	pthread_cond_destroy(&a->cv);
	c->async_jobs = a->jobs;
	c->async_syncs = a->syncs;
	free(a);
	c->async = NULL;
	return rc;
}

/* Stop: the worker makes no release it has not begun, and is gone. */
static void async_stop(struct pd_capture *c)
{
	if (!c->async)
		return;
	atomic_store(&c->async->stop, true);
	(void)pd_capture_async_finish(c);
}

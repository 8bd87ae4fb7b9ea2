/* SPDX-License-Identifier: GPL-2.0-or-later */
/* save_pipeline.c — from the collector's flattened stream to the dump file
 * and the capture engine's events.  Reads, writes and reports; the engine
 * decides what may be released. */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <unistd.h>

#include "fileio.h"
#include "save.h"

volatile sig_atomic_t save_interrupted;

int save_fail(struct save *s, const char *hint)
{
	if (hint && !s->hint)
		s->hint = hint;
	pd_capture_stop(&s->cap, &s->err);
	return -1;
}

/* The engine refused or failed: its first error is the save's. */
static int engine_failed(struct save *s)
{
	s->err = s->cap.error;
	if (s->cap.check_failed)
		return save_fail(s, SAVE_HINT_DAMAGED);
	return save_fail(s, "The kernel or the journal refused a release. Nothing more will be released;\n"
			 "check the kernel log and 'phypdump status', then run phypdump save again to finish the dump.");
}

/* A plain stream to a remote host without phypdump is durable only at its
 * end: the engine hears nothing until then, so nothing goes back early. */
static bool at_end_only(const struct save *s)
{
	return s->remote && s->net.fallback;
}

static int ev_excluded(void *arg, uint64_t a, uint64_t b)
{
	struct save *s = arg;

	if (at_end_only(s))
		return 0;
	if (pd_capture_set_page_size(&s->cap, s->track.block_size) ||
	    pd_capture_excluded(&s->cap, a, b))
		return engine_failed(s);
	return 0;
}

static int ev_written(void *arg, uint64_t a, uint64_t b)
{
	struct save *s = arg;

	if (!s->t_scanned)
		s->t_scanned = pd_now() - s->t0;	/* the scan is over: pages come */
	if (at_end_only(s))
		return 0;
	if (!s->cap.cycles_known && s->track.cycles_known)
		pd_capture_set_cycles(&s->cap, s->track.single_cycle);
	if (pd_capture_set_page_size(&s->cap, s->track.block_size) ||
	    pd_capture_written(&s->cap, a, b))
		return engine_failed(s);
	return 0;
}

/* What to do after writing or syncing the local dump file failed: a full
 * file system is freed, a failed one (an NFS server that stopped answering a
 * soft mount gives EIO or ETIMEDOUT) is fixed; either way the save resumes. */
static const char *local_write_hint(int errnum)
{
	if (errnum == ENOSPC || errnum == EDQUOT)
		return "Free space in the dump directory's file system (or choose another\n"
		       "directory), then run phypdump save again: it resumes the dump.";
	return "Nothing unsaved was released. The dump directory's storage failed (on NFS: the\n"
	       "server stopped answering or went away); once it works again, run phypdump save\n"
	       "again: it resumes the dump.";
}

static int on_data(void *arg, uint64_t off, const unsigned char *d, size_t len)
{
	struct save *s = arg;

	if (s->remote) {
		if (!s->net.fallback && save_net_write(&s->net, off, d, len, &s->err))
			return save_fail(s, "Nothing unsaved was released. Check the remote host (space, the\n"
					 "connection), then run phypdump save again: it resumes the dump.");
		s->w.bytes += len;
		s->w.unsynced += len;
		if (off + len > s->w.size)
			s->w.size = off + len;
		/* The tracker reads bitmap2 back: keep the head locally. */
		if (!s->track.have_sub || off < s->track.off_pd) {
			size_t k = len;

			if (s->track.have_sub && off + len > s->track.off_pd)
				k = (size_t)(s->track.off_pd - off);
			if (save_net_shadow(&s->net, off, d, k)) {
				pd_fail_errno(&s->err, errno, "keeping the dump's bitmaps in memory failed");
				return save_fail(s, NULL);
			}
		}
	} else if (pd_dump_writer_write(&s->w, off, d, len, &s->err)) {
		return save_fail(s, local_write_hint(s->err.errnum));
	}
	if (!at_end_only(s) && pd_capture_file_written(&s->cap, off, len))
		return engine_failed(s);
	if (pd_kdump_track_chunk(&s->track, off, d, len))
		return -1;
	if (s->track.have_sub && !s->beyond_done) {
		/* Memory past makedumpfile's last pfn is not in the dump. */
		s->beyond_done = true;
		if (pd_capture_set_page_size(&s->cap, s->track.block_size) ||
		    pd_capture_beyond(&s->cap, s->track.max_mapnr))
			return engine_failed(s);
	}
	if (s->track.confused && !s->stream_confused) {
		/* The stream contradicts itself: nothing it says can be trusted
		 * to release memory, and the save must not end in success. */
		s->stream_confused = true;
		pd_fail(&s->err, "the collector's stream is inconsistent (%s)", s->track.why.msg);
		return save_fail(s, "Nothing more is released. Check the collector's options and makedumpfile.log.");
	}
	return 0;
}

/* What to do after a sync failed. */
static const char *sync_hint(const struct save *s, int errnum)
{
	if (s->remote)
		return "The dump could not be made durable; nothing unsaved was released.";
	return local_write_hint(errnum);
}

/* Engine callback: make everything written durable now.  A failure here
 * reaches the save as the engine's (engine_failed): name its cause first. */
static int sync_cb(void *arg, struct pd_error *err)
{
	struct save *s = arg;

	if (s->remote ? save_net_sync(&s->net, err) : pd_dump_writer_sync(&s->w, err)) {
		if (!s->hint)
			s->hint = sync_hint(s, err ? err->errnum : 0);
		return -1;
	}
	if (s->remote) {
		s->w.unsynced = 0;
		s->w.syncs++;
	}
	s->last_sync = pd_now();
	return 0;
}

/* Engine callback (ssh): the CRC of a range, as the receiver reads it back. */
static int checksum_cb(void *arg, uint64_t off, uint64_t len, uint32_t *crc, struct pd_error *err)
{
	struct save *s = arg;

	return save_net_checksum(&s->net, off, len, crc, err);
}

int save_sync(struct save *s)
{
	if (at_end_only(s))
		return 0;
	if (sync_cb(s, &s->err))
		return save_fail(s, NULL);
	s->last_sync = pd_now();
	if (pd_capture_durable(&s->cap))
		return engine_failed(s);
	return 0;
}

/* After each piece of the stream: sync when due, then release what that
 * made safe.  With the durability worker the two run beside the stream:
 * a sync handed to the worker counts as done for the pacing. */
static int sync_and_commit(struct save *s)
{
	bool due = pd_capture_sync_due(&s->cap, s->w.unsynced, s->o.sync_bytes,
				       pd_now() - s->last_sync, s->o.sync_seconds);
	int k;

	if (at_end_only(s))
		return 0;
	if (s->cap.async) {
		k = pd_capture_async_kick(&s->cap, due);
		if (k < 0)
			return engine_failed(s);
		if (k > 0) {
			s->w.unsynced = 0;
			s->w.syncs++;
			s->last_sync = pd_now();
		}
		return 0;
	}
	if (due && save_sync(s))
		return -1;
	/* One journal sync for everything this chunk made releasable. */
	return pd_capture_commit(&s->cap) ? engine_failed(s) : 0;
}

/* Wait for the collector's output or, with the worker, for a finished job
 * (its releases go on while makedumpfile scans), or for the sync interval. */
static void wait_input(struct save *s)
{
	struct pollfd p[2] = { { s->col.out, POLLIN, 0 }, { pd_capture_async_fd(&s->cap), POLLIN, 0 } };

	if (!s->cap.async)
		return;
	while (poll(p, 2, 100) == 0 || (!(p[0].revents) && p[1].revents)) {
		if (save_interrupted || sync_and_commit(s))
			return;	/* the read below reports it */
		if (pd_capture_stopped(&s->cap))
			return;
		p[0].revents = p[1].revents = 0;
	}
}

static void sample(struct save *s, struct pd_progress_sample *ps)
{
	ps->pages_total = pd_kdump_track_num_dumpable(&s->track);
	ps->pages_done = s->track.descriptors;
	ps->stream_bytes = s->parser.pos;
	ps->returned = s->cap.returned;
	ps->reserved_start = s->cap.reserved_start;
}

int save_run_collector(struct save *s, char **argv)
{
	struct pd_kdump_events ev = { ev_excluded, ev_written, s };
	struct pd_progress_sample ps;
	size_t bufsize = 1 << 20;	/* the collector pipe's size too */
	unsigned char *buf;
	int rc = 0;

	s->cap.o.sync = sync_cb;
	s->cap.o.sync_arg = s;
	if (s->remote) {
		s->cap.o.checksum = checksum_cb;
		s->cap.o.checksum_arg = s;
	}
	pd_kdump_track_init(&s->track, pd_fd_read, s->remote ? &s->net.shadow_fd : &s->w.fd, &ev);
	pd_flat_init(&s->parser, on_data, s);
	buf = malloc(bufsize);
	if (!buf)
		return pd_fail(&s->err, "out of memory"), save_fail(s, NULL);
	if (pd_collector_start(&s->col, argv, s->log_fd, &s->err)) {
		free(buf);
		return save_fail(s, NULL);
	}
	s->last_sync = pd_now();
	if (!s->remote && !at_end_only(s) && s->o.sync_worker && pd_capture_async_start(&s->cap, &s->err)) {
		free(buf);
		pd_collector_kill(&s->col);
		pd_collector_wait(&s->col, &(struct pd_error){ 0 });
		return save_fail(s, NULL);
	}
	for (;;) {
		ssize_t n;

		wait_input(s);
		if (pd_capture_stopped(&s->cap)) {
			rc = -1;
			break;
		}
		n = read(s->col.out, buf, bufsize);

		if (save_interrupted) {
			pd_fail_kind(&s->err, PD_ERR_FAILED, "interrupted by signal %d", (int)save_interrupted);
			rc = save_fail(s, "Run phypdump save again: it resumes the dump.");
			break;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			pd_fail_errno(&s->err, errno, "reading the collector's output failed");
			rc = save_fail(s, NULL);
			break;
		}
		if (n == 0) {
			s->t_streamed = pd_now() - s->t0;
			break;
		}
		if (at_end_only(s) && save_net_raw(&s->net, buf, (size_t)n, &s->err)) {
			rc = save_fail(s, "Check the remote host, then run phypdump save again.");
			break;
		}
		if (pd_flat_feed(&s->parser, buf, (size_t)n)) {
			if (!pd_capture_stopped(&s->cap)) {
				s->err = s->parser.error;
				save_fail(s, "The collector's output is not a valid flattened dump; check its options\n"
					  "and makedumpfile.log in the dump directory.");
			}
			rc = -1;
			break;
		}
		if (sync_and_commit(s)) {
			rc = -1;
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
	/* The worker's last job, then the end is synchronous (save_sync). */
	if (pd_capture_async_finish(&s->cap)) {
		pd_collector_wait(&s->col, &(struct pd_error){ 0 });
		return engine_failed(s);
	}
	if (pd_collector_wait(&s->col, &s->err))
		return save_fail(s, "See makedumpfile.log in the dump directory for the collector's messages.");
	if (pd_flat_finish(&s->parser)) {
		s->err = s->parser.error;
		return save_fail(s, "The collector stopped before the end of the dump; see makedumpfile.log.");
	}
	if (s->stream_confused)
		return -1;
	sample(s, &ps);
	pd_progress_update(&s->prog, &ps, true);
	pd_progress_done(&s->prog);
	return 0;
}

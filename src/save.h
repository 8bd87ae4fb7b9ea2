/* SPDX-License-Identifier: GPL-2.0-or-later */
/* save.h — phypdump save, split by job: options (save_opts.c), the pipeline
 * from the collector to the engine (save_pipeline.c), the report
 * (save_report.c), and the command that strings them together (cmd_save.c).
 * The release rule itself lives in lib/capture; nothing here decides what
 * may be released.
 *
 *   makedumpfile -F ... VMCORE  --pipe-->  flat_stream parser
 *       --> dump_writer (pwrite at the record's offset)
 *       --> kdump_track (excluded pfns per bitmap2, written pfns per descriptor+data)
 *       --> capture engine (ledger, journal, release_region)
 */
#ifndef PD_SAVE_H
#define PD_SAVE_H

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>

#include "capture.h"
#include "collector.h"
#include "dump_writer.h"
#include "flat_stream.h"
#include "kdump_track.h"
#include "progress.h"
#include "save_net.h"
#include "timeline.h"

#define PD_DEFAULT_COLLECTOR "makedumpfile -l -d 31"
/* --stall-timeout's default: above one whole soft NFS failure with the
 * capture's default mount options (timeo=150,retrans=3: 15+30+45+60 s per
 * request, up to about 6 minutes before the write or fdatasync fails
 * with EIO), so that the mount's own timeout, which names the error, comes
 * first; below anything that looks like a hang to an administrator. */
#define PD_DEFAULT_STALL_TIMEOUT 600

/* What to do when the page check finds a copy that differs. */
#define SAVE_HINT_DAMAGED \
	"A page's copy in the dump file is not the page in the vmcore: the dump is\n" \
	"damaged between the collector and the disk. Its memory and everything not yet\n" \
	"released stay reserved; check the disk and the collector, then run phypdump save again."

struct save_opts {
	const char *root, *vmcore, *collector, *journal, *dumpdir;
	const char *target, *sshkey, *remote_cmd;	/* ssh target */
	const char *ssh_opts[SAVE_NET_MAX_OPTS];
	int nssh_opts;
	double net_timeout;
	double stall_timeout;		/* seconds; 0: no stall watchdog */
	bool collector_given, no_release, dry_run, json, no_dmesg, no_page_check, verify;
	bool sync_worker;		/* fdatasync and check in a worker (--sync-worker) */
	bool no_rearm;
	uint64_t min_release, sync_bytes, sync_memory, page_size;
	double sync_seconds;
};

struct save {
	struct save_opts o;
	char dumpdir[PATH_MAX];
	char source[PATH_MAX];		/* what the collector reads */
	struct pd_capture cap;
	bool have_cap;
	struct pd_kdump_track track;
	struct pd_dump_writer w;	/* local; for ssh its counters and names */
	bool remote;			/* --target ssh://... */
	struct save_net net;
	struct pd_flat_parser parser;
	struct pd_collector col;
	int log_fd;
	struct pd_timeline tl;
	struct pd_progress prog;
	double t0, t_end, last_sync, t_half, t_ninety;
	double t_scanned, t_streamed;	/* first page written; end of the stream */
	bool stream_confused;		/* the stream contradicted itself */
	bool beyond_done;		/* memory past max_mapnr reported */
	bool renamed;			/* the complete dump is in place */
	bool damaged;			/* --verify read the finished dump back damaged */
	double t_rearmed;		/* re-armed this many seconds after the start; 0 not */
	const char *rearm;		/* "armed", "absent", "failed", "off", "blocked" */
	char *earlier;			/* what became of an earlier re-armed dump, or NULL */
	char earlier_dir[PATH_MAX];	/* its directory, or "" */
	struct pd_error err;
	const char *hint;		/* what to do next, on failure */
};

/* save_opts.c: returns an exit code, or -1 to go on. */
int save_parse_options(struct save *s, int argc, char **argv);

/* save_pipeline.c */
int save_run_collector(struct save *s, char **argv);
int save_sync(struct save *s);
int save_fail(struct save *s, const char *hint);

/* save_stall.c: the stall watchdog (lib/stall.h) for this save, when
 * o.stall_timeout > 0.  It ends the process (PD_EXIT_FAILED) after killing
 * the collector when one operation on the dump target blocks for longer. */
int save_stall_start(struct save *s);
void save_stall_stop(void);
/* The dump directory is chosen and created: on NFS, the watchdog's exit
 * will abort the mount's pending requests (save_stall.c). */
void save_stall_target(const char *dir);

/* save_report.c */
void save_on_release(void *arg, uint64_t addr, uint64_t len);
void save_on_rearm(void *arg, enum pd_rearm_state st, const struct pd_error *why);

/* save_rearm.c: an earlier dump re-armed by another boot and left unfinished
 * (its journal has a rearm record) is finished first, from this boot's
 * vmcore.  Returns -1 to go on with this boot's dump, or an exit code. */
int save_earlier_dump(struct save *s);
void save_summary(struct save *s, bool ok);
void save_report_failure(struct save *s);

#endif

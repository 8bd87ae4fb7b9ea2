/* SPDX-License-Identifier: GPL-2.0-or-later */
/* phypdump-sim: a simulated post-crash POWER partition, mounted with FUSE.
 *
 * Tree (inode numbers fixed, see nodes[]):
 *   proc/vmcore                               the dump (vmcore_view.h)
 *   proc/sysrq-trigger                        "c": the partition crashes (crash.h)
 *   proc/device-tree/rtas/{name,ibm,kernel-dump,ibm,configure-kernel-dump[,ibm,dump-kernel]}
 *   sys/kernel/fadump/{release_region,rearm,enabled,registered,mem_reserved,release_mem,hotplug_ready,
 *                      bootargs_append}
 *   sys/kernel/release_region -> fadump/release_region
 *   sys/kernel/fadump_{enabled,registered,release_mem} -> fadump/...   (legacy names)
 * The reserved-memory state lives in reserve.h; this file only wires it to FUSE:
 * one rwlock serializes releases (writers) against vmcore reads, and after every
 * release the page cache of the released part of proc/vmcore is invalidated
 * (fuse_lowlevel_notify_inval_inode) before the write returns, so cached pages and
 * mmaps see EIO (SIGBUS) or poison afterwards. vmcore is opened without direct_io
 * so that it can be mmapped; that is also why a read reaching a released page
 * fails whole with EIO, where the contract's kernel returns the bytes in front
 * of the page: FUSE takes a short reply through the page cache for the end of
 * the file (fuse_short_read) and would shrink proc/vmcore for every later
 * reader.  The sysfs-like files use direct_io (their content
 * changes). Entries and attributes are never cached (timeouts 0), so vmcore and
 * release_region vanish from lookups as soon as the dump ends.
 * Modules: options.h (command line), preflight.h (checks before mounting),
 * elfcore.h, layout.h, reserve.h, vmcore_view.h, devtree.h, timeline.h, crash.h.
 * A crash (sysrq c) writes the new vmcore under the write lock, answers the
 * write, and ends the session once the writer has closed the file (flush or
 * release; at the latest 2 s later), so its close() does not fail: the
 * simulator then unmounts and exits (status 0:
 * dump 2 written; 3: nothing registered, no dump; 1: dump 2 could not be
 * written). Its message goes to the stderr the simulator was started with, also
 * in the background.
 */
#define FUSE_USE_VERSION 312
#include <fuse_lowlevel.h>

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "crash.h"
#include "devtree.h"
#include "elfcore.h"
#include "layout.h"
#include "options.h"
#include "preflight.h"
#include "reserve.h"
#include "timeline.h"
#include "vmcore_view.h"

/* The parameter area the device tree names (PARAM_AREA, 0x800 bytes): what
 * bootargs_append holds, its NUL included. */
#define BOOTARGS_MAX 0x800

enum ino {
	I_ROOT = 1, I_PROC, I_VMCORE, I_DT, I_RTAS, I_DT_NAME, I_KDUMP, I_CONFDUMP, I_DUMPKERNEL,
	I_SYS, I_KERNEL, I_FADUMP, I_RR, I_ENABLED, I_REGISTERED, I_MEMRES, I_RELMEM, I_HOTPLUG,
	I_RR_LINK, I_L_ENABLED, I_L_REGISTERED, I_L_RELMEM, I_REARM, I_SYSRQ, I_BOOTARGS, I_MAX
};

struct node {
	fuse_ino_t parent;
	const char *name;
	mode_t mode;          /* S_IFDIR / S_IFREG / S_IFLNK | permissions */
	const char *target;   /* symlinks */
};

static const struct node nodes[I_MAX] = {
	[I_ROOT] = { I_ROOT, "", S_IFDIR | 0755, NULL },
	[I_PROC] = { I_ROOT, "proc", S_IFDIR | 0555, NULL },
	[I_VMCORE] = { I_PROC, "vmcore", S_IFREG | 0400, NULL },
	[I_DT] = { I_PROC, "device-tree", S_IFDIR | 0555, NULL },
	[I_RTAS] = { I_DT, "rtas", S_IFDIR | 0555, NULL },
	[I_DT_NAME] = { I_RTAS, "name", S_IFREG | 0444, NULL },
	[I_KDUMP] = { I_RTAS, "ibm,kernel-dump", S_IFREG | 0444, NULL },
	[I_CONFDUMP] = { I_RTAS, "ibm,configure-kernel-dump", S_IFREG | 0444, NULL },
	[I_DUMPKERNEL] = { I_RTAS, "ibm,dump-kernel", S_IFREG | 0444, NULL },
	[I_SYS] = { I_ROOT, "sys", S_IFDIR | 0555, NULL },
	[I_KERNEL] = { I_SYS, "kernel", S_IFDIR | 0555, NULL },
	[I_FADUMP] = { I_KERNEL, "fadump", S_IFDIR | 0555, NULL },
	[I_RR] = { I_FADUMP, "release_region", S_IFREG | 0600, NULL },
	[I_ENABLED] = { I_FADUMP, "enabled", S_IFREG | 0444, NULL },
	[I_REGISTERED] = { I_FADUMP, "registered", S_IFREG | 0644, NULL },
	[I_MEMRES] = { I_FADUMP, "mem_reserved", S_IFREG | 0444, NULL },
	[I_RELMEM] = { I_FADUMP, "release_mem", S_IFREG | 0200, NULL },
	[I_HOTPLUG] = { I_FADUMP, "hotplug_ready", S_IFREG | 0444, NULL },
	[I_RR_LINK] = { I_KERNEL, "release_region", S_IFLNK | 0777, "fadump/release_region" },
	[I_L_ENABLED] = { I_KERNEL, "fadump_enabled", S_IFLNK | 0777, "fadump/enabled" },
	[I_L_REGISTERED] = { I_KERNEL, "fadump_registered", S_IFLNK | 0777, "fadump/registered" },
	[I_L_RELMEM] = { I_KERNEL, "fadump_release_mem", S_IFLNK | 0777, "fadump/release_mem" },
	[I_REARM] = { I_FADUMP, "rearm", S_IFREG | 0600, NULL },
	[I_SYSRQ] = { I_PROC, "sysrq-trigger", S_IFREG | 0200, NULL },
	[I_BOOTARGS] = { I_FADUMP, "bootargs_append", S_IFREG | 0644, NULL },
};

static struct sim {
	struct fuse_session *se;
	struct elfcore ec;
	struct layout layout;
	struct reserve res;
	struct vmcore_view view;
	struct timeline *tl;
	pthread_rwlock_t lock;
	int seed_node;
	int registered;          /* /sys/kernel/fadump/registered */
	uint64_t mem_reserved;
	uint8_t kdump[DEVTREE_KERNEL_DUMP_SIZE];
	uint8_t token[4];
	time_t mount_time;
	int fd;                  /* VMCORE */
	const struct elfcore *base_ec; /* the second crash's memory: VMCORE or --crash-base */
	int base_fd;
	struct elfcore base_own; /* --crash-base parsed */
	char *crash_out;         /* absolute path, or NULL */
	int msg_fd;              /* the stderr we were started with (-1: none) */
	int crashed, crash_status;
	unsigned rearm_fail;     /* --rearm-fail: re-arms left to fail */
	char bootargs[BOOTARGS_MAX]; /* bootargs_append, as last accepted */
} S;

static void sim_msg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* A message that must reach the user also after fuse_daemonize() sent our
 * stderr to /dev/null. */
static void sim_msg(const char *fmt, ...)
{
	va_list ap;

	if (S.msg_fd < 0)
		return;
	va_start(ap, fmt);
	vdprintf(S.msg_fd, fmt, ap);
	va_end(ap);
}

/* libfuse installs its handlers only where the disposition is SIG_DFL; a simulator
 * started in the background of a script has SIGINT ignored, and must still clean
 * up on SIGINT/SIGTERM/SIGHUP: end the loop (reads get EINTR), then unmount. */
static void on_signal(int sig)
{
	(void)sig;
	if (S.se)
		fuse_session_exit(S.se);
}

static int install_signals(void)
{
	static const int sigs[] = { SIGINT, SIGTERM, SIGHUP };
	struct sigaction sa;
	size_t i;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	for (i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		if (sigaction(sigs[i], &sa, NULL) != 0)
			return -1;
	signal(SIGPIPE, SIG_IGN);
	return 0;
}

/* per open file of release_region and rearm: the line being read */
struct rr_snap {
	pthread_mutex_t mu;
	char *line;
};

static int visible(fuse_ino_t ino)
{
	int ended;

	if (ino < I_ROOT || ino >= I_MAX)
		return 0;
	if (ino == I_DUMPKERNEL)
		return S.seed_node;
	if (ino == I_VMCORE || ino == I_RR || ino == I_RR_LINK || ino == I_REARM) {
		pthread_rwlock_rdlock(&S.lock);
		ended = S.res.ended;
		pthread_rwlock_unlock(&S.lock);
		return !ended;
	}
	return 1;
}

static void fill_attr(fuse_ino_t ino, struct stat *st)
{
	memset(st, 0, sizeof(*st));
	st->st_ino = ino;
	st->st_mode = nodes[ino].mode;
	st->st_nlink = S_ISDIR(st->st_mode) ? 2 : 1;
	st->st_atime = st->st_mtime = st->st_ctime = S.mount_time;
	if (ino == I_VMCORE)
		st->st_size = (off_t)S.view.size;
	else if (ino == I_KDUMP || ino == I_DUMPKERNEL)
		st->st_size = DEVTREE_KERNEL_DUMP_SIZE;
	else if (ino == I_CONFDUMP)
		st->st_size = 4;
	else if (ino == I_DT_NAME)
		st->st_size = 5;
	else if (S_ISLNK(st->st_mode))
		st->st_size = (off_t)strlen(nodes[ino].target);
	else if (S_ISREG(st->st_mode))
		st->st_size = 4096; /* like sysfs */
	st->st_blksize = 4096;
}

static void op_lookup(fuse_req_t req, fuse_ino_t parent, const char *name)
{
	struct fuse_entry_param e;
	fuse_ino_t i;

	for (i = I_ROOT + 1; i < I_MAX; i++) {
		if (nodes[i].parent == parent && strcmp(nodes[i].name, name) == 0 && visible(i)) {
			memset(&e, 0, sizeof(e));
			e.ino = i;
			e.generation = 1;
			fill_attr(i, &e.attr);
			fuse_reply_entry(req, &e);
			return;
		}
	}
	fuse_reply_err(req, ENOENT);
}

static void op_getattr(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct stat st;

	(void)fi;
	if (!visible(ino)) {
		fuse_reply_err(req, ENOENT);
		return;
	}
	fill_attr(ino, &st);
	fuse_reply_attr(req, &st, 0);
}

static void op_setattr(fuse_req_t req, fuse_ino_t ino, struct stat *attr, int to_set,
		       struct fuse_file_info *fi)
{
	(void)attr;
	(void)to_set;
	/* shells truncate on `>`; sysfs ignores that, so do we */
	op_getattr(req, ino, fi);
}

static void op_readlink(fuse_req_t req, fuse_ino_t ino)
{
	if (!visible(ino) || !S_ISLNK(nodes[ino].mode)) {
		fuse_reply_err(req, visible(ino) ? EINVAL : ENOENT);
		return;
	}
	fuse_reply_readlink(req, nodes[ino].target);
}

static void op_readdir(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
		       struct fuse_file_info *fi)
{
	char buf[4096];
	size_t used = 0;
	off_t idx = 0;
	fuse_ino_t i;
	struct stat st;

	(void)fi;
	if (!visible(ino) || !S_ISDIR(nodes[ino].mode)) {
		fuse_reply_err(req, ENOTDIR);
		return;
	}
	if (size > sizeof(buf))
		size = sizeof(buf);
	for (i = 0; i < I_MAX + 2; i++) {
		const char *name;
		fuse_ino_t child;
		size_t need;

		if (i == 0) {
			name = ".";
			child = ino;
		} else if (i == 1) {
			name = "..";
			child = nodes[ino].parent;
		} else {
			child = i - 2;
			if (child <= I_ROOT || nodes[child].parent != ino || !visible(child))
				continue;
			name = nodes[child].name;
		}
		idx++;
		if (idx <= off)
			continue;
		memset(&st, 0, sizeof(st));
		st.st_ino = child;
		st.st_mode = nodes[child].mode;
		need = fuse_add_direntry(req, buf + used, size - used, name, &st, idx);
		if (need > size - used)
			break;
		used += need;
	}
	fuse_reply_buf(req, buf, used);
}

static void op_open(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	int acc = fi->flags & O_ACCMODE;
	mode_t m;

	if (!visible(ino)) {
		fuse_reply_err(req, ENOENT);
		return;
	}
	m = nodes[ino].mode;
	if (S_ISDIR(m)) {
		fuse_reply_err(req, EISDIR);
		return;
	}
	if ((acc != O_WRONLY && !(m & 0400)) || (acc != O_RDONLY && !(m & 0200))) {
		fuse_reply_err(req, EACCES);
		return;
	}
	if (ino == I_RR || ino == I_REARM) {
		struct rr_snap *snap = calloc(1, sizeof(*snap));

		if (!snap) {
			fuse_reply_err(req, ENOMEM);
			return;
		}
		pthread_mutex_init(&snap->mu, NULL);
		fi->fh = (uint64_t)(uintptr_t)snap;
	}
	if (ino == I_VMCORE) {
		fi->direct_io = 0;   /* needed for mmap */
		fi->keep_cache = 0;
	} else {
		fi->direct_io = 1;   /* content changes; never cache it */
	}
	fuse_reply_open(req, fi);
}

static void crash_closed(fuse_ino_t ino);

static void op_flush(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	(void)fi;
	fuse_reply_err(req, 0);
	crash_closed(ino);
}

static void op_release(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct rr_snap *snap = (struct rr_snap *)(uintptr_t)fi->fh;

	if ((ino == I_RR || ino == I_REARM) && snap) {
		pthread_mutex_destroy(&snap->mu);
		free(snap->line);
		free(snap);
	}
	fuse_reply_err(req, 0);
	crash_closed(ino);
}

static void reply_text(fuse_req_t req, const char *text, size_t tlen, off_t off, size_t size)
{
	if ((uint64_t)off >= tlen) {
		fuse_reply_buf(req, NULL, 0);
		return;
	}
	if (size > tlen - (size_t)off)
		size = tlen - (size_t)off;
	fuse_reply_buf(req, text + off, size);
}

static void op_read(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
		    struct fuse_file_info *fi)
{
	char small[64];
	int n;

	(void)fi;
	switch (ino) {
	case I_VMCORE: {
		uint8_t *buf = malloc(size ? size : 1);
		long long got;

		if (!buf) {
			fuse_reply_err(req, ENOMEM);
			return;
		}
		/* hold the lock until the reply is in the kernel: a release cannot slip
		 * between our check and the page-cache fill and then miss invalidation */
		pthread_rwlock_rdlock(&S.lock);
		got = vmcore_view_read(&S.view, (uint64_t)off, buf, size);
		if (got < 0)
			fuse_reply_err(req, (int)-got);
		else
			fuse_reply_buf(req, (const char *)buf, (size_t)got);
		pthread_rwlock_unlock(&S.lock);
		free(buf);
		return;
	}
	case I_RR:
	case I_REARM: {
		/* like sysfs: the line is produced by the read at offset 0 and later
		 * reads of the same open file continue that snapshot */
		struct rr_snap *snap = (struct rr_snap *)(uintptr_t)fi->fh;

		if (!snap) {
			fuse_reply_err(req, EIO);
			return;
		}
		pthread_mutex_lock(&snap->mu);
		if (off == 0 || !snap->line) {
			free(snap->line);
			pthread_rwlock_rdlock(&S.lock);
			snap->line = S.res.ended ? NULL
				   : ino == I_RR ? reserve_format(&S.res) : reserve_rearm_format(&S.res);
			n = S.res.ended;
			pthread_rwlock_unlock(&S.lock);
			if (!snap->line) {
				pthread_mutex_unlock(&snap->mu);
				fuse_reply_err(req, n ? ENOENT : ENOMEM);
				return;
			}
		}
		/* copy out and unlock before replying: once the reply is in, the
		 * caller may close the file and op_release may free snap */
		{
			size_t tlen = strlen(snap->line);
			size_t n_out = (uint64_t)off >= tlen ? 0 : tlen - (size_t)off;
			char *out;

			if (n_out > size)
				n_out = size;
			out = malloc(n_out ? n_out : 1);
			if (out && n_out)
				memcpy(out, snap->line + off, n_out);
			pthread_mutex_unlock(&snap->mu);
			if (!out)
				fuse_reply_err(req, ENOMEM);
			else
				fuse_reply_buf(req, out, n_out);
			free(out);
		}
		return;
	}
	case I_KDUMP:
	case I_DUMPKERNEL:
		reply_text(req, (const char *)S.kdump, sizeof(S.kdump), off, size);
		return;
	case I_CONFDUMP:
		reply_text(req, (const char *)S.token, sizeof(S.token), off, size);
		return;
	case I_DT_NAME:
		reply_text(req, "rtas", 5, off, size);
		return;
	case I_ENABLED:
	case I_HOTPLUG:
		reply_text(req, "1\n", 2, off, size);
		return;
	case I_REGISTERED:
		pthread_rwlock_rdlock(&S.lock);
		n = snprintf(small, sizeof(small), "%d\n", S.registered);
		pthread_rwlock_unlock(&S.lock);
		reply_text(req, small, (size_t)n, off, size);
		return;
	case I_MEMRES:
		n = snprintf(small, sizeof(small), "%llu\n", (unsigned long long)S.mem_reserved);
		reply_text(req, small, (size_t)n, off, size);
		return;
	case I_BOOTARGS: {
		char txt[BOOTARGS_MAX + 1];

		pthread_rwlock_rdlock(&S.lock);
		n = snprintf(txt, sizeof(txt), "%s\n", S.bootargs);
		pthread_rwlock_unlock(&S.lock);
		reply_text(req, txt, (size_t)n, off, size);
		return;
	}
	default:
		fuse_reply_err(req, EIO);
	}
}

static void inval_cb(void *ctx, uint64_t off, uint64_t len)
{
	(void)ctx;
	/* -ENOENT: the kernel has no inode for vmcore yet, nothing is cached */
	fuse_lowlevel_notify_inval_inode(S.se, I_VMCORE, (off_t)off, (off_t)len);
}

/* Drop the page cache of everything that [start, end) backs, and of all of
 * vmcore when the dump ended. Called without the lock, before replying. */
static void invalidate(uint64_t start, uint64_t end, int ended)
{
	if (ended)
		fuse_lowlevel_notify_inval_inode(S.se, I_VMCORE, 0, 0);
	else
		vmcore_view_ranges_of(&S.view, start, end, inval_cb, NULL);
}

/* kstrtoint(buf, 0, &v) as sysfs uses it: one integer, an optional newline. */
static int parse_int(const char *buf, size_t n, long *v)
{
	char tmp[32];
	char *end;

	if (n == 0 || n >= sizeof(tmp))
		return -1;
	memcpy(tmp, buf, n);
	tmp[n] = 0;
	if (tmp[n - 1] == '\n')
		tmp[n - 1] = 0;
	errno = 0;
	*v = strtol(tmp, &end, 0);
	return (errno || end == tmp || *end) ? -1 : 0;
}

/* sysrq c, under the write lock: the production boot is gone. Writes dump 2
 * when firmware-assisted dump is registered (re-armed, or registered again
 * after the dump ended) and says what happened. */
static void crash_now(void)
{
	struct pd_rangeset held;
	char err[768];

	S.crashed = 1;
	S.crash_status = 3;
	if (!S.registered) {
		sim_msg("phypdump-sim: crash (sysrq c): no dump: firmware-assisted dump not registered "
			"(%s), so the firmware captured nothing (\"OS terminated\"); nothing written\n",
			S.res.ended ? "the dump ended and nothing registered it again"
				    : "the held dump was not re-armed");
		timeline_event(S.tl, "crash", 0, 0, 0, 0);
		return;
	}
	if (!S.crash_out) {
		sim_msg("phypdump-sim: crash (sysrq c): the firmware captured dump 2, but no "
			"--crash-out FILE was given: nothing written\n");
		timeline_event(S.tl, "crash", 0, 0, 0, 0);
		return;
	}
	pd_rangeset_init(&held);
	if (crash_held(&S.res, &S.layout, &held, err, sizeof(err)) ||
	    crash_write(S.crash_out, S.base_ec, S.base_fd, &S.ec, S.fd, &held, err, sizeof(err))) {
		sim_msg("phypdump-sim: crash (sysrq c): %s\n", err);
		S.crash_status = 1;
		timeline_event(S.tl, "crash", 0, 0, 0, 0);
	} else {
		uint64_t total = pd_rangeset_total(&held);

		sim_msg("phypdump-sim: crash (sysrq c): dump 2 written to %s: the production boot's "
			"memory with 0x%llx bytes of the held dump in place (%zu range%s); dump boot 2: "
			"phypdump-sim %s MOUNTPOINT (same --layout and --boot-mem)\n", S.crash_out,
			(unsigned long long)total, held.n, held.n == 1 ? "" : "s", S.crash_out);
		S.crash_status = 0;
		timeline_event(S.tl, "crash", 0, 0, 0, total);
	}
	pd_rangeset_free(&held);
}

static void *crash_exit_timer(void *arg)
{
	(void)arg;
	sleep(2);
	kill(getpid(), SIGTERM); /* ends the loop as SIGTERM does */
	return NULL;
}

/* After a crash: the session ends when the writer closes sysrq-trigger
 * (op_flush/op_release); if it keeps the file open, 2 s later. */
static void crash_exit_later(void)
{
	pthread_t t;
	pthread_attr_t at;

	if (pthread_attr_init(&at) == 0) {
		pthread_attr_setdetachstate(&at, PTHREAD_CREATE_DETACHED);
		if (pthread_create(&t, &at, crash_exit_timer, NULL) == 0) {
			pthread_attr_destroy(&at);
			return;
		}
		pthread_attr_destroy(&at);
	}
	fuse_session_exit(S.se); /* no timer: end now */
}

/* the writer of sysrq c closed the file: the partition is gone */
static void crash_closed(fuse_ino_t ino)
{
	int crashed;

	if (ino != I_SYSRQ)
		return;
	pthread_rwlock_rdlock(&S.lock);
	crashed = S.crashed;
	pthread_rwlock_unlock(&S.lock);
	if (crashed)
		fuse_session_exit(S.se);
}

/* Drop the state lock, then answer a write: rc 0 (all of size taken) or an errno. */
static void unlock_reply(fuse_req_t req, int rc, size_t size)
{
	pthread_rwlock_unlock(&S.lock);
	if (rc)
		fuse_reply_err(req, rc);
	else
		fuse_reply_write(req, size);
}

static void op_write(fuse_req_t req, fuse_ino_t ino, const char *buf, size_t size,
		     off_t off, struct fuse_file_info *fi)
{
	uint64_t addr, len, freed = 0, pg;
	long v;
	int rc, ended;

	(void)off;
	(void)fi;
	switch (ino) {
	case I_RR:
		if (reserve_parse_write(buf, size, &addr, &len)) {
			fuse_reply_err(req, EINVAL);
			return;
		}
		pthread_rwlock_wrlock(&S.lock);
		if (S.res.ended) {
			pthread_rwlock_unlock(&S.lock);
			fuse_reply_err(req, ENOENT);
			return;
		}
		rc = reserve_release(&S.res, addr, len, &freed);
		ended = S.res.ended;
		if (rc == 0) {
			timeline_event(S.tl, "release", addr, len, freed, reserve_remaining(&S.res));
			/* The dump ends; fadump is not registered again: user
			 * space does that (echo 1 > registered), as with every
			 * kernel (facts.md 7, release-region.md). */
			if (ended)
				timeline_event(S.tl, "end", 0, 0, 0, 0);
		}
		pthread_rwlock_unlock(&S.lock);
		if (rc) {
			fuse_reply_err(req, -rc);
			return;
		}
		/* whole pages around the write: a superset of what was freed */
		pg = S.layout.page_size;
		invalidate(addr & ~(pg - 1), addr + len + (pg - 1 - ((addr + len - 1) & (pg - 1))), ended);
		fuse_reply_write(req, size);
		return;
	case I_RELMEM:
		if (parse_int(buf, size, &v) || v != 1) {
			fuse_reply_err(req, EINVAL);
			return;
		}
		pthread_rwlock_wrlock(&S.lock);
		if (S.res.ended) {
			pthread_rwlock_unlock(&S.lock);
			fuse_reply_err(req, EPERM); /* no dump active */
			return;
		}
		/* Stock release_mem frees the dump and does not register
		 * fadump again (fadump_invalidate_release_mem()). */
		reserve_release_all(&S.res, &freed);
		timeline_event(S.tl, "release_mem", 0, 0, freed, 0);
		timeline_event(S.tl, "end", 0, 0, 0, 0);
		pthread_rwlock_unlock(&S.lock);
		invalidate(0, 0, 1);
		fuse_reply_write(req, size);
		return;
	case I_REARM:
		if (reserve_parse_rearm(buf, size)) {
			fuse_reply_err(req, EINVAL);
			return;
		}
		pthread_rwlock_wrlock(&S.lock);
		if (S.res.ended) {
			rc = ENOENT;
		} else {
			int was_armed = S.res.armed;

			rc = -reserve_rearm(&S.res);
			if (rc == 0 && !was_armed && S.rearm_fail) {
				/* --rearm-fail: invalidated, then the registration
				 * failed: back to ready, a later write retries */
				S.rearm_fail--;
				S.res.armed = 0;
				rc = EIO;
				sim_msg("phypdump-sim: rearm: the held dump was invalidated but "
					"registering firmware-assisted dump failed (--rearm-fail); "
					"rearm reads ready again, write 1 to retry\n");
			}
			/* the held dump is invalidated, then fadump registered again
			 * over the same reserved area; the held memory stays */
			if (rc == 0 && !was_armed) {
				S.registered = 1;
				timeline_event(S.tl, "rearm", 0, 0, 0, reserve_remaining(&S.res));
			}
		}
		unlock_reply(req, rc, size);
		return;
	case I_SYSRQ:
		if (crash_parse_sysrq(buf, size) < 0) {
			fuse_reply_err(req, EINVAL);
			return;
		}
		pthread_rwlock_wrlock(&S.lock);
		if (S.crashed) {
			unlock_reply(req, EIO, size); /* already going down */
			return;
		}
		crash_now();
		unlock_reply(req, 0, size);
		crash_exit_later();
		return;
	case I_BOOTARGS:
		/* release-region.md, "Re-arming": EBUSY while the parameter area
		 * holds unreleased dump bytes (re-armed or not); then the stock
		 * EPERM on a dump boot that has not re-armed; else the value,
		 * which must fit the area with its NUL */
		pthread_rwlock_wrlock(&S.lock);
		if (S.layout.param_addr &&
		    reserve_holds(&S.res, S.layout.param_addr, S.layout.param_addr + BOOTARGS_MAX)) {
			rc = EBUSY;
		} else if (!S.res.ended && !S.res.armed) {
			rc = EPERM;
		} else if (size >= BOOTARGS_MAX || memchr(buf, 0, size)) {
			rc = EINVAL;
		} else {
			memcpy(S.bootargs, buf, size);
			S.bootargs[size] = 0;
			S.bootargs[strcspn(S.bootargs, "\n")] = 0;
			rc = 0;
		}
		unlock_reply(req, rc, size);
		return;
	case I_REGISTERED:
		pthread_rwlock_wrlock(&S.lock);
		if (!S.res.ended && !S.res.armed) {
			rc = EPERM; /* the kernel refuses while a dump is active, until re-armed */
		} else if (parse_int(buf, size, &v) || (v != 0 && v != 1)) {
			rc = EINVAL;
		} else {
			S.registered = (int)v;
			rc = 0;
		}
		unlock_reply(req, rc, size);
		return;
	default:
		fuse_reply_err(req, EACCES);
	}
}

static void op_init(void *userdata, struct fuse_conn_info *conn)
{
	(void)userdata;
	if (conn->capable & FUSE_CAP_ATOMIC_O_TRUNC)
		conn->want |= FUSE_CAP_ATOMIC_O_TRUNC;
	conn->want &= ~(unsigned)FUSE_CAP_WRITEBACK_CACHE;
}

static const struct fuse_lowlevel_ops ops = {
	.init = op_init,
	.lookup = op_lookup,
	.getattr = op_getattr,
	.setattr = op_setattr,
	.readlink = op_readlink,
	.readdir = op_readdir,
	.open = op_open,
	.read = op_read,
	.write = op_write,
	.flush = op_flush,
	.release = op_release,
};

/* ---- main ---- */

static int read_cb(void *ctx, uint64_t off, void *buf, size_t len)
{
	int fd = *(int *)ctx;
	uint8_t *p = buf;

	while (len) {
		ssize_t n = pread(fd, p, len, (off_t)off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		p += n;
		len -= (size_t)n;
		off += (uint64_t)n;
	}
	return 0;
}

/* --crash-base and --crash-out, checked before mounting: the base is the same
 * machine as VMCORE, and FILE's directory exists (its path is made absolute:
 * fuse_daemonize() changes to /). */
static int crash_setup(const struct sim_options *o, char *err, size_t errlen)
{
	struct stat st;
	char cwd[4096], why[256], *slash;
	int bad;

	if (o->crash_base) {
		S.base_fd = open(o->crash_base, O_RDONLY | O_CLOEXEC);
		if (S.base_fd < 0 || fstat(S.base_fd, &st) != 0) {
			snprintf(err, errlen, "--crash-base: cannot open %s: %s", o->crash_base,
				 strerror(errno));
			return -1;
		}
		if (elfcore_parse(read_cb, &S.base_fd, (uint64_t)st.st_size, &S.base_own, why,
				  sizeof(why))) {
			snprintf(err, errlen, "--crash-base: %s is not a usable vmcore: %s",
				 o->crash_base, why);
			return -1;
		}
		S.base_ec = &S.base_own;
		if (crash_same_machine(S.base_ec, &S.ec, why, sizeof(why))) {
			snprintf(err, errlen, "--crash-base %s: %s", o->crash_base, why);
			return -1;
		}
	}
	if (!o->crash_out)
		return 0;
	if (o->crash_out[0] == '/') {
		S.crash_out = strdup(o->crash_out);
	} else if (getcwd(cwd, sizeof(cwd))) {
		S.crash_out = malloc(strlen(cwd) + strlen(o->crash_out) + 2);
		if (S.crash_out)
			sprintf(S.crash_out, "%s/%s", cwd, o->crash_out);
	} else {
		snprintf(err, errlen, "--crash-out: cannot get the current directory: %s", strerror(errno));
		return -1;
	}
	if (!S.crash_out) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	slash = strrchr(S.crash_out, '/');
	*slash = 0;
	bad = stat(S.crash_out[0] ? S.crash_out : "/", &st) != 0 ? errno
	      : S_ISDIR(st.st_mode) ? 0 : ENOTDIR;
	if (bad) {
		snprintf(err, errlen, "--crash-out: directory %s: %s (create it first)",
			 S.crash_out[0] ? S.crash_out : "/", strerror(bad));
		return -1;
	}
	*slash = '/';
	if (slash[1] == 0) {
		snprintf(err, errlen, "--crash-out: %s names a directory, not a file", o->crash_out);
		return -1;
	}
	/* never replace the dump being held, nor the crash base */
	if (stat(S.crash_out, &st) == 0) {
		struct stat in;

		if ((fstat(S.fd, &in) == 0 && in.st_dev == st.st_dev && in.st_ino == st.st_ino) ||
		    (S.base_fd >= 0 && fstat(S.base_fd, &in) == 0 && in.st_dev == st.st_dev &&
		     in.st_ino == st.st_ino)) {
			snprintf(err, errlen, "--crash-out %s is the vmcore being served or the crash "
				 "base: a second crash would replace it; name another file", o->crash_out);
			return -1;
		}
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct sim_options o;
	char err[512];
	char *fargv[] = { argv[0], "-o", "fsname=phypdump-sim,subtype=phypdump-sim", NULL };
	struct fuse_args fargs = FUSE_ARGS_INIT(3, fargv);
	struct fuse_loop_config *lc;
	struct stat st;
	uint64_t page_size;
	int fd, rc = 1;
	char *mnt_abs = NULL;

	S.msg_fd = -1;
	S.base_fd = -1;
	rc = sim_options_parse(argc, argv, &o);
	if (rc)
		return rc == 1 ? 0 : 2;
	rc = 1;
	S.seed_node = o.seed_node;
	S.rearm_fail = o.rearm_fail;
	if (sim_preflight(o.mountpoint, err, sizeof(err))) {
		fprintf(stderr, "phypdump-sim: %s\n", err);
		return 1;
	}

	fd = open(o.vmcore, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) != 0) {
		fprintf(stderr, "phypdump-sim: cannot open %s: %s\n", o.vmcore, strerror(errno));
		return 1;
	}
	if (elfcore_parse(read_cb, &fd, (uint64_t)st.st_size, &S.ec, err, sizeof(err))) {
		fprintf(stderr, "phypdump-sim: %s is not a usable vmcore: %s\n", o.vmcore, err);
		return 1;
	}
	page_size = o.page_size ? o.page_size : S.ec.machine == ELFCORE_EM_PPC64 ? 65536 : 4096;
	S.fd = fd;
	S.base_ec = &S.ec;
	S.base_fd = fd;
	if (crash_setup(&o, err, sizeof(err))) {
		fprintf(stderr, "phypdump-sim: %s\n", err);
		return 1;
	}
	if (layout_build(&S.ec, o.layout, o.boot_mem, page_size, S.ec.n_prstatus, &S.layout,
			 err, sizeof(err))) {
		fprintf(stderr, "phypdump-sim: %s\n", err);
		return 1;
	}
	if (reserve_init(&S.res, &S.layout, o.layout == LAYOUT_SEED ? RESERVE_AT_SEED : RESERVE_AT_ALWAYS) ||
	    vmcore_view_init(&S.view, fd, &S.ec, &S.layout, &S.res, o.released)) {
		fprintf(stderr, "phypdump-sim: out of memory\n");
		return 1;
	}
	S.mem_reserved = S.res.area_bytes;
	devtree_kernel_dump(&S.layout, S.kdump);
	devtree_configure_token(S.token);
	S.mount_time = time(NULL);
	pthread_rwlock_init(&S.lock, NULL);
	if (o.timeline) {
		S.tl = timeline_open(o.timeline);
		if (!S.tl) {
			fprintf(stderr, "phypdump-sim: cannot create timeline %s: %s\n", o.timeline,
				strerror(errno));
			return 1;
		}
		timeline_event(S.tl, "start", 0, 0, 0, reserve_remaining(&S.res));
	}

	S.se = fuse_session_new(&fargs, &ops, sizeof(ops), NULL);
	if (!S.se) {
		fprintf(stderr, "phypdump-sim: cannot create the FUSE session\n");
		goto out;
	}
	if (fuse_set_signal_handlers(S.se) != 0 || install_signals() != 0) {
		fprintf(stderr, "phypdump-sim: cannot install signal handlers\n");
		goto out_session;
	}
	/* absolute: the unmount at the end must find it whatever the current
	 * directory (fuse_daemonize() changes to /) */
	mnt_abs = realpath(o.mountpoint, NULL);
	if (!mnt_abs) {
		fprintf(stderr, "phypdump-sim: %s: %s\n", o.mountpoint, strerror(errno));
		goto out_signals;
	}
	if (fuse_session_mount(S.se, mnt_abs) != 0) {
		fprintf(stderr, "phypdump-sim: cannot mount on %s (see the message above; is FUSE "
			"usable here?)\n", o.mountpoint);
		goto out_signals;
	}
	S.msg_fd = fcntl(2, F_DUPFD_CLOEXEC, 3);
	if (fuse_daemonize(o.foreground) != 0) {
		fprintf(stderr, "phypdump-sim: cannot go to the background\n");
		goto out_unmount;
	}
	lc = fuse_loop_cfg_create();
	if (!lc) {
		fprintf(stderr, "phypdump-sim: out of memory\n");
		goto out_unmount;
	}
	fuse_loop_cfg_set_clone_fd(lc, 0);
	fuse_loop_cfg_set_max_threads(lc, 16);
	rc = fuse_session_loop_mt(S.se, lc) ? 1 : 0;
	if (S.crashed)
		rc = S.crash_status;
	fuse_loop_cfg_destroy(lc);
	signal(SIGINT, SIG_IGN); /* the loop is over: finish the cleanup undisturbed */
	signal(SIGTERM, SIG_IGN);
	signal(SIGHUP, SIG_IGN);
out_unmount:
	fuse_session_unmount(S.se);
out_signals:
	fuse_remove_signal_handlers(S.se);
out_session:
	signal(SIGINT, SIG_IGN);
	signal(SIGTERM, SIG_IGN);
	signal(SIGHUP, SIG_IGN);
	fuse_session_destroy(S.se);
	S.se = NULL;
out:
	timeline_close(S.tl);
	vmcore_view_free(&S.view);
	reserve_free(&S.res);
	layout_free(&S.layout);
	elfcore_free(&S.ec);
	close(fd);
	if (S.base_ec == &S.base_own) {
		elfcore_free(&S.base_own);
		close(S.base_fd);
	}
	free(S.crash_out);
	free(mnt_abs);
	if (S.msg_fd >= 0)
		close(S.msg_fd);
	fuse_opt_free_args(&fargs);
	return rc;
}

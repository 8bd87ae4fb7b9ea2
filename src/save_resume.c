/* SPDX-License-Identifier: GPL-2.0-or-later */
/* save_resume.c — the resume view, mounted for the collector.
 *
 * One read-only file, <mnt>/vmcore, served by lib/resume_view through FUSE
 * (high-level API; the collector reads and mmaps it as it would the
 * vmcore).  The mount is made in a private
 * mount namespace of this process, which the collector inherits, so that it
 * vanishes with us even if we are killed: a killed save never leaves a
 * stale mount behind to confuse the next one.
 */
#define FUSE_USE_VERSION 31

#include <errno.h>
#include <fcntl.h>
#include <fuse.h>
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "resume_view.h"
#include "save_resume.h"

static struct {
	struct pd_resume_view view;
	bool have_view;
	struct fuse *fuse;
	pthread_t thread;
	bool mounted, running;
	char dir[64];
	char *fetched[64];		/* local copies of remote partial files */
	size_t nfetched;
} g;

bool save_can_resume(void)
{
	return true;
}

static int v_getattr(const char *path, struct stat *st, struct fuse_file_info *fi)
{
	(void)fi;
	memset(st, 0, sizeof(*st));
	if (!strcmp(path, "/")) {
		st->st_mode = S_IFDIR | 0500;
		st->st_nlink = 2;
		return 0;
	}
	if (!strcmp(path, "/vmcore")) {
		st->st_mode = S_IFREG | 0400;
		st->st_nlink = 1;
		st->st_size = (off_t)g.view.vmcore_size;
		return 0;
	}
	return -ENOENT;
}

static int v_open(const char *path, struct fuse_file_info *fi)
{
	if (strcmp(path, "/vmcore"))
		return -ENOENT;
	if ((fi->flags & O_ACCMODE) != O_RDONLY)
		return -EACCES;
	/* Cached, not direct_io: the collector mmaps its input in 4 MiB
	 * windows, and the kernel then asks for 128 KiB at a time instead of
	 * one page per read (6.9 s against 3.0 s on the 512 MiB fixture). */
	fi->keep_cache = 0;
	return 0;
}

static int v_read(const char *path, char *buf, size_t size, off_t off, struct fuse_file_info *fi)
{
	struct pd_error e;

	(void)path;
	(void)fi;
	if (off < 0 || (uint64_t)off >= g.view.vmcore_size)
		return 0;
	if ((uint64_t)off + size > g.view.vmcore_size)
		size = (size_t)(g.view.vmcore_size - (uint64_t)off);
	if (pd_resume_view_read(&g.view, buf, size, (uint64_t)off, &e)) {
		fprintf(stderr, "phypdump save: resume view: %s\n", e.msg);
		return -(e.errnum ? e.errnum : EIO);
	}
	return (int)size;
}

static int v_readdir(const char *path, void *buf, fuse_fill_dir_t fill, off_t off,
		     struct fuse_file_info *fi, enum fuse_readdir_flags flags)
{
	(void)off;
	(void)fi;
	(void)flags;
	if (strcmp(path, "/"))
		return -ENOENT;
	fill(buf, ".", NULL, 0, 0);
	fill(buf, "..", NULL, 0, 0);
	fill(buf, "vmcore", NULL, 0, 0);
	return 0;
}

static const struct fuse_operations ops = {
	.getattr = v_getattr,
	.open = v_open,
	.read = v_read,
	.readdir = v_readdir,
};

static void *loop(void *arg)
{
	(void)arg;
	fuse_loop(g.fuse);
	return NULL;
}

/* Partial files an interrupted ssh save left on the remote host: fetched
 * back through phypdump receive into the local log directory (they are
 * only read, and their CRCs are verified against the journal as any
 * partial file's are).  @copy gets the journal's targets with local paths. */
static int fetch_partials(struct save *s, struct pd_journal_state *copy, struct pd_error *err)
{
	const struct pd_journal_state *js = &s->cap.st.journal;
	size_t i, ul = strlen(s->net.url);

	*copy = *js;
	copy->targets = calloc(js->ntargets ? js->ntargets : 1, sizeof(*copy->targets));
	if (!copy->targets)
		return pd_fail(err, "out of memory");
	for (i = 0; i < js->ntargets; i++) {
		const char *t = js->targets[i].path;
		char local[PATH_MAX + 64];
		int fd;

		copy->targets[i] = js->targets[i];
		if (strncmp(t, "ssh://", 6) || !js->targets[i].nsaved)
			continue;
		if (!s->remote || strncmp(t, s->net.url, ul) || t[ul] != '/' || g.nfetched >= 64)
			return pd_fail_kind(err, PD_ERR_REFUSED, "the interrupted save wrote %s: resume it "
					    "with --target %s... (the memory it released is only in that file)",
					    t, s->net.url[0] ? s->net.url : "ssh://USER@HOST/PATH");
		if (pd_dump_writer_mkdir(s->dumpdir, err))
			return -1;
		snprintf(local, sizeof(local), "%s/fetched-partial.%zu", s->dumpdir, i);
		unlink(local);
		fd = open(local, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
		if (fd < 0)
			return pd_fail_errno(err, errno, "cannot create %s", local);
		g.fetched[g.nfetched++] = strdup(local);
		fprintf(stderr, "phypdump save: resuming: fetching %s into %s\n", t, local);
		if (save_net_fetch(&s->net, t + ul, fd, s->dumpdir, err)) {
			close(fd);
			return pd_error_context(err, "the partial dump %s cannot be read back", t);
		}
		close(fd);
		copy->targets[i].path = g.fetched[g.nfetched - 1];
		if (!copy->targets[i].path)
			return pd_fail(err, "out of memory");
	}
	return 0;
}

/* Mount g.view (initialized) on the fixed directory; its vmcore into @path. */
static int mount_view(char *path, size_t size, struct pd_error *err)
{
	char *argv[] = { "phypdump-resume", NULL };
	struct fuse_args args = FUSE_ARGS_INIT(1, argv);

	/* Our own mount namespace: the view is ours and the collector's only,
	 * and goes away with the last of us. */
	if (unshare(CLONE_NEWNS) || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL))
		return pd_fail_errno(err, errno, "cannot make a private mount namespace for the resume "
				     "view (phypdump save must run as root)");
	/* One fixed, empty directory: each save mounts over it in its own
	 * namespace, so concurrent saves (of other dumps, in tests) do not
	 * meet, and a killed save leaves nothing behind to clean up. */
	snprintf(g.dir, sizeof(g.dir), "/run/phypdump-view");
	if (mkdir(g.dir, 0700) && errno != EEXIST) {
		snprintf(g.dir, sizeof(g.dir), "/tmp/phypdump-view");
		if (mkdir(g.dir, 0700) && errno != EEXIST)
			return pd_fail_errno(err, errno, "cannot create %s for the resume view", g.dir);
	}
	g.fuse = fuse_new(&args, &ops, sizeof(ops), NULL);
	fuse_opt_free_args(&args);
	if (!g.fuse)
		return pd_fail(err, "cannot start the resume view (FUSE)");
	if (fuse_mount(g.fuse, g.dir))
		return pd_fail(err, "cannot mount the resume view on %s (is /dev/fuse there?)", g.dir);
	g.mounted = true;
	if (pthread_create(&g.thread, NULL, loop, NULL))
		return pd_fail(err, "cannot start the resume view's thread");
	g.running = true;
	snprintf(path, size, "%s/vmcore", g.dir);
	return 0;
}

int save_view_start(struct save *s, char *path, size_t size, struct pd_error *err)
{
	struct pd_journal_state copy;
	int rc;

	memset(&copy, 0, sizeof(copy));
	rc = fetch_partials(s, &copy, err);
	if (!rc)
		rc = pd_resume_view_init(&g.view, s->cap.vmcore, &copy, err);
	free(copy.targets);
	if (rc)
		return -1;
	g.have_view = true;
	if (mount_view(path, size, err))
		return -1;
	fprintf(stderr, "phypdump save: resuming: %zu partial dump file(s) verified; released memory "
		"is served from them\n", g.view.nsrc);
	return 0;
}

int save_view_start_rearm(const struct pd_journal_state *js, const char *vmcore2, char *path,
			  size_t size, struct pd_error *err)
{
	size_t i;

	for (i = 0; i < js->ntargets; i++)
		if (!strncmp(js->targets[i].path, "ssh://", 6) && js->targets[i].nsaved)
			return pd_fail_kind(err, PD_ERR_REFUSED, "the first dump was saved through ssh (%s): "
					    "it cannot be finished from this boot", js->targets[i].path);
	if (pd_resume_view_init_rearm(&g.view, vmcore2, js, err))
		return -1;
	g.have_view = true;
	if (mount_view(path, size, err))
		return -1;
	fprintf(stderr, "phypdump save: the first dump: %zu partial dump file(s) and the copy of its "
		"headers verified; its held memory is read from this boot's dump\n", g.view.nsrc);
	return 0;
}

void save_view_stop(struct save *s)
{
	if (g.have_view && g.view.rearm)
		fprintf(stderr, "phypdump save: the first dump: %llu released pages from its partial dump(s), "
			"%llu filtered ones as zeros, %llu bytes of held memory from this boot's dump\n",
			(unsigned long long)g.view.pages_from_file, (unsigned long long)g.view.pages_zero,
			(unsigned long long)g.view.bytes_from_dump2);
	else if (g.have_view && s->cap.resume && (g.view.pages_from_file || g.view.pages_zero))
		fprintf(stderr, "phypdump save: resume view served %llu released pages from the partial "
			"dump(s) and %llu filtered ones as zeros\n",
			(unsigned long long)g.view.pages_from_file, (unsigned long long)g.view.pages_zero);
	if (g.fuse) {
		fuse_exit(g.fuse);
		if (g.mounted)
			fuse_unmount(g.fuse);
		if (g.running)
			pthread_join(g.thread, NULL);
		fuse_destroy(g.fuse);
	}
	if (g.have_view)
		pd_resume_view_fini(&g.view);
	while (g.nfetched) {
		char *p = g.fetched[--g.nfetched];

		if (p)
			unlink(p);
		free(p);
	}
	memset(&g, 0, sizeof(g));
}

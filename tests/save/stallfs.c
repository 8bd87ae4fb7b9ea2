/* SPDX-License-Identifier: GPL-2.0-or-later */
/* stallfs — a dump target that stops answering, for the stall watchdog's
 * tests: a FUSE file system that passes everything through to a backing
 * directory, except that file writes or fsyncs block, on command, until
 * the command is withdrawn or the caller is killed (the kernel then sends
 * an interrupt, answered with EINTR, so that the killed process can exit).
 *
 *   stallfs BACKING MOUNTPOINT CONTROL
 *
 * CONTROL is a file read before each write and fsync: "fsync N NAME" blocks
 * the N-th fsync of a file whose path contains NAME from the mount on (and
 * every later one), "write N NAME" the N-th write; missing, empty or
 * "none": nothing blocks.  Counting (of the files NAME picks) starts at the
 * mount.  SIGTERM/SIGINT, or fusermount3 -u, end it. */
#define FUSE_USE_VERSION 31

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fuse.h>
#include <limits.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <time.h>
#include <unistd.h>

static char backing[PATH_MAX];
static const char *control;
static atomic_ulong nwrites, nfsyncs;

static void real(char *out, const char *path)
{
	snprintf(out, PATH_MAX, "%s%s", backing, path);
}

/* CONTROL's command: the op, from which one on, on which files. */
static int command(char *what, unsigned long *from, char *name)
{
	FILE *f = fopen(control, "r");
	int k;

	if (!f)
		return 0;
	k = fscanf(f, "%15s %lu %63s", what, from, name);
	fclose(f);
	return k == 3;
}

/* Whether @op on @path counts: CONTROL names it and the file. */
static int counts(const char *op, const char *path)
{
	char what[16], name[64];
	unsigned long from;

	return command(what, &from, name) && !strcmp(what, op) && strstr(path, name);
}

/* Whether CONTROL says to block @op, the @n-th of its kind. */
static int blocked(const char *op, unsigned long n)
{
	char what[16], name[64];
	unsigned long from;

	return command(what, &from, name) && !strcmp(what, op) && n >= from;
}

/* Block while told to; -EINTR when the caller was interrupted (killed). */
static int maybe_stall(const char *op, unsigned long n)
{
	struct timespec ts = { 0, 20 * 1000 * 1000 };
	int announced = 0;

	while (blocked(op, n)) {
		if (!announced++)
			fprintf(stderr, "stallfs: %s #%lu blocks\n", op, n);
		if (fuse_interrupted()) {
			fprintf(stderr, "stallfs: %s #%lu interrupted\n", op, n);
			return -EINTR;
		}
		nanosleep(&ts, NULL);
	}
	return 0;
}

static int s_getattr(const char *path, struct stat *st, struct fuse_file_info *fi)
{
	char p[PATH_MAX];

	if (fi)
		return fstat((int)fi->fh, st) ? -errno : 0;
	real(p, path);
	return lstat(p, st) ? -errno : 0;
}

static int s_access(const char *path, int mask)
{
	char p[PATH_MAX];

	real(p, path);
	return access(p, mask) ? -errno : 0;
}

static int s_readdir(const char *path, void *buf, fuse_fill_dir_t fill, off_t off,
		     struct fuse_file_info *fi, enum fuse_readdir_flags flags)
{
	char p[PATH_MAX];
	struct dirent *e;
	DIR *d;

	(void)off;
	(void)fi;
	(void)flags;
	real(p, path);
	d = opendir(p);
	if (!d)
		return -errno;
	while ((e = readdir(d)))
		fill(buf, e->d_name, NULL, 0, 0);
	closedir(d);
	return 0;
}

static int s_mkdir(const char *path, mode_t mode)
{
	char p[PATH_MAX];

	real(p, path);
	return mkdir(p, mode) ? -errno : 0;
}

static int s_unlink(const char *path)
{
	char p[PATH_MAX];

	real(p, path);
	return unlink(p) ? -errno : 0;
}

static int s_rmdir(const char *path)
{
	char p[PATH_MAX];

	real(p, path);
	return rmdir(p) ? -errno : 0;
}

static int s_rename(const char *from, const char *to, unsigned int flags)
{
	char a[PATH_MAX], b[PATH_MAX];

	if (flags)
		return -EINVAL;
	real(a, from);
	real(b, to);
	return rename(a, b) ? -errno : 0;
}

static int s_chmod(const char *path, mode_t mode, struct fuse_file_info *fi)
{
	char p[PATH_MAX];

	if (fi)
		return fchmod((int)fi->fh, mode) ? -errno : 0;
	real(p, path);
	return chmod(p, mode) ? -errno : 0;
}

static int s_truncate(const char *path, off_t size, struct fuse_file_info *fi)
{
	char p[PATH_MAX];

	if (fi)
		return ftruncate((int)fi->fh, size) ? -errno : 0;
	real(p, path);
	return truncate(p, size) ? -errno : 0;
}

static int s_utimens(const char *path, const struct timespec tv[2], struct fuse_file_info *fi)
{
	char p[PATH_MAX];

	if (fi)
		return futimens((int)fi->fh, tv) ? -errno : 0;
	real(p, path);
	return utimensat(AT_FDCWD, p, tv, AT_SYMLINK_NOFOLLOW) ? -errno : 0;
}

static int s_create(const char *path, mode_t mode, struct fuse_file_info *fi)
{
	char p[PATH_MAX];
	int fd;

	real(p, path);
	fd = open(p, fi->flags, mode);
	if (fd < 0)
		return -errno;
	fi->fh = (uint64_t)fd;
	return 0;
}

static int s_open(const char *path, struct fuse_file_info *fi)
{
	char p[PATH_MAX];
	int fd;

	real(p, path);
	fd = open(p, fi->flags);
	if (fd < 0)
		return -errno;
	fi->fh = (uint64_t)fd;
	return 0;
}

static int s_read(const char *path, char *buf, size_t size, off_t off, struct fuse_file_info *fi)
{
	ssize_t n = pread((int)fi->fh, buf, size, off);

	(void)path;
	return n < 0 ? -errno : (int)n;
}

static int s_write(const char *path, const char *buf, size_t size, off_t off,
		   struct fuse_file_info *fi)
{
	ssize_t n;
	int rc = counts("write", path) ? maybe_stall("write", atomic_fetch_add(&nwrites, 1) + 1) : 0;

	if (rc)
		return rc;
	n = pwrite((int)fi->fh, buf, size, off);
	return n < 0 ? -errno : (int)n;
}

static int s_fsync(const char *path, int datasync, struct fuse_file_info *fi)
{
	int rc = counts("fsync", path) ? maybe_stall("fsync", atomic_fetch_add(&nfsyncs, 1) + 1) : 0;

	if (rc)
		return rc;
	return (datasync ? fdatasync((int)fi->fh) : fsync((int)fi->fh)) ? -errno : 0;
}

static int s_release(const char *path, struct fuse_file_info *fi)
{
	(void)path;
	close((int)fi->fh);
	return 0;
}

static int s_statfs(const char *path, struct statvfs *sv)
{
	char p[PATH_MAX];

	real(p, path);
	return statvfs(p, sv) ? -errno : 0;
}

static const struct fuse_operations ops = {
	.getattr = s_getattr,
	.access = s_access,
	.readdir = s_readdir,
	.mkdir = s_mkdir,
	.unlink = s_unlink,
	.rmdir = s_rmdir,
	.rename = s_rename,
	.chmod = s_chmod,
	.truncate = s_truncate,
	.utimens = s_utimens,
	.create = s_create,
	.open = s_open,
	.read = s_read,
	.write = s_write,
	.fsync = s_fsync,
	.release = s_release,
	.statfs = s_statfs,
};

int main(int argc, char **argv)
{
	char *fargv[] = { argv[0], "-f", "-o", "default_permissions", NULL, NULL };

	if (argc != 4) {
		fprintf(stderr, "usage: stallfs BACKING MOUNTPOINT CONTROL\n");
		return 2;
	}
	if (!realpath(argv[1], backing)) {
		perror(argv[1]);
		return 1;
	}
	control = argv[3];
	fargv[4] = argv[2];
	/* Multi-threaded (the default): an interrupt must reach a request
	 * that another thread holds blocked. */
	return fuse_main(5, fargv, &ops, NULL);
}

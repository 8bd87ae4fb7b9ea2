/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "fileio.h"

#include <errno.h>
#include <stdio.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "stall.h"

int pd_read_file(const char *path, size_t max, char **out, size_t *outlen)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC), e;
	size_t cap = 4096, n = 0;
	char *buf;

	if (fd < 0)
		return errno == ENOENT ? 1 : -1;
	buf = malloc(cap);
	if (!buf)
		goto oom;
	for (;;) {
		ssize_t r;

		if (n + 1 >= cap) {
			char *nb;

			if (cap > max) {
				errno = EFBIG;
				goto fail;
			}
			nb = realloc(buf, cap * 2);
			if (!nb)
				goto oom;
			buf = nb;
			cap *= 2;
		}
		r = read(fd, buf + n, cap - 1 - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			goto fail;
		if (r == 0)
			break;
		n += (size_t)r;
	}
	if (n > max) {
		errno = EFBIG;
		goto fail;
	}
	close(fd);
	buf[n] = 0;
	*out = buf;
	*outlen = n;
	return 0;
oom:
	errno = ENOMEM;
fail:
	e = errno;
	free(buf);
	close(fd);
	errno = e;
	return -1;
}

int pd_write_all(int fd, const void *buf, size_t len)
{
	bool watched = pd_stall_begin_fd("write", fd);
	const char *p = buf;
	int rc = 0;

	while (len) {
		ssize_t w = write(fd, p, len);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0) {
			rc = -1;
			break;
		}
		p += w;
		len -= (size_t)w;
	}
	pd_stall_end_fd(watched);
	return rc;
}

int pd_pwrite_all(int fd, const void *buf, size_t len, uint64_t off)
{
	bool watched = pd_stall_begin_fd("write", fd);
	const char *p = buf;
	int rc = 0;

	while (len) {
		ssize_t n = pwrite(fd, p, len, (off_t)off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			rc = -1;
			break;
		}
		p += n;
		len -= (size_t)n;
		off += (uint64_t)n;
	}
	pd_stall_end_fd(watched);
	return rc;
}

int pd_fdatasync_fd(int fd)
{
	bool watched = pd_stall_begin_fd("fdatasync", fd);
	int rc = fdatasync(fd), e = errno;

	pd_stall_end_fd(watched);
	errno = e;
	return rc;
}

int pd_close_fd(int fd)
{
	bool watched = pd_stall_begin_fd("close", fd);
	int rc, e;

	pd_stall_unwatch_fd(fd);	/* its number may be reused once closed */
	rc = close(fd);
	e = errno;
	pd_stall_end_fd(watched);
	errno = e;
	return rc;
}

int pd_sync_target_dir(const char *dir)
{
	int fd, rc, e;

	pd_stall_begin("fsync of the directory", dir);
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0) {
		e = errno;
		pd_stall_end();
		errno = e;
		return -1;
	}
	rc = fsync(fd);
	e = errno;
	close(fd);
	pd_stall_end();
	errno = e;
	return rc;
}

/* @op(@path), bracketed as @what on the target; errno kept. */
static int path_op(const char *what, const char *path, const void *arg,
		   int (*op)(const char *path, const void *arg))
{
	int rc, e;

	pd_stall_begin(what, path);
	rc = op(path, arg);
	e = errno;
	pd_stall_end();
	errno = e;
	return rc;
}

static int do_unlink(const char *path, const void *arg)
{
	(void)arg;
	return unlink(path);
}

static int do_rmdir(const char *path, const void *arg)
{
	(void)arg;
	return rmdir(path);
}

static int do_lstat(const char *path, const void *arg)
{
	return lstat(path, (struct stat *)arg);
}

static int do_rename(const char *path, const void *arg)
{
	return rename(path, (const char *)arg);
}

int pd_target_unlink(const char *path)
{
	return path_op("unlink", path, NULL, do_unlink);
}

int pd_target_rmdir(const char *path)
{
	return path_op("rmdir", path, NULL, do_rmdir);
}

int pd_target_lstat(const char *path, struct stat *sb)
{
	return path_op("lstat", path, sb, do_lstat);
}

int pd_target_rename(const char *from, const char *to)
{
	return path_op("rename", from, to, do_rename);
}

int pd_target_open(const char *path, int flags, unsigned mode)
{
	int fd, e;

	pd_stall_begin("open", path);
	fd = open(path, flags, (mode_t)mode);
	e = errno;
	pd_stall_end();
	pd_stall_watch_fd(fd, path);
	errno = e;
	return fd;
}

int pd_mkdir_p(const char *path, unsigned mode, size_t *failed_len)
{
	char *p = strdup(path);
	size_t i, n;

	if (!p) {
		errno = ENOMEM;
		return -1;
	}
	n = strlen(p);
	for (i = 1; i <= n; i++) {
		if (p[i] != '/' && p[i] != 0)
			continue;
		p[i] = 0;
		if (mkdir(p, i == n ? (mode_t)mode : 0755) && errno != EEXIST) {
			int e = errno;

			if (failed_len)
				*failed_len = i;
			free(p);
			errno = e;
			return -1;
		}
		if (i < n)
			p[i] = '/';
	}
	free(p);
	return 0;
}

long pd_read_small(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	size_t n = 0;

	if (fd < 0)
		return -1;
	while (n + 1 < size) {
		ssize_t r = read(fd, buf + n, size - 1 - n);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			int e = errno;

			close(fd);
			errno = e;
			return -1;
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	close(fd);
	while (n && (buf[n - 1] == '\n' || buf[n - 1] == ' ' || buf[n - 1] == '\t' ||
		     buf[n - 1] == '\0'))
		n--;
	buf[n] = 0;
	return (long)n;
}

void pd_path_join(char *out, size_t size, const char *root, const char *rel)
{
	size_t n = strlen(root);

	while (n > 1 && root[n - 1] == '/')
		n--;
	if (n == 1 && root[0] == '/')
		n = 0;
	snprintf(out, size, "%.*s/%s", (int)n, root, rel);
}

int pd_fd_read(void *ctx, uint64_t off, void *buf, size_t len)
{
	int fd = *(const int *)ctx, rc = 0;
	bool watched = pd_stall_begin_fd("read", fd);
	size_t done = 0;

	while (done < len) {
		ssize_t n = pread(fd, (char *)buf + done, len - done, (off_t)(off + done));

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			rc = -1;
			break;
		}
		done += (size_t)n;
	}
	pd_stall_end_fd(watched);
	return rc;
}

void pd_dir_of(char *out, size_t size, const char *path)
{
	const char *slash = strrchr(path, '/');

	if (!slash)
		snprintf(out, size, ".");
	else if (slash == path)
		snprintf(out, size, "/");
	else
		snprintf(out, size, "%.*s", (int)(slash - path), path);
}

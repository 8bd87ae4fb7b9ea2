/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "backend.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <string.h>
#include <unistd.h>

static void init(struct pd_backend *b, enum pd_backend_kind kind, const char *path)
{
	memset(b, 0, sizeof(*b));
	b->kind = kind;
	b->fd = -1;
	if (path)
		snprintf(b->path, sizeof(b->path), "%s", path);
}

int pd_backend_open_release_region(struct pd_backend *b, const char *path,
				   struct pd_error *err)
{
	init(b, PD_BACKEND_RELEASE_REGION, path);
	b->incremental = true;
	b->fd = open(path, O_WRONLY | O_CLOEXEC);
	if (b->fd < 0)
		return pd_fail_errno(err, errno, "cannot open %s for writing (are you root?)", path);
	return 0;
}

int pd_backend_open_release_mem(struct pd_backend *b, const char *path,
				struct pd_error *err)
{
	init(b, PD_BACKEND_RELEASE_MEM, path);
	if (access(path, W_OK))
		return pd_fail_errno(err, errno, "cannot write %s (are you root?)", path);
	return 0;
}

void pd_backend_open_dry_run(struct pd_backend *b, FILE *log)
{
	init(b, PD_BACKEND_DRY_RUN, NULL);
	b->incremental = true;
	b->log = log;
}

const char *pd_backend_name(const struct pd_backend *b)
{
	switch (b->kind) {
	case PD_BACKEND_RELEASE_REGION:
		return "release_region";
	case PD_BACKEND_RELEASE_MEM:
		return "release_mem";
	case PD_BACKEND_DRY_RUN:
		return "dry-run";
	}
	return "?";
}

static int region_write(struct pd_backend *b, uint64_t addr, uint64_t len,
			struct pd_error *err)
{
	char cmd[PD_RR_RELEASE_MAX];
	size_t n = pd_rr_format_release(cmd, addr, len);
	ssize_t w;

	/* One write() per release: the kernel parses each write on its own. */
	do
		w = pwrite(b->fd, cmd, n, 0);
	while (w < 0 && errno == EINTR);
	b->writes++;
	if (w < 0)
		return pd_fail_errno(err, errno,
				     "the kernel refused to release 0x%" PRIx64 "+0x%" PRIx64 " through %s",
				     addr, len, b->path);
	if ((size_t)w != n)
		return pd_fail(err, "short write releasing 0x%" PRIx64 "+0x%" PRIx64 " through %s",
			       addr, len, b->path);
	b->bytes += len;
	return 0;
}

int pd_backend_release(struct pd_backend *b, uint64_t addr, uint64_t len,
		       struct pd_error *err)
{
	switch (b->kind) {
	case PD_BACKEND_RELEASE_REGION:
		return region_write(b, addr, len, err);
	case PD_BACKEND_DRY_RUN:
		if (b->log)
			fprintf(b->log, "dry run: would release 0x%" PRIx64 " 0x%" PRIx64 "\n",
				addr, len);
		b->writes++;
		b->bytes += len;
		return 0;
	case PD_BACKEND_RELEASE_MEM:
		break;
	}
	return pd_fail(err, "%s releases everything at once, not ranges", b->path);
}

int pd_backend_release_all(struct pd_backend *b, const struct pd_rr *boot,
			   struct pd_error *err)
{
	size_t i;
	int fd;
	ssize_t w;

	switch (b->kind) {
	case PD_BACKEND_RELEASE_REGION:
	case PD_BACKEND_DRY_RUN:
		if (boot->cpu.len && pd_backend_release(b, boot->cpu.addr, boot->cpu.len, err))
			return -1;
		if (boot->hpte.len && pd_backend_release(b, boot->hpte.addr, boot->hpte.len, err))
			return -1;
		for (i = 0; i < boot->ndump; i++)
			if (boot->dump[i].len &&
			    pd_backend_release(b, boot->dump[i].addr, boot->dump[i].len, err))
				return -1;
		return 0;
	case PD_BACKEND_RELEASE_MEM:
		fd = open(b->path, O_WRONLY | O_CLOEXEC);
		if (fd < 0)
			return pd_fail_errno(err, errno, "cannot open %s", b->path);
		do
			w = write(fd, "1\n", 2);
		while (w < 0 && errno == EINTR);
		if (w < 0) {
			int e = errno;

			close(fd);
			return pd_fail_errno(err, e, "writing 1 to %s failed", b->path);
		}
		close(fd);
		b->writes++;
		return 0;
	}
	return -1;
}

void pd_backend_close(struct pd_backend *b)
{
	if (b->fd >= 0)
		close(b->fd);
	b->fd = -1;
}

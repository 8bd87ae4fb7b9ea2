/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "dump_writer.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fileio.h"
#include "kdump_track.h"
#include "stall.h"

/* The byte of the header's status word that holds the incomplete flag. */
static uint64_t flag_offset(void)
{
	const uint32_t one = 1;
	unsigned char b;

	memcpy(&b, &one, 1);
	return PD_KDUMP_STATUS_OFFSET + (b ? 0 : 3);
}

int pd_dump_writer_mkdir(const char *dir, struct pd_error *err)
{
	size_t at = 0;

	int rc;

	if (!*dir)
		return pd_fail(err, "bad dump directory name");
	pd_stall_begin("mkdir", dir);
	rc = pd_mkdir_p(dir, 0700, &at);
	if (rc)
		pd_fail_errno(err, errno, "cannot create directory %.*s", (int)at, dir);
	/* Dumps hold passwords and keys: nobody else may look in. */
	else if ((rc = chmod(dir, 0700)))
		pd_fail_errno(err, errno, "cannot restrict dump directory %s to 0700", dir);
	pd_stall_end();
	return rc;
}

static int sync_dir(const char *dir)
{
	return pd_sync_target_dir(dir);
}

int pd_dump_writer_open(struct pd_dump_writer *w, const char *dir, const char *name,
			struct pd_error *err)
{
	char tmp[NAME_MAX + 1];

	if ((size_t)snprintf(tmp, sizeof(tmp), "%s-incomplete", name) >= sizeof(tmp))
		return pd_fail(err, "dump file name too long");
	return pd_dump_writer_open_tmp(w, dir, name, tmp, err);
}

int pd_dump_writer_open_tmp(struct pd_dump_writer *w, const char *dir, const char *name,
			    const char *tmp, struct pd_error *err)
{
	struct stat sb;

	memset(w, 0, sizeof(*w));
	w->fd = -1;
	if (pd_dump_writer_mkdir(dir, err))
		return -1;
	snprintf(w->dir, sizeof(w->dir), "%s", dir);
	if ((size_t)snprintf(w->final_path, sizeof(w->final_path), "%s/%s", dir, name) >=
	    sizeof(w->final_path) ||
	    (size_t)snprintf(w->path, sizeof(w->path), "%s/%s", dir, tmp) >=
	    sizeof(w->path))
		return pd_fail(err, "dump path too long");
	pd_stall_begin("create", w->path);
	if (!lstat(w->final_path, &sb)) {
		pd_stall_end();
		return pd_fail(err, "%s already exists; choose another dump directory", w->final_path);
	}
	w->fd = open(w->path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	pd_stall_end();
	if (w->fd < 0)
		return pd_fail_errno(err, errno, "cannot create %s", w->path);
	/* Everything done through it from now on is watched (lib/stall.h). */
	pd_stall_watch_fd(w->fd, w->path);
	if (sync_dir(dir))
		return pd_fail_errno(err, errno, "cannot sync directory %s", dir);
	return 0;
}

int pd_dump_writer_write(struct pd_dump_writer *w, uint64_t offset, const unsigned char *data,
			 size_t len, struct pd_error *err)
{
	uint64_t fo = flag_offset();
	int rc;

	if (offset <= fo && fo < offset + len) {
		/* Write the chunk with the incomplete flag forced on. */
		size_t k = (size_t)(fo - offset);

		w->flag_byte = data[k];
		w->flag_byte_seen = true;
		rc = pd_pwrite_all(w->fd, data, k, offset);
		if (!rc) {
			unsigned char b = data[k] | PD_KDUMP_INCOMPLETE;

			rc = pd_pwrite_all(w->fd, &b, 1, fo);
		}
		if (!rc)
			rc = pd_pwrite_all(w->fd, data + k + 1, len - k - 1, fo + 1);
	} else {
		rc = pd_pwrite_all(w->fd, data, len, offset);
	}
	if (rc) {
		if (errno == ENOSPC)
			return pd_fail_errno(err, errno, "writing %s failed: the file system is full", w->path);
		return pd_fail_errno(err, errno, "writing %s failed", w->path);
	}
	w->bytes += len;
	w->unsynced += len;
	if (offset + len > w->size)
		w->size = offset + len;
	return 0;
}

int pd_dump_writer_sync(struct pd_dump_writer *w, struct pd_error *err)
{
	if (pd_fdatasync_fd(w->fd))
		return pd_fail_errno(err, errno, "syncing %s failed", w->path);
	w->unsynced = 0;
	w->syncs++;
	return 0;
}

int pd_dump_writer_finish(struct pd_dump_writer *w, struct pd_error *err)
{
	if (w->flag_byte_seen && pd_pwrite_all(w->fd, &w->flag_byte, 1, flag_offset()))
		return pd_fail_errno(err, errno, "writing %s failed", w->path);
	if (pd_dump_writer_sync(w, err))
		return -1;
	if (pd_target_rename(w->path, w->final_path))
		return pd_fail_errno(err, errno, "cannot rename %s to %s", w->path, w->final_path);
	if (sync_dir(w->dir))
		return pd_fail_errno(err, errno, "cannot sync directory %s", w->dir);
	pd_close_fd(w->fd);
	w->fd = -1;
	return 0;
}

int pd_dump_writer_unfinish(struct pd_dump_writer *w, struct pd_error *err)
{
	int fd;

	pd_stall_begin("open", w->final_path);
	fd = open(w->final_path, O_WRONLY | O_CLOEXEC);
	pd_stall_end();
	if (fd < 0)
		return pd_fail_errno(err, errno, "cannot open %s to mark it incomplete", w->final_path);
	pd_stall_watch_fd(fd, w->final_path);
	if (w->flag_byte_seen) {
		unsigned char b = w->flag_byte | PD_KDUMP_INCOMPLETE;

		if (pd_pwrite_all(fd, &b, 1, flag_offset()) || pd_fdatasync_fd(fd)) {
			pd_fail_errno(err, errno, "cannot mark %s incomplete", w->final_path);
			pd_close_fd(fd);
			return -1;
		}
	}
	pd_close_fd(fd);
	if (pd_target_rename(w->final_path, w->path))
		return pd_fail_errno(err, errno, "cannot rename %s back to %s", w->final_path, w->path);
	if (sync_dir(w->dir))
		return pd_fail_errno(err, errno, "cannot sync directory %s", w->dir);
	return 0;
}

void pd_dump_writer_abandon(struct pd_dump_writer *w)
{
	if (w->fd < 0)
		return;
	/* Write the flag again: after a failed fdatasync (EIO) the kernel may
	 * have dropped the dirty header page, and the file on disk would then
	 * say nothing, or "complete", of a partial dump. */
	if (w->flag_byte_seen) {
		unsigned char b = w->flag_byte | PD_KDUMP_INCOMPLETE;

		(void)pd_pwrite_all(w->fd, &b, 1, flag_offset());
	}
	(void)pd_fdatasync_fd(w->fd);
	pd_close_fd(w->fd);
	w->fd = -1;
}

/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fileio.h — whole-file reads and complete writes, retrying on EINTR.
 * Contract: pd_read_file() returns 0 with a malloc'ed, NUL-terminated buffer
 * (the NUL is not counted in *len), 1 when the file does not exist, and -1
 * with errno set on any other failure; it reads at most @max bytes and fails
 * with EFBIG beyond. */
#ifndef PD_FILEIO_H
#define PD_FILEIO_H

#include <stddef.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <stdint.h>

int pd_read_file(const char *path, size_t max, char **buf, size_t *len);
int pd_write_all(int fd, const void *buf, size_t len);
/* pwrite() all of @len bytes at @off; -1 with errno set on failure. */
int pd_pwrite_all(int fd, const void *buf, size_t len, uint64_t off);
/* fdatasync() and close() of a descriptor, bracketed for the stall
 * watchdog when it is watched (lib/stall.h; close also unwatches it).
 * Same returns and errno as the calls. */
int pd_fdatasync_fd(int fd);
int pd_close_fd(int fd);
/* fsync() a directory, bracketed as an operation on the dump target:
 * only for directories on it.  0, or -1 with errno set. */
int pd_sync_target_dir(const char *dir);
/* unlink(), lstat(), rmdir() and open() of a path on the dump target,
 * bracketed (lib/stall.h); the same returns and errno.  pd_target_open()
 * also watches the descriptor it returns (close it with pd_close_fd()). */
int pd_target_unlink(const char *path);
int pd_target_lstat(const char *path, struct stat *sb);
int pd_target_rmdir(const char *path);
int pd_target_rename(const char *from, const char *to);
int pd_target_open(const char *path, int flags, unsigned mode);
/* mkdir -p: missing parents 0755, the last component @mode (an existing
 * one is left as it is).  Returns 0 or -1 with errno set and the failing
 * path's length in *failed_len (may be NULL). */
int pd_mkdir_p(const char *path, unsigned mode, size_t *failed_len);
/* "<root>/<rel>" into @out (at most @size bytes, truncated); a root of "/"
 * or with trailing slashes gives no double slash.  Every "under ROOT" path
 * of the project is made here. */
/* A read callback (pd_read_fn) over a file descriptor: @ctx points to the
 * int fd.  Reads exactly @len bytes at @off; -1 on error or end of file. */
int pd_fd_read(void *ctx, uint64_t off, void *buf, size_t len);
/* The directory part of @path into @out ("." when none, "/" for "/x"). */
void pd_dir_of(char *out, size_t size, const char *path);
void pd_path_join(char *out, size_t size, const char *root, const char *rel);
/* Read a small text file; trims trailing white space and NULs.  Returns the
 * length, or -1 with errno set. */
long pd_read_small(const char *path, char *buf, size_t size);

#endif

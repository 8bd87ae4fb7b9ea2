/* SPDX-License-Identifier: GPL-2.0-or-later */
/* stall.h — how long the current operation on the dump target has been
 * blocked, and a watchdog that ends a save whose target stopped answering.
 *
 * Why: an NFS server that goes away can leave a writer waiting in the kernel
 * with no limit (an NFSv4 client in state recovery waits in
 * nfs_wait_bit_killable, which no soft timeout ends).  The wait is killable,
 * so a save can always be ended; something must decide to.  Not "no output
 * for N s": makedumpfile scans for minutes before its first page, with no
 * target operation in progress, and that is not a stall.  The timer is per
 * operation: each blocking call on the target (write, fdatasync, close,
 * rename, a directory fsync, a read back, an open) is bracketed, and the
 * watchdog fires only when one bracket stays open longer than the timeout.
 *
 * Contract:
 *  - pd_stall_begin(what, path) ... pd_stall_end() brackets one operation of
 *    the calling thread (@what: "fdatasync", "write"...; @path: the file,
 *    copied, cut to PD_STALL_PATH_MAX).  Brackets nest: an inner one is part
 *    of the outer one (one timer).  Cheap, lock-free, and a no-op cost when
 *    no watchdog runs (lib/ is used by programs that never start one).
 *  - pd_stall_watch_fd(fd, path) names a descriptor on the target:
 *    pd_fd_read(), pd_pwrite_all() and pd_write_all() on it are then
 *    bracketed ("read", "write") without their callers knowing the target.
 *    pd_stall_unwatch_fd() before close; pd_stall_fd_path() gives the name.
 *  - pd_stall_watch_start(timeout, fire, arg): a thread that looks every
 *    quarter second (at most) and calls @fire once, from that thread, with
 *    the operation, the path and the seconds it has been blocked, when any
 *    bracket is older than @timeout seconds.  @fire must end the process
 *    (it must not return, nor take a lock another thread may hold).
 *    pd_stall_watch_stop() ends the thread (idempotent).
 *  - Up to PD_STALL_THREADS threads are watched at once (a thread's slot is
 *    freed when it exits); brackets of further threads are not watched.
 */
#ifndef PD_STALL_H
#define PD_STALL_H

#include <stdbool.h>

#define PD_STALL_THREADS 32
#define PD_STALL_PATH_MAX 512

void pd_stall_begin(const char *what, const char *path);
void pd_stall_end(void);

void pd_stall_watch_fd(int fd, const char *path);
void pd_stall_unwatch_fd(int fd);
/* The path @fd was watched under, or NULL. */
const char *pd_stall_fd_path(int fd);
/* Bracket an operation on @fd when it is watched; returns whether it did
 * (pass that to pd_stall_end_fd()). */
bool pd_stall_begin_fd(const char *what, int fd);
void pd_stall_end_fd(bool begun);

typedef void (*pd_stall_fire_fn)(void *arg, const char *what, const char *path, double seconds);
/* 0, or -1 with errno (the thread could not be started). */
int pd_stall_watch_start(double timeout, pd_stall_fire_fn fire, void *arg);
void pd_stall_watch_stop(void);

#endif

/* SPDX-License-Identifier: GPL-2.0-or-later */
/* collector.h — running makedumpfile for phypdump save.
 *
 * Contract:
 *  - pd_collector_argv() takes a kdump.conf core_collector line as it is
 *    ("makedumpfile -l --message-level 7 -d 31"), checks that it runs
 *    makedumpfile with options phypdump can follow, and returns the argv to
 *    run: the user's words, "-F" added after the program name (unless
 *    present), and the vmcore last.  Options that write elsewhere or in
 *    another format (-E, --split, -R, --dump-dmesg, --reassemble,
 *    --mem-usage, --dry-run...) are refused with a message.
 *  - pd_collector_start() runs it with stdout on a pipe we read and stderr
 *    into @log_fd; pd_collector_wait() reaps it and describes how it ended.
 *  - Its stderr reaches @log_fd through a pipe and a thread of ours, never
 *    directly: the log is in the dump directory, and a write there that
 *    blocks (an NFS server gone) then blocks in our process, where the
 *    stall watchdog sees it (lib/stall.h), not in makedumpfile's, where it
 *    would only look like a long scan.  The same for --dump-dmesg, whose
 *    output is written locally first and then copied into place.
 */
#ifndef PD_COLLECTOR_H
#define PD_COLLECTOR_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "pd_error.h"

/* A child's stderr copied into a log file by a thread. */
struct pd_relay {
	int from, to;
	pthread_t thread;
	bool running;
};

struct pd_collector {
	pid_t pid;
	int out;	/* read end of its stdout */
	struct pd_relay relay;
};

char **pd_collector_argv(const char *line, const char *vmcore, struct pd_error *err);
int pd_collector_start(struct pd_collector *c, char *const argv[], int log_fd,
		       struct pd_error *err);
/* Returns 0 when it exited 0; else -1 with how it ended in @err. */
int pd_collector_wait(struct pd_collector *c, struct pd_error *err);
void pd_collector_kill(struct pd_collector *c);
/* makedumpfile --dump-dmesg VMCORE OUT; returns 0 on success. */
int pd_dump_dmesg(const char *program, const char *vmcore, const char *out, int log_fd,
		  struct pd_error *err);

#endif

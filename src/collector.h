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
 */
#ifndef PD_COLLECTOR_H
#define PD_COLLECTOR_H

#include <stddef.h>
#include <sys/types.h>

#include "pd_error.h"

struct pd_collector {
	pid_t pid;
	int out;	/* read end of its stdout */
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

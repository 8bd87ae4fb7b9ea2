/* SPDX-License-Identifier: GPL-2.0-or-later */
/* save_stall.c — phypdump save's stall watchdog: the end of a save whose
 * dump target stopped answering (lib/stall.h says what is watched).
 *
 * Why ending the process is safe at any moment: that is what a kill -9 does,
 * and the journal was made for it.  A release is journaled and synced before
 * the kernel sees it (a journaled release not yet issued is treated as gone:
 * safe), a record is one write() (one cut short is a torn tail, dropped by
 * the next run), and the journal is not on the target (its appends are
 * never what the watchdog waits for).  Nothing unsaved was released; the
 * next phypdump save resumes from the partial file.
 *
 * How: the stuck thread cannot be joined or woken; it waits in the kernel
 * (killable: soft NFS, NFSv4 state recovery, FUSE).  The watchdog kills
 * the collector, says what happened and calls _exit() (exit_group), which
 * sends SIGKILL to every other thread of ours.  The message is written by a
 * helper thread given a few seconds, in case stderr itself is on the stuck
 * file system. */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "exit_codes.h"
#include "fileio.h"
#include "save.h"
#include "stall.h"

static char message[2048];

static void *say(void *arg)
{
	(void)arg;
	(void)pd_write_all(2, message, strlen(message));
	return NULL;
}

static void fire(void *arg, const char *what, const char *path, double seconds)
{
	struct save *s = arg;
	pid_t pid = *(volatile pid_t *)&s->col.pid;
	struct timespec ts;
	pthread_t t;

	if (pid > 0)
		kill(pid, SIGKILL);
	snprintf(message, sizeof(message),
		 "\nphypdump save: FAILED: the dump target made no progress for %.0f s in %s of %s "
		 "(an NFS server that went away?)\n"
		 "Nothing unsaved was released: the memory not yet saved stays reserved, and the\n"
		 "partial dump and the release journal are as a kill would leave them. Once the\n"
		 "target works again, run phypdump save again: it resumes the dump.\n"
		 "(--stall-timeout, stall_timeout in phypdump.conf: %.0f s; 0 turns this off)\n",
		 seconds, what, path, s->o.stall_timeout);
	if (!pthread_create(&t, NULL, say, NULL)) {
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_sec += 5;
		if (pthread_timedjoin_np(t, NULL, &ts))
			(void)0;	/* stderr is stuck too: go anyway */
	}
	_exit(PD_EXIT_FAILED);
}

int save_stall_start(struct save *s)
{
	if (s->o.stall_timeout <= 0)
		return 0;
	if (pd_stall_watch_start(s->o.stall_timeout, fire, s)) {
		perror("phypdump save: cannot start the stall watchdog");
		return -1;
	}
	return 0;
}

void save_stall_stop(void)
{
	pd_stall_watch_stop();
}

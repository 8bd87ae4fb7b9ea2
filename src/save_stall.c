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
 * How: the stuck thread cannot be joined or woken; it waits in the kernel.
 * The watchdog kills the collector, says what happened and calls _exit()
 * (exit_group), which sends SIGKILL to every other thread of ours.  The
 * message is written by a helper thread given a few seconds, in case stderr
 * itself is on the stuck file system.
 *
 * NFS needs more (seen in make check-net-nfs-guest: the save exited 250 s
 * after the watchdog fired): fdatasync waits for pages under writeback
 * uninterruptibly (folio_wait_writeback), until the soft timeout fails their
 * WRITE; and the exit closes the dump file, whose flush sends new WRITEs and
 * waits for them (killable, but the exiting thread no longer has SIGKILL
 * pending): another soft round.  What ends both is what `umount -f` does:
 * MNT_FORCE aborts every pending request of the mount (they fail with EIO;
 * what they carried was never released).  So when the dump directory is on
 * NFS, a forcer process, forked at the start (it holds no file of the
 * target: its own exit flushes nothing), sits in the mount point (so that
 * the mount stays busy and MNT_FORCE never unmounts it) and, once told,
 * repeats umount2(MNT_FORCE) until every thread of this process has gone. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "exit_codes.h"
#include "fileio.h"
#include "save.h"
#include "stall.h"

static char message[2048];
static int forcer_fd = -1;		/* write end of the forcer's pipe */
static pid_t forcer_pid = -1;

/* The forcer: commands on @rfd, one a line: "hold MOUNTPOINT", "force";
 * end of file: exit. */
static void forcer(int rfd, pid_t parent)
{
	char line[PATH_MAX + 16], mnt[PATH_MAX + 16] = "";
	struct timespec ts = { 0, 200 * 1000 * 1000 };
	size_t n = 0;
	/* Now, while @parent surely is the save (not a reused pid). */
#ifdef SYS_pidfd_open
	int pidfd = (int)syscall(SYS_pidfd_open, parent, 0);
#else
	int pidfd = -1;
#endif

	signal(SIGINT, SIG_IGN);
	signal(SIGTERM, SIG_IGN);
	prctl(PR_SET_NAME, "phypdump-forcer");	/* not the save in ps or pgrep -x */
	for (;;) {
		char c;
		ssize_t r = read(rfd, &c, 1);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			_exit(0);
		if (c != '\n') {
			if (n + 1 < sizeof(line))
				line[n++] = c;
			continue;
		}
		line[n] = 0;
		n = 0;
		if (!strncmp(line, "hold ", 5) && !chdir(line + 5))
			snprintf(mnt, sizeof(mnt), "%s", line + 5);
		else if (!strcmp(line, "force") && mnt[0])
			break;
	}
	/* Until the whole of the save has exited, pending requests keep being
	 * aborted: its pidfd is readable once every thread is gone.  Not
	 * getppid() != parent, which is true as soon as the thread that forked
	 * this process exits while the others are exiting too: the last one
	 * closes the dump file, and its flush waits on new WRITEs that nothing
	 * then aborts (seen in make check-net-nfs-guest: the save exited 70 s
	 * after the watchdog fired, at the soft timeout of timeo=150,retrans=3,
	 * with the forcer gone).  Without pidfd_open (before Linux 5.3): until
	 * the save is reaped. */
	for (;;) {
		struct pollfd p = { .fd = pidfd, .events = POLLIN };

		(void)umount2(mnt, MNT_FORCE);
		if (pidfd >= 0) {
			if (poll(&p, 1, 200) > 0)
				break;
		} else {
			if (kill(parent, 0) && errno == ESRCH)
				break;
			nanosleep(&ts, NULL);
		}
	}
	_exit(0);
}

static void start_forcer(void)
{
	pid_t parent = getpid(), pid;
	int p[2];

	if (pipe2(p, O_CLOEXEC))
		return;
	pid = fork();
	if (pid == 0) {
		/* Nothing of ours stays open here (stderr: the caller's pipe
		 * would wait for this process too). */
		close_range(0, (unsigned)p[0] - 1, 0);
		close_range((unsigned)p[0] + 1, ~0U, 0);
		forcer(p[0], parent);
	}
	close(p[0]);
	if (pid < 0) {
		close(p[1]);
		return;
	}
	forcer_fd = p[1];
	forcer_pid = pid;
}

/* "\040"-style escapes of /proc/self/mountinfo, in place. */
static void unescape(char *s)
{
	char *o = s;

	while (*s) {
		if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' && s[2] >= '0' && s[2] <= '7' &&
		    s[3] >= '0' && s[3] <= '7') {
			*o++ = (char)((s[1] - '0') * 64 + (s[2] - '0') * 8 + (s[3] - '0'));
			s += 4;
		} else {
			*o++ = *s++;
		}
	}
	*o = 0;
}

/* The mount point holding @path when it is NFS, into @out; 0, or -1. */
static int nfs_mount_of(const char *path, char *out, size_t size)
{
	FILE *f = fopen("/proc/self/mountinfo", "r");
	char line[2 * PATH_MAX], best[PATH_MAX] = "";
	bool nfs = false;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		char *save = NULL, *mp = NULL, *type = NULL, *w;
		int k = 0;
		size_t l;

		for (w = strtok_r(line, " \n", &save); w; w = strtok_r(NULL, " \n", &save), k++) {
			if (k == 4)
				mp = w;
			if (!strcmp(w, "-")) {
				type = strtok_r(NULL, " \n", &save);
				break;
			}
		}
		if (!mp || !type)
			continue;
		unescape(mp);
		l = strlen(mp);
		if (strncmp(path, mp, l) || (l > 1 && path[l] && path[l] != '/') || l < strlen(best))
			continue;
		snprintf(best, sizeof(best), "%s", mp);
		nfs = !strcmp(type, "nfs") || !strcmp(type, "nfs4");
	}
	fclose(f);
	if (!nfs)
		return -1;
	snprintf(out, size, "%s", best);
	return 0;
}

void save_stall_target(const char *dir)
{
	char real[PATH_MAX], mnt[PATH_MAX], cmd[PATH_MAX + 16];
	char *ok;

	if (forcer_fd < 0)
		return;
	pd_stall_begin("realpath", dir);
	ok = realpath(dir, real);
	pd_stall_end();
	if (!ok || nfs_mount_of(real, mnt, sizeof(mnt)) || strchr(mnt, '\n'))
		return;
	snprintf(cmd, sizeof(cmd), "hold %s\n", mnt);
	(void)pd_write_all(forcer_fd, cmd, strlen(cmd));
}

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
	/* On NFS: abort the requests the stuck call and our exit wait for. */
	if (forcer_fd >= 0)
		(void)pd_write_all(forcer_fd, "force\n", 6);
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
	signal(SIGPIPE, SIG_IGN);	/* a forcer that is gone */
	start_forcer();
	if (pd_stall_watch_start(s->o.stall_timeout, fire, s)) {
		perror("phypdump save: cannot start the stall watchdog");
		return -1;
	}
	return 0;
}

void save_stall_stop(void)
{
	pd_stall_watch_stop();
	if (forcer_fd >= 0) {
		close(forcer_fd);
		forcer_fd = -1;
	}
	if (forcer_pid > 0) {
		while (waitpid(forcer_pid, NULL, 0) < 0 && errno == EINTR)
			;
		forcer_pid = -1;
	}
}

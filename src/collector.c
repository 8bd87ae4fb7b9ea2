/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "collector.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "argsplit.h"
#include "fileio.h"
#include "stall.h"

static const char *const refused[] = {
	"-E", "--split", "-R", "--reassemble", "--dump-dmesg", "-M", "--dry-run",
	"--mem-usage", "--show-stats", "--generate-vmcoreinfo", "-g", "--dump-dmesg",
	NULL,
};

/* makedumpfile options whose value is the next word. */
static int takes_value(const char *opt)
{
	static const char *const with_value[] = {
		"-d", "-b", "-x", "-i", "-L", "--message-level", "--cyclic-buffer",
		"--num-threads", "--block-order", "--config", "--eppic",
		"--splitblock-size", "--work-dir", NULL,
	};
	size_t k;

	for (k = 0; with_value[k]; k++)
		if (!strcmp(opt, with_value[k]))
			return 1;
	return 0;
}

char **pd_collector_argv(const char *line, const char *vmcore, struct pd_error *err)
{
	size_t argc, i, k;
	char **words = pd_argsplit(line, strlen(line), &argc, err), **argv;
	const char *base;
	int has_f = 0;

	if (!words)
		return NULL;
	if (!argc) {
		pd_argv_free(words);
		pd_fail(err, "core_collector is empty");
		return NULL;
	}
	base = strrchr(words[0], '/');
	base = base ? base + 1 : words[0];
	if (strcmp(base, "makedumpfile")) {
		pd_fail(err, "core_collector '%s': phypdump drives makedumpfile only "
			"(it reads makedumpfile's flattened output to know what is saved)", words[0]);
		pd_argv_free(words);
		return NULL;
	}
	for (i = 1; i < argc; i++) {
		for (k = 0; refused[k]; k++)
			if (!strcmp(words[i], refused[k]) ||
			    (refused[k][1] == '-' && !strncmp(words[i], refused[k], strlen(refused[k])) &&
			     words[i][strlen(refused[k])] == '=')) {
				pd_fail(err, "core_collector option %s cannot be used with phypdump save "
					"(it needs one kdump-compressed dump written through -F)", words[i]);
				pd_argv_free(words);
				return NULL;
			}
		if (!strcmp(words[i], "-F"))
			has_f = 1;
		if (words[i][0] != '-' && !(i > 1 && takes_value(words[i - 1]))) {
			/* kdump.conf lines carry no file names: we add the vmcore. */
			pd_fail(err, "core_collector: '%s' looks like a file name; give options only, "
				"phypdump adds the vmcore and writes the dump itself", words[i]);
			pd_argv_free(words);
			return NULL;
		}
	}
	argv = calloc(argc + 3, sizeof(*argv));
	if (!argv) {
		pd_argv_free(words);
		pd_fail(err, "out of memory");
		return NULL;
	}
	k = 0;
	argv[k++] = words[0];
	if (!has_f)
		argv[k++] = strdup("-F");
	for (i = 1; i < argc; i++)
		argv[k++] = words[i];
	argv[k++] = strdup(vmcore);
	free(words);	/* the strings now belong to argv */
	for (i = 0; i < k; i++)
		if (!argv[i]) {
			pd_argv_free(argv);
			pd_fail(err, "out of memory");
			return NULL;
		}
	return argv;
}

static pid_t spawn(char *const argv[], int out_fd, int log_fd, struct pd_error *err)
{
	pid_t pid = fork();

	if (pid < 0) {
		pd_fail_errno(err, errno, "cannot start %s", argv[0]);
		return -1;
	}
	if (pid == 0) {
		int null = open("/dev/null", O_RDONLY);

		if (null >= 0)
			dup2(null, 0);
		if (out_fd >= 0)
			dup2(out_fd, 1);
		else if (log_fd >= 0)
			dup2(log_fd, 1);
		if (log_fd >= 0)
			dup2(log_fd, 2);
		signal(SIGPIPE, SIG_DFL);
		execvp(argv[0], argv);
		_exit(127);
	}
	return pid;
}

static void *relay_loop(void *arg)
{
	struct pd_relay *r = arg;
	char buf[4096];

	for (;;) {
		ssize_t n = read(r->from, buf, sizeof(buf));

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		/* A log that cannot be written is no reason to stop the save;
		 * a write that blocks is the watchdog's (r->to is watched). */
		(void)pd_write_all(r->to, buf, (size_t)n);
	}
	close(r->from);
	return NULL;
}

/* Start @argv (spawn()) with its stderr relayed into @log_fd; without a
 * log, it writes to ours. */
static pid_t spawn_relayed(char *const argv[], int out_fd, int log_fd, struct pd_relay *r,
			   struct pd_error *err)
{
	int p[2];
	pid_t pid;

	memset(r, 0, sizeof(*r));
	r->from = -1;
	if (log_fd < 0)
		return spawn(argv, out_fd, -1, err);
	if (pipe2(p, O_CLOEXEC)) {
		pd_fail_errno(err, errno, "cannot create a pipe");
		return -1;
	}
	pid = spawn(argv, out_fd, p[1], err);
	close(p[1]);
	if (pid < 0) {
		close(p[0]);
		return -1;
	}
	r->from = p[0];
	r->to = log_fd;
	if (pthread_create(&r->thread, NULL, relay_loop, r)) {
		/* Nobody would read its stderr: it would die of SIGPIPE. */
		kill(pid, SIGKILL);
		while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
			;
		close(r->from);
		r->from = -1;
		pd_fail(err, "cannot start a thread for %s's log", argv[0]);
		return -1;
	}
	r->running = true;
	return pid;
}

/* The child ended: the relay reads to the end of its output. */
static void relay_join(struct pd_relay *r)
{
	if (r->running)
		pthread_join(r->thread, NULL);
	r->running = false;
}

int pd_collector_start(struct pd_collector *c, char *const argv[], int log_fd,
		       struct pd_error *err)
{
	int p[2];

	c->pid = -1;
	c->out = -1;
	if (pipe2(p, O_CLOEXEC))
		return pd_fail_errno(err, errno, "cannot create a pipe");
	/* A 1 MiB pipe: fewer wake-ups between makedumpfile and us. */
	(void)fcntl(p[0], F_SETPIPE_SZ, 1 << 20);
	c->pid = spawn_relayed(argv, p[1], log_fd, &c->relay, err);
	close(p[1]);
	if (c->pid < 0) {
		close(p[0]);
		return -1;
	}
	c->out = p[0];
	return 0;
}

static int describe(int status, const char *what, struct pd_error *err)
{
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	if (WIFEXITED(status) && WEXITSTATUS(status) == 127)
		return pd_fail(err, "%s could not be run (is it installed and in PATH?)", what);
	if (WIFEXITED(status))
		return pd_fail(err, "%s failed with exit status %d", what, WEXITSTATUS(status));
	if (WIFSIGNALED(status))
		return pd_fail(err, "%s was killed by signal %d (%s)", what, WTERMSIG(status),
			       strsignal(WTERMSIG(status)));
	return pd_fail(err, "%s ended abnormally", what);
}

int pd_collector_wait(struct pd_collector *c, struct pd_error *err)
{
	int status;
	pid_t r;

	if (c->out >= 0) {
		close(c->out);
		c->out = -1;
	}
	if (c->pid <= 0)
		return pd_fail(err, "the collector was not started");
	do
		r = waitpid(c->pid, &status, 0);
	while (r < 0 && errno == EINTR);
	c->pid = -1;
	relay_join(&c->relay);
	if (r < 0)
		return pd_fail_errno(err, errno, "waiting for the collector failed");
	return describe(status, "the collector (makedumpfile)", err);
}

void pd_collector_kill(struct pd_collector *c)
{
	if (c->pid > 0)
		kill(c->pid, SIGKILL);
}

/* Copy the local file @from into @to on the dump target (created, never
 * overwritten), each step watched. */
static int copy_to_target(const char *from, const char *to, struct pd_error *err)
{
	int in = open(from, O_RDONLY | O_CLOEXEC), out, rc = 0;
	char buf[65536];

	if (in < 0)
		return pd_fail_errno(err, errno, "cannot read %s", from);
	out = pd_target_open(to, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (out < 0) {
		close(in);
		return pd_fail_errno(err, errno, "cannot create %s", to);
	}
	for (;;) {
		ssize_t n = read(in, buf, sizeof(buf));

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 || (n > 0 && pd_write_all(out, buf, (size_t)n))) {
			rc = pd_fail_errno(err, errno, "cannot copy the log into %s", to);
			break;
		}
		if (n == 0)
			break;
	}
	close(in);
	if (pd_close_fd(out) && !rc)
		rc = pd_fail_errno(err, errno, "cannot write %s", to);
	if (rc)
		pd_target_unlink(to);
	return rc;
}

int pd_dump_dmesg(const char *program, const char *vmcore, const char *out, int log_fd,
		  struct pd_error *err)
{
	const char *t = getenv("TMPDIR");
	char dir[4096], local[4096 + 32];
	char *argv[] = { (char *)program, (char *)"--dump-dmesg", (char *)vmcore, local, NULL };
	struct pd_relay relay;
	int status, rc;
	pid_t pid, r;

	/* Written here first (makedumpfile's own writes are not watched). */
	snprintf(dir, sizeof(dir), "%s/phypdump-dmesg.XXXXXX", t && *t ? t : "/tmp");
	if (!mkdtemp(dir))
		return pd_fail_errno(err, errno, "cannot create a directory for the kernel log in %s",
				     t && *t ? t : "/tmp");
	snprintf(local, sizeof(local), "%s/vmcore-dmesg.txt", dir);
	pid = spawn_relayed(argv, -1, log_fd, &relay, err);
	if (pid < 0) {
		rmdir(dir);
		return -1;
	}
	do
		r = waitpid(pid, &status, 0);
	while (r < 0 && errno == EINTR);
	relay_join(&relay);
	if (r < 0)
		rc = pd_fail_errno(err, errno, "waiting for makedumpfile --dump-dmesg failed");
	else
		rc = describe(status, "makedumpfile --dump-dmesg", err);
	if (!rc)
		rc = copy_to_target(local, out, err);
	unlink(local);
	rmdir(dir);
	return rc;
}

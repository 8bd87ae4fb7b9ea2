/* SPDX-License-Identifier: GPL-2.0-or-later */
/* save_net.c — the ssh target's sending end (save_net.h). */
#include "save_net.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "fileio.h"

void save_net_init(struct save_net *n)
{
	memset(n, 0, sizeof(*n));
	n->pid = -1;
	n->to = n->from = -1;
	n->fetch_fd = -1;
	n->shadow_fd = -1;
	n->remote_cmd = "phypdump";
	n->timeout = 120;
}

int save_net_parse(struct save_net *n, const char *url, struct pd_error *err)
{
	const char *h, *slash, *colon, *at;
	size_t hl;

	if (strncmp(url, "ssh://", 6))
		return pd_fail_kind(err, PD_ERR_USAGE, "--target '%s': expected ssh://[USER@]HOST[:PORT]/PATH", url);
	h = url + 6;
	slash = strchr(h, '/');
	if (!slash || slash == h)
		return pd_fail_kind(err, PD_ERR_USAGE, "--target '%s': no host, or no absolute path after it "
				    "(ssh://USER@HOST/var/crash)", url);
	hl = (size_t)(slash - h);
	at = memchr(h, '@', hl);
	colon = memchr(at ? at : h, ':', hl - (size_t)((at ? at : h) - h));
	if (colon) {
		size_t pl = (size_t)(slash - colon - 1), i;

		if (!pl || pl >= sizeof(n->port))
			return pd_fail_kind(err, PD_ERR_USAGE, "--target '%s': bad port", url);
		for (i = 0; i < pl; i++)
			if (colon[1 + i] < '0' || colon[1 + i] > '9')
				return pd_fail_kind(err, PD_ERR_USAGE, "--target '%s': bad port", url);
		memcpy(n->port, colon + 1, pl);
		n->port[pl] = 0;
		hl = (size_t)(colon - h);
	}
	if (!hl || hl >= sizeof(n->user_host) || (at && (at == h || at + 1 == h + hl)) ||
	    h[0] == '-' || (at && at[1] == '-'))
		return pd_fail_kind(err, PD_ERR_USAGE, "--target '%s': bad user or host", url);
	memcpy(n->user_host, h, hl);
	n->user_host[hl] = 0;
	if (strlen(slash) >= sizeof(n->base) || !strcmp(slash, "/"))
		return pd_fail_kind(err, PD_ERR_USAGE, "--target '%s': the path must be an absolute "
				    "directory other than /", url);
	snprintf(n->base, sizeof(n->base), "%s", slash);
	snprintf(n->url, sizeof(n->url), "ssh://%s%s%s", n->user_host, n->port[0] ? ":" : "", n->port);
	return 0;
}

/* POSIX shell single quotes. */
static void quote(char *out, size_t size, const char *s)
{
	size_t o = 0;

	if (size < 3)
		return;
	out[o++] = '\'';
	for (; *s && o + 6 < size; s++) {
		if (*s == '\'') {
			memcpy(out + o, "'\\''", 4);
			o += 4;
		} else {
			out[o++] = *s;
		}
	}
	out[o++] = '\'';
	out[o] = 0;
}

/* The last line ssh (or the remote command) wrote on stderr. */
static void log_tail(const struct save_net *n, char *out, size_t size)
{
	char *buf = NULL, *p, *end;
	size_t len;

	out[0] = 0;
	if (!n->log_path[0] || pd_read_file(n->log_path, 1 << 20, &buf, &len))
		return;
	while (len && (buf[len - 1] == '\n' || buf[len - 1] == '\r'))
		buf[--len] = 0;
	end = buf + len;
	p = end;
	while (p > buf && p[-1] != '\n')
		p--;
	snprintf(out, size, "%.*s", (int)(end - p), p);
	free(buf);
}

static int spawn_ssh(struct save_net *n, const char *command, struct pd_error *err)
{
	const char *argv[64];
	int in[2], out[2], log, a = 0, i;
	char timeout[64];

	snprintf(timeout, sizeof(timeout), "ConnectTimeout=%d", n->timeout < 1 ? 1 : (int)n->timeout);
	argv[a++] = "ssh";
	argv[a++] = "-T";
	argv[a++] = "-x";
	argv[a++] = "-a";
	/* First value wins in ssh: these cannot be weakened by later -o or
	 * by a config file. */
	argv[a++] = "-o";
	argv[a++] = "BatchMode=yes";
	argv[a++] = "-o";
	argv[a++] = "StrictHostKeyChecking=yes";
	argv[a++] = "-o";
	argv[a++] = timeout;
	argv[a++] = "-o";
	argv[a++] = "ServerAliveInterval=10";
	argv[a++] = "-o";
	argv[a++] = "ServerAliveCountMax=3";
	if (n->key) {
		argv[a++] = "-i";
		argv[a++] = n->key;
		argv[a++] = "-o";
		argv[a++] = "IdentitiesOnly=yes";
	}
	if (n->port[0]) {
		argv[a++] = "-p";
		argv[a++] = n->port;
	}
	for (i = 0; i < n->nopts; i++) {
		argv[a++] = "-o";
		argv[a++] = n->opts[i];
	}
	argv[a++] = "--";
	argv[a++] = n->user_host;
	argv[a++] = command;
	argv[a] = NULL;
	log = open(n->log_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
	if (pipe2(in, O_CLOEXEC) || pipe2(out, O_CLOEXEC))
		return pd_fail_errno(err, errno, "cannot create a pipe");
	n->pid = fork();
	if (n->pid < 0)
		return pd_fail_errno(err, errno, "cannot start ssh");
	if (n->pid == 0) {
		dup2(in[0], 0);
		dup2(out[1], 1);
		if (log >= 0)
			dup2(log, 2);
		signal(SIGPIPE, SIG_DFL);
		/* Its own process group: a ^C meant for save does not cut
		 * the connection before save has failed cleanly. */
		setpgid(0, 0);
		execvp("ssh", (char *const *)argv);
		_exit(127);
	}
	close(in[0]);
	close(out[1]);
	if (log >= 0)
		close(log);
	n->to = in[1];
	n->from = out[0];
	(void)fcntl(n->to, F_SETFL, O_NONBLOCK);
	(void)fcntl(n->to, F_SETPIPE_SZ, 1 << 20);
	return 0;
}

/* Reap ssh; its exit status, or -1 when it is still running after @secs. */
static int reap(struct save_net *n, double secs)
{
	struct timespec ts = { 0, 20 * 1000 * 1000 };
	int status, i, lim = (int)(secs * 50);

	if (n->pid <= 0)
		return -1;
	for (i = 0; i <= lim; i++) {
		pid_t r = waitpid(n->pid, &status, WNOHANG);

		if (r == n->pid) {
			n->pid = -1;
			return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
		}
		if (r < 0 && errno != EINTR)
			return -1;
		nanosleep(&ts, NULL);
	}
	return -1;
}

static void hang_up(struct save_net *n)
{
	if (n->to >= 0)
		close(n->to);
	n->to = -1;
	if (n->pid > 0 && reap(n, 5) < 0 && n->pid > 0) {
		kill(n->pid, SIGTERM);
		if (reap(n, 2) < 0 && n->pid > 0) {
			kill(n->pid, SIGKILL);
			waitpid(n->pid, NULL, 0);
		}
	}
	n->pid = -1;
	if (n->from >= 0)
		close(n->from);
	n->from = -1;
	if (n->have_parser)
		pd_net_free(&n->p);
	n->have_parser = false;
	n->connected = false;
}

static int lost(struct save_net *n, struct pd_error *err, const char *what)
{
	char tail[200];

	log_tail(n, tail, sizeof(tail));
	return pd_fail(err, "%s %s%s%s", what, n->url, tail[0] ? ": " : "", tail);
}

static int on_frame(void *arg, const struct pd_net_frame *f)
{
	struct save_net *n = arg;
	size_t tl;

	if (f->type == 'D' && n->fetch_fd >= 0)
		return pd_pwrite_all(n->fetch_fd, f->data, f->data_len, f->off);
	if (f->type != 'R' && f->type != 'A' && f->type != 'K' && f->type != 'E' && f->type != 'X')
		return -1;
	n->reply = *f;
	n->reply.payload = NULL;
	n->reply.data = NULL;
	tl = f->len < sizeof(n->text) ? f->len : sizeof(n->text) - 1;
	if (f->type == 'R' || f->type == 'E' || f->type == 'X') {
		memcpy(n->text, f->payload, tl);
		n->text[tl] = 0;
	}
	n->have_reply = true;
	return 0;
}

/* Read whatever the receiver sent; wait at most @ms.  1 when bytes came,
 * 0 when none, -1 on EOF or a malformed frame (with @err). */
static int pump(struct save_net *n, int ms, struct pd_error *err)
{
	unsigned char buf[65536];
	struct pollfd pf = { n->from, POLLIN, 0 };
	ssize_t r;
	int pr;

	pr = poll(&pf, 1, ms);
	if (pr < 0 && errno == EINTR)
		return 0;
	if (pr <= 0)
		return 0;
	r = read(n->from, buf, sizeof(buf));
	if (r < 0 && (errno == EINTR || errno == EAGAIN))
		return 0;
	if (r <= 0)
		return lost(n, err, r ? "reading from" : "the connection closed:");
	if (!n->have_parser)
		return 1;	/* the plain stream: the remote shell's words are in ssh.log */
	if (pd_net_feed(&n->p, buf, (size_t)r)) {
		if (n->p.error.msg[0])
			return pd_fail(err, "%s: %s", n->url, n->p.error.msg);
		return pd_fail(err, "%s sent something phypdump receive never sends", n->url);
	}
	return 1;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static int wait_reply(struct save_net *n, unsigned char want, const char *what, struct pd_error *err)
{
	double t0 = now();

	while (!n->have_reply) {
		if (now() - t0 > n->timeout)
			return pd_fail(err, "%s did not answer %s within %.0f s: the remote side accepts "
				       "but does not acknowledge", n->url, what, n->timeout);
		int r = pump(n, 200, err);

		if (r < 0)
			return -1;
		if (r > 0 && n->fetch_fd >= 0)
			t0 = now();	/* a fetch makes progress */
	}
	n->have_reply = false;
	if (n->reply.type == 'X')
		return pd_fail(err, "the remote host %s: %s", n->url, n->text);
	if (n->reply.type != want)
		return pd_fail(err, "%s answered '%c' to %s", n->url, n->reply.type, what);
	return 0;
}

/* Write all of @len bytes to the receiver, giving up after the timeout. */
static int send_all(struct save_net *n, const unsigned char *d, size_t len, struct pd_error *err)
{
	double t0 = now();

	while (len) {
		struct pollfd pf = { n->to, POLLOUT, 0 };
		ssize_t w;

		if (n->to < 0)
			return pd_fail(err, "the connection to %s is closed", n->url);
		w = write(n->to, d, len);
		if (w > 0) {
			d += w;
			len -= (size_t)w;
			t0 = now();
			continue;
		}
		if (w < 0 && errno == EPIPE) {
			/* The receiver stopped: its last word says why. */
			struct pd_error e2 = { 0 };
			int i;

			for (i = 0; i < 25 && !n->have_reply; i++)
				if (pump(n, 200, &e2) < 0)
					break;
			if (n->have_reply && n->reply.type == 'X')
				return pd_fail(err, "the remote host %s: %s", n->url, n->text);
			return lost(n, err, "the connection closed:");
		}
		if (w < 0 && errno != EAGAIN && errno != EINTR)
			return pd_fail_errno(err, errno, "writing to ssh failed");
		if (now() - t0 > n->timeout)
			return pd_fail(err, "%s took no data for %.0f s: the connection is stuck",
				       n->url, n->timeout);
		(void)poll(&pf, 1, 200);
		/* An error frame may be waiting. */
		if (!n->fallback && pump(n, 0, err) < 0)
			return -1;
		if (n->have_reply && n->reply.type == 'X')
			return pd_fail(err, "the remote host %s: %s", n->url, n->text);
	}
	return 0;
}

static int send_frame(struct save_net *n, unsigned char type, const void *a, size_t al,
		      const void *b, size_t bl, struct pd_error *err)
{
	unsigned char h[PD_NET_HEADER];

	pd_net_frame(h, type, (uint32_t)(al + bl));
	if (send_all(n, h, sizeof(h), err) || (al && send_all(n, a, al, err)) ||
	    (bl && send_all(n, b, bl, err)))
		return -1;
	return 0;
}

static int start_receiver(struct save_net *n, struct pd_error *err)
{
	char cmd[PATH_MAX + 64];

	snprintf(cmd, sizeof(cmd), "%s receive", n->remote_cmd);
	if (spawn_ssh(n, cmd, err))
		return -1;
	if (pd_net_init(&n->p, on_frame, n))
		return pd_fail(err, "out of memory");
	n->have_parser = true;
	return 0;
}

/* No phypdump on the remote host: the flattened stream to a file there. */
static int start_fallback(struct save_net *n, struct pd_error *err)
{
	char qd[PATH_MAX * 4 + 8], cmd[PATH_MAX * 16];

	quote(qd, sizeof(qd), n->dir);
	snprintf(cmd, sizeof(cmd),
		 "umask 077 && mkdir -p %s && chmod 700 %s && cd %s && "
		 "dd of=vmcore.flat-incomplete bs=1M iflag=fullblock conv=fdatasync status=none && "
		 "mv vmcore.flat-incomplete vmcore.flat && sync .", qd, qd, qd);
	n->fallback = true;
	return spawn_ssh(n, cmd, err);
}

int save_net_open(struct save_net *n, const char *local_dir, const char *tmpname,
		  struct pd_error *err)
{
	unsigned char ver[4];
	size_t dl = strlen(n->dir), tl = strlen(tmpname);
	unsigned char *payload;
	int rc;

	snprintf(n->log_path, sizeof(n->log_path), "%s/ssh.log", local_dir);
	if (n->shadow_fd < 0) {
		n->shadow_fd = memfd_create("phypdump-head", MFD_CLOEXEC);
		if (n->shadow_fd < 0)
			return pd_fail_errno(err, errno, "cannot keep the dump's head in memory");
	}
	if (start_receiver(n, err))
		return -1;
	payload = malloc(dl + tl + 1);
	if (!payload)
		return pd_fail(err, "out of memory");
	memcpy(payload, n->dir, dl + 1);
	memcpy(payload + dl + 1, tmpname, tl);
	pd_net_put32(ver, PD_NET_VERSION);
	rc = send_frame(n, 'O', ver, 4, payload, dl + tl + 1, err);
	free(payload);
	if (!rc)
		rc = wait_reply(n, 'R', "the opening of the dump file", err);
	if (!rc) {
		n->connected = true;
		return 0;
	}
	/* No receiver there: the shell said "not found" (127). */
	hang_up(n);
	{
		char tail[200];

		log_tail(n, tail, sizeof(tail));
		if (!strstr(tail, "not found") && !strstr(tail, "No such file"))
			return -1;
	}
	fprintf(stderr, "phypdump save: %s has no %s: falling back to a plain stream (%s/vmcore.flat, "
		"flattened: run makedumpfile -R there to read it); memory is released only at the end, "
		"once the remote file is synced\n", n->url, n->remote_cmd, n->dir);
	if (start_fallback(n, err))
		return -1;
	n->connected = true;
	return 0;
}

int save_net_write(struct save_net *n, uint64_t off, const unsigned char *d, size_t len,
		   struct pd_error *err)
{
	while (len) {
		size_t k = len < PD_NET_MAX_DATA ? len : PD_NET_MAX_DATA;
		unsigned char o[8];

		pd_net_put64(o, off);
		if (send_frame(n, 'D', o, 8, d, k, err))
			return -1;
		off += k;
		d += k;
		len -= k;
	}
	return 0;
}

int save_net_raw(struct save_net *n, const unsigned char *d, size_t len, struct pd_error *err)
{
	return send_all(n, d, len, err);
}

int save_net_sync(struct save_net *n, struct pd_error *err)
{
	if (n->fallback)
		return pd_fail(err, "a plain stream cannot be synced before its end");
	if (send_frame(n, 'S', NULL, 0, NULL, 0, err) ||
	    wait_reply(n, 'A', "a sync (fdatasync)", err))
		return -1;
	n->durable = n->reply.off;
	n->acks++;
	return 0;
}

int save_net_checksum(struct save_net *n, uint64_t off, uint64_t len, uint32_t *crc,
		      struct pd_error *err)
{
	unsigned char p[16];

	pd_net_put64(p, off);
	pd_net_put64(p + 8, len);
	if (send_frame(n, 'C', p, 16, NULL, 0, err) || wait_reply(n, 'K', "a checksum", err))
		return -1;
	if (n->reply.off != off || n->reply.n != len)
		return pd_fail(err, "%s checksummed another range than asked", n->url);
	*crc = n->reply.crc;
	return 0;
}

int save_net_finish(struct save_net *n, struct pd_error *err)
{
	int st;

	if (n->fallback) {
		close(n->to);
		n->to = -1;
		/* dd's one fdatasync of the whole file comes only now and can
		 * take long; ssh's keepalives still end a dead connection
		 * within 30 s. */
		st = reap(n, n->timeout * 30);
		if (st != 0) {
			char tail[200];

			log_tail(n, tail, sizeof(tail));
			return pd_fail(err, "the plain stream to %s did not complete (%s%s): the remote "
				       "file is not known to be durable", n->url,
				       st < 0 ? "no end within the timeout" : "remote command failed",
				       tail[0] ? "; " : "");
		}
		hang_up(n);
		return 0;
	}
	/* The session stays up for save_net_unlink(); save_net_close() ends it. */
	return send_frame(n, 'F', NULL, 0, NULL, 0, err) ||
	       wait_reply(n, 'E', "the end of the dump (rename, directory sync)", err) ? -1 : 0;
}

int save_net_unlink(struct save_net *n, const char *path, struct pd_error *err)
{
	if (n->fallback || !n->connected || n->to < 0)
		return pd_fail(err, "no session with %s", n->url);
	return send_frame(n, 'U', path, strlen(path), NULL, 0, err) ||
	       wait_reply(n, 'E', "the removal of a partial dump", err) ? -1 : 0;
}

void save_net_close(struct save_net *n)
{
	hang_up(n);
	if (n->shadow_fd >= 0)
		close(n->shadow_fd);
	n->shadow_fd = -1;
}

int save_net_fetch(struct save_net *n, const char *path, int fd, const char *local_dir,
		   struct pd_error *err)
{
	int rc;

	snprintf(n->log_path, sizeof(n->log_path), "%s/ssh.log", local_dir);
	if (start_receiver(n, err))
		return -1;
	n->fetch_fd = fd;
	rc = send_frame(n, 'G', path, strlen(path), NULL, 0, err);
	if (!rc)
		rc = wait_reply(n, 'E', "the fetch of the partial dump", err);
	n->fetch_fd = -1;
	hang_up(n);
	return rc;
}

int save_net_shadow(struct save_net *n, uint64_t off, const unsigned char *d, size_t len)
{
	return pd_pwrite_all(n->shadow_fd, d, len, off);
}

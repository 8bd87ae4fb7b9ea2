/* SPDX-License-Identifier: GPL-2.0-or-later */
/* phypdump receive — the remote end of an ssh target (lib/net_frame.h).
 *
 * Runs on the host that keeps the dump, started by phypdump save through
 * ssh, and speaks frames on stdin/stdout.  It writes the dump file with the
 * same writer as a local save (lib/dump_writer.h: a 0700 directory, a 0600
 * "-incomplete" file with the header's incomplete flag forced on until the
 * end, rename and directory fsync at the end), and answers a sync only
 * after fdatasync returned: the sender releases memory on those answers
 * and on nothing else.  Every failure is answered with an 'X' frame (and
 * on stderr, which ssh carries back) and ends the receiver.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "commands.h"
#include "crc32.h"
#include "dump_writer.h"
#include "fileio.h"
#include "net_frame.h"

struct receiver {
	struct pd_dump_writer w;
	bool open, done;
	struct pd_error err;
	unsigned char *buf;
};

static int send_frame(unsigned char type, const void *payload, size_t len)
{
	unsigned char h[PD_NET_HEADER];

	pd_net_frame(h, type, (uint32_t)len);
	if (pd_write_all(1, h, sizeof(h)) || (len && pd_write_all(1, payload, len)))
		return -1;
	return 0;
}

static int send_text(unsigned char type, const char *text)
{
	return send_frame(type, text, strlen(text));
}

static int on_open(struct receiver *r, const struct pd_net_frame *f)
{
	char dir[PATH_MAX], name[NAME_MAX + 1];
	const char *t = (const char *)f->payload + 4;
	size_t dl = strlen(t), nl = f->len - 4 - dl - 1;

	if (r->open)
		return pd_fail(&r->err, "the connection opened a second dump file");
	if (f->version != PD_NET_VERSION)
		return pd_fail(&r->err, "phypdump save speaks protocol %u, this phypdump receive %u: "
			       "install the same phypdump version on both hosts", f->version, PD_NET_VERSION);
	if (dl >= sizeof(dir) || nl >= sizeof(name))
		return pd_fail(&r->err, "dump directory or file name too long");
	memcpy(dir, t, dl + 1);
	memcpy(name, t + dl + 1, nl);
	name[nl] = 0;
	if (dir[0] != '/')
		return pd_fail(&r->err, "the dump directory '%s' is not an absolute path", dir);
	if (strchr(name, '/') || !strcmp(name, ".") || !strcmp(name, ".."))
		return pd_fail(&r->err, "'%s' is not a file name", name);
	if (pd_dump_writer_open_tmp(&r->w, dir, "vmcore", name, &r->err))
		return -1;
	r->open = true;
	return send_text('R', r->w.path);
}

static int on_checksum(struct receiver *r, const struct pd_net_frame *f)
{
	unsigned char out[20];
	uint64_t p = f->off, end = f->off + f->n;
	uint32_t crc = 0;

	while (p < end) {
		size_t n = end - p < PD_NET_MAX_DATA ? (size_t)(end - p) : PD_NET_MAX_DATA;

		if (pd_fd_read(&r->w.fd, p, r->buf, n))
			return pd_fail_errno(&r->err, errno ? errno : EIO, "reading back %s to checksum it failed",
					     r->w.path);
		crc = pd_crc32_update(crc, r->buf, n);
		p += n;
	}
	pd_net_put64(out, f->off);
	pd_net_put64(out + 8, f->n);
	pd_net_put32(out + 16, crc);
	return send_frame('K', out, sizeof(out));
}

/* Send a file back (a resumed save reads its earlier partial file). */
static int on_get(struct receiver *r, const struct pd_net_frame *f)
{
	char path[PATH_MAX];
	unsigned char h[PD_NET_HEADER + 8];
	uint64_t off = 0;
	int fd;

	if (f->len >= sizeof(path))
		return pd_fail(&r->err, "path too long");
	memcpy(path, f->payload, f->len);
	path[f->len] = 0;
	if (path[0] != '/')
		return pd_fail(&r->err, "'%s' is not an absolute path", path);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return pd_fail_errno(&r->err, errno, "cannot open %s", path);
	for (;;) {
		ssize_t n = pread(fd, r->buf, PD_NET_MAX_DATA, (off_t)off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			pd_fail_errno(&r->err, errno, "reading %s failed", path);
			close(fd);
			return -1;
		}
		if (!n)
			break;
		pd_net_frame(h, 'D', (uint32_t)(8 + n));
		pd_net_put64(h + PD_NET_HEADER, off);
		if (pd_write_all(1, h, sizeof(h)) || pd_write_all(1, r->buf, (size_t)n)) {
			close(fd);
			return pd_fail_errno(&r->err, errno, "sending %s failed", path);
		}
		off += (uint64_t)n;
	}
	close(fd);
	return send_text('E', path);
}

/* After the end: remove a partial file of an earlier run of this dump (its
 * pages are in the finished dump).  Only vmcore-incomplete* beside it. */
static int on_unlink(struct receiver *r, const struct pd_net_frame *f)
{
	char path[PATH_MAX], dir[PATH_MAX];
	const char *base;

	if (!r->done)
		return pd_fail(&r->err, "a partial file may be removed only after the dump is complete");
	if (f->len >= sizeof(path))
		return pd_fail(&r->err, "path too long");
	memcpy(path, f->payload, f->len);
	path[f->len] = 0;
	pd_dir_of(dir, sizeof(dir), path);
	base = strrchr(path, '/');
	base = base ? base + 1 : path;
	if (strcmp(dir, r->w.dir) || strncmp(base, "vmcore-incomplete", 17))
		return pd_fail(&r->err, "%s is not a partial dump beside %s; not removed", path, r->w.final_path);
	if (unlink(path) && errno != ENOENT)
		return pd_fail_errno(&r->err, errno, "cannot remove %s", path);
	return send_text('E', path);
}

static int on_frame(void *arg, const struct pd_net_frame *f)
{
	struct receiver *r = arg;

	if (f->type == 'O')
		return on_open(r, f);
	if (f->type == 'G')
		return on_get(r, f);
	if (f->type == 'U')
		return on_unlink(r, f);
	if (!r->open || r->done)
		return pd_fail(&r->err, "frame '%c' before the dump file is open, or after its end", f->type);
	switch (f->type) {
	case 'D':
		return pd_dump_writer_write(&r->w, f->off, f->data, f->data_len, &r->err);
	case 'S': {
		unsigned char out[8];

		if (pd_dump_writer_sync(&r->w, &r->err))
			return -1;
		pd_net_put64(out, r->w.size);
		return send_frame('A', out, sizeof(out));
	}
	case 'C':
		return on_checksum(r, f);
	case 'F':
		if (pd_dump_writer_finish(&r->w, &r->err))
			return -1;
		r->done = true;
		return send_text('E', r->w.final_path);
	default:
		return pd_fail(&r->err, "frame '%c' is not for the receiver", f->type);
	}
}

int cmd_receive(int argc, char **argv)
{
	struct receiver r;
	struct pd_net_parser p;
	unsigned char *in;
	int rc = PD_EXIT_FAILED;

	if (argc > 1 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
		printf("Usage: phypdump receive\n\n"
		       "The remote end of phypdump save --target ssh://...: started by save through\n"
		       "ssh, it reads the dump as frames on stdin, writes it, and answers on stdout\n"
		       "how far it is durable.  Not for interactive use.\n");
		return PD_EXIT_OK;
	}
	if (argc > 1) {
		fprintf(stderr, "phypdump receive: takes no arguments (it is started by phypdump save)\n");
		return PD_EXIT_USAGE;
	}
	if (isatty(0)) {
		fprintf(stderr, "phypdump receive: stdin is a terminal; this end is started by "
			"phypdump save --target ssh://...\n");
		return PD_EXIT_USAGE;
	}
	memset(&r, 0, sizeof(r));
	r.w.fd = -1;
	r.buf = malloc(PD_NET_MAX_DATA);
	in = malloc(1 << 20);
	if (!r.buf || !in || pd_net_init(&p, on_frame, &r)) {
		fprintf(stderr, "phypdump receive: out of memory\n");
		free(r.buf);
		free(in);
		return PD_EXIT_FAILED;
	}
	for (;;) {
		ssize_t n = read(0, in, 1 << 20);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			pd_fail_errno(&r.err, errno, "reading from phypdump save failed");
			break;
		}
		if (n == 0) {
			if ((r.done && pd_net_idle(&p)) || (!r.open && pd_net_idle(&p)))
				rc = PD_EXIT_OK;
			else
				pd_fail(&r.err, "the connection closed before the end of the dump");
			break;
		}
		if (pd_net_feed(&p, in, (size_t)n)) {
			if (!r.err.msg[0])
				r.err = p.error;
			break;
		}
	}
	if (rc != PD_EXIT_OK) {
		fprintf(stderr, "phypdump receive: %s\n", r.err.msg);
		send_text('X', r.err.msg);
	}
	if (r.open && !r.done) {
		fprintf(stderr, "phypdump receive: %s stays, marked incomplete\n", r.w.path);
		pd_dump_writer_abandon(&r.w);
	}
	pd_net_free(&p);
	free(r.buf);
	free(in);
	return rc;
}

/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Fuzz target: makedumpfile's flattened stream, followed through the kdump
 * tracker exactly as phypdump save does (write to a file, then track).
 * Invariant beyond "no crash": no pfn is reported both excluded and
 * written, nor twice. */
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "flat_stream.h"
#include "fileio.h"
#include "kdump_track.h"
#include "rangeset.h"

struct ctx {
	int fd;
	struct pd_kdump_track t;
	struct pd_rangeset seen;
};

static int mark(struct ctx *c, uint64_t s, uint64_t e)
{
	if (pd_rangeset_intersects(&c->seen, s, e))
		abort();
	pd_rangeset_add(&c->seen, s, e);
	return 0;
}

static int on_excl(void *arg, uint64_t s, uint64_t e)
{
	return mark(arg, s, e);
}

static int on_writ(void *arg, uint64_t s, uint64_t e)
{
	return mark(arg, s, e);
}

static int on_data(void *arg, uint64_t off, const unsigned char *d, size_t len)
{
	struct ctx *c = arg;

	/* Keep the file small: a sparse memfd, offsets capped. */
	if (off > (1u << 26) || len > (1u << 26))
		return -1;
	if (pwrite(c->fd, d, len, (off_t)off) != (ssize_t)len)
		return -1;
	return pd_kdump_track_chunk(&c->t, off, d, len) ? -1 : 0;
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	struct pd_kdump_events ev = { on_excl, on_writ, NULL };
	struct pd_flat_parser p;
	struct ctx c;
	size_t cut = size ? data[0] % 7 + 1 : 1, i;

	c.fd = memfd_create("fuzz", 0);
	if (c.fd < 0)
		return 0;
	pd_rangeset_init(&c.seen);
	ev.arg = &c;
	pd_kdump_track_init(&c.t, pd_fd_read, &c.fd, &ev);
	pd_flat_init(&p, on_data, &c);
	/* Feed in uneven pieces to exercise every split. */
	for (i = 0; i < size; i += cut * 13)
		if (pd_flat_feed(&p, data + i, size - i < cut * 13 ? size - i : cut * 13))
			break;
	pd_flat_finish(&p);
	pd_kdump_track_free(&c.t);
	pd_rangeset_free(&c.seen);
	close(c.fd);
	return 0;
}

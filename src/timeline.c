/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "timeline.h"

#include <fcntl.h>
#include <inttypes.h>
#include <time.h>
#include <unistd.h>

#include "fileio.h"
#include "stall.h"

double pd_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* It lives in the dump directory: each flush is a watched write
 * (lib/stall.h). */
static void flush(struct pd_timeline *tl)
{
	bool watched = pd_stall_begin_fd("write", fileno(tl->f));

	fflush(tl->f);
	pd_stall_end_fd(watched);
}

int pd_timeline_open(struct pd_timeline *tl, const char *path, double t0, uint64_t reserved)
{
	int fd = pd_target_open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);

	tl->t0 = t0;
	tl->f = fd >= 0 ? fdopen(fd, "w") : NULL;
	if (!tl->f) {
		if (fd >= 0)
			pd_close_fd(fd);
		return -1;
	}
	fprintf(tl->f, "{\"t\":%.6f,\"event\":\"start\",\"reserved\":%" PRIu64 "}\n",
		pd_now() - t0, reserved);
	flush(tl);
	return 0;
}

void pd_timeline_release(struct pd_timeline *tl, uint64_t addr, uint64_t len, uint64_t reserved)
{
	if (!tl->f)
		return;
	fprintf(tl->f, "{\"t\":%.6f,\"event\":\"release\",\"addr\":%" PRIu64 ",\"len\":%" PRIu64
		",\"reserved\":%" PRIu64 "}\n", pd_now() - tl->t0, addr, len, reserved);
	flush(tl);
}

void pd_timeline_stream(struct pd_timeline *tl, double scanned, double streamed, uint64_t written_pages,
			uint64_t page_size)
{
	if (!tl->f)
		return;
	fprintf(tl->f, "{\"t\":%.6f,\"event\":\"stream\",\"scan_done_at\":%.6f,\"stream_done_at\":%.6f,"
		"\"written_pages\":%" PRIu64 ",\"page_size\":%" PRIu64 "}\n", pd_now() - tl->t0, scanned,
		streamed, written_pages, page_size);
	flush(tl);
}

void pd_timeline_end(struct pd_timeline *tl, uint64_t reserved, bool ok)
{
	if (!tl->f)
		return;
	fprintf(tl->f, "{\"t\":%.6f,\"event\":\"end\",\"reserved\":%" PRIu64 ",\"ok\":%s}\n",
		pd_now() - tl->t0, reserved, ok ? "true" : "false");
	flush(tl);
}

void pd_timeline_close(struct pd_timeline *tl)
{
	bool watched;
	int fd;

	if (!tl->f)
		return;
	fd = fileno(tl->f);
	watched = pd_stall_begin_fd("close", fd);
	pd_stall_unwatch_fd(fd);
	fclose(tl->f);
	pd_stall_end_fd(watched);
	tl->f = NULL;
}

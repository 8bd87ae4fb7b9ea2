/* SPDX-License-Identifier: GPL-2.0-or-later */
/* timeline: JSON-lines release log; see timeline.h. */
#include "timeline.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

struct timeline {
	int fd;
};

struct timeline *timeline_open(const char *path)
{
	struct timeline *tl = malloc(sizeof(*tl));

	if (!tl)
		return NULL;
	tl->fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0644);
	if (tl->fd < 0) {
		free(tl);
		return NULL;
	}
	return tl;
}

void timeline_event(struct timeline *tl, const char *event, uint64_t addr, uint64_t len,
		    uint64_t freed, uint64_t reserved)
{
	struct timespec ts;
	char line[256];
	int n;

	if (!tl)
		return;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	n = snprintf(line, sizeof(line),
		     "{\"t\":%lld.%09ld,\"event\":\"%s\",\"addr\":\"0x%llx\",\"len\":\"0x%llx\","
		     "\"freed\":%llu,\"reserved\":%llu}\n",
		     (long long)ts.tv_sec, ts.tv_nsec, event, (unsigned long long)addr,
		     (unsigned long long)len, (unsigned long long)freed,
		     (unsigned long long)reserved);
	if (n > 0 && (size_t)n < sizeof(line) && write(tl->fd, line, (size_t)n) != n)
		fprintf(stderr, "phypdump-sim: warning: cannot write the timeline\n");
}

void timeline_close(struct timeline *tl)
{
	if (!tl)
		return;
	close(tl->fd);
	free(tl);
}

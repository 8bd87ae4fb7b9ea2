/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fakeroot.h — write files under a fake root for unit tests (the C side of
 * tests/lib/fakeroot.sh).  The test defines `static char root[64]`. */
#ifndef PD_TEST_FAKEROOT_H
#define PD_TEST_FAKEROOT_H

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fileio.h"

/* Write @content to ROOT/@rel, creating the directories on the way. */
static inline void fakeroot_put(const char *root_dir, const char *rel, const char *content)
{
	char path[512], *p;
	int fd;

	snprintf(path, sizeof(path), "%s/%s", root_dir, rel);
	for (p = path + strlen(root_dir) + 1; (p = strchr(p, '/')); p++) {
		*p = 0;
		mkdir(path, 0755);
		*p = '/';
	}
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (fd >= 0) {
		if (pd_write_all(fd, content, strlen(content)))
			perror(path);
		close(fd);
	}
}

#endif

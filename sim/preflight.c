/* SPDX-License-Identifier: GPL-2.0-or-later */
/* preflight: environment and mount point checks; see preflight.h. */
#include "preflight.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int sim_in_path(const char *prog)
{
	const char *path = getenv("PATH");
	char buf[4096];

	if (!path)
		path = "/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin";
	while (*path) {
		size_t n = strcspn(path, ":");

		if (n && n + strlen(prog) + 2 < sizeof(buf)) {
			snprintf(buf, sizeof(buf), "%.*s/%s", (int)n, path, prog);
			if (access(buf, X_OK) == 0)
				return 1;
		}
		path += n;
		if (*path == ':')
			path++;
	}
	return 0;
}

/* 1 empty, 0 not empty, -1 error (errno set) */
static int dir_is_empty(const char *path)
{
	DIR *d = opendir(path);
	struct dirent *de;
	int empty = 1;

	if (!d)
		return -1;
	while ((de = readdir(d)))
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
			empty = 0;
	closedir(d);
	return empty;
}

int sim_preflight(const char *mnt, char *err, size_t errlen)
{
	struct stat st;
	int empty;

	if (access("/dev/fuse", R_OK | W_OK) != 0) {
		snprintf(err, errlen, "/dev/fuse is missing or not accessible (%s): load the fuse "
			 "module (modprobe fuse) or run where FUSE is available", strerror(errno));
		return -1;
	}
	if (!sim_in_path("fusermount3")) {
		snprintf(err, errlen, "fusermount3 not found in PATH: install the fuse3 package "
			 "(apt-get install fuse3)");
		return -1;
	}
	if (stat(mnt, &st) != 0 || !S_ISDIR(st.st_mode)) {
		snprintf(err, errlen, "mount point %s is not a directory: create it first", mnt);
		return -1;
	}
	empty = dir_is_empty(mnt);
	if (empty != 1) {
		snprintf(err, errlen, "refusing to mount over %s: %s", mnt,
			 empty < 0 ? strerror(errno) : "the directory is not empty");
		return -1;
	}
	return 0;
}

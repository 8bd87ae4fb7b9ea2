/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "detect.h"

#include "fileio.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static bool exists(const char *root, const char *rel, char *path, size_t size)
{
	char tmp[PATH_MAX];
	struct stat sb;

	pd_path_join(path ? path : tmp, path ? size : sizeof(tmp), root, rel);
	if (stat(path ? path : tmp, &sb) == 0)
		return true;
	if (path)
		path[0] = 0;	/* absent: callers test path[0] */
	return false;
}

/* 0/1 from a sysfs flag file; -1 when absent or not a number. */
static int read_flag(const char *path, struct pd_error *err, int *rc)
{
	char buf[32];
	long n = pd_read_small(path, buf, sizeof(buf));

	if (n < 0) {
		if (errno != ENOENT && errno != EACCES && errno != EPERM)
			*rc = pd_fail_errno(err, errno, "cannot read %s", path);
		return -1;
	}
	if (!strcmp(buf, "0"))
		return 0;
	if (!strcmp(buf, "1"))
		return 1;
	return -1;
}

int pd_detect(const char *root, struct pd_detect *d, struct pd_error *err)
{
	char path[PATH_MAX], buf[64];
	int rc = 0;

	memset(d, 0, sizeof(*d));
	snprintf(d->root, sizeof(d->root), "%s", root && *root ? root : "/");
	d->fadump_enabled = d->fadump_registered = -1;
	d->mem_reserved = -1;

	if (exists(d->root, "proc/device-tree/rtas/ibm,kernel-dump", NULL, 0)) {
		d->dump_boot = true;
		d->dump_node = "ibm,kernel-dump";
	} else if (exists(d->root, "proc/device-tree/rtas/ibm,dump-kernel", NULL, 0)) {
		d->dump_boot = true;
		d->dump_node = "ibm,dump-kernel";
	}
	d->fw_support = exists(d->root, "proc/device-tree/rtas/ibm,configure-kernel-dump", NULL, 0);
	d->have_vmcore = exists(d->root, "proc/vmcore", NULL, 0);

	if (exists(d->root, "sys/kernel/fadump", NULL, 0)) {
		pd_path_join(path, sizeof(path), d->root, "sys/kernel/fadump/enabled");
		d->fadump_enabled = read_flag(path, err, &rc);
		if (exists(d->root, "sys/kernel/fadump/registered", d->registered_path,
			   sizeof(d->registered_path)))
			d->fadump_registered = read_flag(d->registered_path, err, &rc);
		exists(d->root, "sys/kernel/fadump/release_mem", d->release_mem,
		       sizeof(d->release_mem));
		exists(d->root, "sys/kernel/fadump/rearm", d->rearm, sizeof(d->rearm));
		pd_path_join(path, sizeof(path), d->root, "sys/kernel/fadump/mem_reserved");
		if (pd_read_small(path, buf, sizeof(buf)) > 0) {
			char *end;
			unsigned long long v = strtoull(buf, &end, 0);

			if (*end == 0 && v <= INT64_MAX)
				d->mem_reserved = (int64_t)v;
		}
	} else if (exists(d->root, "sys/kernel/fadump_enabled", NULL, 0)) {
		d->sysfs_legacy = true;
		pd_path_join(path, sizeof(path), d->root, "sys/kernel/fadump_enabled");
		d->fadump_enabled = read_flag(path, err, &rc);
		if (exists(d->root, "sys/kernel/fadump_registered", d->registered_path,
			   sizeof(d->registered_path)))
			d->fadump_registered = read_flag(d->registered_path, err, &rc);
		exists(d->root, "sys/kernel/fadump_release_mem", d->release_mem,
		       sizeof(d->release_mem));
	}
	if (!exists(d->root, "sys/kernel/fadump/release_region", d->release_region,
		    sizeof(d->release_region)))
		exists(d->root, "sys/kernel/release_region", d->release_region,
		       sizeof(d->release_region));
	return rc;
}

enum pd_release_mechanism pd_detect_mechanism(const struct pd_detect *d)
{
	if (d->release_region[0])
		return PD_RELEASE_INCREMENTAL;
	if (d->dump_boot && d->release_mem[0] && d->have_vmcore)
		return PD_RELEASE_ALL_AT_ONCE;
	return PD_RELEASE_NONE;
}

const char *pd_mechanism_name(enum pd_release_mechanism m)
{
	switch (m) {
	case PD_RELEASE_INCREMENTAL:
		return "incremental";
	case PD_RELEASE_ALL_AT_ONCE:
		return "all at once";
	case PD_RELEASE_NONE:
		return "none";
	}
	return "?";
}

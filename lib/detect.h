/* SPDX-License-Identifier: GPL-2.0-or-later */
/* detect.h — what this boot holds, read from the kernel's files.
 *
 * Everything is looked up under a root directory ("/" in production; a fake
 * root or a simulator mount in tests), so one code path serves both.
 *
 *   dump boot      <root>/proc/device-tree/rtas/ibm,kernel-dump (PAPR, what
 *                  firmware and QEMU set) or ibm,dump-kernel (the 2007 name)
 *   support        <root>/proc/device-tree/rtas/ibm,configure-kernel-dump
 *   fadump sysfs   <root>/sys/kernel/fadump/{enabled,registered,mem_reserved,
 *                  release_mem,release_region}, or the legacy
 *                  <root>/sys/kernel/fadump_{enabled,registered,release_mem}
 *   re-arming      <root>/sys/kernel/fadump/rearm (docs/release-region.md)
 *   seed path      <root>/sys/kernel/release_region
 *   vmcore         <root>/proc/vmcore
 *
 * Contract: pd_detect() never fails on a missing file (absence is an
 * answer); it fails only when a file exists but cannot be read.  Numbers it
 * cannot parse are reported as unknown (-1), never guessed.
 */
#ifndef PD_DETECT_H
#define PD_DETECT_H

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>

#include "pd_error.h"

enum pd_release_mechanism {
	PD_RELEASE_NONE,	/* nothing to release, or no way to */
	PD_RELEASE_INCREMENTAL,	/* release_region */
	PD_RELEASE_ALL_AT_ONCE,	/* fadump release_mem */
};

struct pd_detect {
	char root[PATH_MAX];
	bool dump_boot;
	const char *dump_node;		/* "ibm,kernel-dump" or "ibm,dump-kernel" */
	bool fw_support;
	int fadump_enabled;		/* 0/1, -1 unknown or absent */
	int fadump_registered;
	int64_t mem_reserved;		/* bytes, -1 unknown */
	bool sysfs_legacy;		/* only the legacy fadump_* names exist */
	bool have_vmcore;
	char release_region[PATH_MAX];	/* empty when absent */
	char release_mem[PATH_MAX];	/* empty when absent */
	char registered_path[PATH_MAX];	/* empty when absent */
	char rearm[PATH_MAX];		/* empty when absent */
};

int pd_detect(const char *root, struct pd_detect *d, struct pd_error *err);
enum pd_release_mechanism pd_detect_mechanism(const struct pd_detect *d);
const char *pd_mechanism_name(enum pd_release_mechanism m);


#endif

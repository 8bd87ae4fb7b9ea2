/* SPDX-License-Identifier: GPL-2.0-or-later */
/* makedumpfile.h (test host) — what the makedumpfile series' own file phyp.c
 * uses of makedumpfile, declared by us so that phyp.c, taken from the patch
 * at test time, can be compiled and run against the installed libphypdump
 * without makedumpfile (whose code is never built by this project's tests).
 *
 * Only names phyp.c uses, with the meaning makedumpfile gives them; the
 * definitions are in tests/makedumpfile/host.c.  When the series starts to
 * use another name, the compile fails here: add it, with the same meaning.
 */
#ifndef PHYP_HOST_MAKEDUMPFILE_H
#define PHYP_HOST_MAKEDUMPFILE_H

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#define TRUE 1
#define FALSE 0

#define MSG(...) fprintf(stderr, __VA_ARGS__)
#define ERRMSG(...) fprintf(stderr, __VA_ARGS__)

#define STR_PAGESIZE "PAGESIZE="
#define ARCH_PFN_OFFSET 0
#define PAGESHIFT() (info->page_shift)

typedef unsigned long long mdf_pfn_t;

/* One cycle: the pfns [start_pfn, end_pfn). */
struct cycle {
	mdf_pfn_t start_pfn;
	mdf_pfn_t end_pfn;
};

/* A write cache: cache_size bytes in buf, to go to fd at offset. */
struct cache_data {
	int fd;
	char *buf;
	size_t buf_size;
	size_t cache_size;
	off_t offset;
};

/* bitmap2, one bit a pfn (set: dumpable), for the whole dump. */
struct dump_bitmap {
	const unsigned char *buf;
	mdf_pfn_t max_pfn;
};

struct DumpInfo {
	int flag_phyp_release;
	char *name_phyp_release;
	char *name_phyp_journal;
	int flag_elf_dumpfile, flag_split, flag_flatten, flag_dry_run;
	int flag_generate_vmcoreinfo, flag_rearrange, flag_reassemble;
	int flag_dmesg, flag_mem_usage, flag_refiltering, flag_sadump;
	int flag_cyclic, flag_force;
	char *name_memory;
	int fd_memory;
	char *name_dumpfile;
	int fd_dumpfile;
	long page_size;
	long page_shift;
	struct dump_bitmap *bitmap2;
};

extern struct DumpInfo *info;

int has_vmcoreinfo(void);
void get_vmcoreinfo(off_t *offset, unsigned long *size);
int open_dump_file(void);
void close_dump_file(void);
int check_and_modify_headers(void);
int write_cache_bufsz(struct cache_data *cd);
int is_dumpable(struct dump_bitmap *bitmap, mdf_pfn_t pfn, struct cycle *cycle);
void cache_drop_range(unsigned long long start, unsigned long long end);
void drop_mmap_range_parallel(unsigned long long start, unsigned long long end);

#endif

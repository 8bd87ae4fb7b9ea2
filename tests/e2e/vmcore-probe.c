/* SPDX-License-Identifier: GPL-2.0-or-later */
/* vmcore-probe — in the tests/e2e guest, while phypdump saves the dump:
 * wait until release_region shows a block of dump memory released, then
 * read /proc/vmcore there (must fail with EIO) and in a block still
 * reserved (must succeed).
 *
 * Usage: vmcore-probe [RELEASE_REGION] [VMCORE]
 * Prints one line per probe:
 *     released ADDR src SRC offset OFF: EIO
 *     reserved ADDR src SRC offset OFF: ok
 * (anything else after the colon is a failure), or "no released block
 * seen ..." when release_region went away first.  Exit status 0 when both probes gave
 * the expected result.
 *
 * Blocks are 64 KiB, aligned in reserved memory: a whole kernel page, with
 * 4 KiB or 64 KiB pages.  File offsets come from /proc/vmcore's PT_LOADs
 * (sim/elfcore), whose p_paddr is the crashed kernel's address (the range's
 * src).
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "elfcore.h"
#include "fileio.h"
#include "rr_grammar.h"

#define BLOCK 0x10000ULL

static struct elfcore core;

static int pread_exact(void *ctx, uint64_t off, void *buf, size_t len)
{
	return pread(*(int *)ctx, buf, len, (off_t)off) == (ssize_t)len ? 0 : -1;
}

/* /proc/vmcore's PT_LOADs, through the simulator's checked ELF parser. */
static int read_loads(int fd)
{
	struct stat st;
	char msg[256];

	if (fstat(fd, &st) != 0)
		return -1;
	if (elfcore_parse(pread_exact, &fd, (uint64_t)st.st_size, &core, msg, sizeof(msg)) != 0) {
		fprintf(stderr, "vmcore-probe: %s\n", msg);
		return -1;
	}
	return 0;
}

/* File offset of crashed-kernel address @src, whole block inside one PT_LOAD. */
static int offset_of(uint64_t src, uint64_t *off)
{
	for (size_t i = 0; i < core.nloads; i++) {
		const struct elfcore_load *l = &core.loads[i];

		if (src >= l->paddr && src + BLOCK <= l->paddr + l->filesz) {
			*off = l->offset + (src - l->paddr);
			return 0;
		}
	}
	return -1;
}

/* Is any byte of [a, a + BLOCK) of reserved memory still listed? */
static int block_listed(const struct pd_rr *rr, uint64_t a)
{
	const struct pd_range *areas[2] = { &rr->cpu, &rr->hpte };

	for (int i = 0; i < 2; i++)
		if (areas[i]->len && areas[i]->addr < a + BLOCK && a < areas[i]->addr + areas[i]->len)
			return 1;
	for (size_t i = 0; i < rr->ndump; i++)
		if (rr->dump[i].addr < a + BLOCK && a < rr->dump[i].addr + rr->dump[i].len)
			return 1;
	return 0;
}

/* Is [a, a + BLOCK) wholly inside one DUMP range of @rr?  Sets *src. */
static int block_whole(const struct pd_rr *rr, uint64_t a, uint64_t *src)
{
	for (size_t i = 0; i < rr->ndump; i++) {
		const struct pd_range *r = &rr->dump[i];

		if (a >= r->addr && a + BLOCK <= r->addr + r->len) {
			*src = r->src + (a - r->addr);
			return 1;
		}
	}
	return 0;
}

/* 0: parsed; 1: release_region is gone; -1: unreadable or unparsable. */
static int read_line(const char *path, struct pd_rr *rr)
{
	struct pd_error err;
	char *buf;
	size_t len;
	int rc;

	static int told;

	rc = pd_read_file(path, 64 << 20, &buf, &len);
	if (rc != 0) {
		if (rc < 0 && !told++)
			fprintf(stderr, "reading %s: %s\n", path, strerror(errno));
		return rc == 1 ? 1 : -1;
	}
	rc = pd_rr_parse(buf, len, rr, &err);
	if (rc != 0 && !told++)
		fprintf(stderr, "unparsable %s (column %zu: %s): %s\n", path, err.column, err.msg, buf);
	free(buf);
	return rc;
}

/* Read one block of /proc/vmcore at @off: "ok", "EIO" or another error. */
static const char *probe(int fd, uint64_t off)
{
	static char buf[BLOCK];
	ssize_t n = pread(fd, buf, sizeof(buf), (off_t)off);

	if (n == (ssize_t)sizeof(buf))
		return "ok";
	if (n >= 0)
		return "short read";
	return errno == EIO ? "EIO" : strerror(errno);
}

int main(int argc, char **argv)
{
	const char *rr_path = argc > 1 ? argv[1] : "/sys/kernel/fadump/release_region";
	const char *vmcore = argc > 2 ? argv[2] : "/proc/vmcore";
	const struct timespec tick = { 0, 10 * 1000 * 1000 };
	struct pd_rr first, now;
	int fd = open(vmcore, O_RDONLY);

	/* The guest has one vCPU, busy with the capture: poll ahead of it (a
	 * failure only makes a miss likelier). */
	(void)setpriority(PRIO_PROCESS, 0, -10);
	if (fd < 0 || read_loads(fd) != 0 || read_line(rr_path, &first) != 0) {
		printf("cannot read %s or %s\n", vmcore, rr_path);
		return 2;
	}
	for (unsigned long polls = 1;; polls++) {
		int rc = read_line(rr_path, &now);

		if (rc == 1) {
			printf("no released block seen in %lu polls: release_region went away\n", polls);
			return 1;
		}
		if (rc != 0) {
			/* A line read while it changed: read it again. */
			nanosleep(&tick, NULL);
			continue;
		}
		uint64_t rel = 0, rel_src = 0, rel_off = 0, keep = 0, keep_src = 0, keep_off = 0;
		int have_rel = 0, have_keep = 0;

		for (size_t i = 0; i < first.ndump && !(have_rel && have_keep); i++) {
			const struct pd_range *r = &first.dump[i];
			uint64_t a = (r->addr + BLOCK - 1) & ~(BLOCK - 1);

			for (; a + BLOCK <= r->addr + r->len && !(have_rel && have_keep); a += BLOCK) {
				uint64_t src = r->src + (a - r->addr), off;

				if (offset_of(src, &off) != 0)
					continue;
				if (!have_rel && !block_listed(&now, a)) {
					rel = a, rel_src = src, rel_off = off, have_rel = 1;
				} else if (!have_keep && block_whole(&now, a, &src) && src == r->src + (a - r->addr)) {
					keep = a, keep_src = src, keep_off = off, have_keep = 1;
				}
			}
		}
		if (have_rel && have_keep) {
			const char *released = probe(fd, rel_off);
			const char *kept = probe(fd, keep_off);
			struct pd_rr after;

			/* The kept block may have gone in the meantime: try again then. */
			if (strcmp(kept, "ok") != 0 && read_line(rr_path, &after) == 0) {
				uint64_t src;
				int gone = !block_whole(&after, keep, &src);

				pd_rr_free(&after);
				if (gone) {
					pd_rr_free(&now);
					nanosleep(&tick, NULL);
					continue;
				}
			}
			printf("released %#" PRIx64 " src %#" PRIx64 " offset %#" PRIx64 ": %s\n",
			       rel, rel_src, rel_off, released);
			printf("reserved %#" PRIx64 " src %#" PRIx64 " offset %#" PRIx64 ": %s\n",
			       keep, keep_src, keep_off, kept);
			printf("seen at poll %lu\n", polls);
			return strcmp(released, "EIO") == 0 && strcmp(kept, "ok") == 0 ? 0 : 1;
		}
		pd_rr_free(&now);
		nanosleep(&tick, NULL);
	}
}

/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * vmcore-mmap: guest helper of tests/kernel-patch/e2e-release-region (static, ppc64le).
 *
 *   vmcore-mmap OFFSET ADDR LEN
 *
 * Maps the page of /proc/vmcore at file offset OFFSET, reads it, releases ADDR LEN through
 * /sys/kernel/fadump/release_region (the memory behind that page), then touches the page
 * again. Prints "before ok", "release ok" and "after sigbus" when the kernel unmapped the
 * page before freeing it; exit status 0 only then.
 *
 *   vmcore-mmap hold GOFILE
 *
 * Maps three pages of /proc/vmcore: the ELF header (offset 0), the page holding the ELF
 * notes (PT_NOTE) and a page three quarters into the last PT_LOAD (memory kept in place), reads
 * them, prints "mapped", then waits until GOFILE exists (the caller ends the dump meanwhile)
 * and touches each page again. Prints "<name> sigbus" for a page the kernel unmapped, or
 * "<name> readable <first 4 bytes>" for one it left mapped after the end of the dump (a
 * use-after-free: the memory behind it was freed). Exit status 0 only when all three raise
 * SIGBUS.
 */
#define _GNU_SOURCE
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

static sigjmp_buf jump;

static void on_sigbus(int sig)
{
	(void)sig;
	siglongjmp(jump, 1);
}

static int touch(const volatile unsigned char *p, unsigned long size)
{
	unsigned long i, sum = 0;

	for (i = 0; i < size; i += 64)
		sum += p[i];
	return (int)(sum & 1);
}

/* Touch a page that should be gone: 0 if that raises SIGBUS, 1 if it is still readable. */
static int probe(const char *name, volatile unsigned char *p, unsigned long page)
{
	if (sigsetjmp(jump, 1)) {
		printf("%s sigbus\n", name);
		return 0;
	}
	touch(p, page);
	printf("%s readable %02x%02x%02x%02x\n", name, p[0], p[1], p[2], p[3]);
	return 1;
}

static int hold(const char *gofile)
{
	unsigned long page = (unsigned long)sysconf(_SC_PAGESIZE);
	static const char *const names[3] = { "header", "notes", "data" };
	off_t offs[3] = { 0, -1, -1 };
	volatile unsigned char *p[3];
	struct sigaction sa;
	Elf64_Ehdr eh;
	Elf64_Phdr ph;
	int fd, i, waited, failed = 0;

	fd = open("/proc/vmcore", O_RDONLY);
	if (fd < 0 || pread(fd, &eh, sizeof(eh), 0) != (ssize_t)sizeof(eh)) {
		fprintf(stderr, "read /proc/vmcore: %s\n", strerror(errno));
		return 1;
	}
	for (i = 0; i < eh.e_phnum; i++) {
		if (pread(fd, &ph, sizeof(ph), (off_t)(eh.e_phoff + (unsigned long)i * sizeof(ph))) !=
		    (ssize_t)sizeof(ph)) {
			fprintf(stderr, "read program header %d: %s\n", i, strerror(errno));
			return 1;
		}
		if (ph.p_type == PT_NOTE)
			offs[1] = (off_t)(ph.p_offset & ~(page - 1));
		/* three quarters into it: the test released other parts before */
		if (ph.p_type == PT_LOAD && ph.p_filesz > 4 * page)
			offs[2] = (off_t)((ph.p_offset + ph.p_filesz / 4 * 3) & ~(page - 1));
	}
	if (offs[1] < 0 || offs[2] < 0) {
		fprintf(stderr, "no PT_NOTE or no large PT_LOAD in /proc/vmcore\n");
		return 1;
	}
	for (i = 0; i < 3; i++) {
		p[i] = mmap(NULL, page, PROT_READ, MAP_SHARED, fd, offs[i]);
		if (p[i] == MAP_FAILED) {
			fprintf(stderr, "mmap /proc/vmcore at %lld: %s\n", (long long)offs[i],
				strerror(errno));
			return 1;
		}
		touch(p[i], page);
	}
	if (memcmp((const void *)p[0], ELFMAG, SELFMAG) != 0) {
		fprintf(stderr, "the mapped header is not an ELF header\n");
		return 1;
	}
	printf("mapped header@0 notes@%lld data@%lld\n", (long long)offs[1], (long long)offs[2]);
	fflush(stdout);

	for (waited = 0; access(gofile, F_OK) != 0; waited++) {
		if (waited > 3000) {
			fprintf(stderr, "%s never appeared\n", gofile);
			return 1;
		}
		usleep(100000);
	}

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_sigbus;
	sigaction(SIGBUS, &sa, NULL);
	for (i = 0; i < 3; i++)
		failed |= probe(names[i], p[i], page);
	return failed;
}

int main(int argc, char **argv)
{
	unsigned long page = (unsigned long)sysconf(_SC_PAGESIZE);
	const char *rr = "/sys/kernel/fadump/release_region";
	struct sigaction sa;
	unsigned char *p;
	char line[128];
	long long off;
	int fd, rfd, n;

	if (argc == 3 && strcmp(argv[1], "hold") == 0)
		return hold(argv[2]);
	if (argc != 4) {
		fprintf(stderr, "usage: vmcore-mmap OFFSET ADDR LEN | vmcore-mmap hold GOFILE\n");
		return 2;
	}
	off = strtoll(argv[1], NULL, 0);

	fd = open("/proc/vmcore", O_RDONLY);
	if (fd < 0) {
		fprintf(stderr, "open /proc/vmcore: %s\n", strerror(errno));
		return 1;
	}
	p = mmap(NULL, page, PROT_READ, MAP_SHARED, fd, (off_t)off);
	if (p == MAP_FAILED) {
		fprintf(stderr, "mmap /proc/vmcore at %lld: %s\n", off, strerror(errno));
		return 1;
	}
	touch(p, page);
	printf("before ok\n");
	fflush(stdout);

	rfd = open(rr, O_WRONLY);
	if (rfd < 0) {
		fprintf(stderr, "open %s: %s\n", rr, strerror(errno));
		return 1;
	}
	n = snprintf(line, sizeof(line), "%s %s", argv[2], argv[3]);
	if (write(rfd, line, (size_t)n) != n) {
		fprintf(stderr, "write '%s' to %s: %s\n", line, rr, strerror(errno));
		return 1;
	}
	close(rfd);
	printf("release ok\n");
	fflush(stdout);

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_sigbus;
	sigaction(SIGBUS, &sa, NULL);
	if (sigsetjmp(jump, 1)) {
		printf("after sigbus\n");
		return 0;
	}
	touch(p, page);
	printf("after readable\n");
	return 1;
}

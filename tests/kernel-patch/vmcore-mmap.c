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
 */
#define _GNU_SOURCE
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

int main(int argc, char **argv)
{
	unsigned long page = (unsigned long)sysconf(_SC_PAGESIZE);
	const char *rr = "/sys/kernel/fadump/release_region";
	struct sigaction sa;
	unsigned char *p;
	char line[128];
	long long off;
	int fd, rfd, n;

	if (argc != 4) {
		fprintf(stderr, "usage: vmcore-mmap OFFSET ADDR LEN\n");
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

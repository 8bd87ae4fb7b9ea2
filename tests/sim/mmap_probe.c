/* SPDX-License-Identifier: GPL-2.0-or-later */
/* mmap_probe: map FILE and read LEN bytes at OFFSET through the mapping.
 *   mmap_probe FILE OFFSET LEN [RELEASE_FILE "ADDR LEN"]
 * Prints the bytes in hex and exits 0, or prints "SIGBUS" and exits 3 when the
 * access faults (released memory in EIO mode), 1 on usage/mmap/write errors.
 * With RELEASE_FILE: read once through the mapping (the pages are now mapped),
 * then write "ADDR LEN" to RELEASE_FILE with one write(2), and read again
 * through the same, still existing mapping: what a process that keeps
 * /proc/vmcore mapped sees after a release. Only the second read is printed. */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

static sigjmp_buf jb;

static void on_bus(int sig)
{
	(void)sig;
	siglongjmp(jb, 1);
}

int main(int argc, char **argv)
{
	unsigned long long off, len, base, i;
	long pg = sysconf(_SC_PAGESIZE);
	volatile unsigned char *m;
	unsigned char *copy;
	struct sigaction sa;
	size_t maplen;
	int fd;

	if (argc != 4 && argc != 6) {
		fprintf(stderr, "usage: mmap_probe FILE OFFSET LEN [RELEASE_FILE \"ADDR LEN\"]\n");
		return 1;
	}
	off = strtoull(argv[2], NULL, 0);
	len = strtoull(argv[3], NULL, 0);
	fd = open(argv[1], O_RDONLY);
	if (fd < 0) {
		fprintf(stderr, "mmap_probe: open %s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	base = off & ~(unsigned long long)(pg - 1);
	maplen = (size_t)(off + len - base);
	m = mmap(NULL, maplen, PROT_READ, MAP_SHARED, fd, (off_t)base);
	if (m == MAP_FAILED) {
		fprintf(stderr, "mmap_probe: mmap: %s\n", strerror(errno));
		return 1;
	}
	copy = malloc(len ? len : 1);
	if (!copy)
		return 1;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_bus;
	sigaction(SIGBUS, &sa, NULL);
	if (sigsetjmp(jb, 1)) {
		printf("SIGBUS\n");
		return 3;
	}
	for (i = 0; i < len; i++)
		copy[i] = m[off - base + i];
	if (argc == 6) {
		int rfd = open(argv[4], O_WRONLY);
		size_t wl = strlen(argv[5]);

		if (rfd < 0 || write(rfd, argv[5], wl) != (ssize_t)wl) {
			fprintf(stderr, "mmap_probe: release via %s: %s\n", argv[4], strerror(errno));
			return 1;
		}
		close(rfd);
		for (i = 0; i < len; i++)
			copy[i] = m[off - base + i];
	}
	for (i = 0; i < len; i++)
		printf("%02x", copy[i]);
	printf("\n");
	return 0;
}

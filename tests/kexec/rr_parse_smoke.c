/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * rr_parse_smoke: the release_region parser of the kexec-tools series
 * (kexec/arch/ppc64/fadump-ppc64.c, patch 0002), built natively with
 * AddressSanitizer and UBSan and run on known lines and on mutated ones.
 *
 * Build (tests/kexec/run does it, from the patched tree):
 *   gcc -fsanitize=address,undefined -I<tree> -I<tree>/include \
 *       -I<tree>/util_lib/include \
 *       -DFADUMP_PPC64_C='"<tree>/kexec/arch/ppc64/fadump-ppc64.c"' \
 *       rr_parse_smoke.c
 *
 * Checks: every known line gives the sums computed by hand, every malformed
 * line is rejected, and 200000 mutations of valid lines (bytes flipped,
 * inserted, deleted, truncated; deterministic PRNG) never crash, and, when
 * accepted, never report more than the sum of all numbers in the line.
 * Prints "ok N checks" and exits 0, or names the failing input and exits 1.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int kexec_debug;
void *xmalloc(size_t size);
void *xrealloc(void *ptr, size_t size);

void *xmalloc(size_t size)
{
	void *p = malloc(size);

	if (!p)
		abort();
	return p;
}

void *xrealloc(void *ptr, size_t size)
{
	void *p = realloc(ptr, size);

	if (!p)
		abort();
	return p;
}

#include FADUMP_PPC64_C

static const struct {
	const char *text;
	unsigned long long bytes;
	unsigned int areas;
} good[] = {
	/* QEMU pseries, 2 GiB guest */
	{ "CPU:0x14000000-0x510: HPTE:0x14000510-0x0: DUMP:0x14001000-0x14000000@0x0, 0x280011b0-0x57ffee50:\n",
	  0x510ULL + 0x14000000ULL + 0x57ffee50ULL, 3 },
	/* the seed's example, with its line break and '/' */
	{ "CPU:0x177fff000-0x20: HPTE:0x177fff020-0x0: /\nDUMP:0x177fff020-0x10000000, 0x10000000-0x16F1D370A:\n",
	  0x20ULL + 0x10000000ULL + 0x16f1d370aULL, 3 },
	/* everything but one page released */
	{ "CPU:0x14000000-0x0: HPTE:0x14000510-0x0: DUMP:0x7ffff000-0x1000:", 0x1000, 1 },
	/* nothing left */
	{ "CPU:0x14000000-0x0: HPTE:0x14000510-0x0: DUMP::", 0, 0 },
	/* any white space, upper case X */
	{ "  CPU:0X10 - 0X20 :\tHPTE:0x30-0x1:\n\n DUMP: 0x40-0x2 @ 0x0 ,0x50-0x3 :  \n", 0x26, 4 },
};

static const char *const bad[] = {
	"", "garbage", "CPU:", "CPU:0x0-0x10:",
	"CPU:0x0-0x10: HPTE:0x10-0x0:",
	"CPU:0x0-0x10: HPTE:0x10-0x0: DUMP:0x20-:",
	"CPU:0x0-0x10: HPTE:0x10-0x0: DUMP:0x20-0x10",
	"CPU:0x0-0x10: HPTE:0x10-0x0: DUMP:0x20-0x10: trailing",
	"CPU:10-0x10: HPTE:0x10-0x0: DUMP:0x20-0x10:",
	"CPU:0x0-0xffffffffffffffff: HPTE:0x10-0x0: DUMP:0x20-0x10:",
	"CPU:0x0-0x10: HPTE:0x10-0x0: DUMP:0x20-0x10@:",
	"CPU:0x0-0x10@0x0: HPTE:0x10-0x0: DUMP:0x20-0x10:",
	"CPU:0x0-0x10: HPTE:0x10-0x0: DUMP:0x20-0x10,:",
	"CPU:0x0-0x10: HPTE:0x10-0x0: DUMP:0x20-0x10 0x40-0x10:",
	"CPU:0x0-0x10: HPTE:0x10-0x0: DUMP:0x1-0xffffffffffffffff:",
	"CPU:0x0-0x10: HPTE:0x10-0x0: DUMP:0x10000000000000000-0x1:",
	"CPU:0x0-0x10: HPTE:0x10-0x0: / / DUMP:0x20-0x10:",
	"CPU:0x0-0x8000000000000000: HPTE:0x0-0x8000000000000000: DUMP::",
};

static unsigned long long rng = 0x9e3779b97f4a7c15ULL;

static unsigned long long next_rand(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

/* Upper bound of what an accepted line may report: the sum of every number */
static unsigned long long sum_numbers(const char *s)
{
	unsigned long long total = 0;

	while (*s) {
		if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
			char *end;
			unsigned long long v = strtoull(s, &end, 16);

			total = total + v < total ? ~0ULL : total + v;
			s = end > s ? end : s + 1;
		} else {
			s++;
		}
	}
	return total;
}

int main(void)
{
	unsigned long long bytes;
	unsigned int areas;
	char buf[512];
	size_t i, checks = 0;
	int round;

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++, checks++) {
		if (parse_release_region(good[i].text, &bytes, &areas) ||
		    bytes != good[i].bytes || areas != good[i].areas) {
			printf("FAIL good line %zu: \"%s\" -> %llu bytes, %u areas\n",
			       i, good[i].text, bytes, areas);
			return 1;
		}
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++, checks++) {
		if (!parse_release_region(bad[i], &bytes, &areas)) {
			printf("FAIL bad line accepted: \"%s\"\n", bad[i]);
			return 1;
		}
	}
	for (round = 0; round < 200000; round++, checks++) {
		const char *seed = good[next_rand() % (sizeof(good) / sizeof(good[0]))].text;
		size_t len = strlen(seed), n, edits = 1 + next_rand() % 4;
		static const char alphabet[] = "0xX123456789abcdefABCDEF:-@,/ \n\tCPUHTEDM";

		memcpy(buf, seed, len + 1);
		for (n = 0; n < edits && len < sizeof(buf) - 2; n++) {
			size_t pos = len ? next_rand() % len : 0;
			char c = (next_rand() % 4) ? alphabet[next_rand() % (sizeof(alphabet) - 1)]
						   : (char)(next_rand() % 256);

			switch (next_rand() % 4) {
			case 0:		/* replace */
				if (len)
					buf[pos] = c ? c : ' ';
				break;
			case 1:		/* insert */
				memmove(buf + pos + 1, buf + pos, len - pos + 1);
				buf[pos] = c ? c : ' ';
				len++;
				break;
			case 2:		/* delete */
				if (len) {
					memmove(buf + pos, buf + pos + 1, len - pos);
					len--;
				}
				break;
			default:	/* truncate */
				buf[pos] = '\0';
				len = pos;
				break;
			}
		}
		if (!parse_release_region(buf, &bytes, &areas) &&
		    bytes > sum_numbers(buf)) {
			printf("FAIL mutated line \"%s\": %llu bytes > its numbers\n",
			       buf, bytes);
			return 1;
		}
	}
	printf("ok %zu checks\n", checks);
	return 0;
}

/* SPDX-License-Identifier: GPL-2.0-or-later */
/* unit.h — a minimal test harness: CHECK() records a failure and goes on;
 * the program prints "name: N passed, M failed" and exits non-zero on any
 * failure. */
#ifndef PD_UNIT_H
#define PD_UNIT_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static unsigned unit_passed, unit_failed;

#define CHECK(cond)                                                            \
	do {                                                                   \
		if (cond) {                                                    \
			unit_passed++;                                         \
		} else {                                                       \
			unit_failed++;                                         \
			fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, \
				__LINE__, #cond);                              \
		}                                                              \
	} while (0)

#define CHECK_EQ_U64(a, b)                                                     \
	do {                                                                   \
		unsigned long long _a = (a), _b = (b);                         \
		if (_a == _b) {                                                \
			unit_passed++;                                         \
		} else {                                                       \
			unit_failed++;                                         \
			fprintf(stderr, "%s:%d: %s == 0x%llx, expected 0x%llx\n", \
				__FILE__, __LINE__, #a, _a, _b);               \
		}                                                              \
	} while (0)

#define CHECK_STR_CONTAINS(hay, needle)                                        \
	do {                                                                   \
		const char *_h = (hay), *_n = (needle);                        \
		if (_h && strstr(_h, _n)) {                                    \
			unit_passed++;                                         \
		} else {                                                       \
			unit_failed++;                                         \
			fprintf(stderr, "%s:%d: \"%s\" does not contain \"%s\"\n", \
				__FILE__, __LINE__, _h ? _h : "(null)", _n);   \
		}                                                              \
	} while (0)

static inline int unit_report(const char *name)
{
	printf("%s: %u passed, %u failed\n", name, unit_passed, unit_failed);
	return unit_failed ? 1 : 0;
}

#endif

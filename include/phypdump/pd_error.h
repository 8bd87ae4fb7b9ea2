/* SPDX-License-Identifier: GPL-2.0-or-later */
/* pd_error.h — the error report every libphypdump call fills in.
 *
 * Contract: a function that fails returns -1 (or NULL) and, when given a
 * non-NULL struct pd_error, writes a one-line, human-readable message that
 * says what failed (and, for parsers, the 1-based column of the offending
 * character).  Messages never contain dump memory content.
 */
#ifndef PD_ERROR_H
#define PD_ERROR_H

#include <stddef.h>

struct pd_error {
	char msg[256];
	size_t column;		/* 1-based; 0 when not a parse error */
	int errnum;		/* errno of a failed system call, else 0 */
};

#ifdef PHYPDUMP_INTERNAL
/* The helpers below fill in a struct pd_error inside libphypdump and the
 * project's own programs (built with -DPHYPDUMP_INTERNAL).  They are not part
 * of the installed API: libphypdump.so does not export them. */

/* Fill @err (may be NULL) with a printf-style message; returns -1. */
int pd_fail(struct pd_error *err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Same, recording errno @errnum and appending strerror(errnum). */
int pd_fail_errno(struct pd_error *err, int errnum, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Same, recording a parse column. */
int pd_fail_at(struct pd_error *err, size_t column, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
#endif /* PHYPDUMP_INTERNAL */

#endif

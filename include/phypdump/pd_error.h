/* SPDX-License-Identifier: GPL-2.0-or-later */
/* pd_error.h — the error report every libphypdump call fills in.
 *
 * Contract: a function that fails returns -1 (or NULL) and, when given a
 * non-NULL struct pd_error, writes a one-line, human-readable message that
 * says what failed (and, for parsers, the 1-based column of the offending
 * character).  Messages never contain dump memory content.
 *
 * Kinds: every error also says what kind of failure it is, so that a front
 * end maps it to an exit code (lib/exit_codes.h) without parsing text.
 * pd_fail() and pd_fail_at() leave the kind as PD_ERR_FAILED, pd_fail_errno()
 * sets PD_ERR_IO; pd_fail_kind() names it.  pd_error_context() prefixes
 * "<context>: " to a message as it rises, keeping kind, errno and column.
 */
#ifndef PD_ERROR_H
#define PD_ERROR_H

#include <stddef.h>

enum pd_error_kind {
	PD_ERR_NONE = 0,
	PD_ERR_FAILED,		/* the operation failed (generic) */
	PD_ERR_USAGE,		/* the caller's request is malformed */
	PD_ERR_REFUSED,		/* unsafe to go on: nothing was released */
	PD_ERR_IO,		/* a system call failed (errnum says which) */
	PD_ERR_KERNEL,		/* the kernel refused or contradicted us */
	PD_ERR_NO_DUMP,		/* no dump on this boot */
	PD_ERR_UNSUPPORTED,	/* a dump this code cannot save */
	PD_ERR_BUSY,		/* another capture holds the dump */
};

struct pd_error {
	enum pd_error_kind kind;
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
/* Same as pd_fail(), with a kind. */
int pd_fail_kind(struct pd_error *err, enum pd_error_kind kind, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Prefix "<context>: " to @err's message; returns -1. */
int pd_error_context(struct pd_error *err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#endif /* PHYPDUMP_INTERNAL */

#endif

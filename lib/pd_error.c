/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "pd_error.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static void fill(struct pd_error *err, size_t column, int errnum,
		 const char *fmt, va_list ap)
{
	if (!err)
		return;
	err->kind = errnum ? PD_ERR_IO : PD_ERR_FAILED;
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	err->column = column;
	err->errnum = errnum;
	if (errnum) {
		size_t n = strlen(err->msg);

		snprintf(err->msg + n, sizeof(err->msg) - n, ": %s",
			 strerror(errnum));
	}
}

int pd_fail(struct pd_error *err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fill(err, 0, 0, fmt, ap);
	va_end(ap);
	return -1;
}

int pd_fail_errno(struct pd_error *err, int errnum, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fill(err, 0, errnum, fmt, ap);
	va_end(ap);
	return -1;
}

int pd_fail_at(struct pd_error *err, size_t column, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fill(err, column, 0, fmt, ap);
	va_end(ap);
	return -1;
}

int pd_fail_kind(struct pd_error *err, enum pd_error_kind kind, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fill(err, 0, 0, fmt, ap);
	va_end(ap);
	if (err)
		err->kind = kind;
	return -1;
}

int pd_error_context(struct pd_error *err, const char *fmt, ...)
{
	char ctx[sizeof(err->msg)], old[sizeof(err->msg)];
	va_list ap;

	if (!err)
		return -1;
	va_start(ap, fmt);
	vsnprintf(ctx, sizeof(ctx), fmt, ap);
	va_end(ap);
	memcpy(old, err->msg, sizeof(old));
	/* Truncation keeps the context, which says where; the tail may go. */
	if (snprintf(err->msg, sizeof(err->msg), "%.*s: %.*s", 120, ctx, 130, old) < 0)
		err->msg[0] = 0;
	return -1;
}

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

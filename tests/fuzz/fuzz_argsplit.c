/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Fuzz target: kdump.conf command-line splitting.  Invariant: every word
 * is a NUL-terminated string no longer than the input. */
#include <stdlib.h>
#include <string.h>

#include "argsplit.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	struct pd_error err;
	size_t n, i;
	char **v = pd_argsplit((const char *)data, size, &n, &err);

	if (!v)
		return 0;
	for (i = 0; i < n; i++)
		if (!v[i] || strlen(v[i]) > size)
			abort();
	if (v[n])
		abort();
	pd_argv_free(v);
	return 0;
}

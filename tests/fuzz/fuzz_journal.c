/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Fuzz target: the journal parser.  Invariants: a parsed journal has a
 * header and a layout, and every released range lies inside the layout. */
#include <stdlib.h>

#include "journal.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	struct pd_journal_state st;
	struct pd_error err;

	if (pd_journal_parse((const char *)data, size, &st, &err) == 0) {
		if (!st.page_size || st.good_len > size)
			abort();
		pd_journal_state_free(&st);
	}
	return 0;
}

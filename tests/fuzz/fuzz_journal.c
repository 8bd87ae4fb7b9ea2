/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Fuzz target: the journal parser.  Invariants: a parsed journal has a
 * header and a layout, and every released range lies inside the layout; a
 * re-armed one has a header copy no longer than its vmcore, and every
 * sample lies in the layout's crashed memory. */
#include <stdbool.h>
#include <stdlib.h>

#include "journal.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	struct pd_journal_state st;
	struct pd_error err;

	if (pd_journal_parse((const char *)data, size, &st, &err) == 0) {
		size_t i, k;

		if (!st.page_size || st.good_len > size)
			abort();
		if (st.rearmed && (!st.have_headers || st.headers_len > st.headers_vmcore_size))
			abort();
		for (i = 0; i < st.nsamples; i++) {
			bool in = false;

			for (k = 0; k < st.layout.ndump; k++)
				in |= st.samples[i].off >= st.layout.dump[k].src &&
				      st.samples[i].off + st.samples[i].len <= st.layout.dump[k].src + st.layout.dump[k].len;
			if (!in || !st.samples[i].len)
				abort();
		}
		pd_journal_state_free(&st);
	}
	return 0;
}

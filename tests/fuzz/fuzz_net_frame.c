/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Fuzz target: the ssh target's frames (lib/net_frame), as phypdump receive
 * and phypdump save read them from the network.  Invariants beyond "no
 * crash": every delivered frame's decoded fields lie inside its payload,
 * and the same input cut into other pieces gives the same frames. */
#include <stdlib.h>
#include <string.h>

#include "crc32.h"
#include "net_frame.h"

struct ctx {
	unsigned frames;
	uint32_t sum;
};

static int on_frame(void *arg, const struct pd_net_frame *f)
{
	struct ctx *c = arg;

	if (f->len > PD_NET_MAX_PAYLOAD)
		abort();
	if (f->type == 'D' && (f->data != f->payload + 8 || f->data_len + 8 != f->len))
		abort();
	c->frames++;
	c->sum = pd_crc32_update(c->sum, &f->type, 1);
	c->sum = pd_crc32_update(c->sum, f->payload, f->len);
	return 0;
}

static void run(const unsigned char *data, size_t size, size_t piece, struct ctx *c, int *rc)
{
	struct pd_net_parser p;
	size_t i;

	memset(c, 0, sizeof(*c));
	*rc = 0;
	if (pd_net_init(&p, on_frame, c))
		abort();
	for (i = 0; i < size; i += piece)
		if (pd_net_feed(&p, data + i, size - i < piece ? size - i : piece)) {
			*rc = -1;
			break;
		}
	pd_net_free(&p);
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	struct ctx a, b;
	int ra, rb;

	run(data, size, size ? size : 1, &a, &ra);
	run(data, size, size ? data[0] % 7 + 1 : 1, &b, &rb);
	if (ra != rb || a.frames != b.frames || a.sum != b.sum)
		abort();
	return 0;
}

/* SPDX-License-Identifier: GPL-2.0-or-later */
/* devtree: rtas_fadump_mem_struct builder; see devtree.h. */
#include "devtree.h"

#include <string.h>

#include "elfcore.h"

static void section(uint8_t *p, uint16_t type, uint64_t src, uint64_t len, uint64_t dst)
{
	elfcore_put32(p, 1, 1);          /* request_flag */
	elfcore_put16(p + 4, type, 1);   /* source_data_type */
	elfcore_put16(p + 6, 0, 1);      /* error_flags */
	elfcore_put64(p + 8, src, 1);
	elfcore_put64(p + 16, len, 1);
	elfcore_put64(p + 24, len, 1);   /* bytes_dumped */
	elfcore_put64(p + 32, dst, 1);
}

void devtree_kernel_dump(const struct layout *l, uint8_t out[DEVTREE_KERNEL_DUMP_SIZE])
{
	memset(out, 0, DEVTREE_KERNEL_DUMP_SIZE);
	elfcore_put32(out, 1, 1);        /* dump_format_version */
	elfcore_put16(out + 4, 4, 1);    /* dump_num_sections */
	elfcore_put16(out + 6, 0, 1);    /* dump_status_flag */
	elfcore_put32(out + 8, 40, 1);   /* offset_first_dump_section */
	section(out + 40, 0x0001, 0, l->cpu.len, l->cpu.addr);
	section(out + 80, 0x0002, 0, l->hpte.len, l->hpte.addr);
	section(out + 120, 0x0011, 0, l->boot_mem, l->copy.addr);
	section(out + 160, 0x0100, l->param_addr, 0x800, l->param_addr);
}

void devtree_configure_token(uint8_t out[4])
{
	elfcore_put32(out, DEVTREE_RTAS_TOKEN, 1);
}

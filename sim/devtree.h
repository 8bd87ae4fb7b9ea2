/* SPDX-License-Identifier: GPL-2.0-or-later */
/* devtree: the binary device-tree properties of /proc/device-tree/rtas.
 *
 * devtree_kernel_dump() builds `ibm,kernel-dump` as firmware leaves it on a dump
 * boot: a big-endian struct rtas_fadump_mem_struct (PAPR; Linux
 * arch/powerpc/platforms/pseries/rtas-fadump.h) with a 40-byte section header
 * (format version 1, 4 sections, first section at offset 40, status 0) and four
 * 40-byte sections, all with the request flag set and bytes_dumped == length:
 *   CPU_STATE_DATA (0x0001)   source 0, length = CPU area, destination = CPU area
 *   HPTE_REGION (0x0002)      source 0, length = HPTE area, destination = HPTE area
 *   REAL_MODE_REGION (0x0011) source 0, length = boot memory, destination = copy
 *   PARAM_AREA (0x0100)       source = destination = layout param_addr, 2 KiB
 * 200 bytes in all (QEMU's size). The seed's `ibm,dump-kernel` gets the same bytes.
 * devtree_configure_token(): `ibm,configure-kernel-dump`, a 4-byte big-endian RTAS
 * token (DEVTREE_RTAS_TOKEN).
 */
#ifndef SIM_DEVTREE_H
#define SIM_DEVTREE_H

#include <stddef.h>
#include <stdint.h>

#include "layout.h"

#define DEVTREE_KERNEL_DUMP_SIZE 200
#define DEVTREE_RTAS_TOKEN 0x2021u

void devtree_kernel_dump(const struct layout *l, uint8_t out[DEVTREE_KERNEL_DUMP_SIZE]);
void devtree_configure_token(uint8_t out[4]);

#endif

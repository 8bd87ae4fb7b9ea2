/* SPDX-License-Identifier: GPL-2.0-or-later */
/* units.h — sizes given on command lines.
 *
 * pd_parse_size(): decimal, 0x hex or 0 octal, with an optional K, M or G
 * suffix (powers of 1024, either case).  Refuses signs, blanks, other
 * suffixes and anything that does not fit in 64 bits: returns -1 and leaves
 * *out alone; 0 on success. */
#ifndef PD_UNITS_H
#define PD_UNITS_H

#include <stddef.h>
#include <stdint.h>

int pd_parse_size(const char *s, uint64_t *out);
/* "1.5 GiB"-style text for messages (binary units, one decimal). */
void pd_human_bytes(char *buf, size_t size, uint64_t bytes);
/* A big-endian 64-bit integer (the flattened stream's and the ssh frames'). */
uint64_t pd_get_be64(const unsigned char *b);

#endif

/* SPDX-License-Identifier: GPL-2.0-or-later */
/* crc32.h — CRC-32 (IEEE 802.3, the zlib/PNG polynomial), one implementation
 * for the journal's record checksums and the checksums of saved dump ranges.
 *
 * Contract: pd_crc32(p, n) == pd_crc32_update(0, p, n); updating in pieces
 * gives the same value as one call over the concatenation.  Slicing by 8
 * (eight 1 KiB tables): a saved-range check reads back every byte of the
 * dump once, so the bytewise loop (about 0.3 GB/s here) would cost seconds
 * on a large dump; this runs at several GB/s.
 */
#ifndef PD_CRC32_H
#define PD_CRC32_H

#include <stddef.h>
#include <stdint.h>

uint32_t pd_crc32_update(uint32_t crc, const void *data, size_t len);
uint32_t pd_crc32(const void *data, size_t len);

#endif

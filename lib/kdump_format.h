/* SPDX-License-Identifier: GPL-2.0-or-later */
/* kdump_format.h — makedumpfile's kdump-compressed file format, as types.
 *
 * On disk (header version 6, what makedumpfile 1.6 and later write):
 *
 *   block 0            struct pd_kdump_disk_header (464 bytes used)
 *   block 1..          struct pd_kdump_disk_sub_header (sub_hdr_size blocks)
 *   then               bitmap1, bitmap2: bitmap_blocks blocks in all, half each
 *                      (bit n of byte k is pfn 8k+n; bitmap2 bit set = dumped)
 *   then               one struct pd_kdump_disk_desc per set bit of bitmap2,
 *                      ascending pfn
 *   then               page data, where the descriptors point
 *
 * Byte order: makedumpfile writes every integer in the byte order of the
 * machine it runs on (the dump boot's), with no marker.  The header's
 * version (6) tells which: decoding tries little endian, then big endian,
 * and refuses anything else.  Nothing here reads a file: decoders take the
 * bytes, or a read callback, and bounds-check every field (the fuzz target
 * fuzz_kdump_format feeds them garbage).
 */
#ifndef PD_KDUMP_FORMAT_H
#define PD_KDUMP_FORMAT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pd_error.h"

/* The disk_dump_header as makedumpfile lays it out (64-bit). */
struct pd_kdump_disk_header {
	char signature[8];		/*   0 "KDUMP   " */
	uint8_t header_version[4];	/*   8 int32: 6 */
	uint8_t utsname[390];		/*  12 struct new_utsname: 6 x 65 bytes */
	uint8_t pad[6];			/* 402 alignment of the timeval */
	uint8_t timestamp[16];		/* 408 struct timeval */
	uint8_t status[4];		/* 424 uint32: flags, PD_KDUMP_INCOMPLETE... */
	uint8_t block_size[4];		/* 428 int32: bytes per block = page size */
	uint8_t sub_hdr_size[4];	/* 432 int32: sub-header size, in blocks */
	uint8_t bitmap_blocks[4];	/* 436 uint32: both bitmaps, in blocks */
	uint8_t max_mapnr[4];		/* 440 uint32: pfns (32-bit, see sub-header) */
	uint8_t total_ram_blocks[4];	/* 444 */
	uint8_t device_blocks[4];	/* 448 */
	uint8_t written_blocks[4];	/* 452 */
	uint8_t current_cpu[4];		/* 456 */
	uint8_t nr_cpus[4];		/* 460 int32 */
};

/* The kdump_sub_header fields this project reads (at block 1). */
struct pd_kdump_disk_sub_header {
	uint8_t phys_base[8];		/*   0 */
	uint8_t dump_level[4];		/*   8 int32: -d */
	uint8_t split[4];		/*  12 */
	uint8_t start_pfn[8];		/*  16 */
	uint8_t end_pfn[8];		/*  24 */
	uint8_t offset_vmcoreinfo[8];	/*  32 */
	uint8_t size_vmcoreinfo[8];	/*  40 */
	uint8_t offset_note[8];		/*  48 */
	uint8_t size_note[8];		/*  56 */
	uint8_t offset_eraseinfo[8];	/*  64 */
	uint8_t size_eraseinfo[8];	/*  72 */
	uint8_t start_pfn_64[8];	/*  80 */
	uint8_t end_pfn_64[8];		/*  88 */
	uint8_t max_mapnr_64[8];	/*  96 uint64: pfns */
};

/* struct page_desc: where one dumped page's data is, and how it is stored. */
struct pd_kdump_disk_desc {
	uint8_t offset[8];		/* 0 int64: file offset of the data */
	uint8_t size[4];		/* 8 uint32: bytes stored */
	uint8_t flags[4];		/* 12 uint32: PD_KDUMP_COMPRESSED_* */
	uint8_t page_flags[8];		/* 16 uint64 */
};

#define PD_KDUMP_HEADER_SIZE ((size_t)sizeof(struct pd_kdump_disk_header))	/* 464 */
#define PD_KDUMP_SUB_HEADER_SIZE ((size_t)sizeof(struct pd_kdump_disk_sub_header))	/* 104 */
#define PD_PAGE_DESC_SIZE ((size_t)sizeof(struct pd_kdump_disk_desc))	/* 24 */
#define PD_KDUMP_STATUS_OFFSET 424
#define PD_KDUMP_INCOMPLETE 0x8

#define PD_KDUMP_COMPRESSED_ZLIB 0x1
#define PD_KDUMP_COMPRESSED_LZO 0x2
#define PD_KDUMP_COMPRESSED_SNAPPY 0x4
#define PD_KDUMP_COMPRESSED_ZSTD 0x20

/* The decoded header and what follows from it. */
struct pd_kdump_layout {
	bool big_endian;
	uint32_t status;
	uint64_t block_size;
	uint64_t sub_hdr_size;		/* blocks */
	uint64_t bitmap_blocks;
	uint64_t max_mapnr;		/* 0 until the sub-header is decoded */
	int dump_level;
	uint64_t off_bitmap2, len_bitmap2;	/* bytes */
	uint64_t off_desc;		/* the first page descriptor */
};

struct pd_kdump_desc {
	uint64_t offset;
	uint32_t size, flags;
	uint64_t page_flags;
};

/* Decode the 464-byte header: -1 with a message when it is not a version-6
 * kdump-compressed header with a plausible layout. */
int pd_kdump_decode_header(const unsigned char *buf, size_t len, struct pd_kdump_layout *l,
			   struct pd_error *err);
/* Decode the sub-header (max_mapnr_64, dump_level) into @l: -1 when
 * max_mapnr is 0 or does not fit bitmap2. */
int pd_kdump_decode_sub_header(const unsigned char *buf, size_t len, struct pd_kdump_layout *l,
			       struct pd_error *err);
/* Decode one 24-byte descriptor (never fails on content; callers check it). */
void pd_kdump_decode_desc(const unsigned char *buf, const struct pd_kdump_layout *l,
			  struct pd_kdump_desc *d);

/* Read exactly @len bytes at @off; 0, or -1 on error or short read. */
typedef int (*pd_read_fn)(void *ctx, uint64_t off, void *buf, size_t len);
/* Header and sub-header of a file, through @rd. */
int pd_kdump_read_layout(pd_read_fn rd, void *ctx, struct pd_kdump_layout *l,
			 struct pd_error *err);

/* Decompress one stored page (@flags from its descriptor) into @out, which
 * must become exactly @page bytes: 0, or -1 with @err (unknown flags, a
 * stored page of another size, data that does not decompress to a page).
 * lib/kdump_decompress.c. */
int pd_kdump_page_decompress(uint32_t flags, const unsigned char *in, size_t in_len,
			     unsigned char *out, size_t page, struct pd_error *err);
/* Whether this build can decompress pages with @flags (false for unknown
 * flags, and for compressed pages in a build without decompressors). */
bool pd_kdump_can_decompress(uint32_t flags);

#endif

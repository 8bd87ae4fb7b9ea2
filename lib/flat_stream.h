/* SPDX-License-Identifier: GPL-2.0-or-later */
/* flat_stream.h — incremental parser of makedumpfile's flattened format (-F).
 *
 * The stream: a 4096-byte header that begins "makedumpfile" followed by type
 * and version as big-endian int64 (both 1), then records
 *     { int64 offset; int64 size; } (big-endian)  followed by size bytes,
 * which belong at that offset of the dump file, then an end marker whose
 * offset and size are both -1.  `makedumpfile -R` lays the records out;
 * so does our consumer, chunk by chunk.
 *
 * Contract:
 *  - Push any amount of bytes with pd_flat_feed(); record data reaches the
 *    callback in chunks (file offset, bytes), in stream order, never copied
 *    more than once and never buffered beyond a record header.
 *  - Malformed input (bad signature, type or version, a negative offset or
 *    size other than the end marker, offset + size overflowing, a record
 *    larger than PD_FLAT_MAX_RECORD, bytes after the end marker) fails with a
 *    message naming the stream position; the parser then stays failed.
 *  - pd_flat_finish() tells whether the stream ended exactly at the end
 *    marker; a stream cut short is an error (a truncated dump).
 */
#ifndef PD_FLAT_STREAM_H
#define PD_FLAT_STREAM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pd_error.h"

#define PD_FLAT_HEADER_SIZE 4096
#define PD_FLAT_MAX_RECORD ((int64_t)1 << 34)	/* 16 GiB: a bitmap of 64 TiB at 4 KiB pages is 2 GiB */
#define PD_FLAT_MAX_OFFSET ((int64_t)1 << 56)

/* Called for each chunk of record data: it belongs at @offset of the dump
 * file.  Non-zero return stops the parser (it reports that error). */
typedef int (*pd_flat_data_fn)(void *arg, uint64_t offset, const unsigned char *data,
			       size_t len);

struct pd_flat_parser {
	enum { PD_FLAT_HEADER, PD_FLAT_RECHEAD, PD_FLAT_DATA, PD_FLAT_END, PD_FLAT_FAILED } state;
	unsigned char head[PD_FLAT_HEADER_SIZE];
	size_t have;			/* bytes of head (or record header) so far */
	uint64_t rec_offset;		/* file offset of the next data byte */
	uint64_t rec_left;		/* data bytes left in the current record */
	uint64_t pos;			/* bytes of stream consumed */
	uint64_t records;
	pd_flat_data_fn fn;
	void *arg;
	struct pd_error error;
};

void pd_flat_init(struct pd_flat_parser *p, pd_flat_data_fn fn, void *arg);
/* Returns 0, or -1 when the stream is malformed or the callback failed. */
int pd_flat_feed(struct pd_flat_parser *p, const unsigned char *buf, size_t len);
/* Returns 0 when the end marker was seen, else -1 (truncated). */
int pd_flat_finish(struct pd_flat_parser *p);

#endif

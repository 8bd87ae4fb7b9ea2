/* SPDX-License-Identifier: GPL-2.0-or-later */
/* net_frame.h — the framed protocol between phypdump save and
 * phypdump receive (the remote end of an ssh target), and its parser.
 *
 * Why frames: the dump file is written at the offsets makedumpfile's
 * flattened stream names, and memory may be released only once the remote
 * host says the bytes are on its disk.  A plain byte stream can say
 * neither.
 *
 * Frame: type (1 byte), payload length (4 bytes, big-endian), payload.
 * Integers in payloads are big-endian.  Protocol 1:
 *
 *   save -> receive
 *     'O' open      u32 version, then "DIR\0TMPNAME": write DIR/TMPNAME
 *                   (DIR absolute, created 0700; TMPNAME one path component)
 *                   and rename it to DIR/vmcore at the end
 *     'D' data      u64 offset, then the bytes that belong there
 *     'S' sync      (empty): fdatasync the file, then answer 'A'
 *     'C' checksum  u64 offset, u64 length: answer 'K' with the CRC-32 of
 *                   those bytes as read back from the file
 *     'F' finish    (empty): write the header's own flag byte back,
 *                   fdatasync, rename, fsync the directory; answer 'E'
 *     'G' get       "PATH": send the file at PATH (absolute) back as 'D'
 *                   frames, then 'E' (a resumed save fetches its partial)
 *     'U' unlink    "PATH": after 'F', remove a partial file of an earlier
 *                   run (vmcore-incomplete* beside the finished dump),
 *                   whose pages the finished dump holds; answer 'E'
 *   receive -> save
 *     'R' ready     "PATH" of the file being written
 *     'A' durable   u64: every byte written before the sync is durable
 *                   (the file is as long as this)
 *     'K' crc       u64 offset, u64 length, u32 crc
 *     'E' end       "PATH" of the dump file, complete and durable
 *     'X' error     a message; the receiver stops
 *
 * Contract:
 *  - pd_net_feed() takes any amount of bytes and calls the callback once
 *    per whole frame.  An unknown type, a payload longer than
 *    PD_NET_MAX_PAYLOAD, or a payload of the wrong size for its type fails
 *    with a message naming the stream position; the parser then stays
 *    failed.  Nothing is allocated beyond the largest frame's payload.
 *  - pd_net_frame() encodes a frame header; payloads are the caller's.
 */
#ifndef PD_NET_FRAME_H
#define PD_NET_FRAME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pd_error.h"

#define PD_NET_VERSION 1
#define PD_NET_HEADER 5
#define PD_NET_MAX_DATA ((size_t)1 << 20)
#define PD_NET_MAX_PAYLOAD (PD_NET_MAX_DATA + 8)

struct pd_net_frame {
	unsigned char type;
	const unsigned char *payload;
	size_t len;
	/* decoded by type */
	uint64_t off, n;
	uint32_t crc, version;
	const unsigned char *data;	/* 'D': the bytes */
	size_t data_len;
};

/* Non-zero return stops the parser (the callback's error is its own). */
typedef int (*pd_net_frame_fn)(void *arg, const struct pd_net_frame *f);

struct pd_net_parser {
	unsigned char head[PD_NET_HEADER];
	size_t have;			/* bytes of head or payload so far */
	bool in_payload, failed;
	unsigned char type;
	size_t len;
	unsigned char *buf;		/* the payload; grows up to PD_NET_MAX_PAYLOAD */
	size_t cap;
	uint64_t pos;			/* bytes consumed */
	uint64_t frames;
	pd_net_frame_fn fn;
	void *arg;
	struct pd_error error;
};

/* Returns 0 (kept an int for callers that check). */
int pd_net_init(struct pd_net_parser *p, pd_net_frame_fn fn, void *arg);
void pd_net_free(struct pd_net_parser *p);
/* Returns 0, or -1 when the input is malformed or the callback failed. */
int pd_net_feed(struct pd_net_parser *p, const unsigned char *buf, size_t len);
/* Whether the input ended between frames. */
bool pd_net_idle(const struct pd_net_parser *p);

/* The 5-byte header of a frame of @type with @len bytes of payload. */
void pd_net_frame(unsigned char out[PD_NET_HEADER], unsigned char type, uint32_t len);
void pd_net_put64(unsigned char *p, uint64_t v);
void pd_net_put32(unsigned char *p, uint32_t v);

#endif

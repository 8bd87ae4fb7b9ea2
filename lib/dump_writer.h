/* SPDX-License-Identifier: GPL-2.0-or-later */
/* dump_writer.h — the dump file on disk, written piece by piece at the
 * offsets the collector's flattened stream names.
 *
 * Contract:
 *  - The directory is created 0700 (parents as needed, 0755); the file is
 *    created 0600 as "<name>-incomplete", O_EXCL: an existing dump is never
 *    overwritten.
 *  - While writing, the kdump header's incomplete flag
 *    (DUMP_DH_COMPRESSED_INCOMPLETE) is set on disk whatever the stream
 *    says, so that a capture killed at any moment leaves a file that says
 *    it is incomplete.  pd_dump_writer_finish() writes the stream's own
 *    header byte back, syncs, renames the file to "<name>" and syncs the
 *    directory: the result is byte for byte what `makedumpfile -R` makes.
 *  - pd_dump_writer_sync() is fdatasync: after it returns 0, everything
 *    written before is durable.
 *  - Every failure names the file and the errno (ENOSPC: the disk is full).
 */
#ifndef PD_DUMP_WRITER_H
#define PD_DUMP_WRITER_H

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>

#include "pd_error.h"

struct pd_dump_writer {
	int fd;
	char dir[PATH_MAX];
	char path[PATH_MAX];		/* <dir>/<name>-incomplete */
	char final_path[PATH_MAX];	/* <dir>/<name> */
	bool flag_byte_seen;
	unsigned char flag_byte;	/* the stream's own byte holding the flag */
	uint64_t bytes;			/* data bytes written */
	uint64_t unsynced;		/* since the last sync */
	uint64_t syncs;
	uint64_t size;			/* highest offset written */
};

int pd_dump_writer_mkdir(const char *dir, struct pd_error *err);
int pd_dump_writer_open(struct pd_dump_writer *w, const char *dir, const char *name,
			struct pd_error *err);
/* The same, writing to <dir>/<tmp> until finish renames it to <dir>/<name>
 * (a resumed capture writes beside the partial files it reads from). */
int pd_dump_writer_open_tmp(struct pd_dump_writer *w, const char *dir, const char *name,
			    const char *tmp, struct pd_error *err);
int pd_dump_writer_write(struct pd_dump_writer *w, uint64_t offset, const unsigned char *data,
			 size_t len, struct pd_error *err);
int pd_dump_writer_sync(struct pd_dump_writer *w, struct pd_error *err);
int pd_dump_writer_finish(struct pd_dump_writer *w, struct pd_error *err);
/* Undo a finish: the dump read back damaged.  The incomplete flag goes on
 * again (the bytes are then those the journal's checksums were made of),
 * the file gets its "-incomplete" name back and the directory is synced,
 * so that no later run takes it for a complete dump.  Returns 0, or -1
 * with @err (the file may then still have the final name). */
int pd_dump_writer_unfinish(struct pd_dump_writer *w, struct pd_error *err);
/* Leave the file as it is (incomplete flag set), synced; close it. */
void pd_dump_writer_abandon(struct pd_dump_writer *w);

#endif

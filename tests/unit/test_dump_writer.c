/* SPDX-License-Identifier: GPL-2.0-or-later */
/* dump writer: 0700 directory, 0600 file, no overwrite, incomplete flag
 * forced until finish, then the stream's own byte and the final name. */
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dump_writer.h"
#include "fileio.h"
#include "kdump_track.h"
#include "unit.h"

/* @path holds the 8196 bytes written, with the incomplete flag on (lzo). */
static void flagged_incomplete(const char *path)
{
	uint32_t on_disk;
	char *buf = NULL;
	size_t n = 0;

	CHECK(pd_read_file(path, 1 << 20, &buf, &n) == 0);
	if (!buf || n < PD_KDUMP_STATUS_OFFSET + 4)
		return;
	memcpy(&on_disk, buf + PD_KDUMP_STATUS_OFFSET, 4);
	CHECK_EQ_U64(on_disk, 0x2 | PD_KDUMP_INCOMPLETE);
	CHECK_EQ_U64(n, 8196);
	free(buf);
}

int main(void)
{
	char base[] = "/tmp/pdwriter.XXXXXX", dir[256], *buf;
	unsigned char head[464];
	struct pd_dump_writer w;
	struct pd_error err;
	struct stat sb;
	size_t n;
	uint32_t status = 0x2;	/* lzo */

	CHECK(mkdtemp(base) != NULL);
	snprintf(dir, sizeof(dir), "%s/a/b", base);
	memset(head, 'h', sizeof(head));
	memcpy(head + PD_KDUMP_STATUS_OFFSET, &status, 4);

	CHECK(pd_dump_writer_open(&w, dir, "vmcore", &err) == 0);
	CHECK(stat(dir, &sb) == 0 && (sb.st_mode & 0777) == 0700);
	CHECK(stat(w.path, &sb) == 0 && (sb.st_mode & 0777) == 0600);
	CHECK_STR_CONTAINS(w.path, "/vmcore-incomplete");
	/* The header arrives in two pieces split inside the status word. */
	CHECK(pd_dump_writer_write(&w, 0, head, 425, &err) == 0);
	CHECK(pd_dump_writer_write(&w, 425, head + 425, 464 - 425, &err) == 0);
	CHECK(pd_dump_writer_write(&w, 8192, (const unsigned char *)"data", 4, &err) == 0);
	CHECK(pd_dump_writer_sync(&w, &err) == 0);
	flagged_incomplete(w.path);
	CHECK(pd_dump_writer_finish(&w, &err) == 0);
	CHECK(access(w.path, F_OK) != 0);
	CHECK(pd_read_file(w.final_path, 1 << 20, &buf, &n) == 0);
	CHECK(memcmp(buf, head, 464) == 0);
	free(buf);
	/* Unfinished (it read back damaged): the -incomplete name and the flag
	 * come back, the bytes are those written while it was incomplete. */
	CHECK(pd_dump_writer_unfinish(&w, &err) == 0);
	CHECK(access(w.final_path, F_OK) != 0);
	flagged_incomplete(w.path);
	CHECK(pd_dump_writer_unfinish(&w, &err) == -1);	/* no final file any more */
	CHECK_STR_CONTAINS(err.msg, "cannot open");
	CHECK(rename(w.path, w.final_path) == 0);

	/* An existing dump is never overwritten. */
	CHECK(pd_dump_writer_open(&w, dir, "vmcore", &err) == -1);
	CHECK_STR_CONTAINS(err.msg, "already exists");
	/* Abandoned: the file keeps the flag and its -incomplete name. */
	CHECK(pd_dump_writer_open(&w, dir, "other", &err) == 0);
	CHECK(pd_dump_writer_write(&w, 0, head, 464, &err) == 0);
	pd_dump_writer_abandon(&w);
	CHECK(pd_read_file(w.path, 1 << 20, &buf, &n) == 0);
	CHECK(buf[PD_KDUMP_STATUS_OFFSET] & PD_KDUMP_INCOMPLETE);
	free(buf);
	/* A full disk is reported as such. */
	{
		struct pd_dump_writer f;

		memset(&f, 0, sizeof(f));
		f.fd = open("/dev/full", O_WRONLY);
		snprintf(f.path, sizeof(f.path), "/dev/full");
		CHECK(pd_dump_writer_write(&f, 0, (const unsigned char *)"x", 1, &err) == -1);
		CHECK_STR_CONTAINS(err.msg, "the file system is full");
		close(f.fd);
	}
	/* A directory that cannot be made. */
	CHECK(pd_dump_writer_open(&w, "/proc/nonexistent/dir", "vmcore", &err) == -1);
	CHECK_STR_CONTAINS(err.msg, "cannot create directory /proc/nonexistent");
	{
		char cmd[300];

		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", base);
		CHECK(system(cmd) == 0);
	}
	return unit_report("dump_writer");
}

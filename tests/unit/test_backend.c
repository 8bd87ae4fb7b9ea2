/* SPDX-License-Identifier: GPL-2.0-or-later */
/* release back ends: what reaches the file, errors reported with errno. */
#include <fcntl.h>
#include <unistd.h>

#include "backend.h"
#include "fileio.h"
#include "unit.h"

int main(void)
{
	char dir[] = "/tmp/pdbackend.XXXXXX", path[256], *buf;
	struct pd_backend b;
	struct pd_error err;
	struct pd_rr rr;
	size_t n;
	FILE *log;
	const char *l = "CPU:0x1000-0x100: HPTE:0x1100-0x0: DUMP:0x2000-0x1000@0x0, 0x10000-0x4000:";

	CHECK(mkdtemp(dir) != NULL);
	CHECK(pd_rr_parse(l, strlen(l), &rr, &err) == 0);

	snprintf(path, sizeof(path), "%s/release_region", dir);
	CHECK(pd_backend_open_release_region(&b, path, &err) == -1);
	CHECK_STR_CONTAINS(err.msg, "cannot open");
	close(open(path, O_CREAT | O_WRONLY, 0600));
	CHECK(pd_backend_open_release_region(&b, path, &err) == 0);
	CHECK(b.incremental);
	CHECK(pd_backend_release(&b, 0x10000, 0x2000, &err) == 0);
	CHECK(pd_read_file(path, 4096, &buf, &n) == 0);
	CHECK(buf && strcmp(buf, "0x10000 0x2000\n") == 0);	/* one write, at offset 0 */
	free(buf);
	CHECK_EQ_U64(b.writes, 1);
	pd_backend_close(&b);

	/* A refused write is reported with the range and errno. */
	CHECK(pd_backend_open_release_region(&b, "/dev/full", &err) == 0);
	CHECK(pd_backend_release(&b, 0x10000, 0x2000, &err) == -1);
	CHECK_STR_CONTAINS(err.msg, "refused to release 0x10000+0x2000");
	CHECK_STR_CONTAINS(err.msg, "No space left");
	pd_backend_close(&b);

	/* release_mem: no ranges; release_all writes "1". */
	snprintf(path, sizeof(path), "%s/release_mem", dir);
	close(open(path, O_CREAT | O_WRONLY, 0600));
	CHECK(pd_backend_open_release_mem(&b, path, &err) == 0);
	CHECK(!b.incremental);
	CHECK(pd_backend_release(&b, 0x10000, 0x2000, &err) == -1);
	CHECK_STR_CONTAINS(err.msg, "everything at once");
	CHECK(pd_backend_release_all(&b, &rr, &err) == 0);
	CHECK(pd_read_file(path, 4096, &buf, &n) == 0);
	CHECK(buf && strcmp(buf, "1\n") == 0);
	free(buf);
	pd_backend_close(&b);
	unlink(path);
	CHECK(pd_backend_open_release_mem(&b, path, &err) == -1);

	/* Dry run: logs every area of release_all, releases nothing. */
	log = tmpfile();
	pd_backend_open_dry_run(&b, log);
	CHECK(pd_backend_release_all(&b, &rr, &err) == 0);
	CHECK_EQ_U64(b.writes, 3);	/* CPU, copy, in place; HPTE is empty */
	CHECK_EQ_U64(b.bytes, 0x100 + 0x1000 + 0x4000);
	rewind(log);
	{
		char text[512];
		size_t k = fread(text, 1, sizeof(text) - 1, log);

		text[k] = 0;
		CHECK_STR_CONTAINS(text, "would release 0x1000 0x100\n");
		CHECK_STR_CONTAINS(text, "would release 0x2000 0x1000\n");
		CHECK_STR_CONTAINS(text, "would release 0x10000 0x4000\n");
	}
	fclose(log);
	CHECK(strcmp(pd_backend_name(&b), "dry-run") == 0);
	pd_rr_free(&rr);
	snprintf(path, sizeof(path), "%s/release_region", dir);
	unlink(path);
	rmdir(dir);
	return unit_report("backend");
}

/* SPDX-License-Identifier: GPL-2.0-or-later */
/* journal: create, append, reload, torn tail, damage, bounds, stale ids. */
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fileio.h"
#include "crc32.h"
#include "journal.h"
#include "unit.h"

static const char line[] =
	"CPU:0x14000000-0x510: HPTE:0x14000510-0x0: "
	"DUMP:0x14001000-0x14000000@0x0, 0x280011b0-0x57ffee50:\n";

static char *slurp(const char *path, size_t *n)
{
	char *b = NULL;

	if (pd_read_file(path, 1 << 20, &b, n))
		return NULL;
	return b;
}

static void spit(const char *path, const char *buf, size_t n)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);

	if (fd >= 0) {
		CHECK(pd_write_all(fd, buf, n) == 0);
		close(fd);
	}
}

int main(void)
{
	char dir[] = "/tmp/pdjournal.XXXXXX", path[256], *buf, *copy;
	struct pd_journal_state st;
	struct pd_journal *j;
	struct pd_error err;
	struct pd_rr rr;
	struct stat sb;
	size_t n;

	CHECK(mkdtemp(dir) != NULL);
	snprintf(path, sizeof(path), "%s/sub/journal", dir);
	CHECK(pd_rr_parse(line, strlen(line), &rr, &err) == 0);

	CHECK(pd_journal_load(path, &st, &err) == 1);	/* none yet */
	j = pd_journal_create(path, "0123abcd-ef", 65536, &rr, &err);
	CHECK(j != NULL);
	CHECK(stat(path, &sb) == 0 && (sb.st_mode & 0777) == 0600);
	snprintf(path, sizeof(path), "%s/sub", dir);
	CHECK(stat(path, &sb) == 0 && (sb.st_mode & 0777) == 0700);
	snprintf(path, sizeof(path), "%s/sub/journal", dir);
	CHECK(pd_journal_create(path, "x", 65536, &rr, &err) == NULL);
	CHECK_STR_CONTAINS(err.msg, "already exists");
	CHECK(pd_journal_add_release(j, 0x14010000, 0x100000, &err) == 0);
	CHECK(pd_journal_add_release(j, 0x30000000, 0x10000000, &err) == 0);
	CHECK(pd_journal_sync(j, &err) == 0);
	pd_journal_close(j);

	CHECK(pd_journal_load(path, &st, &err) == 0);
	CHECK(strcmp(st.boot_id, "0123abcd-ef") == 0);
	CHECK_EQ_U64(st.page_size, 65536);
	CHECK_EQ_U64(st.releases, 2);
	CHECK_EQ_U64(pd_rangeset_total(&st.released), 0x100000 + 0x10000000);
	CHECK(pd_rangeset_covers(&st.released, 0x30000000, 0x40000000));
	CHECK(!st.final && !st.torn_tail);
	CHECK_EQ_U64(st.layout.ndump, 2);
	CHECK_EQ_U64(st.layout.dump[0].src, 0);

	/* Append, then a torn record at the end is dropped, then repaired. */
	j = pd_journal_append(path, &st, &err);
	CHECK(j != NULL);
	CHECK(pd_journal_add_release(j, 0x40000000, 0x10000, &err) == 0);
	CHECK(pd_journal_sync(j, &err) == 0);
	pd_journal_close(j);
	pd_journal_state_free(&st);
	buf = slurp(path, &n);
	CHECK(buf != NULL);
	/* A process ended at any moment of an append (kill -9, the stall
	 * watchdog's exit) leaves its last record cut at any byte: each cut is
	 * a torn tail, dropped, and the records before it stand. */
	{
		size_t last = n - 1, k, torn = 0;

		while (last && buf[last - 1] != '\n')
			last--;
		for (k = last + 1; k < n; k++) {
			struct pd_journal_state cut;

			pd_journal_state_init(&cut);
			if (pd_journal_parse(buf, k, &cut, &err) == 0 && cut.torn_tail &&
			    cut.releases == 2 && cut.good_len == last)
				torn++;
			pd_journal_state_free(&cut);
		}
		CHECK_EQ_U64(torn, n - last - 1);
	}
	copy = malloc(n + 40);
	memcpy(copy, buf, n);
	memcpy(copy + n, "release 0x50000000 0x1", 22);	/* torn: no CRC, no newline */
	spit(path, copy, n + 22);
	CHECK(pd_journal_load(path, &st, &err) == 0);
	CHECK(st.torn_tail);
	CHECK_EQ_U64(st.releases, 3);
	CHECK_EQ_U64(st.good_len, n);
	j = pd_journal_append(path, &st, &err);
	CHECK(j != NULL);
	CHECK(pd_journal_add_final(j, "release_mem", &err) == 0);
	pd_journal_close(j);
	pd_journal_state_free(&st);
	CHECK(pd_journal_load(path, &st, &err) == 0);
	CHECK(!st.torn_tail && st.final);
	CHECK(strcmp(st.final_how, "release_mem") == 0);
	pd_journal_state_free(&st);

	/* A damaged record in the middle: the journal cannot be trusted. */
	memcpy(copy, buf, n);
	{
		char *rec = strstr(copy, "release 0x30000000");

		CHECK(rec != NULL);
		if (rec)
			rec[10] = '4';	/* 0x30000000 -> 0x40000000, CRC now wrong */
	}
	spit(path, copy, n);
	CHECK(pd_journal_load(path, &st, &err) == -1);
	CHECK_STR_CONTAINS(err.msg, "line 4: damaged");

	/* A release outside the layout is rejected even with a good CRC. */
	{
		char body[] = "release 0x0 0x1000";
		char rec[64];
		size_t hn = (size_t)(strstr(buf, "release") - buf);

		snprintf(rec, sizeof(rec), "%s *%08x\n", body, pd_crc32(body, strlen(body)));
		memcpy(copy, buf, hn);
		memcpy(copy + hn, rec, strlen(rec));
		spit(path, copy, hn + strlen(rec));
		CHECK(pd_journal_load(path, &st, &err) == -1);
		CHECK_STR_CONTAINS(err.msg, "outside the dump's areas");
	}
	/* Garbage, empty, header only, wrong version. */
	spit(path, "hello\n", 6);
	CHECK(pd_journal_load(path, &st, &err) == -1);
	spit(path, "", 0);
	CHECK(pd_journal_load(path, &st, &err) == -1);
	CHECK_STR_CONTAINS(err.msg, "empty");
	{
		size_t l1 = (size_t)(strchr(buf, '\n') - buf) + 1;

		spit(path, buf, l1);
		CHECK(pd_journal_load(path, &st, &err) == -1);
		CHECK_STR_CONTAINS(err.msg, "missing layout");
	}
	{
		const char *b = "phypdump-journal 2 boot_id=aa page_size=4096";
		char rec[128];

		snprintf(rec, sizeof(rec), "%s *%08x\n", b, pd_crc32(b, strlen(b)));
		spit(path, rec, strlen(rec));
		CHECK(pd_journal_load(path, &st, &err) == -1);
		CHECK_STR_CONTAINS(err.msg, "version 1");
	}
	free(copy);
	free(buf);
	pd_rr_free(&rr);
	unlink(path);
	snprintf(path, sizeof(path), "%s/sub", dir);
	rmdir(path);
	rmdir(dir);
	return unit_report("journal");
}

/* SPDX-License-Identifier: GPL-2.0-or-later */
/* releaser: ledger -> map -> journal (synced first) -> back end. */
#include <fcntl.h>
#include <unistd.h>

#include "fileio.h"
#include "ledger.h"
#include "releaser.h"
#include "unit.h"

static const char line[] =
	"CPU:0x14000000-0x510: HPTE:0x14000510-0x0: "
	"DUMP:0x14001000-0x14000000@0x0, 0x280011b0-0x57ffee50:\n";

int main(void)
{
	char dir[] = "/tmp/pdreleaser.XXXXXX", jpath[256], rpath[256];
	struct pd_journal_state st;
	struct pd_journal *j;
	struct pd_backend b;
	struct pd_releaser r;
	struct pd_ledger l;
	struct pd_error err;
	struct pd_map m;
	struct pd_rr rr;
	FILE *log = tmpfile();

	CHECK(mkdtemp(dir) != NULL);
	snprintf(jpath, sizeof(jpath), "%s/journal", dir);
	CHECK(pd_rr_parse(line, strlen(line), &rr, &err) == 0);
	CHECK(pd_map_init(&m, &rr, 0x10000, &err) == 0);
	j = pd_journal_create(jpath, "b00t", 0x10000, &rr, &err);
	CHECK(j != NULL);
	pd_backend_open_dry_run(&b, log);
	pd_releaser_init(&r, &m, j, &b, NULL, 0x10000);
	/* min 16 pfns = 1 MiB */
	pd_ledger_init(&l, 16, pd_releaser_pfns, &r);

	/* pfns 0x3000..0x3100 are in place at 0x30000000. */
	CHECK(pd_ledger_excluded(&l, 0x3000, 0x3100) == 0);
	CHECK_EQ_U64(r.writes, 1);
	CHECK_EQ_U64(r.bytes_released, 0x1000000);
	/* The journal holds the record before the back end saw it. */
	pd_journal_state_init(&st);
	CHECK(pd_journal_load(jpath, &st, &err) == 0);
	CHECK(pd_rangeset_covers(&st.released, 0x30000000, 0x31000000));
	pd_journal_state_free(&st);
	/* Boot memory goes through the copy: pfn 0..0x20 -> 0x14010000.. */
	CHECK(pd_ledger_excluded(&l, 0, 0x20) == 0);
	CHECK_EQ_U64(r.writes, 2);
	CHECK_EQ_U64(r.bytes_released, 0x1000000 + 0x1f0000);
	CHECK(pd_releaser_range(&r, rr.cpu.addr, rr.cpu.len) == 0);
	CHECK_EQ_U64(r.writes, 3);
	pd_ledger_free(&l);
	pd_journal_close(j);

	/* Restart: ranges the journal lists are not issued again. */
	CHECK(pd_journal_load(jpath, &st, &err) == 0);
	CHECK_EQ_U64(st.releases, 3);
	j = pd_journal_append(jpath, &st, &err);
	pd_backend_open_dry_run(&b, log);
	pd_releaser_init(&r, &m, j, &b, &st.released, 0x10000);
	pd_ledger_init(&l, 1, pd_releaser_pfns, &r);
	CHECK(pd_ledger_excluded(&l, 0x3000, 0x3100) == 0);
	CHECK_EQ_U64(b.writes, 0);
	CHECK(pd_ledger_excluded(&l, 0x3100, 0x3110) == 0);
	CHECK_EQ_U64(b.writes, 1);
	pd_ledger_free(&l);
	pd_journal_close(j);
	pd_journal_state_free(&st);

	/* A refused release stops everything; the journal still has it, which
	 * is safe (a record of a release that did not happen keeps memory out
	 * of reach, never the reverse). */
	snprintf(rpath, sizeof(rpath), "/dev/full");
	CHECK(pd_journal_load(jpath, &st, &err) == 0);
	j = pd_journal_append(jpath, &st, &err);
	CHECK(pd_backend_open_release_region(&b, rpath, &err) == 0);
	pd_releaser_init(&r, &m, j, &b, &st.released, 0x10000);
	pd_ledger_init(&l, 1, pd_releaser_pfns, &r);
	CHECK(pd_ledger_excluded(&l, 0x4000, 0x4010) == -1);
	CHECK(r.failed);
	CHECK_STR_CONTAINS(r.error.msg, "refused to release 0x40000000+0x100000");
	CHECK(pd_ledger_excluded(&l, 0x5000, 0x5010) == -1);
	CHECK_EQ_U64(b.writes, 1);
	CHECK(pd_releaser_range(&r, 0x50000000, 0x10000) == -1);
	CHECK_EQ_U64(b.writes, 1);
	pd_backend_close(&b);
	pd_ledger_free(&l);
	pd_journal_close(j);
	pd_journal_state_free(&st);

	/* A journal that cannot be written: nothing reaches the back end. */
	{
		struct pd_journal_state st2;
		char full[256];

		CHECK(pd_journal_load(jpath, &st2, &err) == 0);
		snprintf(full, sizeof(full), "%s/full", dir);
		CHECK(symlink("/dev/full", full) == 0);
		j = pd_journal_append(full, &st2, &err);
		CHECK(j != NULL);
		pd_backend_open_dry_run(&b, log);
		pd_releaser_init(&r, &m, j, &b, NULL, 0x10000);
		CHECK(pd_releaser_range(&r, 0x60000000, 0x10000) == -1);
		CHECK_EQ_U64(b.writes, 0);
		CHECK_STR_CONTAINS(r.error.msg, "journal");
		pd_journal_close(j);
		pd_journal_state_free(&st2);
		unlink(full);
	}
	/* Batch mode: nothing is journaled or issued before commit; then all. */
	{
		char bpath[256];
		struct pd_journal_state st3;

		snprintf(bpath, sizeof(bpath), "%s/batch-journal", dir);
		j = pd_journal_create(bpath, "b00t", 0x10000, &rr, &err);
		CHECK(j != NULL);
		pd_backend_open_dry_run(&b, log);
		pd_releaser_init(&r, &m, j, &b, NULL, 0x10000);
		pd_releaser_set_batch(&r, true);
		pd_ledger_init(&l, 16, pd_releaser_pfns, &r);
		CHECK(pd_ledger_excluded(&l, 0x3000, 0x3100) == 0);
		CHECK(pd_ledger_excluded(&l, 0x5000, 0x5100) == 0);
		CHECK(pd_releaser_range(&r, rr.cpu.addr, rr.cpu.len) == 0);
		CHECK_EQ_U64(b.writes, 0);
		CHECK(pd_journal_load(bpath, &st3, &err) == 0);
		CHECK_EQ_U64(st3.releases, 0);
		pd_journal_state_free(&st3);
		CHECK(pd_releaser_commit(&r) == 0);
		CHECK_EQ_U64(b.writes, 3);
		CHECK(pd_journal_load(bpath, &st3, &err) == 0);
		CHECK_EQ_U64(st3.releases, 3);
		pd_journal_state_free(&st3);
		CHECK(pd_releaser_commit(&r) == 0);	/* nothing pending */
		CHECK_EQ_U64(b.writes, 3);
		pd_ledger_free(&l);
		pd_releaser_free(&r);
		pd_journal_close(j);
		unlink(bpath);
	}
	fclose(log);
	pd_map_free(&m);
	pd_rr_free(&rr);
	unlink(jpath);
	rmdir(dir);
	return unit_report("releaser");
}

/* SPDX-License-Identifier: GPL-2.0-or-later */
/* capture: the engine's refusals and their kinds (what the exit codes are
 * made of), the lock, the layout check against the vmcore's PT_LOADs, the
 * journal's resume rule and its refused records. */
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "capture.h"
#include "crc32.h"
#include "fileio.h"
#include "journal.h"
#include "fakeroot.h"
#include "elf_synth.h"
#include "unit.h"

#define PG 4096ull

/* Boot memory (16 MiB) copied to 0x20000000; 16..256 MiB in place. */
static const char layout[] =
	"CPU:0x30000000-0x1000: HPTE:0x30001000-0x0: "
	"DUMP:0x20000000-0x1000000@0x0, 0x1000000-0xf000000:\n";
static const char boot_id[] = "0f5e2d1c-aaaa-4bbb-8ccc-123456789abc";

static char root[64];

static void put(const char *rel, const char *content)
{
	fakeroot_put(root, rel, content);
}

static void path_of(char *out, size_t size, const char *rel)
{
	snprintf(out, size, "%s/%s", root, rel);
}


/* An ELF64 x86_64 core with one PT_LOAD of @memsz bytes at paddr 0 (the
 * data sparse, after the headers). */
static void make_vmcore(uint64_t memsz)
{
	unsigned char h[64 + 56];
	char path[300];
	int fd;

	memset(h, 0, sizeof(h));
	elf_core_header(h, 1);
	le32(h + 64, 1);	/* PT_LOAD */
	le64(h + 64 + 8, PG);	/* p_offset */
	le64(h + 64 + 16, 0xffffffff80000000ull);
	le64(h + 64 + 24, 0);	/* p_paddr */
	le64(h + 64 + 32, memsz);
	le64(h + 64 + 40, memsz);
	path_of(path, sizeof(path), "proc/vmcore");
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	CHECK(fd >= 0 && pd_write_all(fd, h, sizeof(h)) == 0 && ftruncate(fd, (off_t)(PG + memsz)) == 0);
	close(fd);
}

static void fresh_root(void)
{
	char cmd[200];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'/*", root);
	CHECK(system(cmd) == 0);
	put("proc/device-tree/rtas/ibm,kernel-dump", "x");
	put("proc/device-tree/rtas/ibm,configure-kernel-dump", "\0\0\0\x2a");
	put("sys/kernel/fadump/release_region", layout);
	put("sys/kernel/fadump/release_mem", "");
	put("proc/sys/kernel/random/boot_id", "0f5e2d1c-aaaa-4bbb-8ccc-123456789abc\n");
	make_vmcore(0x10000000);
}

static void opts_init(struct pd_capture_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->root = root;
	o->sys_page_size = PG;
}

/* A journal of this boot, with @extra records after the layout. */
static void journal_with(const char *extra)
{
	char body[600], all[2000] = "", rec[700];
	const char *lines[8];
	char copy[800];
	size_t n = 0, i;
	char *tok, *save = NULL;

	snprintf(body, sizeof(body), "phypdump-journal 1 boot_id=%s page_size=4096", boot_id);
	lines[n++] = body;
	snprintf(copy, sizeof(copy), "layout %.*s%s", (int)(strlen(layout) - 1), layout,
		 extra ? "\n" : "");
	if (extra)
		strncat(copy, extra, sizeof(copy) - strlen(copy) - 1);
	for (tok = strtok_r(copy, "\n", &save); tok && n < 8; tok = strtok_r(NULL, "\n", &save))
		lines[n++] = tok;
	for (i = 0; i < n; i++) {
		snprintf(rec, sizeof(rec), "%s *%08x\n", lines[i], (unsigned)pd_crc32(lines[i], strlen(lines[i])));
		strncat(all, rec, sizeof(all) - strlen(all) - 1);
	}
	put("var/lib/phypdump/journal", all);
}

static void kinds(void)
{
	struct pd_capture_opts o;
	struct pd_capture c, c2;
	struct pd_error err;

	/* A normal boot: no dump. */
	fresh_root();
	{
		char p[300];

		path_of(p, sizeof(p), "proc/device-tree/rtas/ibm,kernel-dump");
		unlink(p);
	}
	opts_init(&o);
	memset(&err, 0, sizeof(err));
	CHECK(pd_capture_init(&c, &o, &err) == -1);
	CHECK(err.kind == PD_ERR_NO_DUMP);

	/* OPAL MPIPL: a dump phypdump cannot save, said so. */
	fresh_root();
	put("proc/device-tree/ibm,opal/dump/mpipl-boot", "");
	CHECK(pd_capture_init(&c, &o, &err) == -1);
	CHECK(err.kind == PD_ERR_UNSUPPORTED);
	CHECK_STR_CONTAINS(err.msg, "OPAL");

	/* The lock: a second capture of the same dump is BUSY until the first
	 * one is gone. */
	fresh_root();
	CHECK(pd_capture_init(&c, &o, &err) == 0);
	CHECK(c.mode == PD_CAPTURE_INCREMENTAL);
	CHECK(pd_capture_init(&c2, &o, &err) == -1);
	CHECK(err.kind == PD_ERR_BUSY);
	pd_capture_fini(&c);
	CHECK(pd_capture_init(&c2, &o, &err) == 0);
	pd_capture_fini(&c2);

	/* The layout must hold everything the vmcore describes: a PT_LOAD
	 * past the in-place area means memory is already gone. */
	fresh_root();
	make_vmcore(0x10000000 + 0x200000);
	CHECK(pd_capture_init(&c, &o, &err) == -1);
	CHECK(err.kind == PD_ERR_REFUSED);
	CHECK_STR_CONTAINS(err.msg, "not held by the dump's areas");
	/* ...unless a journal of this boot gives the layout (it knows). */
	journal_with(NULL);
	CHECK(pd_capture_init(&c, &o, &err) == 0);
	pd_capture_fini(&c);

	/* In production, releasing while reading another file is refused. */
	opts_init(&o);
	o.root = "/";
	o.vmcore = "/dev/null";
	{
		char j[300];

		path_of(j, sizeof(j), "elsewhere/journal");
		o.journal = j;
		if (access("/proc/vmcore", F_OK) != 0) {
			CHECK(pd_capture_init(&c, &o, &err) == -1);
			CHECK(err.kind == PD_ERR_USAGE || err.kind == PD_ERR_REFUSED);
		}
	}
}

static void resume_rule(void)
{
	struct pd_capture_opts o;
	struct pd_capture c;
	struct pd_error err;

	/* Memory released by an earlier capture: the front end must resume. */
	fresh_root();
	journal_with("target /var/crash/x/vmcore-incomplete\nrelease 0x1000000 0x100000");
	opts_init(&o);
	CHECK(pd_capture_init(&c, &o, &err) == -1);
	CHECK(err.kind == PD_ERR_REFUSED);
	CHECK_STR_CONTAINS(err.msg, "resumes it");
	o.can_resume = true;
	CHECK(pd_capture_init(&c, &o, &err) == 0);
	CHECK(c.resume);
	pd_capture_fini(&c);

	/* A release the kernel refused freed nothing: no resume needed. */
	fresh_root();
	journal_with("release 0x1000000 0x100000\nrefused 0x1000000 0x100000");
	opts_init(&o);
	CHECK(pd_capture_init(&c, &o, &err) == 0);
	CHECK(!c.resume);
	CHECK_EQ_U64(pd_rangeset_total(&c.st.journal.released), 0);
	CHECK_EQ_U64(c.st.journal.refused, 1);
	pd_capture_fini(&c);

	/* The dump was finished: nothing left to save. */
	fresh_root();
	journal_with("release 0x1000000 0x100000\nfinal release_region");
	CHECK(pd_capture_init(&c, &o, &err) == -1);
	CHECK(err.kind == PD_ERR_NO_DUMP);

	/* saved records: by target, in order. */
	fresh_root();
	journal_with("target /a\nsaved 0x0 0x1d0 0x12345678\ntarget /b\nsaved 0x1000 0x10 0x1\n"
		     "collector makedumpfile -l -d 31");
	o.can_resume = true;
	CHECK(pd_capture_init(&c, &o, &err) == 0);
	CHECK_EQ_U64(c.st.journal.ntargets, 2);
	CHECK_EQ_U64(c.st.journal.targets[0].nsaved, 1);
	CHECK_EQ_U64(c.st.journal.targets[0].saved[0].crc, 0x12345678);
	CHECK_EQ_U64(c.st.journal.targets[1].saved[0].off, 0x1000);
	CHECK(!strcmp(c.st.journal.collector, "makedumpfile -l -d 31"));
	pd_capture_fini(&c);

	/* a saved record before any target is damage */
	fresh_root();
	journal_with("saved 0x0 0x10 0x1");
	CHECK(pd_capture_init(&c, &o, &err) == -1);
	CHECK_STR_CONTAINS(err.msg, "saved record before any target");
}

/* A remote output (ssh): no descriptor; durability and CRCs come from the
 * front end's callbacks, and a release waits for both. */
struct remote {
	int syncs, sums;
	bool fail_sum;
	uint64_t off, len;
};

static int r_sync(void *arg, struct pd_error *err)
{
	(void)err;
	((struct remote *)arg)->syncs++;
	return 0;
}

static int r_sum(void *arg, uint64_t off, uint64_t len, uint32_t *crc, struct pd_error *err)
{
	struct remote *r = arg;

	r->sums++;
	r->off = off;
	r->len = len;
	if (r->fail_sum)
		return pd_fail(err, "the remote host did not answer a checksum");
	*crc = 0xabcdef01;
	return 0;
}

static void remote_output(void)
{
	struct pd_capture_opts o;
	struct pd_capture c;
	struct pd_error err;
	struct remote r;
	char path[300], *j;
	size_t len;
	int pass;

	for (pass = 0; pass < 2; pass++) {
		fresh_root();
		memset(&r, 0, sizeof(r));
		r.fail_sum = pass == 1;
		opts_init(&o);
		o.sync = r_sync;
		o.sync_arg = &r;
		o.checksum = r_sum;
		o.checksum_arg = &r;
		CHECK(pd_capture_init(&c, &o, &err) == 0);
		CHECK(pd_capture_begin(&c, "ssh://root@dumphost/var/crash/x/vmcore-incomplete", -1,
				       "makedumpfile -l -d 31", &err) == 0);
		CHECK(pd_capture_set_page_size(&c, PG) == 0);
		CHECK(pd_capture_file_written(&c, 0, 0x2000) == 0);
		/* 16 MiB filtered out, in place (pfns 0x1000..0x2000) */
		CHECK(pd_capture_excluded(&c, 0x1000, 0x2000) == 0);
		CHECK(pd_capture_commit(&c) == (pass ? -1 : 0));
		CHECK_EQ_U64(r.syncs, 1);
		CHECK_EQ_U64(r.sums, 1);
		CHECK_EQ_U64(r.off, 0);
		CHECK_EQ_U64(r.len, 0x2000);
		CHECK(pd_capture_stopped(&c) == (pass == 1));
		if (pass)
			CHECK_STR_CONTAINS(c.error.msg, "did not answer a checksum");
		pd_capture_fini(&c);
		path_of(path, sizeof(path), "var/lib/phypdump/journal");
		CHECK(pd_read_file(path, 1 << 20, &j, &len) == 0);
		CHECK_STR_CONTAINS(j, "target ssh://root@dumphost/var/crash/x/vmcore-incomplete");
		if (pass) {
			/* no checksum, no release */
			CHECK(strstr(j, "\nsaved ") == NULL);
			CHECK(strstr(j, "\nrelease ") == NULL);
		} else {
			CHECK_STR_CONTAINS(j, "saved 0x0 0x2000 0xabcdef01");
			CHECK_STR_CONTAINS(j, "release 0x1000000 0x1000000");
		}
		free(j);
	}
}

/* When the output should be synced: the memory waiting on it decides (one
 * cycle), the output bytes and the interval bound it. */
static void sync_pacing(void)
{
	const uint64_t pages = PD_CAPTURE_DEFAULT_SYNC_MEMORY / PG;
	struct pd_capture_opts o;
	struct pd_capture c;
	struct pd_error err;
	char target[300];

	fresh_root();
	opts_init(&o);
	path_of(target, sizeof(target), "dump");
	CHECK(pd_capture_init(&c, &o, &err) == 0);
	CHECK(pd_capture_begin(&c, target, -1, "makedumpfile -l -d 31", &err) == 0);
	CHECK(pd_capture_set_page_size(&c, PG) == 0);
	pd_capture_set_cycles(&c, true);
	CHECK(!pd_capture_sync_due(&c, 0, 32 << 20, 0, 0.5));
	CHECK(pd_capture_written(&c, 0x1000, 0x1000 + pages - 1) == 0);
	CHECK(!pd_capture_sync_due(&c, 4096, 32 << 20, 0.1, 0.5));
	CHECK(pd_capture_written(&c, 0x1000 + pages - 1, 0x1000 + pages) == 0);
	CHECK(pd_capture_sync_due(&c, 4096, 32 << 20, 0.1, 0.5));
	/* Zero pages: nothing in the output, the memory alone makes it due. */
	CHECK(pd_capture_sync_due(&c, 0, 32 << 20, 0, 0.5));
	CHECK(pd_capture_durable(&c) == 0);
	CHECK(!pd_capture_sync_due(&c, 0, 32 << 20, 10.0, 0.5));
	/* Output bytes bound one sync; the interval bounds waiting. */
	CHECK(pd_capture_sync_due(&c, 32 << 20, 32 << 20, 0, 0.5));
	CHECK(!pd_capture_sync_due(&c, 1, 32 << 20, 0.4, 0.5));
	CHECK(pd_capture_sync_due(&c, 1, 32 << 20, 0.5, 0.5));
	CHECK(pd_capture_written(&c, 0x9000, 0x9001) == 0);
	CHECK(pd_capture_sync_due(&c, 0, 32 << 20, 0.5, 0.5));
	pd_capture_fini(&c);

	/* Several cycles: written pages wait for the end whatever is synced,
	 * so memory alone never makes a sync due. */
	fresh_root();
	CHECK(pd_capture_init(&c, &o, &err) == 0);
	CHECK(pd_capture_begin(&c, target, -1, "makedumpfile -l -d 31", &err) == 0);
	CHECK(pd_capture_set_page_size(&c, PG) == 0);
	pd_capture_set_cycles(&c, false);
	CHECK(pd_capture_written(&c, 0x1000, 0x1000 + 2 * pages) == 0);
	CHECK(!pd_capture_sync_due(&c, 0, 32 << 20, 10.0, 0.5));
	CHECK(pd_capture_sync_due(&c, 32 << 20, 32 << 20, 0, 0.5));
	pd_capture_fini(&c);
}

static char *journal_text(void)
{
	char path[300], *j = NULL;
	size_t len;

	path_of(path, sizeof(path), "var/lib/phypdump/journal");
	CHECK(pd_read_file(path, 1 << 20, &j, &len) == 0);
	return j ? j : strdup("");
}

/* Collect the worker's job, waiting for it (a test must not race it). */
static int wait_job(struct pd_capture *c)
{
	int i, rc = 0;

	for (i = 0; i < 2000 && c->async; i++) {
		struct pollfd p = { pd_capture_async_fd(c), POLLIN, 0 };

		if (poll(&p, 1, 5) > 0)
			return pd_capture_async_poll(c);
		rc = pd_capture_async_poll(c);
	}
	return rc;
}

/* The durability worker: what it releases, and when.  A written page goes
 * only after a job synced it and the front end collected that job; a
 * release relying on file bytes not yet saved waits for a sync; a sync that
 * fails stops the capture while the stream keeps coming, and nothing
 * written is ever released. */
static void worker(void)
{
	struct pd_capture_opts o;
	struct pd_capture c;
	struct pd_error err;
	char target[300], *j;
	unsigned char data[0x2000];
	int fd, pipefd[2];

	/* 1. in order: saved before the excluded release; written after the job */
	fresh_root();
	opts_init(&o);
	o.no_page_check = true;
	path_of(target, sizeof(target), "dump");
	fd = open(target, O_RDWR | O_CREAT | O_TRUNC, 0600);
	memset(data, 0x5a, sizeof(data));
	CHECK(fd >= 0 && pd_write_all(fd, data, sizeof(data)) == 0);
	CHECK(pd_capture_init(&c, &o, &err) == 0);
	CHECK(pd_capture_begin(&c, target, fd, "makedumpfile -l -d 31", &err) == 0);
	CHECK(pd_capture_async_start(&c, &err) == 0);
	CHECK(c.async != NULL);
	CHECK(pd_capture_set_page_size(&c, PG) == 0);
	pd_capture_set_cycles(&c, true);
	CHECK(pd_capture_file_written(&c, 0, sizeof(data)) == 0);
	CHECK(pd_capture_excluded(&c, 0x1000, 0x2000) == 0);
	CHECK(pd_capture_written(&c, 0x2000, 0x3000) == 0);
	/* the excluded release relies on unsaved bytes: the job syncs first */
	CHECK(pd_capture_async_kick(&c, false) == 1);
	/* events go on while the worker works */
	CHECK(pd_capture_written(&c, 0x3000, 0x3800) == 0);
	CHECK(wait_job(&c) == 0);
	j = journal_text();
	CHECK_STR_CONTAINS(j, "saved 0x0 0x2000 ");
	CHECK_STR_CONTAINS(j, "release 0x1000000 0x1000000");
	CHECK(strstr(j, "saved 0x0 0x2000 ") < strstr(j, "release 0x1000000 "));
	/* written during the job: neither it nor the job's pages are gone yet */
	CHECK(strstr(j, "release 0x2000000") == NULL);
	CHECK(strstr(j, "release 0x3000000") == NULL);
	free(j);
	/* the collected job made 0x2000.. durable: the next job releases it,
	 * and syncs 0x3000..0x3800 (due) without releasing it */
	CHECK(pd_capture_async_kick(&c, true) == 1);
	CHECK(wait_job(&c) == 0);
	j = journal_text();
	CHECK_STR_CONTAINS(j, "release 0x2000000 0x1000000");
	CHECK(strstr(j, "release 0x3000000") == NULL);
	free(j);
	CHECK(pd_capture_async_finish(&c) == 0);
	CHECK(c.async == NULL);
	CHECK(c.async_syncs == 2);
	pd_capture_fini(&c);
	close(fd);

	/* 2. the sync fails (a pipe cannot be fdatasync'ed) while the stream
	 * keeps coming: the capture stops, nothing written goes back */
	fresh_root();
	CHECK(pipe(pipefd) == 0);
	CHECK(pd_capture_init(&c, &o, &err) == 0);
	CHECK(pd_capture_begin(&c, target, pipefd[0], "makedumpfile -l -d 31", &err) == 0);
	CHECK(pd_capture_async_start(&c, &err) == 0);
	CHECK(pd_capture_set_page_size(&c, PG) == 0);
	pd_capture_set_cycles(&c, true);
	CHECK(pd_capture_written(&c, 0x2000, 0x3000) == 0);
	CHECK(pd_capture_async_kick(&c, true) == 1);
	CHECK(pd_capture_written(&c, 0x3000, 0x4000) == 0);
	CHECK(pd_capture_excluded(&c, 0x5000, 0x6000) == 0);
	CHECK(wait_job(&c) == -1);
	CHECK(pd_capture_stopped(&c));
	CHECK_STR_CONTAINS(c.error.msg, "syncing the dump file failed");
	/* later events do nothing; the end releases nothing */
	CHECK(pd_capture_written(&c, 0x4000, 0x5000) == 0);
	CHECK(pd_capture_async_kick(&c, true) == -1);
	CHECK(pd_capture_end(&c) == -1);
	j = journal_text();
	CHECK(strstr(j, "\nrelease ") == NULL);
	free(j);
	CHECK_EQ_U64(c.returned, 0);
	pd_capture_fini(&c);
	close(pipefd[0]);
	close(pipefd[1]);
}

int main(void)
{
	char cmd[128];

	snprintf(root, sizeof(root), "/tmp/pdcapture.XXXXXX");
	CHECK(mkdtemp(root) != NULL);
	kinds();
	resume_rule();
	remote_output();
	sync_pacing();
	worker();
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	CHECK(system(cmd) == 0);
	return unit_report("capture");
}

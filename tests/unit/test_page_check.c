/* SPDX-License-Identifier: GPL-2.0-or-later */
/* page_check and kdump_verify on synthetic dumps: a page whose copy equals
 * the vmcore passes; a flipped byte in the data, in the vmcore, in a
 * descriptor or in bitmap2 fails naming the pfn and the file offset; zero
 * pages, holes and the shared zero descriptor; the makedumpfile front end
 * (phyp_release) keeps the memory of a page whose copy differs.  The
 * verifier: a whole dump passes, truncation and damage name the offset. */
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <zlib.h>

#include "fileio.h"
#include "kdump_synth.h"
#include "kdump_verify.h"
#include "page_check.h"
#include "phyp_release.h"
#include "fakeroot.h"
#include "elf_synth.h"
#include "unit.h"

static char root[64];
static char dump_path[300], vmcore_path[300];


/* Pfns 0..63; dumpable: every pfn but 3, 10..19 and 40. */
static unsigned char dumpable[SYN_PFNS];
static struct syn_dump syn;
static unsigned char mem[SYN_PFNS * SYN_BS];	/* the crashed memory */

static const char vmcoreinfo[] = "OSRELEASE=6.1.0-test\nPAGESIZE=4096\n"
				 "SYMBOL(prb)=ffffffff81010000\nSYMBOL(printk_rb_static)=ffffffff81010100\n";

static void build(void)
{
	unsigned i, k = 0;

	for (i = 0; i < SYN_PFNS; i++)
		dumpable[i] = !(i == 3 || (i >= 10 && i < 20) || i == 40);
	syn_build(&syn, dumpable);
	memcpy(syn.head + 12 + 4 * 65, "x86_64", 6);
	/* VMCOREINFO right after the sub-header; phys_base puts the log's
	 * symbols (kernel text 0xffffffff81010000) at physical 0x30000. */
	le64(syn.sub + 0, (uint64_t)0x30000 - 0x1010000);
	le64(syn.sub + 32, SYN_BS + 512);
	le64(syn.sub + 40, sizeof(vmcoreinfo) - 1);
	for (i = 0; i < SYN_PFNS; i++) {
		memset(mem + (size_t)i * SYN_BS, 0x5a ^ (int)i, SYN_BS);
		if (!dumpable[i])
			continue;
		memcpy(syn.data + (size_t)k * SYN_BS, mem + (size_t)i * SYN_BS, SYN_BS);
		k++;
	}
}

static void write_dump(const char *path, const struct syn_dump *d)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);

	CHECK(fd >= 0);
	CHECK(pd_pwrite_all(fd, d->head, sizeof(d->head), 0) == 0);
	CHECK(pd_pwrite_all(fd, d->sub, sizeof(d->sub), SYN_BS) == 0);
	CHECK(pd_pwrite_all(fd, vmcoreinfo, sizeof(vmcoreinfo) - 1, SYN_BS + 512) == 0);
	CHECK(pd_pwrite_all(fd, d->bm1, sizeof(d->bm1), 2 * SYN_BS) == 0);
	CHECK(pd_pwrite_all(fd, d->bm2, sizeof(d->bm2), SYN_OFF_BM2) == 0);
	CHECK(pd_pwrite_all(fd, d->pd, 24ull * d->ndump, SYN_OFF_PD) == 0);
	CHECK(pd_pwrite_all(fd, d->data, (size_t)d->ndump * SYN_BS, d->off_data) == 0);
	close(fd);
}

/* An ELF64 x86_64 core: one PT_LOAD of @pages pages at paddr 0 holding mem. */
static void write_vmcore(const char *path, const unsigned char *m, unsigned pages)
{
	unsigned char h[64 + 56];
	int fd;

	memset(h, 0, sizeof(h));
	elf_core_header(h, 1);
	le32(h + 64, 1);
	le64(h + 64 + 8, SYN_BS);
	le64(h + 64 + 16, 0xffffffff80000000ull);
	le64(h + 64 + 24, 0);
	le64(h + 64 + 32, (uint64_t)pages * SYN_BS);
	le64(h + 64 + 40, (uint64_t)pages * SYN_BS);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	CHECK(fd >= 0);
	CHECK(pd_pwrite_all(fd, h, sizeof(h), 0) == 0);
	CHECK(pd_pwrite_all(fd, m, (size_t)pages * SYN_BS, SYN_BS) == 0);
	close(fd);
}

/* Check pfns [s, e) of the current files; 0 or -1 with @err. */
static int check_range(uint64_t s, uint64_t e, struct pd_error *err, uint64_t *checked)
{
	struct pd_page_check *pc = malloc(sizeof(*pc));
	int fd = open(dump_path, O_RDONLY), rc;

	CHECK(pc && fd >= 0);
	rc = pd_page_check_open(pc, fd, vmcore_path, err);
	if (!rc)
		rc = pd_page_check_pfns(pc, s, e, err);
	if (checked)
		*checked = pc->checked;
	pd_page_check_close(pc);
	free(pc);
	close(fd);
	return rc;
}

static void page_check(void)
{
	struct syn_dump d = syn;
	unsigned char m[SYN_PFNS * SYN_BS];
	struct pd_error err;
	uint64_t n = 0, desc_off;

	write_dump(dump_path, &syn);
	write_vmcore(vmcore_path, mem, SYN_PFNS);
	CHECK(check_range(0, 3, &err, &n) == 0);
	CHECK_EQ_U64(n, 3);
	CHECK(check_range(20, 40, &err, &n) == 0);
	CHECK_EQ_U64(n, 20);
	CHECK(check_range(41, 64, &err, NULL) == 0);
	/* Out of order works too. */
	CHECK(check_range(50, 52, &err, NULL) == 0);

	/* A pfn the file's bitmap2 does not list. */
	CHECK(check_range(3, 4, &err, NULL) == -1);
	CHECK_STR_CONTAINS(err.msg, "pfn 0x3 was reported written but the dump file's bitmap2 "
			   "(byte at file offset 0x3000)");
	CHECK(err.kind == PD_ERR_REFUSED);
	/* Past the dump's last pfn. */
	CHECK(check_range(64, 65, &err, NULL) == -1);
	CHECK_STR_CONTAINS(err.msg, "past the dump's last pfn");

	/* One byte of the vmcore differs from the copy: pfn 0x21 is the
	 * 0x21 - 11 = 22nd dumped page. */
	memcpy(m, mem, sizeof(m));
	m[0x21 * SYN_BS + 100] ^= 1;
	write_vmcore(vmcore_path, m, SYN_PFNS);
	CHECK(check_range(20, 40, &err, NULL) == -1);
	CHECK_STR_CONTAINS(err.msg, "pfn 0x21: its copy at file offset 0x");
	CHECK_STR_CONTAINS(err.msg, "differs from the vmcore at byte 0x64 of the page");
	CHECK(check_range(0, 3, &err, NULL) == 0);	/* the others still pass */
	write_vmcore(vmcore_path, mem, SYN_PFNS);

	/* One byte of the stored page flipped in the file. */
	d.data[(size_t)(0x21 - 11) * SYN_BS + 7] ^= 0x20;
	write_dump(dump_path, &d);
	CHECK(check_range(0x21, 0x22, &err, NULL) == -1);
	{
		char want[80];

		snprintf(want, sizeof(want), "its copy at file offset 0x%llx",
			 (unsigned long long)(syn.off_data + (uint64_t)(0x21 - 11) * SYN_BS));
		CHECK_STR_CONTAINS(err.msg, want);
	}
	d = syn;

	/* A descriptor that points past the file. */
	desc_off = SYN_OFF_PD + 24 * 4;	/* pfn 5: pfn 3 is not dumped */
	d.pd[24 * 4 + 6] = 0x7f;
	write_dump(dump_path, &d);
	CHECK(check_range(4, 10, &err, NULL) == -1);
	CHECK_STR_CONTAINS(err.msg, "pfn 0x5: its descriptor at file offset 0x");
	{
		char want[40];

		snprintf(want, sizeof(want), "0x%llx", (unsigned long long)desc_off);
		CHECK_STR_CONTAINS(err.msg, want);
	}
	CHECK_STR_CONTAINS(err.msg, "points outside the page data");
	d = syn;

	/* Unknown flags. */
	d.pd[24 * 2 + 12] = 0x40;
	write_dump(dump_path, &d);
	CHECK(check_range(0, 3, &err, NULL) == -1);
	CHECK_STR_CONTAINS(err.msg, "unknown flags 0x40");
	d = syn;

	/* A zlib page that decompresses to the page passes; one cut short
	 * fails as damaged. */
	{
		unsigned char c[SYN_BS * 2];
		uLongf cn = sizeof(c);
		uint32_t sz, fl = PD_KDUMP_COMPRESSED_ZLIB;

		CHECK(compress(c, &cn, mem + 2 * SYN_BS, SYN_BS) == Z_OK && cn < SYN_BS);
		memcpy(d.data + 2 * SYN_BS, c, cn);
		sz = (uint32_t)cn;
		memcpy(d.pd + 24 * 2 + 8, &sz, 4);
		memcpy(d.pd + 24 * 2 + 12, &fl, 4);
		write_dump(dump_path, &d);
		CHECK(check_range(0, 3, &err, NULL) == 0);
		sz = (uint32_t)cn - 2;
		memcpy(d.pd + 24 * 2 + 8, &sz, 4);
		write_dump(dump_path, &d);
		CHECK(check_range(0, 3, &err, NULL) == -1);
		CHECK_STR_CONTAINS(err.msg, "pfn 0x2: its copy at file offset");
		CHECK_STR_CONTAINS(err.msg, "is damaged: a zlib page does not decompress");
		d = syn;
	}

	/* Zero pages share one descriptor: it must decompress to the page,
	 * and the vmcore's page must be zeros. */
	memcpy(m, mem, sizeof(m));
	memset(m + 4 * SYN_BS, 0, 2 * SYN_BS);
	memset(d.data, 0, SYN_BS);		/* data block 0 is the zero page */
	memcpy(d.pd + 24 * 3, d.pd, 8);	/* pfn 4 and 5 -> block 0 */
	memcpy(d.pd + 24 * 4, d.pd, 8);
	memcpy(d.pd + 24 * 8, d.pd, 8);	/* pfn 9 -> block 0, behind pfn 6..8's */
	memset(m + 9 * SYN_BS, 0, SYN_BS);
	memset(m, 0, SYN_BS);			/* pfn 0 is zero too */
	write_dump(dump_path, &d);
	write_vmcore(vmcore_path, m, SYN_PFNS);
	CHECK(check_range(0, 3, &err, &n) == 0);
	CHECK_EQ_U64(n, 3);
	CHECK(check_range(4, 6, &err, &n) == 0);
	CHECK_EQ_U64(n, 2);
	CHECK(check_range(6, 10, &err, &n) == 0);	/* the zero page read behind the window */
	CHECK_EQ_U64(n, 4);
	CHECK(check_range(4, 10, &err, &n) == 0);
	m[9 * SYN_BS + 1] = 1;
	write_vmcore(vmcore_path, m, SYN_PFNS);
	CHECK(check_range(6, 10, &err, NULL) == -1);
	CHECK_STR_CONTAINS(err.msg, "pfn 0x9: its copy");
	CHECK_STR_CONTAINS(err.msg, "at byte 0x1 of the page");
	m[9 * SYN_BS + 1] = 0;
	m[5 * SYN_BS + 4095] = 1;
	write_vmcore(vmcore_path, m, SYN_PFNS);
	CHECK(check_range(4, 6, &err, NULL) == -1);
	CHECK_STR_CONTAINS(err.msg, "pfn 0x5: its copy");
	CHECK_STR_CONTAINS(err.msg, "at byte 0xfff");
	d = syn;

	/* A hole: bytes no PT_LOAD holds read as zeros, as makedumpfile
	 * reads them (the vmcore ends at pfn 62; pfns 62, 63 are zeros). */
	memcpy(m, mem, sizeof(m));
	memset(d.data + (size_t)(d.ndump - 2) * SYN_BS, 0, 2 * SYN_BS);
	write_dump(dump_path, &d);
	write_vmcore(vmcore_path, m, SYN_PFNS - 2);
	CHECK(check_range(41, 64, &err, NULL) == 0);
	write_vmcore(vmcore_path, mem, SYN_PFNS);
	CHECK(check_range(62, 64, &err, NULL) == -1);

	/* Several cycles: bitmap2 of a later cycle is a hole when the first
	 * cycle's pages are checked; the same checker must read it again. */
	{
		struct pd_page_check *pc = malloc(sizeof(*pc));
		int fd;

		d = syn;
		memset(d.bm2 + 4, 0, 4);	/* pfns 32..63 not written yet */
		write_dump(dump_path, &d);
		write_vmcore(vmcore_path, mem, SYN_PFNS);
		fd = open(dump_path, O_RDONLY);
		CHECK(pc && fd >= 0 && pd_page_check_open(pc, fd, vmcore_path, &err) == 0);
		CHECK(pd_page_check_pfns(pc, 0, 3, &err) == 0);
		CHECK(pd_page_check_pfns(pc, 20, 32, &err) == 0);
		write_dump(dump_path, &syn);	/* the next cycle's bitmap2 arrives */
		CHECK(pd_page_check_pfns(pc, 32, 40, &err) == 0);
		CHECK(pd_page_check_pfns(pc, 41, 64, &err) == 0);
		CHECK_EQ_U64(pc->checked, 3 + 12 + 8 + 23);
		pd_page_check_close(pc);
		free(pc);
		close(fd);
		d = syn;
	}

	/* A source that is not a vmcore. */
	fakeroot_put(root, "notelf", "hello");
	{
		struct pd_page_check *pc = malloc(sizeof(*pc));
		char p[300];

		snprintf(p, sizeof(p), "%s/notelf", root);
		CHECK(pd_page_check_open(pc, 0, p, &err) == -1);
		CHECK(err.kind == PD_ERR_REFUSED);
		CHECK_STR_CONTAINS(err.msg, "is not an ELF vmcore");
		free(pc);
	}
}

/* A verify of the dump as written by write_dump() with @d. */
static int verify(const struct syn_dump *d, struct pd_kdump_verify_result *r, struct pd_error *err)
{
	write_dump(dump_path, d);
	return pd_kdump_verify_file(dump_path, r, err);
}

static void verifier(void)
{
	struct pd_kdump_verify_result r;
	struct syn_dump d = syn;
	struct pd_error err;
	char want[64];

	CHECK(verify(&d, &r, &err) == 0);
	CHECK_EQ_U64(r.dumped_pfns, 52);
	CHECK_EQ_U64(r.present_pfns, 64);
	CHECK_EQ_U64(r.stored_pages, 52);
	CHECK(!strcmp(r.log_symbol, "prb"));
	CHECK_EQ_U64(r.log_paddr, 0x30000);
	CHECK(!strcmp(r.machine, "x86_64"));

	/* Truncated: the last page's data is cut. */
	{
		int fd;

		write_dump(dump_path, &d);
		fd = open(dump_path, O_WRONLY);
		CHECK(fd >= 0 && ftruncate(fd, (off_t)(d.off_data + 51ull * SYN_BS + 100)) == 0);
		close(fd);
		CHECK(pd_kdump_verify_file(dump_path, &r, &err) == -1);
		snprintf(want, sizeof(want), "file offset 0x%llx: the descriptor of pfn 0x3f",
			 (unsigned long long)(SYN_OFF_PD + 24 * 51));
		CHECK_STR_CONTAINS(err.msg, want);
		CHECK_EQ_U64(r.bad_offset, SYN_OFF_PD + 24 * 51);
		/* cut inside the bitmaps */
		fd = open(dump_path, O_WRONLY);
		CHECK(fd >= 0 && ftruncate(fd, SYN_OFF_BM2 + 5) == 0);
		close(fd);
		CHECK(pd_kdump_verify_file(dump_path, &r, &err) == -1);
		CHECK_STR_CONTAINS(err.msg, "past the end of the file");
		CHECK(err.kind == PD_ERR_REFUSED);
	}
	/* A descriptor's size flipped: more than a page. */
	d.pd[24 * 7 + 9] ^= 0x20;
	CHECK(verify(&d, &r, &err) == -1);
	snprintf(want, sizeof(want), "file offset 0x%llx: the descriptor of pfn 0x8 stores",
		 (unsigned long long)(SYN_OFF_PD + 24 * 7));
	CHECK_STR_CONTAINS(err.msg, want);
	d = syn;
	/* Two compressions at once. */
	d.pd[24 * 7 + 12] = 0x3;
	CHECK(verify(&d, &r, &err) == -1);
	CHECK_STR_CONTAINS(err.msg, "unknown flags 0x3");
	d = syn;
	/* A page that does not decompress: zlib flag on stored bytes. */
	d.pd[24 * 7 + 12] = 0x1;
	d.pd[24 * 7 + 9] = 0x8;	/* 0x800 bytes */
	CHECK(verify(&d, &r, &err) == -1);
	snprintf(want, sizeof(want), "file offset 0x%llx: pfn 0x8 (descriptor at 0x%llx)",
		 (unsigned long long)(d.off_data + 7ull * SYN_BS),
		 (unsigned long long)(SYN_OFF_PD + 24 * 7));
	CHECK_STR_CONTAINS(err.msg, want);
	CHECK_STR_CONTAINS(err.msg, "a zlib page does not decompress");
	d = syn;
	/* Incomplete. */
	d.head[424] = 0x8;
	CHECK(verify(&d, &r, &err) == -1);
	CHECK_STR_CONTAINS(err.msg, "file offset 0x1a8: the header marks the dump incomplete");
	d = syn;
	/* bitmap2 lists a pfn bitmap1 does not. */
	d.bm1[1] &= (unsigned char)~0x2;	/* pfn 9 */
	CHECK(verify(&d, &r, &err) == -1);
	CHECK_STR_CONTAINS(err.msg, "file offset 0x3001: bitmap2 lists pfn 0x9 that bitmap1 does not");
	d = syn;
	/* No VMCOREINFO. */
	memset(d.sub + 40, 0, 8);
	CHECK(verify(&d, &r, &err) == -1);
	CHECK_STR_CONTAINS(err.msg, "file offset 0x1028: there is no VMCOREINFO");
	d = syn;
	/* The log's page is not in the dump: prb at 0x13000, pfn 0x13,
	 * filtered out. */
	{
		le64(d.sub + 0, (uint64_t)0x13000 - 0x1010000);
		CHECK(verify(&d, &r, &err) == -1);
		CHECK_STR_CONTAINS(err.msg, "the page holding the kernel log's prb (pfn 0x13) is not in the dump");
		CHECK_STR_CONTAINS(err.msg, "file offset 0x3002");
	}
	d = syn;
}

/* makedumpfile --phyp-release: the engine opens the target read-only and
 * checks each written page at durable(); a damaged one keeps its memory. */
static void front_end(void)
{
	static const char layout[] =
		"CPU:0x30000000-0x1000: HPTE:0x30001000-0x0: "
		"DUMP:0x20000000-0x1000000@0x0, 0x1000000-0xf000000:\n";
	struct phyp_release_opts o;
	struct phyp_release_stats st;
	struct phyp_release *r;
	struct syn_dump d = syn;
	struct pd_error err;
	char j[300];
	int round;

	for (round = 0; round < 2; round++) {
		fakeroot_put(root, "proc/device-tree/rtas/ibm,kernel-dump", "x");
		fakeroot_put(root, "proc/device-tree/rtas/ibm,configure-kernel-dump", "\0\0\0\x2a");
		fakeroot_put(root, "proc/vmcore", "");
		fakeroot_put(root, "sys/kernel/fadump/release_region", layout);
		fakeroot_put(root, "sys/kernel/fadump/release_mem", "");
		fakeroot_put(root, "proc/sys/kernel/random/boot_id",
			     "0f5e2d1c-aaaa-4bbb-8ccc-123456789abc\n");
		snprintf(j, sizeof(j), "%s/var/lib/phypdump/journal", root);
		unlink(j);
		write_vmcore(vmcore_path, mem, SYN_PFNS);
		if (round == 1)
			d.data[(size_t)(0x30 - 12) * SYN_BS] ^= 1;	/* pfn 0x30 (3, 10..19, 40 are out) */
		write_dump(dump_path, &d);
		memset(&o, 0, sizeof(o));
		o.root = root;
		o.vmcore = vmcore_path;
		o.target = dump_path;
		o.dump_page_size = SYN_BS;
		o.sys_page_size = SYN_BS;
		o.min_release = SYN_BS;
		r = phyp_release_open(&o, &err);
		CHECK(r != NULL);
		if (!r)
			return;
		CHECK(phyp_release_scan_begin(r, 0, SYN_PFNS) == 0);
		CHECK(phyp_release_scan_end(r) == 0);
		CHECK(phyp_release_scans_done(r, false) == 0);
		CHECK(phyp_release_written(r, 20, 40) >= 0);
		CHECK(phyp_release_written(r, 41, 64) >= 0);
		if (round == 0) {
			CHECK(phyp_release_durable(r) == 0);
			phyp_release_stats(r, &st);
			CHECK(st.released_bytes >= 43 * SYN_BS);
			CHECK(!st.stopped);
		} else {
			CHECK(phyp_release_durable(r) == -1);
			CHECK_STR_CONTAINS(phyp_release_error(r), "pfn 0x30: its copy at file offset 0x");
			CHECK_STR_CONTAINS(phyp_release_error(r), "differs from the vmcore at byte 0x0");
			phyp_release_stats(r, &st);
			CHECK_EQ_U64(st.released_bytes, 0);
			CHECK(st.stopped);
			CHECK(phyp_release_finish(r, true) == -1);
		}
		phyp_release_close(r);
	}
}

int main(void)
{
	snprintf(root, sizeof(root), "/tmp/pd-page-check.XXXXXX");
	if (!mkdtemp(root))
		return 1;
	snprintf(dump_path, sizeof(dump_path), "%s/dump", root);
	snprintf(vmcore_path, sizeof(vmcore_path), "%s/vmcore", root);
	build();
	page_check();
	verifier();
	front_end();
	{
		char cmd[120];

		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
		CHECK(system(cmd) == 0);
	}
	return unit_report("page_check");
}

/* SPDX-License-Identifier: GPL-2.0-or-later */
/* rearm: the journal's re-arming records (and their malformed forms), the
 * copy of a vmcore's headers, the rearm file's states, the check of a
 * second dump against the first one's journal (layout, PT_LOADs, sample
 * CRCs), telling an earlier dump from this boot's, and the resume view of
 * the first dump served from its header copy and the second dump. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "crc32.h"
#include "dump_state.h"
#include "fileio.h"
#include "journal.h"
#include "rearm.h"
#include "resume_view.h"
#include "elf_synth.h"
#include "unit.h"

/* Crashed memory 0..0x4000 copied to 0x300000; 0x100000..0x110000 in place. */
static const char layout1[] =
	"CPU:0x200000-0x1000: HPTE:0x201000-0x0: DUMP:0x300000-0x4000@0x0, 0x100000-0x10000:\n";
#define VSIZE 0x16000u

static char dir[64];


static void phdr(unsigned char *p, uint32_t type, uint64_t off, uint64_t paddr, uint64_t filesz)
{
	le32(p, type);
	le64(p + 8, off);
	le64(p + 16, paddr);
	le64(p + 24, paddr);
	le64(p + 32, filesz);
	le64(p + 40, filesz);
}

/* An x86_64 core: a note (desc @tag), LOAD paddr 0 (0x4000 bytes at 0x1000),
 * 0x1000 bytes of padding at 0x5000 (outside every load), LOAD paddr
 * 0x100000 (0x10000 bytes at 0x6000, or @b_len).  Memory byte at paddr p is
 * (p >> 12) ^ @salt. */
static void make_vmcore(const char *path, unsigned char tag, unsigned char salt, uint64_t b_len,
			unsigned char *img)
{
	uint64_t p;
	int fd;

	memset(img, 0, VSIZE);
	elf_core_header(img, 3);
	phdr(img + 64, 4, 256, 0, 28);	/* PT_NOTE */
	phdr(img + 120, 1, 0x1000, 0, 0x4000);
	phdr(img + 176, 1, 0x6000, 0x100000, b_len);
	le32(img + 256, 5);	/* namesz */
	le32(img + 260, 8);	/* descsz */
	le32(img + 264, 1);	/* NT_PRSTATUS */
	memcpy(img + 268, "CORE", 5);
	memset(img + 276, tag, 8);
	for (p = 0; p < 0x4000; p++)
		img[0x1000 + p] = (unsigned char)((p >> 12) ^ salt);
	memset(img + 0x5000, 0xa5, 0x1000);
	for (p = 0; p < 0x10000; p++)
		img[0x6000 + p] = (unsigned char)(((0x100000 + p) >> 12) ^ salt);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	CHECK(fd >= 0 && pd_write_all(fd, img, VSIZE) == 0);
	close(fd);
}

static int parse(const char *text, struct pd_journal_state *st, struct pd_error *err)
{
	return pd_journal_parse(text, strlen(text), st, err);
}

/* A journal text: header, layout, then @body records, each with its CRC. */
static char *journal_text(const char *body)
{
	static char out[8192];
	char lines[8192], *line, *save = NULL;
	size_t n = 0;

	snprintf(lines, sizeof(lines), "phypdump-journal 1 boot_id=b1 page_size=4096\nlayout %.*s\n%s",
		 (int)strlen(layout1) - 1, layout1, body);
	for (line = strtok_r(lines, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
		n += (size_t)snprintf(out + n, sizeof(out) - n, "%s *%08x\n", line,
				      (unsigned)pd_crc32(line, strlen(line)));
	return out;
}

static void test_journal_records(void)
{
	struct pd_journal_state st;
	struct pd_error err;
	char *t, path[128];
	struct pd_journal *j;
	struct pd_rr rr;

	/* Written by the API, read back. */
	snprintf(path, sizeof(path), "%s/journal", dir);
	CHECK(pd_rr_parse(layout1, strlen(layout1), &rr, &err) == 0);
	j = pd_journal_create(path, "b1", 4096, &rr, &err);
	CHECK(j != NULL);
	CHECK(pd_journal_add_headers(j, VSIZE, 0x2000, 0xdeadbeef, "/d/vmcore-headers", &err) == 0);
	CHECK(pd_journal_add_release(j, 0x300000, 0x4000, &err) == 0);
	CHECK(pd_journal_add_sample(j, 0x108000, 0x1000, 0x1234, &err) == 0);
	CHECK(pd_journal_add_sample(j, 0x10f000, 0x1000, 0x5678, &err) == 0);
	CHECK(pd_journal_add_rearm(j, "b1", 2, &err) == 0);
	pd_journal_close(j);
	CHECK(pd_journal_load(path, &st, &err) == 0);
	CHECK(st.have_headers && st.rearmed && !st.finished);
	CHECK_EQ_U64(st.headers_vmcore_size, VSIZE);
	CHECK_EQ_U64(st.headers_len, 0x2000);
	CHECK_EQ_U64(st.headers_crc, 0xdeadbeef);
	CHECK(!strcmp(st.headers_path, "/d/vmcore-headers"));
	CHECK(!strcmp(st.rearm_boot_id, "b1"));
	CHECK_EQ_U64(st.nsamples, 2);
	CHECK_EQ_U64(st.samples[1].off, 0x10f000);
	CHECK_EQ_U64(st.samples[1].crc, 0x5678);
	pd_journal_state_free(&st);
	j = pd_journal_append(path, &st, &err);
	CHECK(j && pd_journal_add_finished(j, "from-next-dump", &err) == 0);
	pd_journal_close(j);
	CHECK(pd_journal_load(path, &st, &err) == 0);
	CHECK(st.finished && !strcmp(st.finished_how, "from-next-dump"));
	pd_journal_state_free(&st);
	pd_rr_free(&rr);

	/* Malformed input. */
	t = journal_text("rearm boot_id=b1 samples=0\n");
	CHECK(parse(t, &st, &err) == -1);
	CHECK_STR_CONTAINS(err.msg, "before any headers record");
	t = journal_text("headers 0x16000 0x2000 0x1 /h\nsample 0x108000 0x1000 0x2\nrearm boot_id=b1 samples=2\n");
	CHECK(parse(t, &st, &err) == -1);
	CHECK_STR_CONTAINS(err.msg, "counts 2 samples, 1 precede");
	t = journal_text("headers 0x16000 0x2000 0x1 /h\nsample 0x200000 0x1000 0x2\n");
	CHECK(parse(t, &st, &err) == -1);
	CHECK_STR_CONTAINS(err.msg, "outside the dump's memory");
	t = journal_text("headers 0x1000 0x2000 0x1 /h\n");	/* longer than the vmcore */
	CHECK(parse(t, &st, &err) == -1);
	CHECK_STR_CONTAINS(err.msg, "bad headers record");
	t = journal_text("headers 0x16000 0x2000 0x1\n");	/* no path */
	CHECK(parse(t, &st, &err) == -1);
	t = journal_text("headers 0x16000 0x2000 0x100000000 /h\n");	/* CRC > 32 bits */
	CHECK(parse(t, &st, &err) == -1);
	t = journal_text("sample 0x100000 0x200000 0x1\n");	/* too long */
	CHECK(parse(t, &st, &err) == -1);
	t = journal_text("sample 0x100000 0x1000 0x1 0x2\n");
	CHECK(parse(t, &st, &err) == -1);
	t = journal_text("sample 0x100000 0x1000\n");
	CHECK(parse(t, &st, &err) == -1);
	t = journal_text("sample 100000 0x1000 0x1\n");
	CHECK(parse(t, &st, &err) == -1);
	t = journal_text("headers 0x16000 0x2000 0x1 /h\nrearm boot_id= samples=0\n");
	CHECK(parse(t, &st, &err) == -1);
	t = journal_text("headers 0x16000 0x2000 0x1 /h\nrearm boot_id=b1 samples=x\n");
	CHECK(parse(t, &st, &err) == -1);
	t = journal_text("finished done\nrelease 0x100000 0x1000\n");
	CHECK(parse(t, &st, &err) == -1);
	CHECK_STR_CONTAINS(err.msg, "after the finished record");
	/* A record whose CRC does not match, before the last line: damaged. */
	t = journal_text("headers 0x16000 0x2000 0x1 /h\nsample 0x108000 0x1000 0x2\nrearm boot_id=b1 samples=1\n");
	{
		char *p = strstr(t, "sample 0x108000");

		CHECK(p != NULL);
		if (p)
			p[9] = '9';	/* 0x109000: the record's CRC no longer matches */
	}
	CHECK(parse(t, &st, &err) == -1);
	CHECK_STR_CONTAINS(err.msg, "damaged record");
	/* Two re-arms (a resumed save writes it again): both counted apart. */
	t = journal_text("headers 0x16000 0x2000 0x1 /h\nsample 0x108000 0x1000 0x2\nrearm boot_id=b1 samples=1\n"
			 "rearm boot_id=b1 samples=0\n");
	CHECK(parse(t, &st, &err) == 0);
	CHECK(st.rearmed && st.nsamples == 1);
	pd_journal_state_free(&st);
}

static void test_states(void)
{
	char path[128], detail[256];
	enum pd_rearm_state s;
	struct pd_error err;
	int fd;

	snprintf(path, sizeof(path), "%s/rearm", dir);
	CHECK(pd_rearm_read_state(path, &s, detail, sizeof(detail), &err) == 0 && s == PD_REARM_ABSENT);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	CHECK(pd_write_all(fd, "blocked 0x14001000-0x1000\n", 26) == 0);
	close(fd);
	CHECK(pd_rearm_read_state(path, &s, detail, sizeof(detail), &err) == 0 && s == PD_REARM_BLOCKED);
	CHECK(!strcmp(detail, "0x14001000-0x1000"));
	fd = open(path, O_WRONLY | O_TRUNC);
	CHECK(pd_write_all(fd, "ready\n", 6) == 0);
	close(fd);
	CHECK(pd_rearm_read_state(path, &s, NULL, 0, &err) == 0 && s == PD_REARM_READY);
	CHECK(pd_rearm_write(path, &err) == 0);
	fd = open(path, O_WRONLY | O_TRUNC);
	CHECK(pd_write_all(fd, "armed", 5) == 0);
	close(fd);
	CHECK(pd_rearm_read_state(path, &s, NULL, 0, &err) == 0 && s == PD_REARM_ARMED);
	fd = open(path, O_WRONLY | O_TRUNC);
	CHECK(pd_write_all(fd, "readyish\n", 9) == 0);
	close(fd);
	CHECK(pd_rearm_read_state(path, &s, NULL, 0, &err) == 0 && s == PD_REARM_UNKNOWN);
}

int main(void)
{
	static unsigned char v1[VSIZE], v2[VSIZE], view[VSIZE];
	char p1[128], p2[128], hp[128], why[256], jtext[4096];
	struct pd_journal_state js;
	struct pd_journal_saved *sm = NULL;
	struct pd_resume_view v;
	struct pd_rr rr1, rr2;
	struct pd_error err;
	uint64_t size, len;
	uint32_t crc;
	char *buf = NULL;
	size_t n = 0, blen, i;
	struct stat sb;

	snprintf(dir, sizeof(dir), "/tmp/pdrearm.XXXXXX");
	CHECK(mkdtemp(dir) != NULL);
	test_journal_records();
	test_states();

	snprintf(p1, sizeof(p1), "%s/vmcore1", dir);
	snprintf(p2, sizeof(p2), "%s/vmcore2", dir);
	snprintf(hp, sizeof(hp), "%s/vmcore-headers", dir);
	make_vmcore(p1, 0x11, 0x40, 0x10000, v1);

	/* The header copy: exactly the bytes outside the PT_LOADs, in order. */
	CHECK(pd_rearm_save_headers(p1, hp, &size, &len, &crc, &err) == 0);
	CHECK_EQ_U64(size, VSIZE);
	CHECK_EQ_U64(len, 0x2000);
	CHECK(stat(hp, &sb) == 0 && (sb.st_mode & 0777) == 0600);
	CHECK(pd_read_file(hp, 1 << 20, &buf, &blen) == 0 && blen == 0x2000);
	CHECK(buf && !memcmp(buf, v1, 0x1000) && !memcmp(buf + 0x1000, v1 + 0x5000, 0x1000));
	CHECK(buf && crc == pd_crc32(buf, blen));
	free(buf);
	{
		uint64_t s2, l2;
		uint32_t c2;

		CHECK(pd_rearm_save_headers(p1, NULL, &s2, &l2, &c2, &err) == 0 && c2 == crc && l2 == len);
	}

	/* Samples of what is held in place (the copy is skipped). */
	CHECK(pd_rr_parse(layout1, strlen(layout1), &rr1, &err) == 0);
	CHECK(pd_rearm_samples(p1, &rr1, &sm, &n, &err) == 0);
	CHECK(n >= 2 && n <= PD_REARM_SAMPLES_PER_RANGE);
	for (i = 0; i < n; i++) {
		CHECK(sm[i].off >= 0x100000 && sm[i].off + sm[i].len <= 0x110000);
		CHECK(sm[i].crc == pd_crc32(v1 + 0x6000 + (sm[i].off - 0x100000), sm[i].len));
	}

	/* Boot 1's journal: copy released, the lower half of the in-place range
	 * released, samples of the upper half, re-armed. */
	{
		char body[2048];
		size_t k = 0;

		k += (size_t)snprintf(body + k, sizeof(body) - k, "headers 0x%x 0x%llx 0x%08x %s\n", VSIZE,
				      (unsigned long long)len, (unsigned)crc, hp);
		k += (size_t)snprintf(body + k, sizeof(body) - k, "release 0x200000 0x1000\n");
		k += (size_t)snprintf(body + k, sizeof(body) - k, "release 0x300000 0x4000\n");
		k += (size_t)snprintf(body + k, sizeof(body) - k, "release 0x100000 0x8000\n");
		k += (size_t)snprintf(body + k, sizeof(body) - k, "sample 0x108000 0x1000 0x%08x\n",
				      (unsigned)pd_crc32(v1 + 0x6000 + 0x8000, 0x1000));
		k += (size_t)snprintf(body + k, sizeof(body) - k, "sample 0x10f000 0x1000 0x%08x\n",
				      (unsigned)pd_crc32(v1 + 0x6000 + 0xf000, 0x1000));
		k += (size_t)snprintf(body + k, sizeof(body) - k, "sample 0x100000 0x1000 0x1\n");	/* released later */
		snprintf(body + k, sizeof(body) - k, "rearm boot_id=b1 samples=3\n");
		snprintf(jtext, sizeof(jtext), "%s", journal_text(body));
	}
	CHECK(parse(jtext, &js, &err) == 0);
	{
		struct pd_rangeset held;

		pd_rangeset_init(&held);
		CHECK(pd_rearm_held(&js, &held) == 0);
		CHECK(held.n == 1 && held.iv[0].start == 0x108000 && held.iv[0].end == 0x110000);
		pd_rangeset_free(&held);
	}

	/* Released memory held again: another dump's line (dump_state's rule
	 * where boot ids cannot tell); the line after those releases: this one. */
	{
		static const char after[] =
			"CPU:0x200000-0x0: HPTE:0x201000-0x0: DUMP:0x300000-0x0@0x0, 0x108000-0x8000:\n";
		struct pd_rr now;
		uint64_t at = 0;

		CHECK(pd_dump_state_released_held(&js, &rr1, &at) == 1);
		CHECK_EQ_U64(at, 0x100000);
		CHECK(pd_rr_parse(after, strlen(after), &now, &err) == 0);
		CHECK(pd_dump_state_released_held(&js, &now, &at) == 0);
		pd_rr_free(&now);
	}
	/* Releases no rearm or final record follows may never have been issued
	 * (killed between the journal's sync and the write): they prove nothing. */
	{
		struct pd_journal_state unsure;
		uint64_t at = 0;

		CHECK(parse(journal_text("release 0x100000 0x8000\n"), &unsure, &err) == 0);
		CHECK(pd_rangeset_total(&unsure.released) == 0x8000);
		CHECK(pd_dump_state_released_held(&unsure, &rr1, &at) == 0);
		pd_journal_state_free(&unsure);
	}

	/* Dump 2: other notes, other memory, but the held half in place. */
	make_vmcore(p2, 0x22, 0x40, 0x10000, v2);
	{
		unsigned char tmp[VSIZE];

		make_vmcore(p2, 0x22, 0x99, 0x10000, tmp);
		memcpy(tmp + 0x6000 + 0x8000, v1 + 0x6000 + 0x8000, 0x8000);
		memcpy(v2, tmp, VSIZE);
		{
			int fd = open(p2, O_WRONLY | O_TRUNC);

			CHECK(fd >= 0 && pd_write_all(fd, v2, VSIZE) == 0);
			close(fd);
		}
	}
	CHECK(pd_rr_parse(layout1, strlen(layout1), &rr2, &err) == 0);
	CHECK(pd_rearm_check(&js, &rr2, p2, &err) == 0);
	CHECK(pd_rearm_is_earlier_dump(&js, "", NULL, p2, why, sizeof(why), &err) == 1);
	CHECK_STR_CONTAINS(why, "not the vmcore whose headers");
	CHECK(pd_rearm_is_earlier_dump(&js, "", NULL, p1, why, sizeof(why), &err) == 0);
	CHECK(pd_rearm_is_earlier_dump(&js, "b2", NULL, p1, why, sizeof(why), &err) == 1);
	CHECK_STR_CONTAINS(why, "boot b1");
	/* The CPU area, released by boot 1, held again: another dump. */
	CHECK(pd_rearm_is_earlier_dump(&js, "", &rr2, p1, why, sizeof(why), &err) == 1);
	CHECK_STR_CONTAINS(why, "0x100000");

	/* The view of dump 1: headers from the copy, held memory from dump 2;
	 * a released page that no partial file holds fails (never made up). */
	CHECK(pd_resume_view_init_rearm(&v, p2, &js, &err) == 0);
	CHECK_EQ_U64(v.vmcore_size, VSIZE);
	CHECK(pd_resume_view_read(&v, view, 0x1000, 0, &err) == 0 && !memcmp(view, v1, 0x1000));
	CHECK(pd_resume_view_read(&v, view, 0x1000, 0x5000, &err) == 0 && !memcmp(view, v1 + 0x5000, 0x1000));
	CHECK(pd_resume_view_read(&v, view, 0x8000, 0xe000, &err) == 0 &&
	      !memcmp(view, v1 + 0xe000, 0x8000));
	CHECK(pd_resume_view_read(&v, view, 0x10, 0x6000, &err) == -1);	/* released, no file */
	CHECK(pd_resume_view_read(&v, view, 0x10, 0x1000, &err) == -1);	/* the copy: released */
	CHECK_EQ_U64(v.bytes_from_dump2, 0x8000);
	pd_resume_view_fini(&v);

	/* Disagreements name the address. */
	v2[0x6000 + 0xf000 + 17] ^= 1;	/* a sampled held page */
	{
		int fd = open(p2, O_WRONLY | O_TRUNC);

		CHECK(fd >= 0 && pd_write_all(fd, v2, VSIZE) == 0);
		close(fd);
	}
	CHECK(pd_rearm_check(&js, &rr2, p2, &err) == -1 && err.kind == PD_ERR_REFUSED);
	CHECK_STR_CONTAINS(err.msg, "0x10f000 differs in the second dump");
	make_vmcore(p2, 0x22, 0x40, 0x9000, v2);	/* load ends inside the held range */
	CHECK(pd_rearm_check(&js, &rr2, p2, &err) == -1);
	CHECK_STR_CONTAINS(err.msg, "0x109000 is outside the second dump's PT_LOADs");
	pd_rr_free(&rr2);
	{
		static const char reloc[] =
			"CPU:0x200000-0x1000: HPTE:0x201000-0x0: DUMP:0x300000-0x10c000@0x0, 0x10c000-0x4000:\n";

		make_vmcore(p2, 0x22, 0x40, 0x10000, v2);
		CHECK(pd_rr_parse(reloc, strlen(reloc), &rr2, &err) == 0);
		CHECK(pd_rearm_check(&js, &rr2, p2, &err) == -1);
		CHECK_STR_CONTAINS(err.msg, "0x108000 is not held in place");
	}

	/* The header copy changed or gone: refused, named. */
	{
		int fd = open(hp, O_WRONLY);

		CHECK(fd >= 0 && pwrite(fd, "X", 1, 300) == 1);
		close(fd);
	}
	CHECK(pd_resume_view_init_rearm(&v, p2, &js, &err) == -1 && err.kind == PD_ERR_REFUSED);
	CHECK_STR_CONTAINS(err.msg, "does not match the journal");
	unlink(hp);
	CHECK(pd_resume_view_init_rearm(&v, p2, &js, &err) == -1);
	CHECK_STR_CONTAINS(err.msg, "it is gone");

	free(sm);
	pd_rr_free(&rr1);
	pd_rr_free(&rr2);
	pd_journal_state_free(&js);
	{
		char cmd[128];

		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
		CHECK(system(cmd) == 0);
	}
	return unit_report("rearm");
}

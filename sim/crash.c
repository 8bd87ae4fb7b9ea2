/* SPDX-License-Identifier: GPL-2.0-or-later */
/* crash: the second crash, its new vmcore; see crash.h. */
#include "crash.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fileio.h"
#include "vmcore_view.h"

#define CRASH_PAGE 4096u
#define CRASH_CHUNK (1u << 20)

/* the message into err, and -1 (every function here has err and errlen) */
#define FAIL(...) (snprintf(err, errlen, __VA_ARGS__), -1)

/* an area the re-armed registration lets the firmware overwrite still holds an
 * unreleased byte of the held dump */
static int unreleased_in(const struct reserve *r, const struct sim_area *a, const char *what,
			 char *err, size_t errlen)
{
	if (a->len == 0 || pd_rangeset_covers(&r->requested, a->addr, a->addr + a->len))
		return 0;
	return FAIL("the %s [0x%llx, 0x%llx) still holds unreleased bytes of the held "
		    "dump, and the firmware overwrites it at this crash: a re-arm rule was broken "
		    "(re-arming needs rearm to read ready); dump 2 not written", what,
		    (unsigned long long)a->addr, (unsigned long long)(a->addr + a->len));
}

int crash_held(const struct reserve *r, const struct layout *l, struct pd_rangeset *held,
	       char *err, size_t errlen)
{
	struct pd_rangeset over;
	size_t d, i;
	int rc = -1;

	pd_rangeset_clear(held);
	if (r->ended)
		return 0;
	if (unreleased_in(r, &r->cpu, "CPU state area", err, errlen) ||
	    unreleased_in(r, &r->hpte, "HPTE area", err, errlen))
		return -1;
	for (d = 0; d < r->ndump; d++)
		if (r->dump[d].relocated &&
		    unreleased_in(r, &r->dump[d], "boot-memory copy destination", err, errlen))
			return -1;
	pd_rangeset_init(&over);
	if (pd_rangeset_add(&over, r->cpu.addr, r->cpu.addr + r->cpu.len) ||
	    pd_rangeset_add(&over, r->hpte.addr, r->hpte.addr + r->hpte.len))
		goto nomem;
	for (d = 0; d < r->ndump; d++) {
		const struct sim_area *a = &r->dump[d];

		if (a->relocated) {
			if (pd_rangeset_add(&over, a->addr, a->addr + a->len))
				goto nomem;
			if (l->kind == LAYOUT_FADUMP &&
			    pd_rangeset_add(&over, a->addr + a->len, a->addr + a->len + FADUMP_HDR_SIZE))
				goto nomem;
			continue;
		}
		if (pd_rangeset_add(held, a->addr, a->addr + a->len))
			goto nomem;
	}
	for (i = 0; i < r->freed.n; i++)
		if (pd_rangeset_remove(held, r->freed.iv[i].start, r->freed.iv[i].end))
			goto nomem;
	for (i = 0; i < held->n; i++)
		if (pd_rangeset_intersects(&over, held->iv[i].start, held->iv[i].end)) {
			(void)FAIL("held memory [0x%llx, 0x%llx) lies in an area the firmware "
			     "overwrites at this crash: a re-arm rule was broken; dump 2 not written",
			     (unsigned long long)held->iv[i].start, (unsigned long long)held->iv[i].end);
			goto out;
		}
	rc = 0;
	goto out;
nomem:
	(void)FAIL("out of memory");
out:
	pd_rangeset_free(&over);
	if (rc)
		pd_rangeset_clear(held);
	return rc;
}

int crash_same_machine(const struct elfcore *base, const struct elfcore *held_ec,
		       char *err, size_t errlen)
{
	if (base->machine != held_ec->machine || base->big_endian != held_ec->big_endian)
		return FAIL("the crash base is not the same machine as the dump "
			    "(ELF machine %u %s endian, the dump's %u %s endian)", base->machine,
			    base->big_endian ? "big" : "little", held_ec->machine,
			    held_ec->big_endian ? "big" : "little");
	if (base->n_prstatus != held_ec->n_prstatus)
		return FAIL("the crash base has %u CPUs (NT_PRSTATUS notes), the dump "
			    "%u: the registration's CPU area would not fit; use a vmcore of the "
			    "same machine", base->n_prstatus, held_ec->n_prstatus);
	return 0;
}

/* The bytes of physical memory [pa, pa+len) of a vmcore; zero past p_filesz.
 * -1 when some byte lies in no PT_LOAD or the file cannot be read. */
static int read_phys(const struct elfcore *ec, int fd, uint64_t pa, uint8_t *buf, size_t len)
{
	size_t i;

	while (len) {
		const struct elfcore_load *ld = NULL;
		uint64_t n, infile;

		for (i = 0; i < ec->nloads; i++)
			if (ec->loads[i].paddr <= pa && pa - ec->loads[i].paddr < ec->loads[i].memsz) {
				ld = &ec->loads[i];
				break;
			}
		if (!ld)
			return -1;
		n = ld->paddr + ld->memsz - pa;
		if (n > len)
			n = len;
		infile = pa - ld->paddr < ld->filesz ? ld->filesz - (pa - ld->paddr) : 0;
		if (infile > n)
			infile = n;
		if (infile && pd_fd_read(&fd, ld->offset + (pa - ld->paddr), buf, (size_t)infile))
			return -1;
		memset(buf + infile, 0, (size_t)(n - infile));
		buf += n;
		pa += n;
		len -= (size_t)n;
	}
	return 0;
}

static int all_zero(const uint8_t *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (p[i])
			return 0;
	return 1;
}

/* Write buf (memory at physical pa, file offset off ≡ pa mod 4 KiB), skipping
 * the 4 KiB pages that are all zero (the file was extended with zeros). */
static int write_sparse(int fd, const uint8_t *buf, size_t len, uint64_t pa, uint64_t off)
{
	size_t pos = 0, run = 0;
	int in_run = 0;

	while (pos < len) {
		size_t seg = CRASH_PAGE - (size_t)((pa + pos) % CRASH_PAGE);

		if (seg > len - pos)
			seg = len - pos;
		if (all_zero(buf + pos, seg)) {
			if (in_run && pd_pwrite_all(fd, buf + run, pos - run, off + run))
				return -1;
			in_run = 0;
		} else if (!in_run) {
			run = pos;
			in_run = 1;
		}
		pos += seg;
	}
	if (in_run && pd_pwrite_all(fd, buf + run, len - run, off + run))
		return -1;
	return 0;
}

/* One PT_LOAD of the new vmcore: the base's bytes, the held ranges overlaid. */
static int write_load(int fd, const struct elfcore_load *ld, uint64_t file_off,
		      const struct elfcore *base, int base_fd, const struct elfcore *held_ec,
		      int held_fd, const struct pd_rangeset *held, uint8_t *buf,
		      char *err, size_t errlen)
{
	uint64_t pa = ld->paddr, end = ld->paddr + ld->memsz;

	while (pa < end) {
		uint64_t n = end - pa < CRASH_CHUNK ? end - pa : CRASH_CHUNK;
		size_t i;

		if (read_phys(base, base_fd, pa, buf, (size_t)n))
			return FAIL("cannot read the crash base at 0x%llx: %s",
				    (unsigned long long)pa, strerror(errno ? errno : EIO));
		for (i = pd_rangeset_lower(held, pa); i < held->n && held->iv[i].start < pa + n; i++) {
			uint64_t s = held->iv[i].start > pa ? held->iv[i].start : pa;
			uint64_t e = held->iv[i].end < pa + n ? held->iv[i].end : pa + n;

			if (read_phys(held_ec, held_fd, s, buf + (s - pa), (size_t)(e - s)))
				return FAIL("cannot read the held dump at 0x%llx",
					    (unsigned long long)s);
		}
		if (write_sparse(fd, buf, (size_t)n, pa, file_off + (pa - ld->paddr)))
			return FAIL("write: %s", strerror(errno));
		pa += n;
	}
	return 0;
}

/* every held byte must be memory of the base */
static int held_in_base(const struct elfcore *base, const struct pd_rangeset *held,
			char *err, size_t errlen)
{
	struct pd_rangeset mem;
	size_t i;
	int rc = 0;

	pd_rangeset_init(&mem);
	for (i = 0; i < base->nloads && rc == 0; i++)
		if (pd_rangeset_add(&mem, base->loads[i].paddr, base->loads[i].paddr + base->loads[i].memsz))
			rc = FAIL("out of memory");
	for (i = 0; i < held->n && rc == 0; i++)
		if (!pd_rangeset_covers(&mem, held->iv[i].start, held->iv[i].end))
			rc = FAIL("the crash base has no memory in [0x%llx, 0x%llx), "
				  "where the dump is still held: use a vmcore of the same machine",
				  (unsigned long long)held->iv[i].start,
				  (unsigned long long)held->iv[i].end);
	pd_rangeset_free(&mem);
	return rc;
}

int crash_write(const char *path, const struct elfcore *base, int base_fd,
		const struct elfcore *held_ec, int held_fd, const struct pd_rangeset *held,
		char *err, size_t errlen)
{
	struct layout fake;
	struct vmcore_view v;
	char tmp[4096];
	uint8_t *buf = NULL;
	size_t i;
	int fd = -1, rc = -1;
	char why[256];

	memset(&fake, 0, sizeof(fake));
	memset(&v, 0, sizeof(v));
	if (crash_same_machine(base, held_ec, err, errlen) || held_in_base(base, held, err, errlen))
		return -1;
	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.tmp.%ld", path, (long)getpid()) >= sizeof(tmp))
		return FAIL("%s: path too long", path);
	/* the header code of the /proc/vmcore image, on a layout of the base's
	 * loads as they are (4 KiB alignment, every byte in the file) */
	fake.page_size = CRASH_PAGE;
	fake.npieces = base->nloads;
	fake.pieces = calloc(base->nloads ? base->nloads : 1, sizeof(*fake.pieces));
	buf = malloc(CRASH_CHUNK);
	if (!fake.pieces || !buf) {
		(void)FAIL("out of memory");
		goto out;
	}
	for (i = 0; i < base->nloads; i++) {
		fake.pieces[i].paddr = base->loads[i].paddr;
		fake.pieces[i].memsz = base->loads[i].memsz;
		fake.pieces[i].filesz = base->loads[i].memsz;
		fake.pieces[i].vaddr = base->loads[i].vaddr;
		fake.pieces[i].flags = base->loads[i].flags;
	}
	if (vmcore_view_init(&v, -1, base, &fake, NULL, VIEW_EIO)) {
		(void)FAIL("cannot build the ELF headers (too many loads?)");
		goto out;
	}
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0) {
		(void)FAIL("cannot create %s: %s", tmp, strerror(errno));
		goto out;
	}
	if (ftruncate(fd, (off_t)v.size) || pd_pwrite_all(fd, v.hdr, v.hdr_len, 0) ||
	    (v.notes_len && pd_pwrite_all(fd, v.notes, v.notes_len, v.notes_off))) {
		(void)FAIL("cannot write %s: %s", tmp, strerror(errno));
		goto out;
	}
	for (i = 0; i < base->nloads; i++)
		if (write_load(fd, &base->loads[i], v.loads[i].file_off, base, base_fd, held_ec,
			       held_fd, held, buf, why, sizeof(why))) {
			(void)FAIL("%s: %s", tmp, why);
			goto out;
		}
	if (fsync(fd) || close(fd)) {
		fd = -1;
		(void)FAIL("cannot write %s: %s", tmp, strerror(errno));
		goto out;
	}
	fd = -1;
	if (rename(tmp, path)) {
		(void)FAIL("cannot rename %s to %s: %s", tmp, path, strerror(errno));
		goto out;
	}
	rc = 0;
out:
	if (fd >= 0)
		close(fd);
	if (rc)
		unlink(tmp);
	vmcore_view_free(&v);
	free(fake.pieces);
	free(buf);
	return rc;
}

int crash_parse_sysrq(const char *buf, size_t n)
{
	if (n == 2 && buf[1] != '\n')
		return -EINVAL;
	return (n == 1 || n == 2) && buf[0] == 'c' ? 'c' : -EINVAL;
}

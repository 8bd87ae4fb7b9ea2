/* SPDX-License-Identifier: GPL-2.0-or-later */
/* host.c — runs the makedumpfile series' own glue, phyp.c (taken from
 * makedumpfile-patches/ at test time), against the installed libphypdump,
 * in the order and with the arguments makedumpfile's hooks give it, and
 * writes a real kdump-compressed dump file as makedumpfile does for an
 * uncompressed dump (`makedumpfile -d LEVEL`, no -l/-c).
 *
 * Usage: mdf-host [--phyp-release[=RR]] [--phyp-journal=FILE] [-f]
 *                 [--cycles N] [--threads N] [--pause-after N] [--reread-at I]
 *                 [--timeline FILE] [--mode MODE]
 *                 REF VMCORE DUMPFILE
 *
 * REF is stock makedumpfile's uncompressed dump of the pristine vmcore.  It
 * gives what makedumpfile's scan decides and nothing else: the header and
 * bitmap bytes, so bitmap2 (what is excluded).  Every page written is read
 * from VMCORE (the simulator's /proc/vmcore) through phyp_read(), as
 * readmem() does, so in poison mode a page read after its release makes
 * DUMPFILE differ from REF: the test compares them with cmp.
 *
 * The call order is makedumpfile 1.7.9's with the series (create_dumpfile,
 * create_2nd_bitmap, write_kdump_pages_cyclic, writeout_dumpfile):
 * phyp_check_params, phyp_open (before initial()), phyp_initialized, the
 * first pass (phyp_scan_begin, the scan's reads, phyp_scan_end per cycle),
 * phyp_scans_done, then per cycle a rescan (several cycles only), each
 * page read then phyp_written once its descriptor and data are in the
 * write caches, phyp_sync at each cycle's end and at the end, then
 * phyp_close(TRUE) after the dump file is closed; phyp_close(FALSE) on any
 * failure.  A scan reads, as makedumpfile's reads kernel metadata, a few
 * dumpable pages of its own cycle and of the first cycle (so that, with
 * several cycles, pages of a written cycle stay pinned by later scans).
 * --threads N is makedumpfile's --num-threads N: N workers read each
 * cycle's pages ahead (phyp_read() in each worker, as read_pfn_parallel()
 * does), the main thread takes them in pfn order, reports each written
 * once it is in the write cache, and stops waiting when
 * phyp_read_refused() says a worker was refused.
 *
 * With --timeline (the simulator's), it prints how many releases the
 * simulator had seen before the first page was written and before
 * phyp_close(TRUE): "releases before the first write: N", "releases
 * before the end: N".  --pause-after N stops (for a SIGKILL) once N pages
 * are written, after printing "paused after N pages".  --reread-at I
 * makes the reader of each cycle's I-th page (a worker with --threads)
 * read the cycle's first page instead, once more: a bug the library must
 * refuse once that page went back (the dump then fails, with no wait).
 * --mode sets the flag of a makedumpfile option that --phyp-release
 * refuses: elf (-E), split (--split), flatten (-F), dry-run, dmesg
 * (--dump-dmesg), mem-usage, refiltering (a dump file as input), sadump.
 * Exit 0 when the dump is complete, 1 otherwise (messages on stderr).
 */
#include <elf.h>
#include <stddef.h>
#include <getopt.h>
#include <pthread.h>
#include <time.h>

#include "makedumpfile.h"
#include "phyp.h"

#define PAGE_DESC_SIZE 24
#define DL_EXCLUDE_ZERO 0x1
#define META_PAGES 8	/* pages a scan reads from each of its two cycles */

static struct DumpInfo info_store = { .fd_memory = -1, .fd_dumpfile = -1 };
struct DumpInfo *info = &info_store;

/* --- the vmcore: PT_LOADs and the VMCOREINFO note --- */
struct load {
	uint64_t paddr, off, filesz;
};
static struct load loads[128];
static int nloads;
static off_t vmcoreinfo_off;
static unsigned long vmcoreinfo_size;
static unsigned long unmaps;

static int parse_notes(int fd, const Elf64_Phdr *ph)
{
	unsigned char *buf = malloc(ph->p_filesz ? ph->p_filesz : 1);
	uint64_t pos = 0;

	if (!buf || pread(fd, buf, ph->p_filesz, ph->p_offset) != (ssize_t)ph->p_filesz) {
		free(buf);
		return -1;
	}
	while (pos + sizeof(Elf64_Nhdr) <= ph->p_filesz) {
		Elf64_Nhdr n;
		uint64_t name, desc;

		memcpy(&n, buf + pos, sizeof(n));
		name = pos + sizeof(n);
		desc = name + ((n.n_namesz + 3) & ~3u);
		if (desc + n.n_descsz > ph->p_filesz)
			break;
		if (n.n_namesz == sizeof("VMCOREINFO") &&
		    !memcmp(buf + name, "VMCOREINFO", sizeof("VMCOREINFO"))) {
			vmcoreinfo_off = (off_t)(ph->p_offset + desc);
			vmcoreinfo_size = n.n_descsz;
		}
		pos = desc + ((n.n_descsz + 3) & ~3u);
	}
	free(buf);
	return 0;
}

static int parse_elf(int fd)
{
	Elf64_Ehdr eh;
	Elf64_Phdr ph;
	int i;

	if (pread(fd, &eh, sizeof(eh), 0) != sizeof(eh) || memcmp(eh.e_ident, ELFMAG, SELFMAG) ||
	    eh.e_ident[EI_CLASS] != ELFCLASS64 || eh.e_phentsize != sizeof(ph))
		return -1;
	for (i = 0; i < eh.e_phnum; i++) {
		if (pread(fd, &ph, sizeof(ph), (off_t)(eh.e_phoff + (uint64_t)i * sizeof(ph))) !=
		    sizeof(ph))
			return -1;
		if (ph.p_type == PT_NOTE && parse_notes(fd, &ph) < 0)
			return -1;
		if (ph.p_type == PT_LOAD && nloads < (int)(sizeof(loads) / sizeof(loads[0])))
			loads[nloads++] = (struct load){ ph.p_paddr, ph.p_offset, ph.p_filesz };
	}
	return nloads ? 0 : -1;
}

/* A page of the dump as readmem() gets it: checked by phyp_read() first;
 * bytes no PT_LOAD holds are zeros. */
static int read_page(mdf_pfn_t pfn, unsigned char *buf)
{
	uint64_t ps = (uint64_t)info->page_size, pa = pfn * ps;
	int i;

	if (!phyp_read(pa, info->page_size))
		return FALSE;
	memset(buf, 0, ps);
	for (i = 0; i < nloads; i++) {
		uint64_t s = pa > loads[i].paddr ? pa : loads[i].paddr;
		uint64_t e = loads[i].paddr + loads[i].filesz;

		if (e > pa + ps)
			e = pa + ps;
		if (s >= e)
			continue;
		if (pread(info->fd_memory, buf + (s - pa), e - s,
			  (off_t)(loads[i].off + (s - loads[i].paddr))) != (ssize_t)(e - s)) {
			ERRMSG("Can't read the dump memory(%s). %s\n", info->name_memory,
			       strerror(errno));
			return FALSE;
		}
	}
	return TRUE;
}

/* --- --threads: workers read ahead, the main thread takes pages in order --- */
#define SLOTS 64
static struct readers {
	const mdf_pfn_t *pfns;
	uint64_t n, next, consumed;	/* next and consumed: atomic */
	int state[SLOTS];		/* 0 free, 1 read, -1 read failed (atomic) */
	int stop;			/* atomic */
	unsigned char *buf;		/* SLOTS pages */
	pthread_t tid[16];
	int nthreads, started;
} rd;
static uint64_t reread_at = UINT64_MAX;

/* A wait for another thread: a short sleep, not makedumpfile's spin, so that
 * on a machine with few cores the simulator's daemon gets the CPU. */
static void wait_a_little(void)
{
	struct timespec ts = { 0, 20000 };

	nanosleep(&ts, NULL);
}

/* Which pfn the reader of the i-th page of the cycle reads (--reread-at). */
static mdf_pfn_t pfn_to_read(const mdf_pfn_t *pfns, uint64_t i)
{
	return pfns[i == reread_at ? 0 : i];
}

static void *reader(void *arg)
{
	size_t ps = (size_t)info->page_size;
	uint64_t i;

	(void)arg;
	while ((i = __atomic_fetch_add(&rd.next, 1, __ATOMIC_SEQ_CST)) < rd.n) {
		int ok;

		/* the slot's page of the previous round must have been taken */
		while (i >= __atomic_load_n(&rd.consumed, __ATOMIC_SEQ_CST) + SLOTS) {
			if (__atomic_load_n(&rd.stop, __ATOMIC_SEQ_CST))
				return NULL;
			wait_a_little();
		}
		ok = read_page(pfn_to_read(rd.pfns, i), rd.buf + (i % SLOTS) * ps);
		__atomic_store_n(&rd.state[i % SLOTS], ok ? 1 : -1, __ATOMIC_SEQ_CST);
		if (!ok)
			return NULL;
	}
	return NULL;
}

static int readers_start(const mdf_pfn_t *pfns, uint64_t n)
{
	int k;

	rd.pfns = pfns;
	rd.n = n;
	rd.next = rd.consumed = 0;
	rd.stop = 0;
	memset(rd.state, 0, sizeof(rd.state));
	for (k = 0; k < rd.nthreads; k++)
		if (pthread_create(&rd.tid[k], NULL, reader, NULL))
			break;
	rd.started = k;
	return k == rd.nthreads;
}

static void readers_stop(void)
{
	int k;

	__atomic_store_n(&rd.stop, 1, __ATOMIC_SEQ_CST);
	for (k = 0; k < rd.started; k++)
		pthread_join(rd.tid[k], NULL);
	rd.started = 0;
}

/* The i-th page of the cycle, once its worker has read it; NULL when a
 * worker was refused or failed. */
static unsigned char *readers_take(uint64_t i)
{
	int st;

	while (!(st = __atomic_load_n(&rd.state[i % SLOTS], __ATOMIC_SEQ_CST))) {
		if (phyp_read_refused())
			return NULL;
		wait_a_little();
	}
	return st > 0 ? rd.buf + (i % SLOTS) * (size_t)info->page_size : NULL;
}

static void readers_done(uint64_t i)
{
	__atomic_store_n(&rd.state[i % SLOTS], 0, __ATOMIC_SEQ_CST);
	__atomic_store_n(&rd.consumed, i + 1, __ATOMIC_SEQ_CST);
}

/* --- what phyp.c calls in makedumpfile --- */
int has_vmcoreinfo(void)
{
	return vmcoreinfo_size != 0;
}

void get_vmcoreinfo(off_t *offset, unsigned long *size)
{
	*offset = vmcoreinfo_off;
	*size = vmcoreinfo_size;
}

int open_dump_file(void)
{
	int flags = O_RDWR | O_CREAT | O_TRUNC | (info->flag_force ? 0 : O_EXCL);
	int fd = open(info->name_dumpfile, flags, S_IRUSR | S_IWUSR);

	if (fd < 0) {
		ERRMSG("Can't open the dump file(%s). %s\n", info->name_dumpfile, strerror(errno));
		return FALSE;
	}
	info->fd_dumpfile = fd;
	return TRUE;
}

void close_dump_file(void)
{
	if (info->fd_dumpfile >= 0)
		close(info->fd_dumpfile);
	info->fd_dumpfile = -1;
}

/* The header's status word gets DUMP_DH_COMPRESSED_INCOMPLETE. */
int check_and_modify_headers(void)
{
	uint32_t status;
	int fd = open(info->name_dumpfile, O_RDWR);
	int ok = fd >= 0 && pread(fd, &status, 4, 424) == 4;

	status |= 0x8;
	ok = ok && pwrite(fd, &status, 4, 424) == 4;
	if (fd >= 0)
		close(fd);
	return ok ? TRUE : FALSE;
}

int write_cache_bufsz(struct cache_data *cd)
{
	if (!cd->cache_size)
		return TRUE;
	if (pwrite(cd->fd, cd->buf, cd->cache_size, cd->offset) != (ssize_t)cd->cache_size) {
		ERRMSG("Can't write the dump file(%s). %s\n", info->name_dumpfile,
		       strerror(errno));
		return FALSE;
	}
	cd->offset += (off_t)cd->cache_size;
	cd->cache_size = 0;
	return TRUE;
}

static int write_cache(struct cache_data *cd, const void *data, size_t size)
{
	if (cd->cache_size + size > cd->buf_size && !write_cache_bufsz(cd))
		return FALSE;
	memcpy(cd->buf + cd->cache_size, data, size);
	cd->cache_size += size;
	return TRUE;
}

int is_dumpable(struct dump_bitmap *bitmap, mdf_pfn_t pfn, struct cycle *cycle)
{
	(void)cycle;
	return pfn < bitmap->max_pfn && (bitmap->buf[pfn >> 3] >> (pfn & 7) & 1);
}

/* Pages are read with pread(): nothing is mapped, the drops are counted. */
void cache_drop_range(unsigned long long start, unsigned long long end)
{
	(void)start;
	(void)end;
	unmaps++;
}

void drop_mmap_range_parallel(unsigned long long start, unsigned long long end)
{
	(void)start;
	(void)end;
}

/* --- the reference: header, bitmaps, and the layout they give --- */
struct ref {
	unsigned char *prefix;	/* [0, off_pd): headers and both bitmaps */
	uint64_t off_pd, max_mapnr, num_dumpable;
	int dump_level;
	struct dump_bitmap bm2;
};

static uint32_t u32_at(const unsigned char *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return v;
}

static int read_ref(const char *path, struct ref *r)
{
	unsigned char h[4096];
	uint32_t bs, sub, blocks;
	uint64_t i, off_bm2;
	int fd = open(path, O_RDONLY);

	if (fd < 0 || pread(fd, h, sizeof(h), 0) != sizeof(h) || memcmp(h, "KDUMP   ", 8))
		goto bad;
	bs = u32_at(h + 428);
	sub = u32_at(h + 432);
	blocks = u32_at(h + 436);
	if (bs < 512 || bs > 65536 || (bs & (bs - 1)) || !blocks)
		goto bad;
	r->off_pd = (uint64_t)(1 + sub + blocks) * bs;
	r->prefix = malloc(r->off_pd);
	if (!r->prefix || pread(fd, r->prefix, r->off_pd, 0) != (ssize_t)r->off_pd)
		goto bad;
	memcpy(&r->max_mapnr, r->prefix + bs + 96, 8);
	r->dump_level = (int)u32_at(r->prefix + bs + 8);
	off_bm2 = (uint64_t)(1 + sub) * bs + (uint64_t)blocks * bs / 2;
	if ((r->max_mapnr + 7) / 8 > (uint64_t)blocks * bs / 2)
		goto bad;
	r->bm2.buf = r->prefix + off_bm2;
	r->bm2.max_pfn = r->max_mapnr;
	for (i = 0, r->num_dumpable = 0; i < r->max_mapnr; i++)
		r->num_dumpable += is_dumpable(&r->bm2, i, NULL);
	info->page_size = bs;
	close(fd);
	return 0;
bad:
	fprintf(stderr, "mdf-host: %s is not a kdump-compressed dump file\n", path);
	if (fd >= 0)
		close(fd);
	return -1;
}

/* --mode NAME: set the flag of that makedumpfile option. */
static int set_mode(const char *name)
{
	static const struct {
		const char *name;
		size_t off;
	} modes[] = {
		{ "elf", offsetof(struct DumpInfo, flag_elf_dumpfile) },
		{ "split", offsetof(struct DumpInfo, flag_split) },
		{ "flatten", offsetof(struct DumpInfo, flag_flatten) },
		{ "dry-run", offsetof(struct DumpInfo, flag_dry_run) },
		{ "dmesg", offsetof(struct DumpInfo, flag_dmesg) },
		{ "mem-usage", offsetof(struct DumpInfo, flag_mem_usage) },
		{ "refiltering", offsetof(struct DumpInfo, flag_refiltering) },
		{ "sadump", offsetof(struct DumpInfo, flag_sadump) },
	};
	size_t k;

	for (k = 0; k < sizeof(modes) / sizeof(modes[0]); k++)
		if (!strcmp(name, modes[k].name)) {
			*(int *)((char *)info + modes[k].off) = TRUE;
			return 0;
		}
	return -1;
}

/* --- the run --- */
static const char *timeline;

static unsigned long timeline_releases(void)
{
	char line[512];
	unsigned long n = 0;
	FILE *f = timeline ? fopen(timeline, "r") : NULL;

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		n += strstr(line, "\"event\":\"release\"") != NULL;
	fclose(f);
	return n;
}

/* A scan reads kernel metadata: META_PAGES dumpable pages of its cycle and
 * of the first cycle. */
static int scan(struct ref *r, struct cycle *c, mdf_pfn_t per, unsigned char *buf)
{
	struct cycle first = { 0, per < r->max_mapnr ? per : r->max_mapnr };
	struct cycle *from[2] = { c, &first };
	int k, n, ok = TRUE;
	mdf_pfn_t pfn;

	phyp_scan_begin(c);
	for (k = 0; k < 2 && ok; k++)
		for (pfn = from[k]->start_pfn, n = 0;
		     ok && pfn < from[k]->end_pfn && n < META_PAGES; pfn++)
			if (is_dumpable(&r->bm2, pfn, NULL)) {
				ok = read_page(pfn, buf);
				n++;
			}
	phyp_scan_end(c, ok);
	return ok;
}

static void usage(void)
{
	fprintf(stderr, "usage: mdf-host [--phyp-release[=RR]] [--phyp-journal=FILE] [-f] "
			"[--cycles N] [--threads N] [--pause-after N] [--reread-at I] "
			"[--timeline FILE] [--mode MODE] REF VMCORE DUMPFILE\n");
	exit(2);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "phyp-release", optional_argument, NULL, 'R' },
		{ "phyp-journal", required_argument, NULL, 'J' },
		{ "cycles", required_argument, NULL, 'C' },
		{ "threads", required_argument, NULL, 'N' },
		{ "reread-at", required_argument, NULL, 'I' },
		{ "mode", required_argument, NULL, 'M' },
		{ "pause-after", required_argument, NULL, 'P' },
		{ "timeline", required_argument, NULL, 'T' },
		{ NULL, 0, NULL, 0 },
	};
	struct cache_data cd_header = { 0 }, cd_page = { 0 };
	unsigned char *page = NULL, *zero = NULL, *buf;
	mdf_pfn_t *pfns = NULL;
	uint64_t i, n;
	unsigned long long pause_after = ULLONG_MAX, pages = 0;
	unsigned long ncycles = 1;
	mdf_pfn_t per, pfn;
	uint64_t offset_data;
	struct ref r = { 0 };
	int opt, first_write = TRUE, ret = 1;
	unsigned long c;

	while ((opt = getopt_long(argc, argv, "f", opts, NULL)) != -1) {
		switch (opt) {
		case 'R':
			info->flag_phyp_release = TRUE;
			info->name_phyp_release = optarg;
			break;
		case 'J': info->name_phyp_journal = optarg; break;
		case 'f': info->flag_force = TRUE; break;
		case 'C': ncycles = strtoul(optarg, NULL, 0); break;
		case 'N': rd.nthreads = (int)strtol(optarg, NULL, 0); break;
		case 'I': reread_at = strtoull(optarg, NULL, 0); break;
		case 'M': if (set_mode(optarg) < 0) usage(); break;
		case 'P': pause_after = strtoull(optarg, NULL, 0); break;
		case 'T': timeline = optarg; break;
		default: usage();
		}
	}
	if (argc - optind != 3 || !ncycles || rd.nthreads < 0 ||
	    rd.nthreads > (int)(sizeof(rd.tid) / sizeof(rd.tid[0])))
		usage();
	info->name_memory = argv[optind + 1];
	info->name_dumpfile = argv[optind + 2];
	info->flag_cyclic = ncycles > 1;

	if (!phyp_check_params()) {
		MSG("Commandline parameter is invalid.\n");
		return 1;
	}
	info->fd_memory = open(info->name_memory, O_RDONLY);
	if (info->fd_memory < 0 || parse_elf(info->fd_memory) < 0) {
		ERRMSG("Can't open the dump memory(%s) as an ELF core.\n", info->name_memory);
		return 1;
	}
	/* create_dumpfile(): phyp_open() before initial() */
	if (!phyp_open())
		goto out;
	if (read_ref(argv[optind], &r) < 0)	/* initial(): the page size */
		goto out;
	for (info->page_shift = 0; (1L << info->page_shift) < info->page_size; info->page_shift++)
		;
	if (!phyp_initialized())
		goto out;
	info->bitmap2 = &r.bm2;
	page = malloc((size_t)info->page_size);
	zero = calloc(1, (size_t)info->page_size);
	cd_header.buf_size = cd_page.buf_size = 256 * 1024;
	cd_header.buf = malloc(cd_header.buf_size);
	cd_page.buf = malloc(cd_page.buf_size);
	per = ((r.max_mapnr + ncycles - 1) / ncycles + 7) & ~7ULL;
	pfns = malloc(per * sizeof(*pfns));
	rd.buf = malloc(SLOTS * (size_t)info->page_size);
	if (!page || !zero || !cd_header.buf || !cd_page.buf || !pfns || !rd.buf)
		goto out;

	/* create_dump_bitmap(): the first pass */
	for (c = 0; c * per < r.max_mapnr; c++) {
		struct cycle cy = { c * per, (c + 1) * per < r.max_mapnr ? (c + 1) * per : r.max_mapnr };

		if (!scan(&r, &cy, per, page))
			goto out;
	}
	phyp_scans_done();

	/* writeout_dumpfile(): the dump file is open already with --phyp-release */
	if (!phyp_active() && !open_dump_file())
		goto out;
	if (pwrite(info->fd_dumpfile, r.prefix, r.off_pd, 0) != (ssize_t)r.off_pd)
		goto out;
	cd_header.fd = cd_page.fd = info->fd_dumpfile;
	cd_header.offset = (off_t)r.off_pd;
	cd_page.offset = (off_t)(r.off_pd + PAGE_DESC_SIZE * r.num_dumpable);
	offset_data = (uint64_t)cd_page.offset;
	uint64_t pd_zero[3] = { offset_data, (uint64_t)info->page_size, 0 };
	if (r.dump_level & DL_EXCLUDE_ZERO) {
		if (!write_cache(&cd_page, zero, (size_t)info->page_size))
			goto out;
		offset_data += (uint64_t)info->page_size;
	}
	for (c = 0; c * per < r.max_mapnr; c++) {
		struct cycle cy = { c * per, (c + 1) * per < r.max_mapnr ? (c + 1) * per : r.max_mapnr };

		if (ncycles > 1 && !scan(&r, &cy, per, page))	/* the rescan */
			goto out;
		for (pfn = cy.start_pfn, n = 0; pfn < cy.end_pfn; pfn++)
			if (is_dumpable(&r.bm2, pfn, &cy))
				pfns[n++] = pfn;
		if (rd.nthreads && !readers_start(pfns, n))
			goto out;
		for (i = 0; i < n; i++) {
			/* page_desc_t: offset, size, flags (0: stored as is), page_flags */
			uint64_t pd[3] = { offset_data, (uint64_t)info->page_size, 0 };

			pfn = pfns[i];
			if (first_write) {
				printf("releases before the first write: %lu\n", timeline_releases());
				first_write = FALSE;
			}
			buf = rd.nthreads ? readers_take(i) :
			      read_page(pfn_to_read(pfns, i), page) ? page : NULL;
			if (!buf)
				goto out;
			if ((r.dump_level & DL_EXCLUDE_ZERO) &&
			    !memcmp(buf, zero, (size_t)info->page_size)) {
				if (!write_cache(&cd_header, pd_zero, PAGE_DESC_SIZE))
					goto out;
			} else {
				if (!write_cache(&cd_header, pd, PAGE_DESC_SIZE) ||
				    !write_cache(&cd_page, buf, (size_t)info->page_size))
					goto out;
				offset_data += (uint64_t)info->page_size;
			}
			if (rd.nthreads)
				readers_done(i);
			/* in pfn order, once its worker has read it */
			if (!phyp_written(pfn, &cd_header, &cd_page))
				goto out;
			if (++pages == pause_after) {
				printf("paused after %llu pages\n", pages);
				fflush(stdout);
				pause();
			}
		}
		readers_stop();	/* joined before the next cycle's rescan */
		/* write_kdump_pages_and_bitmap_cyclic(): each cycle's end */
		if (!phyp_sync(&cd_header, &cd_page))
			goto out;
	}
	if (!write_cache_bufsz(&cd_header) || !write_cache_bufsz(&cd_page) ||
	    !phyp_sync(&cd_header, &cd_page))
		goto out;
	if (fdatasync(info->fd_dumpfile) < 0)
		goto out;
	close_dump_file();
	printf("releases before the end: %lu\n", timeline_releases());
	printf("unmap calls: %lu\n", unmaps);
	phyp_close(TRUE);
	ret = 0;
	goto end;
out:
	readers_stop();
	fflush(stdout);
	phyp_close(FALSE);
end:
	free(rd.buf);
	free(pfns);
	free(cd_page.buf);
	free(cd_header.buf);
	free(zero);
	free(page);
	free(r.prefix);
	if (info->fd_memory >= 0)
		close(info->fd_memory);
	return ret;
}

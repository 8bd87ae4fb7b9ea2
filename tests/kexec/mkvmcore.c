/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * mkvmcore: write a small synthetic vmcore shaped like the /proc/vmcore of a
 * firmware-assisted dump boot on ppc64le, to test vmcore-dmesg on it.
 *
 * Usage: mkvmcore OUTPUT
 *
 * Layout (what fadump exports, see facts.md §2):
 *   ELF64, little endian, ET_CORE, EM_PPC64, program headers at offset 64;
 *   PT_NOTE: one NT_PRSTATUS note and the VMCOREINFO note;
 *   PT_LOAD paddr 0 (the boot memory the firmware copied), vaddr
 *   0xc000000000000000 + paddr; it holds the `prb' pointer and the
 *   struct printk_ringbuffer, as kernel data does;
 *   PT_LOAD at a paddr that is not page aligned (the in-place range after the
 *   reserved area's header), holding the descriptor ring, the info ring and
 *   the text data ring, as memblock-allocated log buffers are.
 *
 * The printk ring buffer is the lockless one of Linux 5.10 and later, with the
 * structure sizes and offsets of a 64-bit 6.12 kernel, given in VMCOREINFO as
 * the kernel gives them.  The records are the lines of EXPECTED below; the
 * test compares vmcore-dmesg's output with them.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PAGE_OFFSET	0xc000000000000000ULL
#define LOAD0_PADDR	0x0ULL
#define LOAD0_SIZE	0x10000ULL
#define LOAD1_PADDR	0x280011b0ULL	/* not page aligned, as fadump's */
#define LOAD1_SIZE	0x20000ULL

/* where things live, as offsets into the two loads */
#define PRB_PTR_OFF	0x1000		/* the `prb' variable, in load 0 */
#define PRB_OFF		0x2000		/* struct printk_ringbuffer, load 0 */
#define DESCS_OFF	0x0		/* in load 1 */
#define INFOS_OFF	0x1000
#define TEXT_OFF	0x4000

#define COUNT_BITS	5		/* 32 descriptors */
#define TEXT_BITS	12		/* 4 KiB of text */
#define PRB_DESC_SZ	24
#define PRINTK_INFO_SZ	88

#define DESC_FINALIZED	2ULL

static const struct {
	uint64_t ts_nsec;
	const char *text;
} records[] = {
	{ 0, "Linux version 6.12.0-phypdump (synthetic) #1 SMP" },
	{ 1500, "fadump: Firmware-assisted dump is active." },
	{ 2000001, "fadump: Reserved 1280MB of memory at 0x00000014000000 for preserving crash data" },
	{ 3141592653ULL, "Kernel command line: console=hvc0 fadump=on" },
	{ 12000000000ULL, "phypdump: last record before the crash" },
};

static void put16(unsigned char *p, uint16_t v)
{
	p[0] = v;
	p[1] = v >> 8;
}

static void put32(unsigned char *p, uint32_t v)
{
	put16(p, v);
	put16(p + 2, v >> 16);
}

static void put64(unsigned char *p, uint64_t v)
{
	put32(p, v);
	put32(p + 4, v >> 32);
}

static size_t align4(size_t n)
{
	return (n + 3) & ~(size_t)3;
}

/* ELF note: header, name, desc; returns the bytes written */
static size_t put_note(unsigned char *p, const char *name, uint32_t type,
		       const void *desc, size_t descsz)
{
	size_t namesz = strlen(name) + 1;

	put32(p, namesz);
	put32(p + 4, descsz);
	put32(p + 8, type);
	memcpy(p + 12, name, namesz);
	memcpy(p + 12 + align4(namesz), desc, descsz);
	return 12 + align4(namesz) + align4(descsz);
}

static void put_phdr(unsigned char *p, uint32_t type, uint64_t off,
		     uint64_t vaddr, uint64_t paddr, uint64_t size)
{
	put32(p, type);
	put32(p + 4, type == 1 ? 7 : 0);	/* PF_R|PF_W|PF_X for loads */
	put64(p + 8, off);
	put64(p + 16, vaddr);
	put64(p + 24, paddr);
	put64(p + 32, size);
	put64(p + 40, size);
	put64(p + 48, 0);
}

int main(int argc, char **argv)
{
	enum { EHDR = 64, PHDR = 56, NPHDR = 3, NOTE_OFF = EHDR + NPHDR * PHDR };
	const size_t nrec = sizeof(records) / sizeof(records[0]);
	unsigned char *core, *notes, *load0, *load1;
	size_t note_size, load0_off, load1_off, total, i;
	uint64_t lpos = 0, load1_vaddr = PAGE_OFFSET + LOAD1_PADDR;
	unsigned char prstatus[504] = { 0 };
	char info[2048];
	FILE *f;

	if (argc != 2) {
		fprintf(stderr, "usage: %s OUTPUT\n", argv[0]);
		return 2;
	}

	snprintf(info, sizeof(info),
		 "OSRELEASE=6.12.0-phypdump\n"
		 "PAGESIZE=65536\n"
		 "SYMBOL(prb)=%llx\n"
		 "SIZE(printk_ringbuffer)=88\n"
		 "OFFSET(printk_ringbuffer.desc_ring)=0\n"
		 "OFFSET(printk_ringbuffer.text_data_ring)=48\n"
		 "OFFSET(printk_ringbuffer.fail)=80\n"
		 "SIZE(prb_desc_ring)=48\n"
		 "OFFSET(prb_desc_ring.count_bits)=0\n"
		 "OFFSET(prb_desc_ring.descs)=8\n"
		 "OFFSET(prb_desc_ring.infos)=16\n"
		 "OFFSET(prb_desc_ring.head_id)=24\n"
		 "OFFSET(prb_desc_ring.tail_id)=32\n"
		 "SIZE(prb_desc)=%d\n"
		 "OFFSET(prb_desc.state_var)=0\n"
		 "OFFSET(prb_desc.text_blk_lpos)=8\n"
		 "SIZE(prb_data_blk_lpos)=16\n"
		 "OFFSET(prb_data_blk_lpos.begin)=0\n"
		 "OFFSET(prb_data_blk_lpos.next)=8\n"
		 "SIZE(printk_info)=%d\n"
		 "OFFSET(printk_info.seq)=0\n"
		 "OFFSET(printk_info.ts_nsec)=8\n"
		 "OFFSET(printk_info.text_len)=16\n"
		 "OFFSET(printk_info.caller_id)=20\n"
		 "OFFSET(printk_info.dev_info)=24\n"
		 "SIZE(prb_data_ring)=32\n"
		 "OFFSET(prb_data_ring.size_bits)=0\n"
		 "OFFSET(prb_data_ring.data)=8\n"
		 "SIZE(atomic_long_t)=8\n"
		 "OFFSET(atomic_long_t.counter)=0\n"
		 "CRASHTIME=1795000000",
		 (unsigned long long)(PAGE_OFFSET + LOAD0_PADDR + PRB_PTR_OFF),
		 PRB_DESC_SZ, PRINTK_INFO_SZ);

	load0_off = 0x10000;		/* page aligned, after the notes */
	load1_off = load0_off + LOAD0_SIZE;
	total = load1_off + LOAD1_SIZE;
	core = calloc(1, total);
	if (!core) {
		perror("calloc");
		return 1;
	}

	/* notes */
	notes = core + NOTE_OFF;
	note_size = put_note(notes, "CORE", 1, prstatus, sizeof(prstatus));
	note_size += put_note(notes + note_size, "VMCOREINFO", 0, info, strlen(info));
	if (NOTE_OFF + note_size > load0_off) {
		fprintf(stderr, "notes too large\n");
		return 1;
	}

	/* ELF header: ELF64, LSB, EV_CURRENT, ET_CORE, EM_PPC64 */
	memcpy(core, "\177ELF\2\1\1", 7);
	put16(core + 16, 4);
	put16(core + 18, 21);
	put32(core + 20, 1);
	put64(core + 32, EHDR);
	put32(core + 48, 2);		/* e_flags: ELFv2 ABI */
	put16(core + 52, EHDR);
	put16(core + 54, PHDR);
	put16(core + 56, NPHDR);
	put_phdr(core + EHDR, 4, NOTE_OFF, 0, 0, note_size);
	put_phdr(core + EHDR + PHDR, 1, load0_off, PAGE_OFFSET + LOAD0_PADDR,
		 LOAD0_PADDR, LOAD0_SIZE);
	put_phdr(core + EHDR + 2 * PHDR, 1, load1_off, load1_vaddr,
		 LOAD1_PADDR, LOAD1_SIZE);

	load0 = core + load0_off;
	load1 = core + load1_off;

	/* prb points to the ring buffer */
	put64(load0 + PRB_PTR_OFF, PAGE_OFFSET + LOAD0_PADDR + PRB_OFF);
	/* desc_ring: count_bits, descs, infos, head_id, tail_id */
	put32(load0 + PRB_OFF + 0, COUNT_BITS);
	put64(load0 + PRB_OFF + 8, load1_vaddr + DESCS_OFF);
	put64(load0 + PRB_OFF + 16, load1_vaddr + INFOS_OFF);
	put64(load0 + PRB_OFF + 24, nrec - 1);
	put64(load0 + PRB_OFF + 32, 0);
	/* text_data_ring: size_bits, data */
	put32(load0 + PRB_OFF + 48, TEXT_BITS);
	put64(load0 + PRB_OFF + 56, load1_vaddr + TEXT_OFF);

	for (i = 0; i < nrec; i++) {
		unsigned char *desc = load1 + DESCS_OFF + i * PRB_DESC_SZ;
		unsigned char *inf = load1 + INFOS_OFF + i * PRINTK_INFO_SZ;
		size_t len = strlen(records[i].text);
		uint64_t next = lpos + ((8 + len + 7) & ~(size_t)7);

		/* data block: the descriptor id, then the text */
		put64(load1 + TEXT_OFF + lpos, i);
		memcpy(load1 + TEXT_OFF + lpos + 8, records[i].text, len);

		put64(desc, (DESC_FINALIZED << 62) | i);
		put64(desc + 8, lpos);
		put64(desc + 16, next);

		put64(inf, i);				/* seq */
		put64(inf + 8, records[i].ts_nsec);
		put16(inf + 16, len);
		put32(inf + 20, 1);			/* caller_id */
		lpos = next;
	}

	f = fopen(argv[1], "wb");
	if (!f || fwrite(core, 1, total, f) != total || fclose(f)) {
		perror(argv[1]);
		return 1;
	}
	free(core);

	/* what vmcore-dmesg must print, for the test */
	for (i = 0; i < nrec; i++)
		printf("[%5llu.%06llu] %s\n",
		       (unsigned long long)(records[i].ts_nsec / 1000000000),
		       (unsigned long long)(records[i].ts_nsec % 1000000000 / 1000),
		       records[i].text);
	return 0;
}

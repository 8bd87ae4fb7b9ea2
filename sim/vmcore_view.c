/* SPDX-License-Identifier: GPL-2.0-or-later */
/* vmcore_view: /proc/vmcore image built from the vmcore and the layout; see vmcore_view.h. */
#include "vmcore_view.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define PT_LOAD 1
#define PT_NOTE 4

static uint64_t rdown(uint64_t v, uint64_t a)
{
	return v & ~(a - 1);
}

static uint64_t rup(uint64_t v, uint64_t a)
{
	return (v + a - 1) & ~(a - 1);
}

static void put_phdr(uint8_t *p, int be, uint32_t type, uint32_t flags, uint64_t off,
		     uint64_t vaddr, uint64_t paddr, uint64_t filesz, uint64_t memsz)
{
	elfcore_put32(p, type, be);
	elfcore_put32(p + 4, flags, be);
	elfcore_put64(p + 8, off, be);
	elfcore_put64(p + 16, vaddr, be);
	elfcore_put64(p + 24, paddr, be);
	elfcore_put64(p + 32, filesz, be);
	elfcore_put64(p + 40, memsz, be);
	elfcore_put64(p + 48, 0, be);
}

int vmcore_view_init(struct vmcore_view *v, int fd, const struct elfcore *ec,
		     const struct layout *l, const struct reserve *r, enum view_mode mode)
{
	const uint64_t ps = l->page_size;
	size_t nph = l->npieces + (ec->notes_len ? 1 : 0), i;
	uint64_t cur;
	uint8_t *ph;
	int be = ec->big_endian;

	memset(v, 0, sizeof(*v));
	v->fd = fd;
	v->mode = mode;
	v->layout = l;
	v->reserve = r;
	if (nph > 65534)
		return -EINVAL;
	v->hdr_len = 64 + 56 * nph;
	v->hdr = calloc(1, v->hdr_len);
	v->loads = calloc(l->npieces ? l->npieces : 1, sizeof(*v->loads));
	if (!v->hdr || !v->loads) {
		vmcore_view_free(v);
		return -ENOMEM;
	}
	memcpy(v->hdr, "\177ELF", 4);
	v->hdr[4] = 2;
	v->hdr[5] = be ? 2 : 1;
	v->hdr[6] = 1;
	v->hdr[7] = ec->ident_abi;
	elfcore_put16(v->hdr + 16, 4, be);             /* ET_CORE */
	elfcore_put16(v->hdr + 18, ec->machine, be);
	elfcore_put32(v->hdr + 20, 1, be);
	elfcore_put64(v->hdr + 32, 64, be);            /* e_phoff */
	elfcore_put32(v->hdr + 48, ec->e_flags, be);
	elfcore_put16(v->hdr + 52, 64, be);
	elfcore_put16(v->hdr + 54, 56, be);
	elfcore_put16(v->hdr + 56, (uint16_t)nph, be);

	cur = rup(v->hdr_len, ps);
	ph = v->hdr + 64;
	if (ec->notes_len) {
		v->notes = ec->notes_buf;
		v->notes_len = ec->notes_len;
		v->notes_off = cur;
		put_phdr(ph, be, PT_NOTE, 0, cur, 0, 0, ec->notes_len, ec->notes_len);
		ph += 56;
		cur = rup(cur + ec->notes_len, ps);
	}
	for (i = 0; i < l->npieces; i++) {
		const struct vm_piece *p = &l->pieces[i];
		uint64_t start = rdown(p->paddr, ps), end = rup(p->paddr + p->memsz, ps);

		v->loads[i].piece = p;
		v->loads[i].file_off = cur + (p->paddr - start);
		put_phdr(ph, be, PT_LOAD, p->flags, v->loads[i].file_off, p->vaddr, p->paddr,
			 p->filesz, p->memsz);
		ph += 56;
		cur += end - start;
	}
	v->nloads = l->npieces;
	v->size = cur;
	return 0;
}

void vmcore_view_free(struct vmcore_view *v)
{
	free(v->hdr);
	free(v->loads);
	v->hdr = NULL;
	v->loads = NULL;
}

/* copy the overlap of [off, off+len) with the in-memory block [boff, boff+blen) */
static void copy_mem(uint64_t off, uint8_t *buf, size_t len, uint64_t boff,
		     const uint8_t *blk, size_t blen)
{
	uint64_t s = off > boff ? off : boff;
	uint64_t e = off + len < boff + blen ? off + len : boff + blen;

	if (s < e)
		memcpy(buf + (s - off), blk + (s - boff), e - s);
}

static int read_full(int fd, uint8_t *buf, size_t len, uint64_t off)
{
	while (len) {
		ssize_t n = pread(fd, buf, len, (off_t)off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -EIO;
		buf += n;
		len -= (size_t)n;
		off += (uint64_t)n;
	}
	return 0;
}

long long vmcore_view_read(const struct vmcore_view *v, uint64_t off, uint8_t *buf, size_t len)
{
	size_t i;

	if (v->reserve->ended)
		return -EIO;
	if (off >= v->size)
		return 0;
	if (len > v->size - off)
		len = (size_t)(v->size - off);
	memset(buf, 0, len);
	copy_mem(off, buf, len, 0, v->hdr, v->hdr_len);
	if (v->notes_len)
		copy_mem(off, buf, len, v->notes_off, v->notes, v->notes_len);
	for (i = 0; i < v->nloads; i++) {
		const struct vm_piece *p = v->loads[i].piece;
		uint64_t fo = v->loads[i].file_off;
		uint64_t s = off > fo ? off : fo;
		uint64_t e = off + len < fo + p->memsz ? off + len : fo + p->memsz;
		uint64_t fe;

		if (fo >= off + len)
			break;
		if (s >= e)
			continue;
		/* part inside the file */
		fe = e < fo + p->filesz ? e : fo + p->filesz;
		if (s < fe && read_full(v->fd, buf + (s - off), fe - s, p->src_off + (s - fo)))
			return -EIO;
		/* released memory */
		{
			uint64_t bs = p->backing + (s - fo), be = p->backing + (e - fo);

			if (reserve_is_freed(v->reserve, bs, be)) {
				const struct pd_rangeset *fr = &v->reserve->freed;
				size_t k;

				if (v->mode == VIEW_EIO)
					return -EIO;
				for (k = pd_rangeset_lower(fr, bs); k < fr->n && fr->iv[k].start < be; k++) {
					uint64_t a = fr->iv[k].start > bs ? fr->iv[k].start : bs;
					uint64_t b = fr->iv[k].end < be ? fr->iv[k].end : be;
					uint64_t x;

					for (x = a; x < b; x++)
						buf[(x - bs) + (s - off)] = (uint8_t)POISON_PATTERN[x & 7];
				}
			}
		}
	}
	return (long long)len;
}

void vmcore_view_ranges_of(const struct vmcore_view *v, uint64_t start, uint64_t end,
			   void (*fn)(void *ctx, uint64_t off, uint64_t len), void *ctx)
{
	size_t i;

	for (i = 0; i < v->nloads; i++) {
		const struct vm_piece *p = v->loads[i].piece;
		uint64_t s = start > p->backing ? start : p->backing;
		uint64_t e = end < p->backing + p->memsz ? end : p->backing + p->memsz;

		if (s < e)
			fn(ctx, v->loads[i].file_off + (s - p->backing), e - s);
	}
}

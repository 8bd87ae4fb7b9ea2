/* SPDX-License-Identifier: GPL-2.0-or-later */
/* crash: the second crash of the simulated partition (`echo c > proc/sysrq-trigger`
 * after re-arming, release-region.md "A crash after re-arming").
 *
 * The production boot that runs while the dump is held crashes. Its memory is the
 * "base" vmcore (--crash-base, by default the simulator's own VMCORE), except that
 * the pages it still kept reserved for the held dump were never given to it: they
 * still hold the held dump's crashed bytes at the same physical addresses. The
 * firmware preserves all of it for the new dump; it overwrites only the areas of
 * the registration (CPU state, HPTE, the boot-memory copy destination and, in the
 * fadump layout, the crash info header after it), and re-arming guarantees that no
 * unreleased byte of the held dump lies there.
 *
 * crash_held(): the physical ranges that carry the held dump's bytes into the new
 *   dump: every in-place DUMP area minus the freed pages, i.e. the in-place ranges
 *   of the release_region line (released bytes of a page still reserved included:
 *   nothing wrote over them). Empty once the dump has ended. Returns -1 with a
 *   message, writing nothing, when a rule of re-arming was broken: an unreleased
 *   byte in an area the firmware overwrites, or a held range inside such an area.
 * crash_write(): writes PATH, an ELF64 vmcore in the simulator's input format:
 *   the base's ELF identity (class, byte order, machine, OS ABI, e_flags) and
 *   notes (one PT_NOTE, unchanged), one PT_LOAD per base PT_LOAD (paddr, vaddr,
 *   flags, memsz; filesz = memsz, file offset = paddr mod 4 KiB), program headers
 *   at 64. Each byte at physical address p is the held vmcore's byte at p when p
 *   lies in `held`, else the base's (zero past the base's p_filesz). Pages of zero
 *   are not written (a sparse file). Written to PATH.tmp.<pid>, fsync'ed, then
 *   renamed over PATH, so PATH appears complete or not at all.
 *   Refused (-1, message, PATH untouched) when the base differs from the held
 *   vmcore in machine, byte order or CPU count (NT_PRSTATUS notes), or has no
 *   memory where a held range lies: it must be the same machine.
 * crash_parse_sysrq(): a write to proc/sysrq-trigger: "c" or "c\n" gives 'c';
 *   anything else -EINVAL (the simulator knows only the crash command).
 */
#ifndef SIM_CRASH_H
#define SIM_CRASH_H

#include <stddef.h>
#include <stdint.h>

#include "elfcore.h"
#include "layout.h"
#include "rangeset.h"
#include "reserve.h"

int crash_held(const struct reserve *r, const struct layout *l, struct pd_rangeset *held,
	       char *err, size_t errlen);

/* 0, or -1 with a message in err. */
int crash_write(const char *path, const struct elfcore *base, int base_fd,
		const struct elfcore *held_ec, int held_fd, const struct pd_rangeset *held,
		char *err, size_t errlen);

/* The same-machine checks of crash_write() alone, for the command line: 0 or -1. */
int crash_same_machine(const struct elfcore *base, const struct elfcore *held_ec,
		       char *err, size_t errlen);

int crash_parse_sysrq(const char *buf, size_t n);

#endif

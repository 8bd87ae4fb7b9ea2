# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=bash
# Helpers to build fake roots that look like a POWER partition's /proc and
# /sys, for tests.  Source this file.

# put ROOT REL CONTENT: write CONTENT (printf %b) to ROOT/REL, creating dirs.
put() {
	mkdir -p "$1/$(dirname "$2")"
	printf '%b' "$3" >"$1/$2"
}

# journal_record BODY: print one journal line with its CRC32.
journal_record() {
	python3 -c 'import sys, zlib; b = sys.argv[1]; print("%s *%08x" % (b, zlib.crc32(b.encode())))' "$1"
}

QEMU_LINE='CPU:0x14000000-0x510: HPTE:0x14000510-0x0: DUMP:0x14001000-0x14000000@0x0, 0x280011b0-0x57ffee50:'
SEED_LINE='CPU:0x177fee000-0x10000: HPTE:0x177ffe020-0x1000: /\nDUMP:0x177fff020-0x10000000, 0x10000000-0x16F1D370A'
# shellcheck disable=SC2034 # used by the scripts that source this file
BOOT_ID=0f5e2d1c-aaaa-4bbb-8ccc-123456789abc

# A normal (first) boot where firmware-assisted dump is registered.
make_normal_root() {
	put "$1" proc/device-tree/rtas/ibm,configure-kernel-dump '\0\0\0\x2a'
	put "$1" sys/kernel/fadump/enabled '1\n'
	put "$1" sys/kernel/fadump/registered '1\n'
	put "$1" sys/kernel/fadump/mem_reserved '1342177280\n'
	put "$1" proc/sys/kernel/random/boot_id "$BOOT_ID\n"
}

# The dump boot of facts.md §2 (QEMU pseries, -m 2G), with our kernel patch.
make_qemu_root() {
	make_normal_root "$1"
	put "$1" proc/device-tree/rtas/ibm,kernel-dump 'x'
	put "$1" sys/kernel/fadump/registered '0\n'
	put "$1" sys/kernel/fadump/release_mem ''
	put "$1" sys/kernel/fadump/release_region "$QEMU_LINE\n"
	put "$1" proc/vmcore ''
}

# The seed document's dump boot: ibm,dump-kernel and /sys/kernel/release_region.
make_seed_root() {
	put "$1" proc/device-tree/rtas/ibm,configure-kernel-dump '\0\0\0\x2a'
	put "$1" proc/device-tree/rtas/ibm,dump-kernel 'x'
	put "$1" sys/kernel/release_region "$SEED_LINE"
	put "$1" proc/vmcore ''
	put "$1" proc/sys/kernel/random/boot_id "$BOOT_ID\n"
}

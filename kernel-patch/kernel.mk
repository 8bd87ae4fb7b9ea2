# SPDX-License-Identifier: GPL-2.0-or-later
# kernel-patch/kernel.mk: the kernel series (incremental release of firmware-assisted dump
# memory, release_region): kernel-patch/6.12/ (Debian bookworm's linux-source-6.12) and
# kernel-patch/7.2/ (Debian sid's linux-source-7.2, fetched at run time).
#
# check-kernel-patch (tests/kernel-patch/run): applies the 6.12 series with git am to a fresh
# checkout of the pristine tree, runs checkpatch.pl --strict on every patch and builds the
# patched vmlinux with tests/e2e/build-kernel (cached under $(CACHE)/kernel; the e2e tests
# reuse it). KERNEL_PATCH_BISECT=1 also builds the tree after each patch. Needs
# linux-source-6.12, gcc-powerpc64le-linux-gnu, make, flex, bison, bc, libssl-dev, libelf-dev,
# git, xz-utils, perl, ccache (optional).
#
# check-kernel-patch-e2e (tests/kernel-patch/e2e-release-region): boots the patched kernel on
# the tests/e2e QEMU pseries rig, crashes it and exercises release_region on the dump boot
# (and the end of the dump: mappings held across it, memory hot-added before it), and rearm
# (re-armed during the dump boot, a second crash is captured as a new dump).
# Needs root and what tests/e2e needs, plus libc6-dev-ppc64el-cross.
#
# check-kernel-patch-7.2, check-kernel-patch-e2e-7.2: the same for the 7.2 series, on Debian
# sid's linux-source-7.2 (tests/e2e/fetch-linux-source downloads it at run time), cached under
# $(CACHE)/e2e/linux-source-7.2 and $(CACHE)/kernel like 6.12. Its build is the same
# tinyconfig + fadump-min.config kernel as 6.12's (the same options, about 1.2 times the
# compile time per file); see kernel-patch/README.md for the time it adds to make check.

CHECK_TARGETS += check-kernel-patch check-kernel-patch-e2e
CHECK_TARGETS += check-kernel-patch-7.2 check-kernel-patch-e2e-7.2

.PHONY: check-kernel-patch check-kernel-patch-e2e check-kernel-patch-7.2 check-kernel-patch-e2e-7.2
check-kernel-patch:
	PHYPDUMP_CACHE=$(CACHE) KERNEL_SERIES=6.12 bash tests/kernel-patch/run

check-kernel-patch-e2e: check-kernel-patch
	PHYPDUMP_CACHE=$(CACHE) KERNEL_SERIES=6.12 bash tests/kernel-patch/e2e-release-region

check-kernel-patch-7.2:
	PHYPDUMP_CACHE=$(CACHE) KERNEL_SERIES=7.2 bash tests/kernel-patch/run

check-kernel-patch-e2e-7.2: check-kernel-patch-7.2
	PHYPDUMP_CACHE=$(CACHE) KERNEL_SERIES=7.2 bash tests/kernel-patch/e2e-release-region

# check-kernel-patch-debug: the debug run of the rig, by hand (a second full kernel build):
# the 6.12 series with kernel-patch/debug.config (PROVE_LOCKING, DEBUG_VM, DEBUG_PAGEALLOC,
# PAGE_POISONING), booted with init_on_free=1 page_poison=1, through every e2e-release-region
# boot; any splat fails it.
.PHONY: check-kernel-patch-debug
check-kernel-patch-debug:
	PHYPDUMP_CACHE=$(CACHE) KERNEL_SERIES=6.12 bash tests/kernel-patch/e2e-release-region --debug

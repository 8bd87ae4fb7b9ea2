# SPDX-License-Identifier: GPL-2.0-or-later
# kernel-patch/kernel.mk: the Linux 6.12 series (incremental release of firmware-assisted
# dump memory, release_region).
#
# check-kernel-patch (tests/kernel-patch/run): applies the series with git am to a fresh
# checkout of the pristine tree of Debian's linux-source-6.12, runs checkpatch.pl --strict on
# every patch and builds the patched vmlinux with tests/e2e/build-kernel (cached under
# $(CACHE)/kernel; the e2e tests reuse it). Needs linux-source-6.12,
# gcc-powerpc64le-linux-gnu, make, flex, bison, bc, libssl-dev, libelf-dev, git, xz-utils,
# perl, ccache (optional).
#
# check-kernel-patch-e2e (tests/kernel-patch/e2e-release-region): boots the patched kernel on
# the tests/e2e QEMU pseries rig, crashes it and exercises release_region on the dump boot.
# Needs root and what tests/e2e needs, plus libc6-dev-ppc64el-cross.

CHECK_TARGETS += check-kernel-patch check-kernel-patch-e2e

.PHONY: check-kernel-patch check-kernel-patch-e2e
check-kernel-patch:
	PHYPDUMP_CACHE=$(CACHE) bash tests/kernel-patch/run

check-kernel-patch-e2e: check-kernel-patch
	PHYPDUMP_CACHE=$(CACHE) bash tests/kernel-patch/e2e-release-region

# SPDX-License-Identifier: GPL-2.0-or-later
# kexec-tools-patches/kexec.mk: the kexec-tools series, applied to Debian's
# kexec-tools 2.0.32 orig tarball (fetched and cached at test time), built
# natively and for ppc64le, and tested under qemu-user (tests/kexec/run).
# Needs root (chroot, unshare), gcc-powerpc64le-linux-gnu,
# libc6-dev-ppc64el-cross, qemu-user-static, git, curl, xz-utils.

CHECK_TARGETS += check-kexec

.PHONY: check-kexec
check-kexec:
	bash tests/kexec/run

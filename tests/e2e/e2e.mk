# SPDX-License-Identifier: GPL-2.0-or-later
# tests/e2e: end to end on emulated POWER (QEMU 11 pseries in a sid chroot, firmware-assisted dump).
# Needs root (debootstrap, chroot). Downloads and builds are cached under $(CACHE)/e2e.
.PHONY: check-e2e-smoke
check-e2e-smoke:
	PHYPDUMP_CACHE=$(CACHE) tests/e2e/smoke

CHECK_TARGETS += check-e2e-smoke

# A dump boot captures through scripts/phypdump-capture with the ppc64le
# phypdump: patched kernel (incremental release) and stock kernel (release_mem).
.PHONY: check-e2e-phypdump
check-e2e-phypdump: check-kernel-patch
	PHYPDUMP_CACHE=$(CACHE) bash tests/e2e/phypdump-e2e

CHECK_TARGETS += check-e2e-phypdump

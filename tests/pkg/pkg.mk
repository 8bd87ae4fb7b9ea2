# SPDX-License-Identifier: GPL-2.0-or-later
# tests/pkg: the Debian packages (debian/) and the RPM spec (phypdump.spec),
# built, linted, installed into a fresh bookworm chroot, cross-built for
# ppc64el, and taken through install, a dump boot, upgrade, remove and purge
# (tests/pkg/run).  make check-pkg STEPS="deb chroot" runs some of the steps
# (deb, chroot, cross, rpm).

CHECK_TARGETS += check-pkg

.PHONY: check-pkg
check-pkg:
	@bash tests/pkg/run $(STEPS)

# SPDX-License-Identifier: GPL-2.0-or-later
# tests/readers: phypdump's dumps open in crash and drgn (README.md there).
#   make check-readers-x86_64  the 512 MiB x86_64 fixture's dumps (-d 31 -l/-c[/-z]) against its raw ELF
#   make check-readers-ppc64   the dumps check-e2e-phypdump captured on emulated POWER (runs it first)
CHECK_TARGETS += check-readers-x86_64 check-readers-ppc64

.PHONY: check-readers-x86_64 check-readers-ppc64
check-readers-x86_64: phypdump phypdump-sim
	PHYPDUMP_CACHE="$(CACHE)" bash tests/readers/run-x86_64

check-readers-ppc64: check-e2e-phypdump
	PHYPDUMP_CACHE="$(CACHE)" bash tests/readers/run-ppc64

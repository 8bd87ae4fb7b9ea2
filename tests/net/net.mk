# SPDX-License-Identifier: GPL-2.0-or-later
# Network targets: phypdump save through ssh to a private sshd on loopback;
# phypdump-capture mounting an nfs export (tests/net/run-nfs says how), and
# the same against a real kernel NFS server and client in a QEMU guest
# (tests/net/run-nfs-guest).
CHECK_TARGETS += check-net-ssh check-net-nfs check-net-nfs-guest

.PHONY: check-net-ssh check-net-nfs check-net-nfs-guest
check-net-ssh: phypdump phypdump-sim
	@bash tests/net/run-ssh

check-net-nfs: phypdump phypdump-sim
	@bash tests/net/run-nfs

check-net-nfs-guest: phypdump phypdump-sim
	@bash tests/net/run-nfs-guest

# The reserved GiB*s of an ssh save against a local one, over loopback.
BENCH_TARGETS += bench-net
.PHONY: bench-net
bench-net: phypdump phypdump-sim
	@python3 bench/bench.py --size 512M --ssh

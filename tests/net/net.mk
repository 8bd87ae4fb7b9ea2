# SPDX-License-Identifier: GPL-2.0-or-later
# Network targets: phypdump save through ssh to a private sshd on loopback.
CHECK_TARGETS += check-net-ssh

.PHONY: check-net-ssh
check-net-ssh: phypdump phypdump-sim
	@bash tests/net/run-ssh

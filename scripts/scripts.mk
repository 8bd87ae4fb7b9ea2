# SPDX-License-Identifier: GPL-2.0-or-later
# scripts/: the boot-time service (phypdump-capture, phypdump.service, its
# generator, the drop-in for the stock kdump services, an example
# /etc/phypdump.conf) and the patches for kdump-utils and Debian's kdump-tools.

CHECK_TARGETS   += check-scripts
INSTALL_TARGETS += install-scripts

SYSTEMD_UNITDIR ?= $(PREFIX)/lib/systemd/system
SYSTEMD_GENERATORDIR ?= $(PREFIX)/lib/systemd/system-generators

.PHONY: check-scripts install-scripts
check-scripts: phypdump phypdump-sim
	@bash tests/scripts/run

# The example configuration is installed only when none is there, so that a
# reinstall never overwrites the administrator's file.
install-scripts:
	install -D -m 0755 scripts/phypdump-capture $(DESTDIR)$(PREFIX)/sbin/phypdump-capture
	install -D -m 0644 scripts/phypdump-capture.8 $(DESTDIR)$(PREFIX)/share/man/man8/phypdump-capture.8
	@mkdir -p $(BUILD)
	sed 's|^ExecStart=/usr/sbin/|ExecStart=$(PREFIX)/sbin/|' scripts/phypdump.service >$(BUILD)/phypdump.service
	install -D -m 0644 $(BUILD)/phypdump.service $(DESTDIR)$(SYSTEMD_UNITDIR)/phypdump.service
	sed 's|/usr/sbin/phypdump-capture|$(PREFIX)/sbin/phypdump-capture|' scripts/phypdump-generator >$(BUILD)/phypdump-generator
	install -D -m 0755 $(BUILD)/phypdump-generator $(DESTDIR)$(SYSTEMD_GENERATORDIR)/phypdump-generator
	sed 's|/usr/sbin/phypdump-capture|$(PREFIX)/sbin/phypdump-capture|' scripts/phypdump-wait.conf >$(BUILD)/phypdump-wait.conf
	install -D -m 0644 $(BUILD)/phypdump-wait.conf $(DESTDIR)$(SYSTEMD_UNITDIR)/kdump.service.d/phypdump-wait.conf
	install -D -m 0644 $(BUILD)/phypdump-wait.conf $(DESTDIR)$(SYSTEMD_UNITDIR)/kdump-tools.service.d/phypdump-wait.conf
	@if [ -e $(DESTDIR)/etc/phypdump.conf ]; then \
		echo "install-scripts: keeping $(DESTDIR)/etc/phypdump.conf"; \
	else \
		install -D -m 0644 scripts/phypdump.conf $(DESTDIR)/etc/phypdump.conf; \
	fi

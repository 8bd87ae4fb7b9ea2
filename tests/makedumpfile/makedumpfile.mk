# SPDX-License-Identifier: GPL-2.0-or-later
# The makedumpfile series' own code (phyp.c, phyp.h from makedumpfile-patches/)
# against the installed libphypdump, on the simulator (tests/makedumpfile/run).
# makedumpfile itself is not built here (DEVELOPERS.md).

CHECK_TARGETS += check-makedumpfile

MDF_CHECK_DIR := $(abspath $(BUILD))/check-makedumpfile
.PHONY: check-makedumpfile
check-makedumpfile: libphypdump phypdump-sim
	@rm -rf $(MDF_CHECK_DIR)/prefix
	@$(MAKE) --no-print-directory -s install-lib PREFIX=$(MDF_CHECK_DIR)/prefix \
		LIBDIR=$(MDF_CHECK_DIR)/prefix/lib DESTDIR= >/dev/null
	@CC="$(CC)" bash tests/makedumpfile/run $(MDF_CHECK_DIR)

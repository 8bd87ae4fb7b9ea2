# SPDX-License-Identifier: GPL-2.0-or-later
# The licence (LICENSE: GPL-2.0-or-later) is named in every source file.

CHECK_TARGETS += check-spdx

.PHONY: check-spdx
check-spdx:
	@bash tests/spdx-all

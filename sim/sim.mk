# SPDX-License-Identifier: GPL-2.0-or-later
# phypdump-sim: the simulated dump boot (FUSE). Included by the top-level Makefile.
#   make phypdump-sim     the binary, at the repository root
#   make check-sim        unit tests (plain and ASan/UBSan), fuzz smoke run, integration
# Needs: libfuse3-dev, fuse3, pkg-config, python3, clang + libclang-rt-14-dev (fuzz),
# makedumpfile (fixture comparison), shellcheck (lint of the test script).

SIM_MODULES  := layout reserve vmcore_view timeline devtree options preflight crash
SIM_OBJS     := $(SIM_MODULES:%=$(BUILD)/sim/%.o) $(BUILD)/lib/elfcore.o $(BUILD)/lib/units.o $(BUILD)/lib/rangeset.o $(BUILD)/lib/fileio.o $(BUILD)/lib/stall.o
SIM_SAN_OBJS := $(SIM_MODULES:%=$(BUILD)/sim-san/%.o) $(BUILD)/san/lib/elfcore.o $(BUILD)/san/lib/units.o $(BUILD)/san/lib/rangeset.o $(BUILD)/san/lib/fileio.o $(BUILD)/san/lib/stall.o
SIM_HDRS     := $(wildcard sim/*.h)
SIM_FUSE_CFLAGS := $(shell $(PKG_CONFIG) --cflags fuse3 2>/dev/null)
SIM_FUSE_LIBS   := $(shell $(PKG_CONFIG) --libs fuse3 2>/dev/null || echo -lfuse3) -lpthread
SIM_FUZZ_CC  ?= clang
SIM_FUZZ_SECONDS ?= 10

ALL_TARGETS     += phypdump-sim
BENCH_TARGETS   += bench-sim
CHECK_TARGETS   += check-sim
INSTALL_TARGETS += install-sim

$(BUILD)/sim/%.o: sim/%.c $(SIM_HDRS)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -Isim $(SIM_FUSE_CFLAGS) -c $< -o $@

$(BUILD)/sim-san/%.o: sim/%.c $(SIM_HDRS)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(SAN_FLAGS) -Isim -c $< -o $@

phypdump-sim: $(SIM_OBJS) $(BUILD)/sim/fuse_main.o
	$(CC) $(CFLAGS) -o $@ $^ $(LDFLAGS) $(SIM_FUSE_LIBS)

# the same binary under ASan/UBSan; the integration tests run their rule checks on it too
$(BUILD)/sim-san/phypdump-sim: $(SIM_SAN_OBJS) $(BUILD)/sim-san/fuse_main.o
	$(CC) $(CFLAGS) $(SAN_FLAGS) -o $@ $^ $(SIM_FUSE_LIBS)

$(BUILD)/sim-san/fuse_main.o: sim/fuse_main.c $(SIM_HDRS)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(SAN_FLAGS) -Isim $(SIM_FUSE_CFLAGS) -c $< -o $@

$(BUILD)/sim/test_sim_units: tests/sim/test_sim_units.c $(SIM_OBJS) $(SIM_HDRS)
	$(CC) $(CFLAGS) -Isim -o $@ $< $(SIM_OBJS)

$(BUILD)/sim-san/test_sim_units: tests/sim/test_sim_units.c $(SIM_SAN_OBJS) $(SIM_HDRS)
	$(CC) $(CFLAGS) $(SAN_FLAGS) -Isim -o $@ $< $(SIM_SAN_OBJS)

$(BUILD)/sim/mmap_probe: tests/sim/mmap_probe.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -o $@ $<

# libFuzzer target: parser + layout + release rules on arbitrary bytes.
$(BUILD)/sim-fuzz/fuzz_sim_elfcore: tests/fuzz/fuzz_sim_elfcore.c $(SIM_MODULES:%=sim/%.c) lib/elfcore.c lib/units.c lib/rangeset.c lib/fileio.c lib/stall.c $(SIM_HDRS)
	@mkdir -p $(@D)
	$(SIM_FUZZ_CC) -std=c11 -D_GNU_SOURCE -g -O1 -Wall -Wextra -Werror -Isim -Ilib \
		-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
		-o $@ $< $(SIM_MODULES:%=sim/%.c) lib/elfcore.c lib/units.c lib/rangeset.c lib/fileio.c lib/stall.c

$(BUILD)/sim/bench_reserve: tests/sim/bench_reserve.c $(SIM_OBJS) $(SIM_HDRS)
	$(CC) $(CFLAGS) -Isim -o $@ $< $(SIM_OBJS)

.PHONY: check-sim install-sim bench-sim
bench-sim: $(BUILD)/sim/bench_reserve
	$(BUILD)/sim/bench_reserve

check-sim: phypdump phypdump-sim $(BUILD)/sim-san/phypdump-sim $(BUILD)/sim/test_sim_units $(BUILD)/sim-san/test_sim_units \
	   $(BUILD)/sim/mmap_probe $(BUILD)/sim-fuzz/fuzz_sim_elfcore
	shellcheck tests/sim/run-integration
	SIM_FUZZ_SECONDS=$(SIM_FUZZ_SECONDS) tests/sim/run-integration \
		--sim ./phypdump-sim --sim-san $(BUILD)/sim-san/phypdump-sim --probe $(BUILD)/sim/mmap_probe \
		--unit $(BUILD)/sim/test_sim_units --unit $(BUILD)/sim-san/test_sim_units \
		--fuzz $(BUILD)/sim-fuzz/fuzz_sim_elfcore

install-sim: phypdump-sim
	install -D -m 0755 phypdump-sim $(DESTDIR)$(PREFIX)/bin/phypdump-sim
	install -D -m 0644 man/phypdump-sim.1 $(DESTDIR)$(PREFIX)/share/man/man1/phypdump-sim.1

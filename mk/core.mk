# SPDX-License-Identifier: GPL-2.0-or-later
# libphypdump, the phypdump command, their unit tests and fuzz targets.

LIB_SRCS   := $(sort $(wildcard lib/*.c))
# save_resume.c (FUSE, decompressors) in the native build; the static
# ppc64le test build has neither and takes save_resume_none.c (and builds
# lib/kdump_decompress.c with PD_NO_DECOMPRESSORS: stored pages only).
CMD_SRCS   := $(filter-out src/save_resume_none.c,$(sort $(wildcard src/*.c)))
PPC_CMD_SRCS := $(filter-out src/save_resume.c,$(sort $(wildcard src/*.c)))
LIB_OBJS   := $(LIB_SRCS:%.c=$(BUILD)/%.o)
CMD_OBJS   := $(CMD_SRCS:%.c=$(BUILD)/%.o)
LIB_SAN_OBJS := $(LIB_SRCS:%.c=$(BUILD)/san/%.o)
CMD_SAN_OBJS := $(CMD_SRCS:%.c=$(BUILD)/san/%.o)
LIBPD      := $(BUILD)/libphypdump.a
# The libraries lib/ itself needs (one place): every link of lib/ uses it,
# libphypdump.so links against it and libphypdump.pc lists it (mk/lib.mk).
# Today: the decompressors of makedumpfile's page formats (the resume view
# reads pages back from partial dumps).
LIB_LDLIBS := -lz -llzo2 -lsnappy -lzstd -lpthread
# The command adds FUSE (the resume view's mount).
CMD_FUSE_CFLAGS := $(shell $(PKG_CONFIG) --cflags fuse3 2>/dev/null)
CMD_LDLIBS := $(shell $(PKG_CONFIG) --libs fuse3 2>/dev/null || echo -lfuse3) -lpthread
LIBPD_SAN  := $(BUILD)/san/libphypdump.a

UNIT_SRCS  := $(sort $(wildcard tests/unit/test_*.c))
UNIT_BINS  := $(UNIT_SRCS:tests/unit/%.c=$(BUILD)/tests/%)
UNIT_SAN_BINS := $(UNIT_SRCS:tests/unit/%.c=$(BUILD)/san/tests/%)
# The tests that call the library from several threads, also under
# ThreadSanitizer (a build of its own: TSan does not mix with ASan).
TSAN_FLAGS := -O1 -g -fsanitize=thread -fno-omit-frame-pointer
LIB_TSAN_OBJS := $(LIB_SRCS:%.c=$(BUILD)/tsan/%.o)
LIBPD_TSAN := $(BUILD)/tsan/libphypdump.a
UNIT_TSAN_BINS := $(BUILD)/tsan/tests/test_phyp_release

FUZZ_SRCS  := $(sort $(wildcard tests/fuzz/fuzz_*.c))
FUZZ_LIB_SRCS := $(filter-out tests/fuzz/fuzz_sim_%,$(FUZZ_SRCS))
FUZZ_BINS  := $(FUZZ_LIB_SRCS:tests/fuzz/%.c=$(BUILD)/fuzz/%)
FUZZ_CC    ?= clang
FUZZ_FLAGS := -g -O1 -std=c11 -D_GNU_SOURCE -D_FILE_OFFSET_BITS=64 -Ilib \
              -Iinclude/phypdump -DPHYPDUMP_INTERNAL \
              -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all
FUZZ_SECONDS ?= 20

ALL_TARGETS   += phypdump
CHECK_TARGETS += check-unit check-unit-san check-fuzz check-status check-shell
INSTALL_TARGETS += install-phypdump

$(BUILD)/%.o: %.c $(wildcard lib/*.h src/*.h)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(CFLAGS) -c $< -o $@

$(BUILD)/san/%.o: %.c $(wildcard lib/*.h src/*.h)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC san  $<")
	$(Q)$(CC) $(CFLAGS) $(SAN_FLAGS) -c $< -o $@

$(BUILD)/tsan/%.o: %.c $(wildcard lib/*.h src/*.h)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC tsan $<")
	$(Q)$(CC) $(CFLAGS) $(TSAN_FLAGS) -c $< -o $@

$(LIBPD): $(LIB_OBJS)
	@mkdir -p $(dir $@)
	$(Q)$(AR) rcs $@ $^

$(LIBPD_SAN): $(LIB_SAN_OBJS)
	@mkdir -p $(dir $@)
	$(Q)$(AR) rcs $@ $^

$(LIBPD_TSAN): $(LIB_TSAN_OBJS)
	@mkdir -p $(dir $@)
	$(Q)$(AR) rcs $@ $^

phypdump: $(CMD_OBJS) $(LIBPD)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(CFLAGS) -o $@ $(CMD_OBJS) $(LIBPD) $(LDFLAGS) $(LIB_LDLIBS) $(CMD_LDLIBS)

$(BUILD)/san/phypdump: $(CMD_SAN_OBJS) $(LIBPD_SAN)
	$(Q)$(CC) $(CFLAGS) $(SAN_FLAGS) -o $@ $(CMD_SAN_OBJS) $(LIBPD_SAN) $(LDFLAGS) $(LIB_LDLIBS) $(CMD_LDLIBS)

$(BUILD)/tests/%: tests/unit/%.c $(wildcard tests/unit/*.h) $(LIBPD)
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(CFLAGS) -Itests/unit -o $@ $< $(LIBPD) $(LIB_LDLIBS)

$(BUILD)/san/tests/%: tests/unit/%.c $(wildcard tests/unit/*.h) $(LIBPD_SAN)
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(CFLAGS) $(SAN_FLAGS) -Itests/unit -o $@ $< $(LIBPD_SAN) $(LIB_LDLIBS)

$(BUILD)/tsan/tests/%: tests/unit/%.c $(wildcard tests/unit/*.h) $(LIBPD_TSAN)
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(CFLAGS) $(TSAN_FLAGS) -Itests/unit -o $@ $< $(LIBPD_TSAN) $(LIB_LDLIBS)

$(BUILD)/fuzz/%: tests/fuzz/%.c $(LIB_SRCS) $(wildcard lib/*.h)
	@mkdir -p $(dir $@)
	$(Q)$(FUZZ_CC) $(FUZZ_FLAGS) -o $@ $< $(LIB_SRCS) $(LIB_LDLIBS)

.PHONY: check-unit check-unit-san check-fuzz check-status check-shell fuzz install-phypdump
check-unit: $(UNIT_BINS)
	@bash tests/unit/run-all "unit" $(UNIT_BINS)

check-unit-san: $(UNIT_SAN_BINS) $(UNIT_TSAN_BINS)
	@ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
	  TSAN_OPTIONS=halt_on_error=1 \
	  bash tests/unit/run-all "unit-san" $(UNIT_SAN_BINS) $(UNIT_TSAN_BINS)

# Smoke: every lib fuzz target over its corpus plus FUZZ_SECONDS of fuzzing.
check-fuzz: $(FUZZ_BINS)
	@bash tests/fuzz/run $(FUZZ_SECONDS) $(FUZZ_BINS)

# Long run: make fuzz FUZZ_SECONDS=600
fuzz: check-fuzz

check-status: phypdump $(BUILD)/san/phypdump
	@bash tests/status/run ./phypdump $(BUILD)/san/phypdump

check-shell:
	@bash tests/shellcheck-all

install-phypdump: phypdump
	install -D -m 0755 phypdump $(DESTDIR)$(PREFIX)/sbin/phypdump
	install -D -m 0644 man/phypdump.8 $(DESTDIR)$(PREFIX)/share/man/man8/phypdump.8

# A static ppc64le phypdump for the emulated POWER guest (tests/e2e).
# With PPC_FUSE_SYSROOT (a tree holding bookworm's ppc64el libfuse3-dev, from
# tests/e2e/fetch-ppc64el --suite bookworm), it also has the resume view's
# FUSE mount (what dump boot 2 finishes a re-armed dump through), built in
# $(BUILD)/ppc64le-fuse; without, save_resume_none.c.
PPC_CC ?= powerpc64le-linux-gnu-gcc
ifeq ($(PPC_FUSE_SYSROOT),)
PPC_DIR := $(BUILD)/ppc64le
PPC_OBJS := $(filter-out $(PPC_DIR)/lib/resume_view.o,$(LIB_SRCS:%.c=$(PPC_DIR)/%.o)) $(PPC_CMD_SRCS:%.c=$(PPC_DIR)/%.o)
PPC_FUSE_CFLAGS :=
PPC_FUSE_LIBS :=
else
PPC_DIR := $(BUILD)/ppc64le-fuse
PPC_OBJS := $(LIB_SRCS:%.c=$(PPC_DIR)/%.o) $(CMD_SRCS:%.c=$(PPC_DIR)/%.o)
PPC_FUSE_CFLAGS := -I$(PPC_FUSE_SYSROOT)/usr/include/fuse3 -D_FILE_OFFSET_BITS=64
PPC_FUSE_LIBS := $(PPC_FUSE_SYSROOT)/usr/lib/powerpc64le-linux-gnu/libfuse3.a -lpthread -ldl -lrt
endif

$(PPC_DIR)/%.o: %.c $(wildcard lib/*.h src/*.h)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC ppc  $<")
	$(Q)$(PPC_CC) $(filter-out -g,$(CFLAGS)) $(PPC_FUSE_CFLAGS) -DPD_NO_DECOMPRESSORS -c $< -o $@

$(PPC_DIR)/phypdump: $(PPC_OBJS)
	$(Q)$(PPC_CC) -static -o $@ $(PPC_OBJS) $(PPC_FUSE_LIBS)

.PHONY: phypdump-ppc64le
phypdump-ppc64le: $(PPC_DIR)/phypdump

# tests/e2e's probe of /proc/vmcore during a capture, for the same guest.
PROBE_OBJS := $(addprefix $(BUILD)/ppc64le/lib/,rr_grammar.o pd_error.o fileio.o stall.o) \
	$(BUILD)/ppc64le/lib/elfcore.o
$(BUILD)/ppc64le/vmcore-probe: tests/e2e/vmcore-probe.c $(PROBE_OBJS) $(wildcard lib/*.h)
	$(Q)$(PPC_CC) $(filter-out -g,$(CFLAGS)) -Ilib -Isim -static -o $@ $< $(PROBE_OBJS)

.PHONY: vmcore-probe-ppc64le
vmcore-probe-ppc64le: $(BUILD)/ppc64le/vmcore-probe

# The resume view's mount needs FUSE's headers.
$(BUILD)/src/save_resume.o $(BUILD)/san/src/save_resume.o: CFLAGS += $(CMD_FUSE_CFLAGS)

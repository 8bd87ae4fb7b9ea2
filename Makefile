# SPDX-License-Identifier: GPL-2.0-or-later
# phypdump — top-level GNU Makefile.
#   make            build lib, phypdump, phypdump-sim
#   make check      every test (unit, sanitizers, fuzz smoke, simulator, patches, e2e)
#   make bench      benchmarks
#   make demo       the demo (README)
#   make install DESTDIR=... PREFIX=...
# Sub-areas add themselves through mk/*.mk, */*.mk and tests/*/*.mk fragments: each appends its test
# target to CHECK_TARGETS and its binaries to ALL_TARGETS.

PREFIX  ?= /usr/local
DESTDIR ?=
BUILD   ?= build
CACHE   ?= $(or $(PHYPDUMP_CACHE),$(HOME)/.cache/phypdump)
CC      ?= cc
# Cross builds (debian/rules -a ppc64el) name the host's tools.
PKG_CONFIG ?= pkg-config
OBJCOPY ?= objcopy
VERSION := 0.1.0

WARN    := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
           -Wformat=2 -Wvla
CFLAGS  ?= -O2 -g
CFLAGS  += -std=c11 -D_GNU_SOURCE -D_FILE_OFFSET_BITS=64 $(WARN) \
           -DPHYPDUMP_VERSION='"$(VERSION)"' -Ilib \
           -Iinclude/phypdump -DPHYPDUMP_INTERNAL
SAN_FLAGS := -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer \
             -fno-sanitize-recover=all

export BUILD CACHE

# Quiet by default; make V=1 shows every command.
ifeq ($(V),1)
Q :=
else
Q := @
endif

ALL_TARGETS   :=
CHECK_TARGETS :=
BENCH_TARGETS :=
INSTALL_TARGETS :=

.PHONY: all check check-groups deps bench demo install clean
all: build-all

# The Debian packages everything needs (scripts/deps: one list, installed when
# run as root, named otherwise).  check and demo run it first, alone, so that
# a fresh machine needs no other step.
deps:
	@bash scripts/deps ensure

include $(sort $(wildcard mk/*.mk */*.mk tests/*/*.mk))

build-all: $(ALL_TARGETS)

# Two groups at a time: the machines this runs on have two cores, and most
# groups leave one idle (QEMU's TCG runs a guest on one thread; downloads and
# fdatasync waits use none).  Each group's output is printed whole when it
# ends.  Shared cached products (kernels, chroot, fixtures) are built under
# locks.  make check CHECK_JOBS=1 runs them one by one, in order.
CHECK_JOBS ?= 2
check: deps
	@$(MAKE) --no-print-directory -j$(CHECK_JOBS) --output-sync=target check-groups

check-groups: $(CHECK_TARGETS)
	@echo "make check: all test groups passed ($(CHECK_TARGETS))"

bench: $(BENCH_TARGETS)

install: $(INSTALL_TARGETS)

clean:
	rm -rf $(BUILD)

# SPDX-License-Identifier: GPL-2.0-or-later
# phypdump save: integration tests on the simulator, the demo, benchmarks.

CHECK_TARGETS += check-save-errors check-save check-resume check-rearm
BENCH_TARGETS += bench-save

.PHONY: check-save check-save-errors check-resume check-rearm demo bench-save
check-save-errors: phypdump
	@bash tests/save/errors

check-save: phypdump phypdump-sim
	@bash tests/save/run

# The randomized interruption campaign (fixed seed; RESUME_INTERRUPTIONS=N).
RESUME_INTERRUPTIONS ?= 100
RESUME_SEED ?= 20261204
# The 512 MiB fixture and its cached references, for the campaigns.
FIXTURE_AND_REFS = fixture=$$(bash tests/fixtures/make-vmcore --size 512M | tail -n 1) && \
	  refs=$(CACHE)/refs/$$(basename $$(dirname "$$fixture")) && mkdir -p "$$refs"
check-resume: phypdump phypdump-sim
	@$(FIXTURE_AND_REFS) && \
	  python3 tests/save/campaign.py --phypdump ./phypdump --sim ./phypdump-sim \
	    --fixture "$$fixture" --refs "$$refs" \
	    --interruptions $(RESUME_INTERRUPTIONS) --seed $(RESUME_SEED)

# Crash protection during the save (issue 19): re-arming, second crashes at
# seeded moments after it, dump boot 2 finishing dump 1 (REARM_CRASHES=N).
REARM_CRASHES ?= 5
REARM_SEED ?= 20261206
check-rearm: phypdump phypdump-sim
	@$(FIXTURE_AND_REFS) && \
	  python3 tests/save/rearm.py --phypdump ./phypdump --sim ./phypdump-sim \
	    --fixture "$$fixture" --refs "$$refs" --crashes $(REARM_CRASHES) --seed $(REARM_SEED)

# The README's first command: everything, on the built-in 512 MiB fixture.
demo: deps
	@$(MAKE) --no-print-directory demo-run

.PHONY: demo-run
demo-run: phypdump phypdump-sim
	@mkdir -p $(BUILD)/demo
	@python3 bench/bench.py --demo --size 512M --svg $(BUILD)/demo/release-timeline.svg

# BENCH_SIZES="512M 8G" by default: the large fixture is built on demand.
# BENCH_PATCHED=MAKEDUMPFILE: also a makedumpfile built by hand with
# makedumpfile-patches/ (bench.py --patched).
BENCH_SIZES ?= 512M 8G
bench-save: phypdump phypdump-sim
	@python3 bench/bench.py $(foreach s,$(BENCH_SIZES),--size $(s)) --threads --svg $(BUILD)/bench-timeline.svg \
	  $(if $(BENCH_PATCHED),--patched $(BENCH_PATCHED))

# The scale table: cost that grows with the work, not with the dump.  The 64G
# fixture is sparse (its free memory is holes); it is built on demand.
BENCH_SCALE_SIZES ?= 512M 8G 64G
.PHONY: bench-scale bench-repeat
bench-scale: phypdump phypdump-sim
	@python3 bench/bench.py --scale $(foreach s,$(BENCH_SCALE_SIZES),--size $(s))

# Before/after the durability worker, in the same rounds (BENCH_ROUNDS=N).
BENCH_ROUNDS ?= 3
bench-repeat: phypdump phypdump-sim
	@python3 bench/bench.py --repeat $(BENCH_ROUNDS) $(foreach s,$(BENCH_SIZES),--size $(s))

# The stall watchdog (--stall-timeout): a FUSE target whose write or fsync
# blocks on command (tests/save/stallfs.c), the 512 MiB fixture on the
# simulator in poison mode.
STALLFS := $(BUILD)/stallfs
$(STALLFS): tests/save/stallfs.c
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(CFLAGS) $(CMD_FUSE_CFLAGS) -o $@ $< $(CMD_LDLIBS)

CHECK_TARGETS += check-stall
.PHONY: check-stall
check-stall: phypdump phypdump-sim $(STALLFS)
	@$(FIXTURE_AND_REFS) && \
	  python3 tests/save/stall.py --phypdump ./phypdump --sim ./phypdump-sim --stallfs $(STALLFS) \
	    --fixture "$$fixture" --refs "$$refs"

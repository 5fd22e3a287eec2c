# mkba build. `make` builds the library and program; `make check` runs the
# unit tests, then the same tests under AddressSanitizer and
# UndefinedBehaviorSanitizer; `make bench` runs the engine benchmark,
# `make bench-ir` counts the engines' instructions per household-cycle,
# `make bench-identical` compares result files with an earlier build's and
# `make bench-sa` runs the sensitivity-analysis benchmark and `make
# bench-mpi` the scaling across MPI ranks.

CC      ?= gcc
# `make MPI=1` builds build-mpi/mkba with Open MPI (mpicc), which divides a
# study's points among the ranks of `mpirun` (docs/architecture.md); the
# default build needs no MPI.
ifeq ($(MPI),1)
CC      := mpicc
BUILD   ?= build-mpi
MPIFLAGS := -DMKBA_HAVE_MPI
endif
PKGS    := gsl libconfig hdf5 libmatheval
WARN    := -Wall -Wextra -Wpedantic -Wshadow -Wmissing-prototypes -Wstrict-prototypes
CFLAGS  ?= -O3 -g
BUILD   ?= build
BASEFLAGS := -std=c11 -D_POSIX_C_SOURCE=200809L -fopenmp $(MPIFLAGS) $(WARN) -Iinclude -Isrc -I$(BUILD) \
             $(shell pkg-config --cflags $(PKGS))
LDLIBS  := -lxlsxwriter -lhdf5_hl $(shell pkg-config --libs $(PKGS)) -lm
TESTLIBS := $(shell pkg-config --libs cmocka)

LIB_SRC := $(wildcard src/core/*.c src/model/*.c src/results/*.c src/engine/*.c src/io/*.c \
                     src/analysis/*.c src/study/*.c src/sa/*.c src/expost/*.c src/report/*.c)
CLI_SRC := $(wildcard src/cli/*.c)
TEST_SRC := $(wildcard tests/unit/test_*.c)
TEST_SUPPORT := $(filter-out $(TEST_SRC),$(wildcard tests/unit/*.c))

LIB_OBJ := $(LIB_SRC:%.c=$(BUILD)/%.o)
CLI_OBJ := $(CLI_SRC:%.c=$(BUILD)/%.o)
TEST_BIN := $(TEST_SRC:tests/unit/%.c=$(BUILD)/tests/%)
SUPPORT_OBJ := $(TEST_SUPPORT:%.c=$(BUILD)/%.o)

.PHONY: FORCE all clean check check-mpi test-plain test-san bench bench-sa bench-ir bench-identical bench-mpi deps run-default
.SECONDARY:
all: $(BUILD)/mkba

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(BASEFLAGS) $(CFLAGS) -MMD -MP -c $< -o $@

# The build's identity: a hash of the library's sources and the compiler
# flags, rewritten only when it changes. A checkpoint records it, so a run
# is resumed only by the program that began it (src/study/checkpoint.h).
BUILD_ID_SRC := $(sort $(LIB_SRC) $(wildcard include/mkba/*.h src/*/*.h src/*/*.def))
$(BUILD)/build_id.h: FORCE
	@mkdir -p $(BUILD)
	@id=$$({ cat $(BUILD_ID_SRC); echo '$(CC) $(CFLAGS)'; } | sha256sum | cut -c1-16); \
	  printf '#define MKBA_BUILD_ID "%s"\n' "$$id" >$@.new; \
	  if cmp -s $@.new $@; then rm -f $@.new; else mv -f $@.new $@; fi
$(BUILD)/src/study/checkpoint.o: $(BUILD)/build_id.h

# The scenarios `mkba init` writes: plain files compiled in as strings.
# Made on every make and replaced only when it changes, so a deleted
# template leaves the program too.
TEMPLATES := $(sort $(wildcard src/cli/templates/*.cfg))
$(BUILD)/templates.h: FORCE
	@mkdir -p $(BUILD)
	@sh scripts/templates-h.sh $(TEMPLATES) >$@.new && \
	  if cmp -s $@.new $@; then rm -f $@.new; else mv -f $@.new $@; fi
$(BUILD)/src/cli/init_cmd.o: $(BUILD)/templates.h
# `mkba report` runs the chart script of this source tree unless MKBA_PLOTS
# names another (src/report/plots.h, docs/report.md).
$(BUILD)/src/report/plots.o: BASEFLAGS += -DMKBA_PLOTS_SCRIPT='"$(CURDIR)/tools/mkba_plots.py"'

$(BUILD)/libmkba.a: $(LIB_OBJ)
	@mkdir -p $(dir $@)
	@rm -f $@   # a deleted source must not leave its object in the archive
	$(AR) rcs $@ $^

$(BUILD)/mkba: $(CLI_OBJ) $(BUILD)/libmkba.a
	$(CC) $(BASEFLAGS) $(CFLAGS) -o $@ $(CLI_OBJ) $(BUILD)/libmkba.a $(LDLIBS)

$(BUILD)/tests/%: $(BUILD)/tests/unit/%.o $(SUPPORT_OBJ) $(BUILD)/libmkba.a
	@mkdir -p $(dir $@)
	$(CC) $(BASEFLAGS) $(CFLAGS) -o $@ $< $(filter $(BUILD)/src/cli/%.o,$^) $(SUPPORT_OBJ) \
	  $(BUILD)/libmkba.a $(LDLIBS) $(TESTLIBS)
# test_progress checks the program's progress line itself.
$(BUILD)/tests/test_progress: $(BUILD)/src/cli/progress.o

# Runs every test binary from the top folder (tests find tests/data there)
# with the built program beside them; stops at the first failing binary.
test-plain: $(BUILD)/mkba $(TEST_BIN)
	@set -e; for t in $(TEST_BIN); do echo "== $$t"; MKBA_BIN=$(BUILD)/mkba $$t; done

# The same binaries run JOBS at a time (`make test-par JOBS=2`; default: the
# number of processors), the longest first so that no long binary starts
# last and runs alone; each binary's output goes to
# $(BUILD)/tests/logs/NAME.log. A failing binary fails the target with its
# name and the end of its log, and no further binary starts (make without
# -k). `make coverage` runs the suite this way: gcov adds the counts of
# concurrent processes into the same .gcda files under a lock (fcntl, in
# libgcov's _gcov.o; docs/reliability.md).
JOBS ?= $(shell nproc 2>/dev/null || echo 2)
TEST_LONGEST := test_expost test_alloc_fail test_alloc_sites test_alloc_report \
                $(sort $(notdir $(filter $(BUILD)/tests/test_report_%,$(TEST_BIN))))
TEST_FIRST := $(foreach t,$(TEST_LONGEST),$(filter $(BUILD)/tests/$(t),$(TEST_BIN)))
TEST_LOG := $(patsubst $(BUILD)/tests/%,$(BUILD)/tests/logs/%.log,\
              $(TEST_FIRST) $(filter-out $(TEST_FIRST),$(TEST_BIN)))
.PHONY: test-par test-par-run
test-par:
	$(MAKE) -j$(JOBS) test-par-run
test-par-run: $(TEST_LOG)
	@echo "test-par: all $(words $(TEST_LOG)) test binaries passed (logs in $(BUILD)/tests/logs)"
$(BUILD)/tests/logs/%.log: $(BUILD)/tests/% $(BUILD)/mkba FORCE
	@mkdir -p $(dir $@)
	@echo "== $< (log: $@)"
	@MKBA_BIN=$(BUILD)/mkba $< >$@ 2>&1 || { tail -n 30 $@; \
	  echo "test-par: $< FAILED (its whole output: $@)" >&2; exit 1; }

test-san:
	$(MAKE) BUILD=build-san CFLAGS="-O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all" \
	  test-plain

check:
	$(MAKE) test-plain
	ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 MKBA_SANITIZED=1 $(MAKE) test-san
	@echo "check: all test binaries passed (plain and ASan/UBSan)"

$(BUILD)/bench: tests/bench.c $(BUILD)/libmkba.a
	$(CC) $(BASEFLAGS) $(CFLAGS) -o $@ $< $(BUILD)/libmkba.a $(LDLIBS)

bench: $(BUILD)/bench
	@$(BUILD)/bench scenarios/bench.cfg scenarios/pathways/all-models.cfg

# A Sobol analysis of the all-models scenario: wall time, points per second
# and peak memory at two design sizes (docs/sensitivity.md, Performance).
bench-sa: $(BUILD)/mkba
	@./scripts/bench-sa.sh $(BUILD)/mkba

# Instructions per household-cycle of both engines (valgrind's callgrind).
bench-ir: $(BUILD)/mkba
	@./scripts/instr-per-hc.sh $(BUILD)/mkba

# Every dataset bit-identical to reference files written by an earlier
# build: `scripts/bench-identical.sh write OLD-MKBA DIR` once, then
# `make bench-identical REF=DIR` after each change.
REF ?= results/identical-ref
bench-identical: $(BUILD)/mkba
	@./scripts/bench-identical.sh check $(BUILD)/mkba $(REF)

# Runs across 2 and 3 MPI ranks give the one-process files, dataset by
# dataset, an error on one rank ends every rank, and an interrupted run
# stops cleanly and resumes (scripts/check-mpi.sh). Skipped without mpirun.
check-mpi:
	@if command -v mpirun >/dev/null && command -v mpicc >/dev/null; then \
	    $(MAKE) MPI=1 build-mpi/mkba && ./scripts/check-mpi.sh build-mpi/mkba; \
	else echo "check-mpi: skipped: no mpirun or mpicc (apt-get install openmpi-bin libopenmpi-dev)"; fi

# Strong and weak scaling over 1, 2 and 3 MPI ranks, and the bytes sent
# per point (scripts/bench-mpi.sh, docs/scaling.md).
bench-mpi:
	$(MAKE) MPI=1 build-mpi/mkba
	@./scripts/bench-mpi.sh build-mpi/mkba

run-default: $(BUILD)/mkba
	$(BUILD)/mkba run scenarios/default.cfg -o results/default.h5 --force

# ---- Fuzzing (docs/reliability.md, "Fuzzing") ----
# Every tests/fuzz/fuzz_NAME.c is a libFuzzer target. `make fuzz` builds each
# with clang (libFuzzer, ASan, UBSan) in build-fuzz/ and runs it for
# FUZZ_SECONDS on its corpus; a crash, a sanitizer report, a leak or an input
# taking over 5 s fails it. `make check` replays each target's saved crashes
# and corpus through a gcc-built driver (tests/fuzz/replay.c), plain and
# sanitized, so it needs no clang.
FUZZ_SRC     := $(wildcard tests/fuzz/fuzz_*.c)
FUZZ_NAMES   := $(FUZZ_SRC:tests/fuzz/fuzz_%.c=%)
FUZZ_SUPPORT := tests/fuzz/support.c
FUZZ_CC      ?= clang
FUZZ_BUILD   := build-fuzz
FUZZ_SECONDS ?= 60
FUZZ_SAN     := -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=all
REPLAY_BIN   := $(FUZZ_NAMES:%=$(BUILD)/tests/replay_%)
REPLAY_OBJ   := $(BUILD)/tests/fuzz/replay.o $(FUZZ_SUPPORT:%.c=$(BUILD)/%.o)
# fuzz_h5bytes feeds byte-damaged files to libhdf5, whose own crashes and
# leaks are not ours to fix: run it by hand (make fuzz FUZZ_TARGETS=h5bytes,
# leaks not checked) and triage.
FUZZ_TARGETS ?= $(filter-out h5bytes,$(FUZZ_NAMES))

.PHONY: fuzz fuzz-build fuzz-replay
$(BUILD)/tests/replay_%: $(BUILD)/tests/fuzz/fuzz_%.o $(REPLAY_OBJ) $(BUILD)/libmkba.a
	@mkdir -p $(dir $@)
	$(CC) $(BASEFLAGS) $(CFLAGS) -o $@ $< $(REPLAY_OBJ) $(BUILD)/libmkba.a $(LDLIBS)

# The seed result files of fuzz_summary, written by this build's program.
$(BUILD)/fuzz-seeds/done: $(BUILD)/mkba tests/fuzz/make-seeds.sh tests/data/full.cfg tests/data/services.cfg
	tests/fuzz/make-seeds.sh $(BUILD)/mkba $(dir $@)
	@touch $@

# Replays only the folders that exist (a target without crashes has none).
fuzz-replay: $(REPLAY_BIN) $(BUILD)/fuzz-seeds/done
	@set -e; export MKBA_FUZZ_SEEDS=$(BUILD)/fuzz-seeds; for t in $(FUZZ_NAMES); do \
	  dirs=$$(ls -d tests/fuzz/crashes/$$t tests/fuzz/corpus/$$t 2>/dev/null || true); \
	  if [ -n "$$dirs" ]; then echo "== replay $$t"; \
	    LSAN_OPTIONS=suppressions=tests/fuzz/lsan.supp $(BUILD)/tests/replay_$$t $$dirs; fi; done
test-plain: fuzz-replay

fuzz-build:
	$(MAKE) BUILD=$(FUZZ_BUILD) CC=$(FUZZ_CC) CFLAGS="$(FUZZ_SAN) -fsanitize=fuzzer-no-link" \
	  $(FUZZ_NAMES:%=$(FUZZ_BUILD)/fuzz_%) $(FUZZ_BUILD)/scenario.dict

$(FUZZ_BUILD)/fuzz_%: $(FUZZ_BUILD)/tests/fuzz/fuzz_%.o $(FUZZ_SUPPORT:%.c=$(FUZZ_BUILD)/%.o) $(FUZZ_BUILD)/libmkba.a
	$(CC) $(BASEFLAGS) $(CFLAGS) -fsanitize=fuzzer -o $@ $^ $(LDLIBS)

# The dictionary: every quoted name in the loader's key tables, plus the
# syntax of libconfig and the target's file separator.
$(FUZZ_BUILD)/scenario.dict: src/model/scenario_keys.c tests/fuzz/scenario_syntax.dict
	@mkdir -p $(dir $@)
	{ cat tests/fuzz/scenario_syntax.dict; \
	  grep -o '"[A-Za-z_][A-Za-z0-9_-]*"' $< | sort -u; } > $@

# Seeds of fuzz_scenario: every scenario of the repository with its
# @include files packed into one input, made afresh rather than committed
# (the committed corpus keeps only small inputs).
$(FUZZ_BUILD)/seeds/scenario/done: tests/fuzz/scenario_seeds.py $(shell find scenarios params tests/data -name '*.cfg')
	rm -rf $(dir $@) && python3 tests/fuzz/scenario_seeds.py $(dir $@)
	@touch $@

# Runs each target for FUZZ_SECONDS on its corpus and seeds (new inputs go
# to build-fuzz/corpus/NAME; merge them into tests/fuzz/corpus/NAME with
# -merge=1 when they add coverage). A crash file lands in build-fuzz/ as crash-*, leak-* or
# timeout-*: add it to tests/fuzz/crashes/NAME/ once fixed.
fuzz: fuzz-build $(BUILD)/fuzz-seeds/done $(FUZZ_BUILD)/seeds/scenario/done
	@set -e; export MKBA_FUZZ_SEEDS=$(BUILD)/fuzz-seeds; for t in $(FUZZ_TARGETS); do \
	  mkdir -p $(FUZZ_BUILD)/corpus/$$t; echo "== fuzz $$t for $(FUZZ_SECONDS) s"; \
	  seeds=$$(ls -d tests/fuzz/corpus/$$t 2>/dev/null || true); \
	  opts=; leaks=1; case $$t in \
	    scenario) opts=-dict=$(FUZZ_BUILD)/scenario.dict; seeds="$$seeds $(FUZZ_BUILD)/seeds/scenario";; \
	    summary) opts="-max_len=512 -len_control=0";; \
	    h5bytes) seeds="$$seeds $(BUILD)/fuzz-seeds"; leaks=0;; esac; \
	  ASAN_OPTIONS=detect_leaks=$$leaks LSAN_OPTIONS=suppressions=tests/fuzz/lsan.supp \
	  UBSAN_OPTIONS=print_stacktrace=1 $(FUZZ_BUILD)/fuzz_$$t $$opts -timeout=5 -rss_limit_mb=2048 \
	    -max_total_time=$(FUZZ_SECONDS) -print_final_stats=1 -artifact_prefix=$(FUZZ_BUILD)/ \
	    $(FUZZ_BUILD)/corpus/$$t $$seeds; done

deps:
	./scripts/install-deps.sh

# `make coverage`: line and branch coverage of src/ after the unit tests, in
# a build of its own at -O0 (so counts stay on their lines), then the error
# messages no test provokes (scripts/unprovoked-messages.py). Needs lcov:
# scripts/install-deps.sh --coverage. HTML report in build-cov/html. The
# tests run in parallel (test-par above; `make coverage JOBS=1` one at a
# time), each with its log in build-cov/tests/logs.
# Every count file (.gcda) is created empty with mode 0666 before the suite,
# so that the tests that run mkba as user 65534 (when run as root) add their
# counts too: libgcov cannot create a file in the root-owned build folder for
# that user, but it fills an empty one it may write. Those still empty after
# the suite (an object whose code never ran) are removed before lcov, whose
# geninfo refuses an empty file.
# The allocation tests fail every place they record (MKBA_ALLOC_SITES_ALL=1,
# MKBA_ALLOC_REPORT_ALL=1), which reaches the out-of-memory messages CI's
# sample leaves out; `make coverage COV_ALLOC_ALL=` (or off) runs the sample.
COV_BUILD := build-cov
COV_RC    := --rc lcov_branch_coverage=1
COV_FLAGS := BUILD=$(COV_BUILD) CFLAGS="-O0 -g --coverage"
COV_ALLOC_ALL ?= 1
# Off clears the two switches from the caller's environment too (the tests
# ask only whether they are set, so even =0 would mean all).
COV_ALLOC_ENV := $(if $(filter 1 yes,$(COV_ALLOC_ALL)),MKBA_ALLOC_SITES_ALL=1 MKBA_ALLOC_REPORT_ALL=1,env -u MKBA_ALLOC_SITES_ALL -u MKBA_ALLOC_REPORT_ALL)
.PHONY: coverage
coverage:
	@case "$(COV_ALLOC_ALL)" in 1|yes|off|"") ;; *) echo "coverage: COV_ALLOC_ALL" \
	  "expects 1, yes, off or nothing (off), got '$(COV_ALLOC_ALL)'" >&2; exit 2;; esac
	@command -v lcov >/dev/null || { echo "coverage: lcov is missing;" \
	  "run scripts/install-deps.sh --coverage" >&2; exit 1; }
	@rm -f $$(find $(COV_BUILD) -name '*.gcda' 2>/dev/null)
	$(MAKE) $(COV_FLAGS) $(COV_BUILD)/mkba \
	  $(TEST_SRC:tests/unit/%.c=$(COV_BUILD)/tests/%)
	@find $(COV_BUILD) -name '*.gcno' | while read -r f; do d="$${f%.gcno}.gcda"; \
	  : >"$$d" && chmod 0666 "$$d" || exit 1; done
	$(COV_ALLOC_ENV) $(MAKE) $(COV_FLAGS) test-par
	@find $(COV_BUILD) -name '*.gcda' -empty -delete
	@find $(COV_BUILD) -name '*.gcda' -exec chmod 0644 {} +
	lcov --quiet $(COV_RC) --capture --directory $(COV_BUILD) --base-directory . \
	  --output-file $(COV_BUILD)/all.info
	lcov --quiet $(COV_RC) --extract $(COV_BUILD)/all.info '$(CURDIR)/src/*' \
	  --output-file $(COV_BUILD)/coverage.info
	genhtml --quiet $(COV_RC) --branch-coverage --output-directory $(COV_BUILD)/html \
	  $(COV_BUILD)/coverage.info
	lcov $(COV_RC) --summary $(COV_BUILD)/coverage.info
	/usr/bin/python3 scripts/unprovoked-messages.py --build $(COV_BUILD)

clean:
	rm -rf build build-san build-cov build-fuzz build-mpi

-include $(shell find $(BUILD) build-san build-mpi $(FUZZ_BUILD) -name '*.d' 2>/dev/null)

# mkba build. `make` builds the library and program; `make check` runs the
# unit tests, then the same tests under AddressSanitizer and
# UndefinedBehaviorSanitizer; `make bench` runs the engine benchmark,
# `make bench-ir` counts the engines' instructions per household-cycle,
# `make bench-identical` compares result files with an earlier build's and
# `make bench-sa` runs the sensitivity-analysis benchmark.

CC      ?= gcc
PKGS    := gsl libconfig hdf5 libmatheval
WARN    := -Wall -Wextra -Wpedantic -Wshadow -Wmissing-prototypes -Wstrict-prototypes
CFLAGS  ?= -O3 -g
BUILD   ?= build
BASEFLAGS := -std=c11 -D_POSIX_C_SOURCE=200809L -fopenmp $(WARN) -Iinclude -Isrc -I$(BUILD) \
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

.PHONY: FORCE all clean check test-plain test-san bench bench-sa bench-ir bench-identical deps run-default
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

$(BUILD)/libmkba.a: $(LIB_OBJ)
	@mkdir -p $(dir $@)
	@rm -f $@   # a deleted source must not leave its object in the archive
	$(AR) rcs $@ $^

$(BUILD)/mkba: $(CLI_OBJ) $(BUILD)/libmkba.a
	$(CC) $(BASEFLAGS) $(CFLAGS) -o $@ $(CLI_OBJ) $(BUILD)/libmkba.a $(LDLIBS)

$(BUILD)/tests/%: $(BUILD)/tests/unit/%.o $(SUPPORT_OBJ) $(BUILD)/libmkba.a
	@mkdir -p $(dir $@)
	$(CC) $(BASEFLAGS) $(CFLAGS) -o $@ $< $(SUPPORT_OBJ) $(BUILD)/libmkba.a $(LDLIBS) $(TESTLIBS)

# Runs every test binary from the top folder (tests find tests/data there)
# with the built program beside them; stops at the first failing binary.
test-plain: $(BUILD)/mkba $(TEST_BIN)
	@set -e; for t in $(TEST_BIN); do echo "== $$t"; MKBA_BIN=$(BUILD)/mkba $$t; done

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

run-default: $(BUILD)/mkba
	$(BUILD)/mkba run scenarios/default.cfg -o results/default.h5 --force

deps:
	./scripts/install-deps.sh

clean:
	rm -rf build build-san

-include $(shell find $(BUILD) build-san -name '*.d' 2>/dev/null)

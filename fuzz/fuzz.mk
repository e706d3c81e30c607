# Fuzzing (see fuzz/README.md). Included by the top-level Makefile.
#
#   make fuzz FUZZ_SECONDS=N          every target N seconds (build + run + summary)
#   make fuzz-smoke                   the same for 10 s each (make check runs it)
#   make fuzz-campaign TARGET=x SECONDS=n
#                                     one target, resumable, on one core; its
#                                     figures are added to fuzz/RESULTS.md
#   make fuzz-replay                  regression inputs and seeds through each
#                                     target's entry point built with $(CC)
#   make fuzz-seeds                   regenerates fuzz/seeds/ from the captures

FUZZ_TARGETS  := capture pcapng tls http dns reasm rules keylog dsb decrypt
FUZZ_SECONDS  ?= 60
FUZZ_CC       ?= clang
FUZZ_DIR      := build/fuzz
# Instrumented objects; the fuzzer's own main() only at link time.
FUZZ_SANFLAGS := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
FUZZ_CFLAGS   := -std=c11 -D_GNU_SOURCE -O1 -g -Wall -Wextra -Werror -Wshadow -Wvla \
                 $(addprefix -I,$(ALL_INC)) -Ifuzz $(PKG_CFLAGS) $(FUZZ_SANFLAGS) \
                 -DFUZZ_SOURCE_DIR='"$(CURDIR)"' -MMD -MP
FUZZ_LIB_OBJS := $(LIB_SRCS:%.c=$(FUZZ_DIR)/obj/%.o) $(FUZZ_DIR)/obj/fuzz/harness.o
FUZZ_BINS     := $(FUZZ_TARGETS:%=$(FUZZ_DIR)/fuzz_%)
FUZZ_REPLAY_BINS := $(FUZZ_TARGETS:%=$(BUILD)/fuzz-replay/fuzz_%)

# Kept between runs: pattern-rule objects would otherwise be deleted as intermediates.
.SECONDARY: $(FUZZ_LIB_OBJS) $(FUZZ_TARGETS:%=$(FUZZ_DIR)/obj/fuzz/fuzz_%.o)

.PHONY: fuzz fuzz-build fuzz-smoke fuzz-campaign fuzz-replay fuzz-seeds

$(FUZZ_DIR)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	@$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -c -o $@ $<

$(FUZZ_DIR)/fuzz_%: $(FUZZ_DIR)/obj/fuzz/fuzz_%.o $(FUZZ_LIB_OBJS)
	@$(FUZZ_CC) $(FUZZ_SANFLAGS) -fsanitize=fuzzer -o $@ $^ $(PKG_LIBS) -lm -pthread

fuzz-build: $(FUZZ_BINS)

fuzz: fuzz-build
	python3 fuzz/fuzzrun.py run --seconds $(FUZZ_SECONDS) $(FUZZ_TARGETS)

fuzz-smoke:
	@$(MAKE) --no-print-directory fuzz FUZZ_SECONDS=10

fuzz-campaign: fuzz-build
	@test -n "$(TARGET)" || { echo "usage: make fuzz-campaign TARGET=<$(FUZZ_TARGETS)> SECONDS=n" >&2; exit 2; }
	python3 fuzz/fuzzrun.py campaign --target $(TARGET) --seconds $(or $(SECONDS),3600)

# The same entry points without libFuzzer, in the build being tested.
$(BUILD)/fuzz-replay/fuzz_%: fuzz/fuzz_%.c fuzz/replay_main.c fuzz/harness.c fuzz/harness.h $(LIB_OBJS)
	@mkdir -p $(dir $@)
	@$(CC) $(filter-out -MMD -MP,$(CFLAGS)) $(addprefix -I,$(ALL_INC)) -Ifuzz -DFUZZ_SOURCE_DIR='"$(CURDIR)"' -o $@ fuzz/fuzz_$*.c fuzz/replay_main.c \
	    fuzz/harness.c $(LIB_OBJS) $(LDFLAGS) $(LDLIBS)

fuzz-replay: $(FUZZ_REPLAY_BINS)
	test/fuzz-regressions/run.sh $(BUILD)/fuzz-replay

$(BUILD)/fuzz-tools/make_seeds: fuzz/make_seeds.c fuzz/harness.c fuzz/harness.h $(LIB_OBJS)
	@mkdir -p $(dir $@)
	@$(CC) $(filter-out -MMD -MP,$(CFLAGS)) $(addprefix -I,$(ALL_INC)) -Ifuzz -o $@ fuzz/make_seeds.c fuzz/harness.c $(LIB_OBJS) $(LDFLAGS) $(LDLIBS)

fuzz-seeds: $(BUILD)/fuzz-tools/make_seeds
	python3 fuzz/make_seeds.py $(BUILD)/fuzz-tools/make_seeds $(SHARED)/corpus/public

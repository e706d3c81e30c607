# tlsdiag — see README.md.  `make` builds build/tlsdiag; `make check` runs every test.
# SANITIZE=1 builds and tests with AddressSanitizer and UBSan in build/asan/.

CC      ?= gcc
PKGS    := libpcap libndpi libcjson libcrypto zlib
DEB_PKGS := libpcap-dev libndpi-dev libcjson-dev libcmocka-dev libssl-dev zlib1g-dev pkg-config
# What the tests need beyond the build: the report schema is checked with it;
# clang and its runtimes build the libFuzzer targets (fuzz/); headless
# chromium renders the HTML report and openssl makes a hostile certificate
# for it (test/e2e/html_report.py); GNU parallel and python3-yaml for the
# fleet test (test/e2e/fleet.py).
TEST_DEB_PKGS := python3 python3-jsonschema python3-yaml parallel clang libclang-rt-14-dev chromium openssl
SHARED  ?= ../shared

ifeq ($(SANITIZE),1)
BUILD   := build/asan
SANFLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
OPT     := -O1
else
BUILD   := build
SANFLAGS :=
OPT     := -O2
endif

PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   = $(shell pkg-config --libs $(PKGS) 2>/dev/null)
CFLAGS  += -std=c11 -D_GNU_SOURCE $(OPT) -g -Wall -Wextra -Werror -Wshadow -Wvla \
           $(PKG_CFLAGS) $(SANFLAGS) -MMD -MP

# The pipeline's folders, lowest first, and what each may include: a folder
# is compiled with only these -I paths, so an include against the direction
# (dissect -> analyzer or rules, facts -> report or cli, ...) fails the build.
DISSECT  := dissect/core dissect/link dissect/tcp dissect/dns dissect/http dissect/tls dissect/stream
INC.dissect/core       := dissect/core
INC.dissect/link       := dissect/core dissect/link
INC.dissect/tcp        := dissect/core dissect/link dissect/tcp
INC.dissect/dns        := dissect/core dissect/dns
INC.dissect/http       := dissect/core dissect/http
INC.dissect/tls        := $(DISSECT)
INC.dissect/stream     := $(DISSECT)
INC.rules/engine       := rules/engine dissect/core dissect/tls
INC.analyzer/common    := analyzer/common $(DISSECT)
INC.analyzer/input     := analyzer/input analyzer/common dissect/core dissect/tls
INC.analyzer/pass      := analyzer/pass analyzer/input $(DISSECT)
INC.analyzer/facts     := analyzer/facts analyzer/pass analyzer/input analyzer/common $(DISSECT)
INC.analyzer/report    := analyzer/report analyzer/facts analyzer/pass analyzer/input analyzer/common \
                          rules/engine $(DISSECT)
INC.analyzer/diagnose  := analyzer/diagnose analyzer/report analyzer/facts analyzer/pass analyzer/input \
                          analyzer/common rules/engine $(DISSECT)
INC.analyzer/cli       := analyzer/cli $(INC.analyzer/diagnose)
ALL_INC  := $(INC.analyzer/cli)
folder_inc = $(addprefix -I,$(INC.$(patsubst %/,%,$(dir $(1)))))

LDFLAGS += $(SANFLAGS)
LDLIBS  += $(PKG_LIBS) -lm -pthread

LIB_SRCS  := $(wildcard $(addsuffix /*.c,$(DISSECT) rules/engine)) \
             $(filter-out analyzer/cli/main.c,$(wildcard analyzer/*/*.c))
LIB_OBJS  := $(LIB_SRCS:%.c=$(BUILD)/obj/%.o)
MAIN_OBJ  := $(BUILD)/obj/analyzer/cli/main.o
TEST_SRCS := $(wildcard test/unit/test_*.c)
TEST_BINS := $(TEST_SRCS:test/unit/%.c=$(BUILD)/test/%)

.PHONY: install uninstall all deps check unit e2e samples demo clean bench
all: $(BUILD)/tlsdiag

$(BUILD)/tlsdiag: $(LIB_OBJS) $(MAIN_OBJ)
	@echo "  LINK    $@"
	@$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	@$(CC) $(CFLAGS) $(call folder_inc,$<) -c -o $@ $<

# Libraries a test may use beyond the program's: libssl makes real TLS
# traffic for the decryption tests (the program itself never links it).
TEST_LIBS.test_decrypt := $(shell pkg-config --libs libssl 2>/dev/null)

$(BUILD)/test/%: test/unit/%.c $(LIB_OBJS)
	@mkdir -p $(dir $@)
	@echo "  TEST    $@"
	@$(CC) $(CFLAGS) $(addprefix -I,$(ALL_INC)) -Itest/unit -o $@ $< $(LIB_OBJS) $(LDFLAGS) $(LDLIBS) $(TEST_LIBS.$*) -lcmocka

# Installs whatever Debian packages are missing; does nothing when all are present.
deps:
	@missing=$$(for p in $(DEB_PKGS) $(TEST_DEB_PKGS); do dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q 'install ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  echo "installing:" $$missing; \
	  if [ "$$(id -u)" -ne 0 ]; then echo "make deps: need root to install:" $$missing >&2; exit 1; fi; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	fi

unit: $(TEST_BINS)
	@fail=0; for t in $(TEST_BINS); do $$t || fail=1; done; exit $$fail

# End-to-end: bad inputs, mixed link types, every corpus capture once and ten
# times over (flat memory), --host by name, address, prefix and "*" on
# corpus captures, the oracle score against tshark (and, with the samples'
# key logs, against tshark's decrypted events), a secrets block after the
# packets it decrypts (read in a second pass), every sample's
# diagnosis and outcome (tlsdiag check), outcomes and exit statuses
# (success shown, fallback, intermittent, inconclusive and why, other
# servers never the verdict), make install, a fleet of 200 captures and
# its roll-up, expectation files read strictly, the report
# schema, rules loaded at run time (misspelled facts and undeclared causes
# refused, no rule pack refused, a new cause from a pack),
# text reports within 80 columns, diff's differences as sets and its warnings
# on inputs that look swapped, each timeline's own DNS lookups only, the HTML
# report in headless Chromium (the diff's verdict and both ladders; a capture
# full of markup stays text, no script runs; screenshots in
# $(BUILD)/html-report/), no "-" for an absent fact in a verdict's prose,
# captures cut by a snapshot length and begun mid-connection
# (test/data/cut, mid-connection), hostile captures against the limits, the
# fuzzers' regression inputs, and (sanitized pass, when clang is there) 10 s
# of every fuzz target.
e2e: $(BUILD)/tlsdiag
	test/e2e/inputs.sh $(BUILD)/tlsdiag $(SHARED)
	test/e2e/mixed_linktypes.sh $(BUILD)/tlsdiag $(SHARED)
	test/e2e/corpus.py $(BUILD)/tlsdiag $(SHARED)/corpus/public
	test/e2e/host_match.sh $(BUILD)/tlsdiag $(SHARED)/corpus/public
	test/e2e/oracle.sh $(BUILD)/tlsdiag $(SHARED)
	test/e2e/oracle_samples.sh $(BUILD)/tlsdiag $(SHARED)
	test/e2e/oracle_keys.sh $(BUILD)/tlsdiag $(SHARED)
	test/e2e/keylog_inputs.sh $(BUILD)/tlsdiag
	test/e2e/late_dsb.py $(BUILD)/tlsdiag samples
	$(BUILD)/tlsdiag check --manifest samples/expect.json
	$(BUILD)/tlsdiag check --no-default-rules --rules rules/packs/generic.json --manifest test/data/generic-expect.json
	$(BUILD)/tlsdiag check --manifest test/data/profile-expect.json
	test/e2e/causes_bite.py $(BUILD)/tlsdiag samples rules/packs test/data/generic-expect.json test/data/profile-expect.json
	test/e2e/check_expect.sh $(BUILD)/tlsdiag samples
	test/e2e/outcomes.sh $(BUILD)/tlsdiag samples $(SHARED)/corpus/public
	test/e2e/install.sh samples
	test/e2e/input_forms.py $(BUILD)/tlsdiag samples
	test/e2e/extract.py $(BUILD)/tlsdiag samples
	test/e2e/fleet.py $(BUILD)/tlsdiag samples analyzer/report/report.schema.json analyzer/report/fleet.schema.json README.md
	test/e2e/report_schema.py $(BUILD)/tlsdiag samples analyzer/report/report.schema.json
	test/e2e/rules_dir.sh $(BUILD)/tlsdiag samples
	test/e2e/pack_causes.py $(BUILD)/tlsdiag samples analyzer/report/report.schema.json
	test/e2e/text_width.py $(BUILD)/tlsdiag samples
	test/e2e/diff_explains.py $(BUILD)/tlsdiag samples
	test/e2e/timeline_dns.py $(BUILD)/tlsdiag samples
	test/e2e/html_report.py $(BUILD)/tlsdiag samples
	test/e2e/capture_cuts.py $(BUILD)/tlsdiag $(SHARED)
	test/e2e/no_placeholders.py $(BUILD)/tlsdiag samples $(SHARED)/corpus/public
	test/e2e/folder_readmes.py
	test/e2e/tls13_without_keys.py $(BUILD)/tlsdiag samples
	test/hostile/run.sh $(BUILD)/tlsdiag
	@$(MAKE) --no-print-directory fuzz-replay SANITIZE=$(SANITIZE)
	@if [ "$(SANITIZE)" = 1 ] && command -v clang >/dev/null; then $(MAKE) --no-print-directory fuzz-smoke; fi

# Regenerates the sample captures in a namespace lab (root; installs its own
# Debian packages). The captures are committed, so this is optional.
samples:
	bash samples/make-samples.sh

# `make check` runs everything twice: the optimised build, then the same
# suite under AddressSanitizer and UBSan. `make check SANITIZE=1` runs only
# the second half.
check: all
	@$(MAKE) --no-print-directory unit e2e SANITIZE=$(SANITIZE)
ifneq ($(SANITIZE),1)
	@$(MAKE) --no-print-directory check SANITIZE=1
	@echo "check: $(words $(TEST_BINS)) unit suites and the e2e suite, plain and sanitized: all passed"
endif

clean:
	rm -rf build

# make install [PREFIX=/usr/local] [DESTDIR=]: the binary, the rule packs
# where the binary looks for them (PREFIX/share/tlsdiag/rules, beside its
# bin/) and the man page.
PREFIX  ?= /usr/local
DESTDIR ?=
install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/tlsdiag/rules $(DESTDIR)$(PREFIX)/share/man/man1
	install -m 755 $(BUILD)/tlsdiag $(DESTDIR)$(PREFIX)/bin/tlsdiag
	install -m 644 rules/packs/*.json $(DESTDIR)$(PREFIX)/share/tlsdiag/rules/
	install -m 644 analyzer/cli/tlsdiag.1 $(DESTDIR)$(PREFIX)/share/man/man1/tlsdiag.1

uninstall:
	rm -f $(DESTDIR)$(PREFIX)/bin/tlsdiag $(DESTDIR)$(PREFIX)/share/man/man1/tlsdiag.1
	rm -rf $(DESTDIR)$(PREFIX)/share/tlsdiag

# Fuzz targets, their regression replays and the fuzzing campaign.
include fuzz/fuzz.mk

-include $(shell find build -name '*.d' 2>/dev/null)

# The main job on the bundled samples: the motivating case, a working and a
# failing endpoint's captures, diffed. (Exit status 1 means "failure found".)
demo: all
	$(BUILD)/tlsdiag diff --good samples/good-direct.pcapng --bad samples/bad-cipher-direct.pcapng || [ $$? -eq 1 ]

# The performance benchmark (bench/README.md): as root, installs what it
# needs, makes a ~1 GB capture once (cached in bench/data/), times tlsdiag
# against a bare libpcap loop and its peers, writes bench/RESULTS.md.
bench:
	bench/run.sh

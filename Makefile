# AERO/VET network simulator model and emulation testbed.
# One non-recursive Makefile; each directory declares its sources in module.mk.
#
#   make deps        install the Debian packages the project needs (idempotent)
#   make             build the core library, tools and tests
#   make run         the main job (see README.md)
#   make test        build and run every test; ends with "N passed, N failed"
#   make test SAN=1  the same under AddressSanitizer + UndefinedBehaviorSanitizer
#   make coverage    tests instrumented, gcovr summary for core/ (HTML in build/cov/coverage)
#   make fuzz        run each libFuzzer target for FUZZ_SECONDS (default 60)
#   make bench       micro-benchmarks

SHELL := /bin/bash
.DEFAULT_GOAL := all
.DELETE_ON_ERROR:
.SECONDARY:

SAN ?= 0
COV ?= 0
FUZZ_SECONDS ?= 60

ifeq ($(SAN),1)
BUILD ?= build/san
else ifeq ($(COV),1)
BUILD ?= build/cov
else
BUILD ?= build
endif
FUZZ_BUILD ?= build/fuzz

# Every Debian package the project needs so far.
DEB_PACKAGES := gcc make pkg-config libglib2.0-dev libpcap-dev libyaml-dev \
	clang libclang-rt-14-dev gcovr tshark xxd python3 nettle-dev

CC ?= gcc
ifeq ($(CC),cc)
CC := gcc
endif
FUZZ_CC ?= clang

# Recursive (=) so pkg-config runs only after `make deps` has installed it.
GLIB_CFLAGS = $(shell pkg-config --cflags glib-2.0)
GLIB_LIBS = $(shell pkg-config --libs glib-2.0)
PCAP_LIBS = -lpcap
MATH_LIBS = -lm
# nettle: AES-128 and RFC 3394 key wrap for the P2 keys (core/src/p2.c)
NETTLE_LIBS = -lnettle
YAML_LIBS = -lyaml

OPT ?= -O2
WARN := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
	-Wpointer-arith -Wvla -Wformat=2
BASE_CFLAGS := -std=c11 $(OPT) -g -D_DEFAULT_SOURCE -Icore/include $(WARN)
ifeq ($(SAN),1)
BASE_CFLAGS += -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
BASE_LDFLAGS += -fsanitize=address,undefined
endif
ifeq ($(COV),1)
BASE_CFLAGS += --coverage -O0
BASE_LDFLAGS += --coverage
endif
CFLAGS_ALL = $(BASE_CFLAGS) $(GLIB_CFLAGS)

CORE_SRCS :=
CORE_TEST_SRCS :=
TOOL_PROGS :=
FUZZ_TARGETS :=
BENCH_PROGS :=
TEST_SCRIPTS :=

CORE_LIB := $(BUILD)/libaerocore.a

include core/module.mk
include scenarios/module.mk
include tests/module.mk
# the hosts (optional until they exist)
-include sim-adapter/module.mk
-include emu/module.mk
-include tests/replay/module.mk
-include analysis/module.mk

CORE_OBJS := $(CORE_SRCS:%.c=$(BUILD)/obj/%.o)

.PHONY: all deps run test check coverage fuzz fuzz-build bench clean help

all: $(CORE_LIB) $(SCEN_LIB) $(TOOL_PROGS) $(TEST_PROGS) $(BENCH_PROGS)

help:
	@sed -n '3,12p' Makefile

# ---------------------------------------------------------------------------
# Debian packages: quiet when all are present, apt-get update only when not.
deps:
	@missing=""; \
	for p in $(DEB_PACKAGES); do \
	  dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q '^install ok installed' || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "make deps: installing$$missing"; \
	  sudo=""; [ "$$(id -u)" = 0 ] || sudo=sudo; \
	  export DEBIAN_FRONTEND=noninteractive; \
	  $$sudo apt-get update -qq && \
	  $$sudo apt-get install -y -qq --no-install-recommends $$missing >/dev/null || \
	  { echo "make deps: apt-get failed for:$$missing" >&2; exit 1; }; \
	fi

# ---------------------------------------------------------------------------
# Compilation (everything depends order-only on deps).
$(BUILD)/obj/%.o: %.c | deps
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) -MMD -MP -c $< -o $@

$(CORE_LIB): $(CORE_OBJS)
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $^

-include $(CORE_OBJS:.o=.d)

# ---------------------------------------------------------------------------
# The main job: the quickstart scenario simulated in ns-3 (no root needed),
# ending in a readable summary; results under results/quickstart-<time>/.
run: $(BUILD)/aero-sim $(BUILD)/aero-scenario
	AERO_BUILD=$(BUILD) ./aero sim scenarios/quickstart.yaml

test: all fuzz-build
	@AERO_BUILD=$(BUILD) FUZZ_BUILD=$(FUZZ_BUILD) tests/run-tests.sh \
	  $(TEST_PROGS) $(TEST_SCRIPTS) $(addprefix fuzz:,$(FUZZ_TARGETS))

check: test

coverage:
	@rm -rf build/cov/coverage && find build/cov -name '*.gcda' -delete 2>/dev/null; true
	$(MAKE) --no-print-directory COV=1 all
	@AERO_BUILD=build/cov tests/run-tests.sh $(subst $(BUILD)/,build/cov/,$(TEST_PROGS)) $(TEST_SCRIPTS) >build/cov/test-output.txt 2>&1 || \
	  { tail -30 build/cov/test-output.txt; echo "coverage: tests failed" >&2; exit 1; }
	@tail -1 build/cov/test-output.txt
	@mkdir -p build/cov/coverage
	@G="gcovr -r . --object-directory build/cov"; \
	$$G --filter 'core/' --html-details build/cov/coverage/index.html -o /dev/null || exit 1; \
	echo "== gcovr lines, core/"; $$G --filter 'core/' | sed -n '/^File/,$$p'; \
	echo "== gcovr branches, core/"; $$G --filter 'core/' --branches | sed -n '/^File/,$$p'; \
	echo "== summary core/ (library, tools)"; $$G --filter 'core/' --print-summary -o /dev/null | grep -E '^(lines|branches)'; \
	echo "== summary core/src/wire (wire layer)"; $$G --filter 'core/src/wire/' --print-summary -o /dev/null | grep -E '^(lines|branches)'
	@echo "HTML report: build/cov/coverage/index.html"

bench: $(BENCH_PROGS)
	@for b in $(BENCH_PROGS); do echo "== $$b"; $$b || exit 1; done

clean:
	rm -rf build

# ---------------------------------------------------------------------------
# libFuzzer targets (clang), one per decoder. Seeds of fuzz_X: tests/vectors/X-*.hex
# plus committed regression inputs in tests/fuzz/regress/<target>/.
FUZZ_CFLAGS = -std=c11 -O1 -g -D_DEFAULT_SOURCE -Icore/include -Wall -Wextra -Werror \
	-fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=undefined \
	$(GLIB_CFLAGS)
FUZZ_CORE_OBJS := $(CORE_SRCS:%.c=$(FUZZ_BUILD)/obj/%.o) $(SCEN_SRCS:%.c=$(FUZZ_BUILD)/obj/%.o)
FUZZ_BINS := $(FUZZ_TARGETS:%=$(FUZZ_BUILD)/%)

$(FUZZ_BUILD)/obj/%.o: %.c | deps
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -MMD -MP -c $< -o $@

$(FUZZ_BUILD)/%: $(FUZZ_BUILD)/obj/tests/fuzz/%.o $(FUZZ_CORE_OBJS) $(FUZZ_BUILD)/obj/core/tools/hexin.o
	$(FUZZ_CC) -fsanitize=fuzzer,address,undefined -o $@ $^ $(GLIB_LIBS) $(NETTLE_LIBS) $(YAML_LIBS) $(MATH_LIBS)

-include $(FUZZ_CORE_OBJS:.o=.d)

fuzz-build: $(FUZZ_BINS)
	@for t in $(FUZZ_TARGETS); do \
	  d=$(FUZZ_BUILD)/seeds/$$t; rm -rf $$d; mkdir -p $$d; \
	  for v in tests/vectors/$${t#fuzz_}-*.hex; do [ -e "$$v" ] || continue; \
	    tests/fuzz/hex2bin.sh "$$v" > $$d/$$(basename $$v .hex).bin || exit 1; done; \
	  if [ -d tests/fuzz/regress/$$t ]; then cp tests/fuzz/regress/$$t/* $$d/ 2>/dev/null || true; fi; \
	done

fuzz: fuzz-build
	@for t in $(FUZZ_TARGETS); do \
	  mkdir -p $(FUZZ_BUILD)/corpus/$$t $(FUZZ_BUILD)/crashes/$$t; \
	  echo "== fuzz $$t for $(FUZZ_SECONDS) s"; \
	  $(FUZZ_BUILD)/$$t -max_total_time=$(FUZZ_SECONDS) -print_final_stats=1 \
	    -artifact_prefix=$(FUZZ_BUILD)/crashes/$$t/ \
	    $(FUZZ_BUILD)/corpus/$$t $(FUZZ_BUILD)/seeds/$$t 2>$(FUZZ_BUILD)/$$t.log; rc=$$?; \
	  grep -E '^stat::number_of_executed_units|^stat::peak_rss' $(FUZZ_BUILD)/$$t.log; \
	  if [ $$rc -ne 0 ]; then tail -40 $(FUZZ_BUILD)/$$t.log; echo "fuzz $$t: crash, see $(FUZZ_BUILD)/crashes/$$t"; exit 1; fi; \
	done

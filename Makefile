# sockx: one Makefile, no configure step. See README.md.
PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
MANDIR ?= $(PREFIX)/share/man
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions
ZSHCOMPDIR ?= $(PREFIX)/share/zsh/site-functions
FISHCOMPDIR ?= $(PREFIX)/share/fish/vendor_completions.d

SHELL := /bin/bash
CC ?= cc
CFLAGS ?= -O2 -g
WARN := -Wall -Wextra -Wformat=2 -Wshadow -Wstrict-prototypes \
	-Wmissing-prototypes -Wold-style-definition -Wvla -Wwrite-strings \
	-Wpointer-arith -Wcast-align -Wundef
# make check adds -Werror; a user's plain make does not, so a newer
# compiler's new warning never breaks an install.
ifeq ($(WERROR),1)
WARN += -Werror
endif

# SANITIZE=1: ASan + UBSan (+ LeakSanitizer), in a build tree of its own.
ifeq ($(SANITIZE),1)
BUILD ?= build-san
SAN := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
else
BUILD ?= build
SAN :=
endif
# The binary: ./sockx by default, or inside BUILD when BUILD is given.
OUT ?= $(if $(filter build,$(BUILD)),sockx,$(BUILD)/sockx)

PCAP_CFLAGS := $(shell pkg-config --cflags libpcap 2>/dev/null)
PCAP_LIBS := $(shell pkg-config --libs libpcap 2>/dev/null || echo -lpcap)
CAP_LIBS := $(shell pkg-config --libs libcap 2>/dev/null || echo -lcap)
JANSSON_CFLAGS := $(shell pkg-config --cflags jansson 2>/dev/null)
JANSSON_LIBS := $(shell pkg-config --libs jansson 2>/dev/null || echo -ljansson)
CPPFLAGS += -D_GNU_SOURCE -MMD -MP $(PCAP_CFLAGS) $(JANSSON_CFLAGS)
ALL_CFLAGS = -std=c11 $(WARN) $(SAN) $(CFLAGS)
LDLIBS += $(PCAP_LIBS) $(CAP_LIBS) $(JANSSON_LIBS) -lm -lpthread

SRCS := $(wildcard src/core/*.c src/wire/*.c src/capture/*.c src/cmd/*.c src/cmd/*/*.c)
LIB_OBJS := $(SRCS:%.c=$(BUILD)/%.o)
MAIN_OBJ := $(BUILD)/src/main.o
UNIT_SRCS := $(wildcard tests/unit/test_*.c)
UNIT_BINS := $(UNIT_SRCS:%.c=$(BUILD)/%)
# Fuzz targets: tests/fuzz/fuzz_NAME.c, seeds in tests/fuzz/corpus/NAME/.
FUZZ_SRCS := $(wildcard tests/fuzz/fuzz_*.c)
FUZZ_NAMES := $(FUZZ_SRCS:tests/fuzz/%.c=%)
REPLAY_BINS := $(FUZZ_NAMES:%=$(BUILD)/tests/fuzz/replay_%)
FUZZ_SECONDS ?= 60
FUZZ_CHECK_SECONDS ?= 5

# Every Debian package that make demo, check, check SANITIZE=1, fuzz and
# bench use: make deps installs the missing ones. tests/deps.bats fails
# when a program the tests or benchmarks run is in none of these (nor in
# every Debian system). clang's runtime libraries (libFuzzer, ASan) are
# only recommended by clang, and deps installs no recommends: named here.
# chromium: headless, it loads what sockx draws (tests/timeline-browser.bats,
# the screenshot of make timeline-doc).
CLANG_MAJOR := $(or $(shell clang -dumpversion 2>/dev/null | cut -d. -f1),14)
BUILD_PKGS := gcc make pkg-config libpcap-dev libcap-dev libjansson-dev clang \
	libclang-rt-$(CLANG_MAJOR)-dev
TEST_PKGS := bats bats-support bats-assert parallel libcap2-bin tcpdump \
	socat python3 jq nftables iproute2 iputils-ping util-linux procps \
	strace zsh fish shellcheck groff-base man-db manpages manpages-dev cppcheck librsvg2-bin chromium
BENCH_PKGS := iperf3 ncat netcat-openbsd sockperf hyperfine
DEB_PKGS := $(BUILD_PKGS) $(TEST_PKGS) $(BENCH_PKGS)
# bats runs this many test files at once (GNU parallel); the tests in one
# file run in order. Most of a test is waiting on the network, so twice the
# cores. Files share no names: ports are 0, namespaces and echo IDs random.
NPROC := $(shell nproc 2>/dev/null || echo 2)
TEST_JOBS ?= $(shell echo $$(( $(NPROC) * 2 )))

.PHONY: all deps print-deps demo check check-all check-build unit replay fuzz fuzz-build test completions labs-doc timeline-doc \
	clang-check lint install uninstall install-caps clean

all: $(OUT)

$(OUT): $(MAIN_OBJ) $(BUILD)/libsockx.a
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/libsockx.a: $(LIB_OBJS)
	rm -f $@
	ar rcs $@ $^

$(BUILD)/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) -c -o $@ $<

$(BUILD)/tests/unit/%: tests/unit/%.c $(BUILD)/libsockx.a
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) -Isrc -o $@ $< $(BUILD)/libsockx.a $(LDLIBS)

$(BUILD)/tests/fuzz/replay_%: tests/fuzz/%.c tests/fuzz/replay.c $(BUILD)/libsockx.a
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) -Isrc -o $@ $< tests/fuzz/replay.c $(BUILD)/libsockx.a $(LDLIBS)

# The fault-injection shim (tests/faults.bats), an LD_PRELOAD library.
$(BUILD)/tests/fault/shim.so: tests/fault/shim.c
	@mkdir -p $(@D)
	$(CC) -D_GNU_SOURCE -std=c11 $(WARN) -O2 -fPIC -shared -o $@ $< -ldl

# Installs what is missing, and only then: apt-get update first, since a
# fresh machine's package lists may be empty or stale.
deps:
	@missing=""; for p in $(DEB_PKGS); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'ok installed' || missing="$$missing $$p"; \
	done; \
	if [ -z "$$missing" ]; then exit 0; fi; \
	if [ "$$(id -u)" = 0 ]; then \
	  echo "make deps: installing$$missing"; \
	  apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $$missing; \
	elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then \
	  sudo apt-get update -q && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $$missing; \
	else \
	  echo "make deps: missing Debian packages:$$missing"; \
	  echo "make deps: as root: apt-get install$$missing"; exit 1; \
	fi

print-deps:
	@echo $(DEB_PKGS)

demo: deps
	$(MAKE) all
	@if [ "$$(id -u)" = 0 ]; then ./$(OUT) tour; \
	elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then sudo ./$(OUT) tour; \
	else echo "(not root: raw and capture cells are skipped)"; ./$(OUT) tour; fi

# Builds run on every core; so do the fuzz targets (each still gets its
# FUZZ_CHECK_SECONDS) and the bats files (TEST_JOBS).
check: deps
	$(MAKE) -j$(NPROC) check-build
	$(MAKE) unit
	$(MAKE) replay
	$(MAKE) -j$(NPROC) fuzz FUZZ_SECONDS=$(FUZZ_CHECK_SECONDS)
	$(MAKE) test

# CI's run (.ci/run): what make check and make check SANITIZE=1 do, in
# one go. The builds first; the fuzz targets (always ASan + UBSan, the same
# for both checks) for both checks' seconds at once; then the two bats
# suites side by side: a suite waits on the network more than it computes
# (about one core of two), so the pair takes little longer than one. Each
# suite's TAP is kept in its own file; failures are shown, and the last
# line counts both suites.
check-all: deps
	$(MAKE) -j$(NPROC) check-build
	$(MAKE) -j$(NPROC) SANITIZE=1 check-build
	$(MAKE) unit replay
	$(MAKE) SANITIZE=1 unit replay
	$(MAKE) -j$(NPROC) fuzz FUZZ_SECONDS=$$(( 2 * $(FUZZ_CHECK_SECONDS) ))
	@echo "bats: the plain and the ASan suite side by side"
	@$(MAKE) -s test >build/test.out 2>&1 & p=$$!; \
	  $(MAKE) -s SANITIZE=1 test >build-san/test.out 2>&1; s=$$?; \
	  wait $$p; r=$$?; \
	  grep -h -A30 '^not ok' build/bats.tap build-san/bats.tap || true; \
	  echo "plain $$(tail -n 1 build/test.out)"; \
	  echo "ASan $$(tail -n 1 build-san/test.out)"; \
	  cat build/bats.tap build-san/bats.tap >build/bats-all.tap; \
	  ok=$$(grep -c '^ok ' build/bats-all.tap); \
	  skip=$$(grep -c '^ok .* # skip' build/bats-all.tap); \
	  bad=$$(grep -c '^not ok ' build/bats-all.tap); \
	  echo "bats: $$((ok - skip)) passed, $$bad failed, $$skip skipped"; \
	  [ $$r -eq 0 ] && [ $$s -eq 0 ]

check-build:
	$(MAKE) WERROR=1 all $(UNIT_BINS) $(REPLAY_BINS) $(BUILD)/tests/fault/shim.so
	$(MAKE) WERROR=1 clang-check
	$(MAKE) lint

# The tree must be clean under clang too: a syntax-only pass is enough.
clang-check:
	@command -v clang >/dev/null 2>&1 || { echo "clang-check: clang is missing (make deps)"; exit 1; }
	@echo "clang -fsyntax-only $(WARN)"
	@printf '%s\n' src/main.c $(SRCS) | \
	  xargs -P $(NPROC) -n 8 clang $(CPPFLAGS:-MMD=) -std=c11 $(WARN) -fsyntax-only

unit: $(UNIT_BINS)
	@for t in $(UNIT_BINS); do echo "unit: $$t"; $$t || exit 1; done

# Every corpus through its target, under this build (ASan with SANITIZE=1).
replay: $(REPLAY_BINS)
	@for n in $(FUZZ_NAMES); do printf '%s: ' $$n; \
	  $(BUILD)/tests/fuzz/replay_$$n tests/fuzz/corpus/$$n || exit 1; done

# The fuzz build's objects are kept between runs (not make's intermediates).
.SECONDARY:

# libFuzzer with ASan and UBSan (clang), each target FUZZ_SECONDS on a
# scratch copy of its corpus; a crash fails the run and leaves crash-* here.
FUZZ_LIB := $(filter-out src/cmd/%,$(SRCS))
FUZZ_OBJS := $(FUZZ_LIB:%.c=build-fuzz/obj/%.o)
FUZZ_CFLAGS := -g -O1 -std=c11 -D_GNU_SOURCE $(PCAP_CFLAGS) -Isrc \
	-fno-sanitize-recover=undefined
fuzz-build: $(FUZZ_NAMES:%=build-fuzz/%)
build-fuzz/obj/%.o: %.c
	@mkdir -p $(@D)
	clang $(FUZZ_CFLAGS) -MMD -MP -fsanitize=fuzzer-no-link,address,undefined -c -o $@ $<
build-fuzz/%: tests/fuzz/%.c $(FUZZ_OBJS)
	clang $(FUZZ_CFLAGS) -fsanitize=fuzzer,address,undefined -o $@ $< $(FUZZ_OBJS) $(LDLIBS)
FUZZ_RUNS := $(FUZZ_NAMES:%=fuzz-run-%)
.PHONY: $(FUZZ_RUNS)
fuzz: $(FUZZ_RUNS)
$(FUZZ_RUNS): fuzz-run-%: build-fuzz/%
	@d=$$(mktemp -d); cp -r tests/fuzz/corpus/$*/. $$d/ 2>/dev/null; \
	  build-fuzz/$* -max_total_time=$(FUZZ_SECONDS) -print_final_stats=1 \
	    -timeout=5 -rss_limit_mb=2048 $$d 2>build-fuzz/$*.log; rc=$$?; \
	  echo "fuzz: $* for $(FUZZ_SECONDS) s: $$(grep -E 'stat::number_of_executed_units|Done [0-9]+ runs' build-fuzz/$*.log | tail -1)"; \
	  rm -rf $$d; \
	  if [ $$rc -ne 0 ]; then tail -40 build-fuzz/$*.log; exit 1; fi

# Every bats file; the last line counts them ("N passed, N failed, N skipped").
test: $(OUT) $(BUILD)/tests/fault/shim.so
	@mkdir -p $(BUILD)
	@set -o pipefail; SOCKX="$(CURDIR)/$(OUT)" \
	  FAULT_SHIM="$(CURDIR)/$(BUILD)/tests/fault/shim.so" bats --tap --jobs $(TEST_JOBS) --no-parallelize-within-files tests/ \
	  | tee $(BUILD)/bats.tap; rc=$$?; \
	  ok=$$(grep -c '^ok ' $(BUILD)/bats.tap); \
	  skip=$$(grep -c '^ok .* # skip' $(BUILD)/bats.tap); \
	  bad=$$(grep -c '^not ok ' $(BUILD)/bats.tap); \
	  echo "bats: $$((ok - skip)) passed, $$bad failed, $$skip skipped"; exit $$rc

lint:
	@! grep -nE '\b(atoi|atol|sprintf|vsprintf|strcpy|strcat|gets)\s*\(' src/*.c src/*/*.c src/*/*/*.c 2>/dev/null
	python3 tests/helpers/layers.py src
	cppcheck --quiet --error-exitcode=1 --enable=warning,portability \
	  --inline-suppr -D_GNU_SOURCE src

install: $(OUT)
	install -d $(DESTDIR)$(BINDIR)
	install -m 755 $(OUT) $(DESTDIR)$(BINDIR)/sockx
	if [ -f docs/sockx.1 ]; then install -d $(DESTDIR)$(MANDIR)/man1 && \
	  install -m 644 docs/sockx.1 $(DESTDIR)$(MANDIR)/man1/sockx.1; fi
	if [ -f completions/sockx.bash ]; then install -d $(DESTDIR)$(BASHCOMPDIR) && \
	  install -m 644 completions/sockx.bash $(DESTDIR)$(BASHCOMPDIR)/sockx; fi
	if [ -f completions/_sockx ]; then install -d $(DESTDIR)$(ZSHCOMPDIR) && \
	  install -m 644 completions/_sockx $(DESTDIR)$(ZSHCOMPDIR)/_sockx; fi
	if [ -f completions/sockx.fish ]; then install -d $(DESTDIR)$(FISHCOMPDIR) && \
	  install -m 644 completions/sockx.fish $(DESTDIR)$(FISHCOMPDIR)/sockx.fish; fi

# Opt-in: let non-root users open raw sockets and captures (never setuid).
install-caps: install
	setcap cap_net_raw,cap_net_admin+p $(DESTDIR)$(BINDIR)/sockx

# The checked-in completions are the binary's output (tests/completions.bats
# fails when they drift): regenerate after changing an option table.
completions: $(OUT)
	./$(OUT) completions bash >completions/sockx.bash
	./$(OUT) completions zsh >completions/_sockx
	./$(OUT) completions fish >completions/sockx.fish

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/sockx $(DESTDIR)$(MANDIR)/man1/sockx.1 \
	  $(DESTDIR)$(BASHCOMPDIR)/sockx $(DESTDIR)$(ZSHCOMPDIR)/_sockx \
	  $(DESTDIR)$(FISHCOMPDIR)/sockx.fish

clean:
	rm -rf build build-san build-* sockx

-include $(LIB_OBJS:.o=.d) $(MAIN_OBJ:.o=.d) $(wildcard build-fuzz/obj/src/*/*.d build-fuzz/obj/src/*/*/*.d)

# Benchmarks against iperf3, socat, ncat, nc, sockperf, ping and minimal C
# references, on loopback only; not part of check. Installs the missing
# peers first (as root), builds sockx, runs bench/run.sh (well under 15
# minutes; BENCH_* variables shrink or pick parts: docs/performance.md).
.PHONY: bench
bench: deps
	$(MAKE) all
	SOCKX="$(CURDIR)/$(OUT)" BENCH_BIN="$(CURDIR)/$(BUILD)/bench" bench/run.sh

# The man page's option lists are the binary's --help (tests/man.bats fails
# when docs/sockx.1 drifts): regenerate it after changing an option table.
.PHONY: man
# docs/timeline.md and docs/timeline/*.svg: the tutorial's runs, drawn
# (as root: with the wire).
timeline-doc: $(OUT)
	docs/gen-timeline.sh ./$(OUT) docs/timeline >docs/timeline.md.tmp && mv docs/timeline.md.tmp docs/timeline.md

# docs/labs.md: every lab's page and a real run of it (as root: all run).
labs-doc: $(OUT)
	docs/gen-labs.sh ./$(OUT) >docs/labs.md.tmp && mv docs/labs.md.tmp docs/labs.md

man: $(OUT)
	docs/gen-man.sh ./$(OUT) >docs/sockx.1.tmp && mv docs/sockx.1.tmp docs/sockx.1

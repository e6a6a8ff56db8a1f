# ipsreplay — see README.md. Everything here works on a fresh clone with Go.
GO      ?= go
BIN     := bin/ipsreplay
BENCH   := .bench
BENCH_SIZE ?= 300MB

.PHONY: all build demo test test-nocgo lint bench bench-captures profile corpus fuzz clean conformance screenshot install

PREFIX  ?= /usr/local

# Live capture and replay --out-iface link libpcap through cgo. Without a C
# compiler or libpcap-dev (or with CGO_ENABLED=0) everything else is built
# and tested without cgo, and without -race, which needs it; capture then
# says at run time that this build cannot capture.
HAVE_LIBPCAP := $(shell printf '\043include <pcap.h>\n' | $${CC:-cc} -E - >/dev/null 2>&1 && echo yes)
ifeq ($(CGO_ENABLED),0)
NOCGO := 1
else ifneq ($(HAVE_LIBPCAP),yes)
NOCGO := 1
endif
ifdef NOCGO
export CGO_ENABLED := 0
RACE :=
else
RACE := -race
endif

all: build

# -buildvcs=auto: --version names the revision even where GOFLAGS turns
# VCS stamping off (it is off on some build machines), and a tarball
# without .git still builds
build:
	$(GO) build -buildvcs=auto -o $(BIN) ./cmd/ipsreplay

# The bundled captures, one report each: every built-in signature fires on
# the capture made for it, benign.pcap fires nothing.
demo: build
	./$(BIN) analyze --per-file pcaps/

test: lint build
	@$(if $(NOCGO),echo "note: building without cgo (no libpcap-dev or CGO_ENABLED=0): live capture is left out; tests run without -race")
	@test -d ../shared || echo "note: ../shared (the shared test data, see README.md) is missing: the corpus, suricata-verify, ET Open and EVE schema tests skip"
	$(GO) test $(RACE) -count=1 ./...
	@# allocation checks are meaningless under -race, so they run again without it
	$(if $(RACE),$(GO) test -count=1 -run 'Alloc' ./analyzer/ ./detectors/ ./rulematch/ ./internal/pcrebt/)
	./$(BIN) check pcaps/

# What a machine with Go and nothing else builds and tests: everything but
# live capture, with CGO_ENABLED=0 whatever is installed (CI runs it before
# installing libpcap-dev, then `make test`).
test-nocgo:
	CGO_ENABLED=0 $(GO) vet ./...
	CGO_ENABLED=0 $(GO) build -o bin/ipsreplay-nocgo ./cmd/ipsreplay
	CGO_ENABLED=0 $(GO) test -count=1 ./...
	./bin/ipsreplay-nocgo check pcaps/

# Installs the binary in $(PREFIX)/bin (DESTDIR for packaging), with the
# version the module and VCS give it (see ipsreplay --version).
install: build
	install -d $(DESTDIR)$(PREFIX)/bin
	install -m 0755 $(BIN) $(DESTDIR)$(PREFIX)/bin/ipsreplay

# ipsreplay against Suricata 7.0.10 on the suricata-verify tests of the
# shared data (../shared/suricata-verify): the summary, tests per class and
# the commonest skip reasons. `make test` runs the same test, quietly. To
# record new figures in cmd/ipsreplay/testdata/conformance.json, add
# CONFORMANCE_FLAGS=-update.
conformance:
	$(GO) test -count=1 -run '^TestConformance$$' -v ./cmd/ipsreplay/ $(CONFORMANCE_FLAGS)

lint:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...

# docs/html-report.png: the HTML report of the lab captures (pcaps/lab/)
# photographed in headless Chromium, from its timeline down.
screenshot: build
	./$(BIN) analyze -f html -o $(CURDIR)/.screenshot.html pcaps/lab/
	$(GO) test -count=1 -run '^TestHTMLScreenshot$$' ./report/ \
		-screenshot-html $(CURDIR)/.screenshot.html -screenshot $(CURDIR)/docs/html-report.png
	rm -f .screenshot.html

# Regenerate the bundled captures (deterministic: no diff unless the
# generator changed).
corpus:
	$(GO) run ./cmd/pcapgen -out pcaps

# Throughput and memory on a generated large capture (made once, kept in
# .bench/), then the allocation benchmarks.
bench: build bench-captures
	$(GO) run ./cmd/ipsbench -ipsreplay ./$(BIN) -large $(BENCH)/large.pcap -synflood $(BENCH)/synflood.pcap \
		-alertfloods $(BENCH)/arpflood.pcap,$(BENCH)/nseflood.pcap
	$(GO) test -run '^$$' -bench . -benchmem ./analyzer/ ./detectors/ ./rulematch/ ./internal/...

bench-captures:
	@mkdir -p $(BENCH)
	@test -s $(BENCH)/large.pcap || $(GO) run ./cmd/pcapgen -bench $(BENCH)/large.pcap -size $(BENCH_SIZE)
	@test -s $(BENCH)/synflood.pcap || $(GO) run ./cmd/pcapgen -bench-synflood $(BENCH)/synflood.pcap -packets 5000000
	@test -s $(BENCH)/arpflood.pcap || $(GO) run ./cmd/pcapgen -bench-alertflood $(BENCH)/arpflood.pcap -flood arp -packets 1000000
	@test -s $(BENCH)/nseflood.pcap || $(GO) run ./cmd/pcapgen -bench-alertflood $(BENCH)/nseflood.pcap -flood nse-dist -packets 2000000

# CPU profiles of the runs behind bench's targets, one thread each: the
# mixed capture with the built-ins (ten runs: one is a fifth of a second),
# the SYN flood, and the mixed capture with ET Open 2020 when ../shared has
# it. They are kept in $(BENCH)/ for `go tool pprof`; printed are the stages
# each run spends its time in, cumulative: what bounds a target not met.
ET_RULES = $(wildcard ../shared/rulesets/et-open-2020/*.rules)
PROFILE_STAGES = 'Total samples|ipsreplay/(analyzer|detectors|rulematch|signatures|report)|gopacket\.\(|gcBgMarkWorker$$|Syscall6'
profile: build bench-captures
	@rm -f $(BENCH)/*.pprof
	@for i in 1 2 3 4 5 6 7 8 9 10; do IPSREPLAY_CPUPROFILE=$(BENCH)/mixed-$$i.pprof ./$(BIN) analyze --threads 1 --no-progress -f json -o /dev/null $(BENCH)/large.pcap; done
	IPSREPLAY_CPUPROFILE=$(BENCH)/flood.pprof ./$(BIN) analyze --threads 1 --no-progress -f json -o /dev/null $(BENCH)/synflood.pcap
	$(if $(ET_RULES),IPSREPLAY_CPUPROFILE=$(BENCH)/et.pprof ./$(BIN) analyze --threads 1 --no-progress -f json -o /dev/null $(addprefix --rules ,$(ET_RULES)) $(BENCH)/large.pcap,@echo "no ../shared/rulesets/et-open-2020: its profile is skipped")
	@for p in "$(BENCH)/mixed-*.pprof" $(BENCH)/flood.pprof $(BENCH)/et.pprof; do \
		ls $$p >/dev/null 2>&1 || continue; echo "== $$p: cumulative share of the run, by stage"; \
		$(GO) tool pprof -top -cum -nodecount=70 $(BIN) $$p 2>/dev/null | grep -E $(PROFILE_STAGES) | \
			sed -E 's/go\.shape\.[^]]*\]//g' | cut -c1-150 | head -32; \
	done

# Regenerate pcaps/lab/: captures made by real tools (nmap, masscan, hping3,
# arpspoof, hydra, ...) on a LAN of network namespaces, with their
# expectations. Needs root and Debian (installs what is missing with apt-get);
# about 10 minutes. See pcaps/lab/README.md.
.PHONY: lab
lab:
	bash pcaps/lab/lab.sh

FUZZTIME ?= 30s

# Every fuzz target of every package, each for FUZZTIME (go test runs one
# -fuzz target at a time), found with go test -list so none is forgotten.
# FUZZ=RE runs only the targets whose name matches.
FUZZ ?= .
fuzz:
	@set -e; for pkg in $$($(GO) list ./...); do \
		for t in $$($(GO) test -list '^Fuzz' $$pkg | grep '^Fuzz' | grep -E '$(FUZZ)' || true); do \
			echo "== $$pkg $$t"; \
			$(GO) test -run '^$$' -fuzz "^$$t\$$" -fuzztime $(FUZZTIME) $$pkg; \
		done; \
	done

clean:
	rm -rf bin $(BENCH)

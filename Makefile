# Ringdesk's two commands are `make run` and `make test`; each installs the
# Debian/Ubuntu packages it needs first (packaging/linux/deps.sh).

GO          ?= go
BIN         := build/ringdesk
STATICCHECK := honnef.co/go/tools/cmd/staticcheck@v0.8.2
# Packages whose tests run under the race detector: all of them.
RACE        ?= -race
TEST_FLAGS  ?= -count=1 -timeout 25m

.PHONY: run build test check unit fuzz screenshots bench deps-build deps-test clean

## run: install build dependencies, build, and open the Ringdesk window
run: build
	./$(BIN) $(ARGS)

## build: build/ringdesk
build: deps-build
	$(GO) build -tags migrated_fynedo -o $(BIN) ./cmd/ringdesk

## test: install test dependencies (real SIP peers, keyring, Xvfb) and run the whole suite
test: deps-test check unit fuzz screenshots

## check: formatting, vet, staticcheck, and the media stack's cgo build
check:
	@unformatted=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$unformatted" ]; then echo "gofmt would change:"; echo "$$unformatted"; exit 1; fi
	$(GO) vet ./...
	$(GO) run $(STATICCHECK) ./...
	$(GO) build -tags pins ./internal/pins

## unit: go test over every package (real peers included). The packages
## whose tests judge audio by its content (media, phone) run one at a time
## after the rest: under -race on two cores, running them beside the other
## packages starves their real-time loops and the tones they check.
AUDIO_PKGS := ./media/... ./phone/...
unit:
	$(GO) test $(RACE) $(TEST_FLAGS) $$($(GO) list ./... | grep -v -e '/media' -e '/phone')
	$(GO) test $(RACE) $(TEST_FLAGS) -p 1 $(AUDIO_PKGS)

## fuzz: a short run of every fuzz target (FUZZTIME seconds each)
FUZZTIME ?= 15
fuzz:
	bash scripts/fuzz.sh $(FUZZTIME)

## screenshots: the real window under Xvfb, saved as build/screenshots/*.png
screenshots: build
	bash scripts/screenshot.sh build/screenshots

## bench: the end-to-end benchmarks of bench/ (CPU per call beside baresip,
## mouth-to-ear latency), each call once, then the media stack's per-frame
## benchmarks; no race detector. BENCH_CALL_SECONDS and
## BENCH_LATENCY_SECONDS shorten the calls (see bench/README.md). It needs
## the test peers (Kamailio, baresip), not the browser kits of deps-test.
bench:
	bash packaging/linux/deps.sh test
	$(GO) test -count=1 -timeout 30m -run '^$$' -bench . -benchtime 1x ./bench
	$(GO) test -count=1 -run '^$$' -bench . -benchmem ./media ./media/codec/... ./media/resample

deps-build:
	bash packaging/linux/deps.sh build

deps-test:
	bash packaging/linux/deps.sh test
	bash scripts/js-deps.sh

clean:
	rm -rf build

# The front door: `make run` starts Flow, `make test` runs every test. Both install what
# is missing first (scripts/install-deps.sh).
BUILD_DIR ?= build
BUILD_TYPE ?= RelWithDebInfo

.PHONY: all deps build run test bench fuzz sanitize tsan clean

all: build

deps:
	@scripts/install-deps.sh

build: deps
	@[ -f $(BUILD_DIR)/build.ninja ] || cmake -S . -B $(BUILD_DIR) -G Ninja -DCMAKE_BUILD_TYPE=$(BUILD_TYPE)
	@cmake --build $(BUILD_DIR)

run: build
	$(BUILD_DIR)/flowd

test: build
	@scripts/test.sh $(BUILD_DIR)

# `make bench`: Flow against a Node socket.io peer (bench/run.mjs, README "Benchmarks"),
# about 20 minutes; `make bench QUICK=1` about 4. BENCH_ARGS adds run.mjs flags.
bench: build
	@cd bench && npm ci --no-audit --no-fund --loglevel=error && cd peer && npm ci --no-audit --no-fund --loglevel=error
	@ulimit -n "$$(ulimit -Hn)" 2>/dev/null; node bench/run.mjs --flowd $(BUILD_DIR)/flowd $(if $(filter 1 yes true,$(QUICK)),--quick) $(BENCH_ARGS)

# Hardening checks (README): libFuzzer on every decoder of outside input (FUZZ_SECONDS
# each, 60 by default), then ASan + UBSan and ThreadSanitizer builds of flowd running
# the tests (build-fuzz/, build-asan/, build-tsan/).
fuzz:
	@scripts/fuzz.sh

sanitize: deps
	@scripts/sanitize.sh asan

tsan: deps
	@scripts/sanitize.sh tsan

clean:
	rm -rf $(BUILD_DIR)

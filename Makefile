# The front door: `make run` starts Flow, `make test` runs every test. Both install what
# is missing first (scripts/install-deps.sh).
BUILD_DIR ?= build
BUILD_TYPE ?= RelWithDebInfo

.PHONY: all deps build run test clean

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

clean:
	rm -rf $(BUILD_DIR)

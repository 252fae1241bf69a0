# cspd -- top-level Makefile over Meson + Ninja.
#
#   make          build build/cspd and build/csp
#   make run      install what is missing, build, start a sandbox server with the
#                 demo world on http://127.0.0.1:7700 (store in ./cspd-data/)
#   make test     install what the tests need, build, run every test
#   make bench    benchmarks (bench/README.md)
#   make format   clang-format the C sources
SHELL := /bin/bash
BUILD ?= build
PORT ?= 7700
DATA ?= cspd-data

APT_BUILD := build-essential meson ninja-build pkg-config libmicrohttpd-dev libjansson-dev \
             libsqlite3-dev libsodium-dev libcurl4-openssl-dev
APT_TEST  := libcmocka-dev jq curl sqlite3 chromium
APT_BENCH := nginx-light wrk

.PHONY: all build deps deps-test deps-bench run test bench format clean docs

all: build

deps:
	@tools/apt-ensure $(APT_BUILD)

deps-test: deps
	@tools/apt-ensure $(APT_TEST)

deps-bench: deps
	@tools/apt-ensure $(APT_BENCH)

$(BUILD)/build.ninja:
	meson setup $(BUILD) --buildtype=debugoptimized

build: $(BUILD)/build.ninja
	ninja -C $(BUILD)
	@ln -sf src/cspd $(BUILD)/cspd
	@ln -sf src/cli/csp $(BUILD)/csp

run: deps
	@$(MAKE) --no-print-directory build
	@mkdir -p $(DATA)
	exec $(BUILD)/cspd serve --store sqlite:$(DATA)/cspd.db --sandbox --demo --port $(PORT)

test: deps-test
	@$(MAKE) --no-print-directory build
	@tests/run-all

bench: deps-bench
	@$(MAKE) --no-print-directory build
	@bench/run-all

docs: build
	$(BUILD)/cspd errors --markdown > docs/errors.md

format:
	clang-format -i $$(git ls-files '*.c' '*.h')

clean:
	rm -rf $(BUILD)

# minsheng — `make demo` and `make test` are the whole quick start (README.md).
SHELL := /bin/bash
BUILD      ?= build/release
BUILD_ASAN ?= build/asan
BUILD_FUZZ ?= build/fuzz
JOBS       ?= $(shell nproc)
BIN        := $(BUILD)/cli/minsheng
FUZZ_SECONDS ?= 60

# Debian packages the build, the tests and the demo need.
DEPS := cmake make g++ pkg-config libboost-dev libboost-date-time-dev libsqlite3-dev sqlite3 libyaml-cpp-dev \
        catch2 libcli11-dev nlohmann-json3-dev libfmt-dev libssl-dev libutf8proc-dev libxlsxwriter-dev \
        libopencc-dev libopencc-data pandoc libsodium-dev libcpp-httplib-dev
# chromium/poppler-utils print the HTML to PDF and read it back; python3 reads the xlsx and docx parts back;
# nodejs runs the browser test (playwright-core driving Debian's chromium).
TEST_DEPS := chromium poppler-utils fonts-noto-cjk clang libclang-rt-14-dev python3 nodejs
# What `make bench` times with (hyperfine) and reads peak memory with (GNU time).
BENCH_DEPS := hyperfine time sqlite3

.PHONY: all deps test-deps web-deps web bench-deps build program test test-asan demo bench fuzz format clean

all: build

# Installs what is missing (as root), or prints the exact apt-get command and stops.
deps:
	@bash .ci/install-deps.sh $(DEPS)

# The HTML report is checked by printing it to PDF in headless Chromium.
test-deps:
	@bash .ci/install-deps.sh $(TEST_DEPS)

# The browser test's playwright-core (npm; it drives Debian's chromium, no browser is downloaded). Debian
# ships npm apart from nodejs; a Node from elsewhere brings its own.
web-deps: test-deps
	@command -v npm >/dev/null || bash .ci/install-deps.sh npm
	@[ -d web/node_modules/playwright-core ] || (cd web && npm ci --no-audit --no-fund)

# Rebuilds the workspace into web/dist (committed, embedded in the binary): needs Node 20.19+ for Vite 7.
web: web-deps
	cd web && npm run build

$(BUILD)/CMakeCache.txt:
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=Release -DMINSHENG_WERROR=ON

build: deps $(BUILD)/CMakeCache.txt
	cmake --build $(BUILD) -j $(JOBS)
	@ln -sf $(BUILD)/compile_commands.json compile_commands.json

# Just the program (what the demo needs).
program: deps $(BUILD)/CMakeCache.txt
	cmake --build $(BUILD) -j $(JOBS) --target minsheng
	@ln -sf $(BUILD)/compile_commands.json compile_commands.json

test: test-deps web-deps build
	ctest --test-dir $(BUILD) --output-on-failure -j $(JOBS)

# The same suite under AddressSanitizer and UBSan (CI runs it after `make test`).
test-asan: deps test-deps web-deps
	cmake -S . -B $(BUILD_ASAN) -DCMAKE_BUILD_TYPE=Debug -DMINSHENG_SANITIZE=ON -DMINSHENG_BENCH=OFF
	cmake --build $(BUILD_ASAN) -j $(JOBS)
	ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	  ctest --test-dir $(BUILD_ASAN) --output-on-failure -j $(JOBS)

demo: program
	@bash demo/demo.sh $(BIN)

bench-deps:
	@bash .ci/install-deps.sh $(BENCH_DEPS)

bench: bench-deps build
	@bash bench/run.sh $(BUILD)

# libFuzzer targets, built with clang; each runs FUZZ_SECONDS.
fuzz: deps test-deps
	CXX=clang++ cmake -S . -B $(BUILD_FUZZ) -DCMAKE_BUILD_TYPE=Debug -DMINSHENG_FUZZ=ON -DMINSHENG_TESTS=OFF -DMINSHENG_BENCH=OFF
	cmake --build $(BUILD_FUZZ) -j $(JOBS) --target workflow_fuzz csv_fuzz cli_fuzz
	@bash fuzz/run.sh $(BUILD_FUZZ) $(FUZZ_SECONDS)

format:
	clang-format -i $$(git ls-files '*.cpp' '*.h')

clean:
	rm -rf build compile_commands.json

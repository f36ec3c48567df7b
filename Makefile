# Thin wrapper over CMake/CTest. The two commands a newcomer needs:
#   make demo   install what is missing, build, load the demo region, serve
#   make test   install what is missing, build, run every test (also under ASan+UBSan)
JOBS    ?= $(shell nproc 2>/dev/null || echo 2)
BUILD   ?= build
ASAN    ?= build-asan
DATADIR ?= var/demo
PORT    ?= 8080
PG_PORT ?= 25432
FUZZ     ?= build-fuzz
FUZZ_SECS ?= 60
# seconds per fuzz target inside `make test`
FUZZ_TEST_SECS ?= 5

.PHONY: all deps web-deps build build-asan build-fuzz test test-asan test-long load demo serve bench bench-province models clean format check fuzz

all: build

deps:
	@sh scripts/deps.sh

# Front-end packages from npm (lock file) copied into web/vendor/; with
# --browser also Debian's chromium and fonts for the browser tests.
web-deps:
	@sh scripts/web-deps.sh

build: deps
	@cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DXT_PG_PORT_BASE=$(PG_PORT) >/dev/null
	@cmake --build $(BUILD) -j $(JOBS)

build-asan: deps
	@cmake -S . -B $(ASAN) -DCMAKE_BUILD_TYPE=Debug -DXT_SANITIZE=ON -DXT_PG_PORT_BASE=$(PG_PORT) >/dev/null
	@cmake --build $(ASAN) -j $(JOBS)

# libFuzzer drivers of tests/fuzz (clang, ASan+UBSan); docs/RELIABILITY.md.
build-fuzz: deps
	@CC=clang cmake -S . -B $(FUZZ) -DXT_FUZZ=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo -DXT_PG_PORT_BASE=$(PG_PORT) >/dev/null
	@cmake --build $(FUZZ) -j $(JOBS) --target fuzz_all

test: build build-asan build-fuzz
	@sh scripts/web-deps.sh --browser
	@sh scripts/check-source.sh
	@sh scripts/cppcheck.sh
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)
	cd $(ASAN) && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
		ctest --output-on-failure -j $(JOBS)
	sh scripts/fuzz.sh $(FUZZ) $(FUZZ_TEST_SECS)

# Long mode: CRASH_ROUNDS kill -9 rounds of test_api_durability, on SQLite
# and on PostgreSQL (docs/RELIABILITY.md).
CRASH_ROUNDS ?= 50
test-long: build
	cd $(BUILD) && XT_CRASH_ROUNDS=$(CRASH_ROUNDS) ctest --output-on-failure -R 'test_api_durability'

# Bounded load on loopback: 200 connections for LOAD_SECS seconds, reads and
# writes mixed (bench/load.sh, figures into docs/RELIABILITY.md).
LOAD_SECS ?= 300
load: build
	sh bench/load.sh $(BUILD) $(LOAD_SECS) 200

# Each fuzz target for FUZZ_SECS seconds (figures in $(FUZZ)/fuzz-summary.txt).
fuzz: build-fuzz
	sh scripts/fuzz.sh $(FUZZ) $(FUZZ_SECS)

# The demo region, then the classifier's models into it (suggestions for
# every new request), then the server.
demo: build web-deps
	./$(BUILD)/xietong demo --data $(DATADIR) --port $(PORT) --no-serve
	@$(MAKE) --no-print-directory models DATADIR=$(DATADIR) BUILD=$(BUILD)
	./$(BUILD)/xietong serve --data $(DATADIR) --port $(PORT)

serve: build
	./$(BUILD)/xietong serve --data $(DATADIR) --port $(PORT)

bench: build
	sh bench/run.sh $(BUILD)
	sh bench/export.sh $(BUILD)
	sh bench/classify.sh $(BUILD)
	sh bench/open311.sh $(BUILD)
	sh bench/people.sh $(BUILD)
	sh bench/access.sh $(BUILD)

# Province scale on PostgreSQL (Gansu, 10 million generated tickets; ~6 min).
TICKETS ?= 10000000
bench-province: build
	RESIDENTS="$(RESIDENTS)" sh bench/province.sh $(BUILD) $(TICKETS)

# The classifier's two models, trained from data/messages into the data
# directory, where `xietong serve` loads them at start. The type model is
# trained without NBSVM scaling and without neighbours: with 2 and 11
# examples in two of its five types the count ratios are noise (macro-F1
# 0.517 without, 0.502 with, mean of 5 CV seeds) and the neighbours' votes
# too (0.517 without, 0.497 with).
models: build
	@mkdir -p $(DATADIR)/classify
	./$(BUILD)/xietong classify train --data data/messages/teddy2020c_category_train.csv \
		--map data/reference/classify_category_map.csv --out $(DATADIR)/classify/category.model
	./$(BUILD)/xietong classify train --data data/messages/fuzhou12345_rivers_type_train.csv \
		--nb 0 --knn 0 --out $(DATADIR)/classify/type.model

check:
	@sh scripts/check-source.sh
	@sh scripts/cppcheck.sh

format:
	clang-format -i src/*/*.c src/*/*.h src/*.c tests/*/*.c

clean:
	rm -rf $(BUILD) $(ASAN) $(FUZZ)

# Thin wrapper over CMake/CTest. The two commands a newcomer needs:
#   make demo   install what is missing, build, load the demo region, serve
#   make test   install what is missing, build, run every test (also under ASan+UBSan)
JOBS    ?= $(shell nproc 2>/dev/null || echo 2)
BUILD   ?= build
ASAN    ?= build-asan
DATADIR ?= var/demo
PORT    ?= 8080
PG_PORT ?= 25432

.PHONY: all deps web-deps build build-asan test test-asan demo serve bench bench-province clean format check

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

test: build build-asan
	@sh scripts/web-deps.sh --browser
	@sh scripts/check-source.sh
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)
	cd $(ASAN) && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
		ctest --output-on-failure -j $(JOBS)

demo: build web-deps
	./$(BUILD)/xietong demo --data $(DATADIR) --port $(PORT)

serve: build
	./$(BUILD)/xietong serve --data $(DATADIR) --port $(PORT)

bench: build
	sh bench/run.sh $(BUILD)
	sh bench/access.sh $(BUILD)

# Province scale on PostgreSQL (Gansu, 10 million generated tickets; ~6 min).
TICKETS ?= 10000000
bench-province: build
	sh bench/province.sh $(BUILD) $(TICKETS)

check:
	@sh scripts/check-source.sh

format:
	clang-format -i src/*/*.c src/*/*.h src/*.c tests/*/*.c

clean:
	rm -rf $(BUILD) $(ASAN)

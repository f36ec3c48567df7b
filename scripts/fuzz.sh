#!/bin/sh
# fuzz.sh BUILD_DIR SECS [TARGET...] - run each libFuzzer driver of
# tests/fuzz (built in BUILD_DIR with -DXT_FUZZ=ON, CC=clang) for SECS
# seconds, starting from its committed corpus and regression inputs, with
# its dictionary. New inputs go to BUILD_DIR/fuzz-corpus/<target> (never
# into the source tree); a crash leaves BUILD_DIR/fuzz-artifacts/<target>/
# and fails the run: commit that input under tests/fuzz/regressions/<target>/
# and fix the bug (docs/RELIABILITY.md).
#
# Prints one line per target: execs/s, coverage (cov: edges, ft: features),
# corpus size, and writes them to BUILD_DIR/fuzz-summary.txt.
set -u
build=${1:?usage: fuzz.sh BUILD_DIR SECS [TARGET...]}
secs=${2:?usage: fuzz.sh BUILD_DIR SECS [TARGET...]}
shift 2
src=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "$build" && pwd)
targets="$*"
if [ -z "$targets" ]; then
    for f in "$src"/tests/fuzz/fuzz_*.c; do
        targets="$targets $(basename "$f" .c)"
    done
fi
summary="$build/fuzz-summary.txt"
: >"$summary"
fail=0
for t in $targets; do
    bin="$build/$t"
    if [ ! -x "$bin" ]; then
        echo "fuzz: $bin is not built (cmake --build $build --target fuzz_all)"
        fail=1
        continue
    fi
    work="$build/fuzz-corpus/$t"
    art="$build/fuzz-artifacts/$t"
    mkdir -p "$work" "$art" "$src/tests/fuzz/regressions/$t"
    dict=""
    [ -f "$src/tests/fuzz/$t.dict" ] && dict="-dict=$src/tests/fuzz/$t.dict"
    log="$build/fuzz-$t.log"
    tmp="$build/fuzz-tmp/$t"
    rm -rf "$tmp" && mkdir -p "$tmp"
    # ASan's leak check stays on; a slow input (10 s) counts as a failure.
    XT_FUZZ_TMPDIR="$tmp" ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
        LSAN_OPTIONS=suppressions="$src/tests/fuzz/lsan.supp":print_suppressions=0 \
        UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
        "$bin" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -max_len=16384 \
        -print_final_stats=1 -artifact_prefix="$art/" $dict \
        "$work" "$src/tests/fuzz/corpus/$t" "$src/tests/fuzz/regressions/$t" >"$log" 2>&1
    rc=$?
    rm -rf "$tmp"
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
    rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
    cov=$(grep -oE 'cov: [0-9]+ ft: [0-9]+ corp: [0-9]+' "$log" | tail -1)
    line="$t: ${secs}s, ${execs:-?} runs, ${rate:-?} exec/s, ${cov:-no coverage line}"
    if [ $rc -ne 0 ]; then
        line="$line -- FAILED (exit $rc), see $log and $art/"
        grep -E 'ERROR|SUMMARY|fuzzsupport|fuzz_' "$log" | head -5
        fail=1
    fi
    echo "$line" | tee -a "$summary"
done
exit $fail
